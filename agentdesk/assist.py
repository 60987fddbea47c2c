"""The assistant in the conversation pane (a service): tone, evidence and script
suggestions for the current customer turn, and the events that record their use.

It reads a conversation through :class:`~agentdesk.desk.Desk`, runs the pure tone and
suggestion engines (:mod:`agentdesk.scripts`) and returns plain data for the screen.
Scripts already used in the conversation are never offered again; scripts dismissed
for a turn are not offered again for that turn.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from agentdesk.domain import AuthorKind, EventKind

if TYPE_CHECKING:  # pragma: no cover
    from agentdesk.desk import Desk
    from agentdesk.domain import ConversationView

HIGHLIGHT_LAST = 40  # customer messages whose evidence is highlighted (the latest ones)


@dataclass(frozen=True)
class SuggestionView:
    script_id: str
    title: str
    step: str
    reason: str
    template: str


@dataclass(frozen=True)
class Assist:
    """What the pane shows for the conversation's current customer turn."""

    turn_message_id: int | None = None
    level: str | None = None
    needs_deescalation: bool = False
    summary: str = ""  # "upset: frustration (high), urgency (medium)"
    evidence: tuple[str, ...] = ()  # the words that triggered it, in order
    suggestions: tuple[SuggestionView, ...] = ()
    highlights: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    fill_values: dict[str, str] = field(default_factory=dict)


def first_name(name: str) -> str:
    parts = (name or "").split()
    return parts[0] if parts else "there"


def assist(desk: "Desk", view: "ConversationView", *, agent_name: str = "",
           wait_bound: str | None = None, now: float | None = None) -> Assist:
    """Tone, evidence and suggestions for ``view``'s latest customer turn."""
    from agentdesk.scripts.loader import default_library
    from agentdesk.scripts.suggestions import ConversationState, suggest
    from agentdesk.scripts.tone import ToneContext, analyze

    now = time.time() if now is None else now
    customer_msgs = [m for m in view.messages if m.kind == AuthorKind.CUSTOMER]
    fill_values = {
        "customer_first_name": first_name(view.customer.name),
        "agent_name": first_name(agent_name),
        "queue_name": view.queue_name,
        "ticket_id": f"#{view.id}",
    }
    if wait_bound:
        fill_values["wait_bound"] = wait_bound
    if not customer_msgs:
        return Assist(fill_values=fill_values)
    turn = customer_msgs[-1]
    events = desk.events(view.id)
    used = {e.data.get("script_id") for e in events if e.kind == EventKind.SUGGESTION_USED}
    dismissed = set()
    for e in events:
        if e.kind == EventKind.SUGGESTION_DISMISSED and e.data.get("message_id") == turn.id:
            dismissed.update(e.data.get("script_ids") or ())
    # how long the customer has been waiting for an answer
    agent_times = [m.created_at for m in view.messages if m.kind == AuthorKind.AGENT]
    if not agent_times:
        waited = max(0.0, now - view.enqueued_at)
    elif agent_times[-1] < turn.created_at:
        waited = max(0.0, now - turn.created_at)
    else:
        waited = 0.0
    highlights: dict[int, list[tuple[int, int]]] = {}
    earlier: list[str] = []
    results = []
    for m in customer_msgs[-HIGHLIGHT_LAST:]:
        wait = waited if m is turn else 0.0
        result = analyze(m.body, ToneContext.of(earlier=tuple(earlier[-4:]), waited_s=wait))
        spans = [(s, e) for s, e, _tone in result.evidence_spans()]
        if spans:
            highlights[m.id] = spans
        results.append(result)
        earlier.append(m.body)
    recent = [h for h in view.history if now - h.created_at < 30 * 86400]
    state = ConversationState(
        waited_s=waited,
        repeat_contacts=len(recent),
        transferred=bool(view.handoff_note),
        agent_replies=sum(1 for m in view.messages if m.kind == AuthorKind.AGENT),
        hostile_turns=sum(1 for r in results[:-1] if str(r.level) == "hostile"),
        wait_bound=wait_bound,
    )
    tone = results[-1]
    suggestions = suggest(tone, state, default_library(), used_ids=used | dismissed)
    evidence = []
    for s, e, _t in tone.evidence_spans():
        word = turn.body[s:e]
        if word and word not in evidence:
            evidence.append(word)
    return Assist(
        turn_message_id=turn.id,
        level=str(tone.level),
        needs_deescalation=bool(tone.needs_deescalation),
        summary=tone.summary(),
        evidence=tuple(evidence[:6]),
        suggestions=tuple(SuggestionView(s.script_id, s.title, str(s.step), s.reason, s.text) for s in suggestions),
        highlights=highlights,
        fill_values=fill_values,
    )


def record_shown(desk: "Desk", conversation_id: int, agent_id: int, a: Assist) -> bool:
    """Record ``suggestion_shown`` once per customer turn and agent; True if recorded."""
    if not a.suggestions or a.turn_message_id is None:
        return False
    for e in desk.events(conversation_id):
        if (e.kind == EventKind.SUGGESTION_SHOWN and e.agent_id == agent_id
                and e.data.get("message_id") == a.turn_message_id):
            return False
    desk.record(EventKind.SUGGESTION_SHOWN, conversation_id=conversation_id, agent_id=agent_id,
                data=_data(a, script_ids=[s.script_id for s in a.suggestions]))
    return True


def record_used(desk: "Desk", conversation_id: int, agent_id: int, a: Assist, script_id: str) -> None:
    desk.record(EventKind.SUGGESTION_USED, conversation_id=conversation_id, agent_id=agent_id,
                data=_data(a, script_id=script_id))


def record_dismissed(desk: "Desk", conversation_id: int, agent_id: int, a: Assist) -> None:
    desk.record(EventKind.SUGGESTION_DISMISSED, conversation_id=conversation_id, agent_id=agent_id,
                data=_data(a, script_ids=[s.script_id for s in a.suggestions]))


def _data(a: Assist, **extra: Any) -> dict[str, Any]:
    return {"message_id": a.turn_message_id, "level": a.level, **extra}
