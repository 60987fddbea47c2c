"""Playback of a recorded session: turns, position, play/pause, stepping and speed.

Pure and deterministic: nothing here reads a clock. A screen drives a
:class:`Timeline` either with a timer — ask :meth:`Timeline.time_until_next`, sleep
that long, call :meth:`Timeline.step_forward` — or with ticks, passing the real
seconds elapsed to :meth:`Timeline.advance`, which returns the turns that became
due. Both honour the original timing × speed.

A *turn* is one thing the trainer sees happen: a message (customer, agent, system),
an internal note, or a state change (arrived, wait quoted, claimed, held, resumed,
transferred, resolved, reopened, abandoned, CSAT). Tone readings, assistant
suggestions and trainer annotations are not turns: they are attached to the turn
they belong to.

Long silences (a customer waiting 20 minutes in the queue, an e-mail answered the
next day) would make real-time playback useless, so each gap is capped at
``max_gap_s`` of *session* time (default 30 s) before the speed applies; the turn
says so (:attr:`Turn.compressed`) and the UI can show "20 min later".
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from agentdesk.domain import DISPOSITIONS, AuthorKind, EventKind
from agentdesk.errors import UsageError
from agentdesk.replay.session import Session, SessionEvent

SPEEDS: tuple[float, ...] = (0.5, 1.0, 2.0, 4.0, 8.0, 16.0)
"""The speed ladder :meth:`Timeline.faster` and :meth:`Timeline.slower` move along."""
MIN_SPEED = SPEEDS[0]
MAX_SPEED = SPEEDS[-1]
DEFAULT_MAX_GAP_S = 30.0

_DISPOSITION_LABELS = dict(DISPOSITIONS)


class TurnKind(StrEnum):
    CUSTOMER = "customer"
    AGENT = "agent"
    SYSTEM = "system"
    NOTE = "note"
    EVENT = "event"  # a state change: claimed, held, transferred, resolved …


_ATTACHED = frozenset({
    EventKind.TONE, EventKind.SUGGESTION_SHOWN, EventKind.SUGGESTION_USED,
    EventKind.SUGGESTION_DISMISSED, EventKind.ANNOTATION, EventKind.AGENT_STATUS,
})
_ENQUEUE = frozenset({EventKind.ARRIVED, EventKind.TRANSFERRED, EventKind.REOPENED})


@dataclass(frozen=True, slots=True)
class WaitCheck:
    """How a wait quote compared with the wait that followed it."""

    quoted_expected_s: float
    quoted_upper_s: float
    waited_s: float
    answered: bool  # False when the customer abandoned before a claim

    @property
    def within_bound(self) -> bool:
        return self.waited_s <= self.quoted_upper_s

    @property
    def error_s(self) -> float:
        """Actual wait minus the expected wait (positive: longer than expected)."""
        return self.waited_s - self.quoted_expected_s


@dataclass(frozen=True, slots=True)
class Turn:
    index: int
    kind: TurnKind
    event: SessionEvent
    offset_s: float
    """Seconds from the start of the session (its ``created_at``)."""
    gap_s: float
    """Seconds since the previous turn, as recorded (0 for the first turn)."""
    label: str
    """One line describing the turn ("Claimed by Priya", "On hold: checking …");
    for messages and notes, who wrote it."""
    tone: SessionEvent | None = None
    """The recorded tone reading of a customer turn, if the recording has one."""
    suggestions: tuple[SessionEvent, ...] = ()
    annotations: tuple[SessionEvent, ...] = ()
    wait: WaitCheck | None = None
    """On a ``claimed`` or ``abandoned`` turn: the wait quote against the actual wait."""
    answers: int | None = None
    """On an agent turn: the index of the earliest customer turn it answers."""
    response_s: float | None = None
    """On an agent turn: seconds from that customer turn (or from the claim, if the
    customer wrote before the agent had the conversation) to this reply."""

    @property
    def text(self) -> str | None:
        return self.event.body

    @property
    def tone_level(self) -> str | None:
        return self.tone.data.get("level") if self.tone is not None else None


def _fmt_s(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, sec = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {sec:02d} s" if sec else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def _label(ev: SessionEvent) -> str:
    d = ev.data
    who = ev.agent or "an agent"
    match ev.kind:
        case EventKind.MESSAGE:
            if ev.author == AuthorKind.AGENT:
                return f"{ev.agent or 'Agent'}"
            return "Customer" if ev.author == AuthorKind.CUSTOMER else "System"
        case EventKind.NOTE:
            return f"Note by {ev.agent}" if ev.agent else "Note"
        case EventKind.ARRIVED:
            return f"Arrived in {d['queue']}" if d.get("queue") else "Arrived"
        case EventKind.WAIT_QUOTED:
            text = f"Wait quoted: about {_fmt_s(d['expected_s'])}, at most {_fmt_s(d['upper_s'])}"
            return text + (f" — {d['reason']}" if d.get("reason") else "")
        case EventKind.CLAIMED:
            return f"Claimed by {who}"
        case EventKind.HELD:
            return f"On hold: {d['reason']}" if d.get("reason") else "On hold"
        case EventKind.RESUMED:
            return "Back from hold"
        case EventKind.TRANSFERRED:
            text = f"Transferred to {d.get('to_queue')}"
            return text + (f" — hand-off: {d['note']}" if d.get("note") else " — no hand-off note")
        case EventKind.WRAP_UP:
            return "Wrap-up"
        case EventKind.RESOLVED:
            code = d.get("disposition")
            return f"Resolved: {_DISPOSITION_LABELS.get(code, code)}"
        case EventKind.REOPENED:
            return f"Reopened: {d['reason']}" if d.get("reason") else "Reopened"
        case EventKind.ABANDONED:
            return "Customer left before being answered"
        case EventKind.CSAT:
            return f"CSAT {d.get('score')}/5" + (f": {d['comment']}" if d.get("comment") else "")
    return ev.kind


def build_turns(session: Session) -> tuple[Turn, ...]:
    """The turns of ``session`` with their attachments, wait checks and response times."""
    mains: list[SessionEvent] = [e for e in session.events if e.kind not in _ATTACHED]
    index_of_seq: dict[int, int] = {e.seq: i for i, e in enumerate(mains)}
    owner: dict[int, int] = {}  # seq of any event -> index of the turn that owns it
    tones: dict[int, SessionEvent] = {}
    suggestions: dict[int, list[SessionEvent]] = {}
    annotations: dict[int, list[SessionEvent]] = {}

    last_turn = -1
    last_customer = -1
    for ev in session.events:
        if ev.kind not in _ATTACHED:
            last_turn = index_of_seq[ev.seq]
            owner[ev.seq] = last_turn
            if ev.is_customer_message:
                last_customer = last_turn
            continue
        if ev.kind in (EventKind.TONE, EventKind.SUGGESTION_SHOWN, EventKind.SUGGESTION_USED,
                       EventKind.SUGGESTION_DISMISSED):
            ref = ev.data.get("in_reply_to")
            target = owner.get(ref, last_customer) if ref is not None else last_customer
            if target < 0:
                target = max(last_turn, 0)
            owner[ev.seq] = target
            if ev.kind == EventKind.TONE:
                tones[target] = ev  # the latest reading wins
            else:
                suggestions.setdefault(target, []).append(ev)
        elif ev.kind == EventKind.ANNOTATION:
            target = owner.get(ev.data.get("target"), max(last_turn, 0))
            owner[ev.seq] = target
            annotations.setdefault(target, []).append(ev)
        else:  # agent_status: part of the turn it follows
            owner[ev.seq] = max(last_turn, 0)

    turns: list[Turn] = []
    prev_at = session.created_at
    enqueued_at = session.created_at
    quote: SessionEvent | None = None
    claim_at: float | None = None
    unanswered: int | None = None  # earliest customer turn not yet answered
    for i, ev in enumerate(mains):
        kind = {
            AuthorKind.CUSTOMER: TurnKind.CUSTOMER, AuthorKind.AGENT: TurnKind.AGENT,
            AuthorKind.SYSTEM: TurnKind.SYSTEM,
        }.get(ev.author, TurnKind.SYSTEM) if ev.kind == EventKind.MESSAGE else (
            TurnKind.NOTE if ev.kind == EventKind.NOTE else TurnKind.EVENT
        )
        wait = None
        answers = response = None
        if ev.kind in _ENQUEUE:
            enqueued_at = ev.at
            quote = None
            if ev.kind != EventKind.ARRIVED:
                claim_at = None
        elif ev.kind == EventKind.WAIT_QUOTED:
            quote = ev
        elif ev.kind in (EventKind.CLAIMED, EventKind.ABANDONED):
            if quote is not None:
                wait = WaitCheck(
                    quoted_expected_s=float(quote.data["expected_s"]),
                    quoted_upper_s=float(quote.data["upper_s"]),
                    waited_s=ev.at - enqueued_at,
                    answered=ev.kind == EventKind.CLAIMED,
                )
            if ev.kind == EventKind.CLAIMED:
                claim_at = ev.at
            quote = None
        if kind is TurnKind.CUSTOMER and unanswered is None:
            unanswered = i
        elif kind is TurnKind.AGENT and unanswered is not None:
            answers = unanswered
            start = mains[unanswered].at
            if claim_at is not None:
                start = max(start, claim_at)
            response = ev.at - start
            unanswered = None
        turns.append(Turn(
            index=i, kind=kind, event=ev, offset_s=ev.at - session.created_at,
            gap_s=ev.at - prev_at, label=_label(ev),
            tone=tones.get(i), suggestions=tuple(suggestions.get(i, ())),
            annotations=tuple(annotations.get(i, ())), wait=wait, answers=answers,
            response_s=response,
        ))
        prev_at = ev.at
    return tuple(turns)


class Timeline:
    """Where a replay is and how fast it goes. Mutable; one per replay screen."""

    def __init__(self, session: Session, *, speed: float = 1.0,
                 max_gap_s: float | None = DEFAULT_MAX_GAP_S):
        if max_gap_s is not None and max_gap_s <= 0:
            raise UsageError("max_gap_s must be positive (or None for real gaps)")
        self.session = session
        self.turns: tuple[Turn, ...] = build_turns(session)
        self.max_gap_s = max_gap_s
        self.position = -1
        """Index of the last turn shown; -1 before the first."""
        self.playing = False
        self._speed = 1.0
        self._progress = 0.0  # session seconds already played toward the next turn
        self.set_speed(speed)

    # ------------------------------------------------------------- state

    @property
    def speed(self) -> float:
        return self._speed

    @property
    def current(self) -> Turn | None:
        return self.turns[self.position] if self.position >= 0 else None

    @property
    def next_turn(self) -> Turn | None:
        i = self.position + 1
        return self.turns[i] if i < len(self.turns) else None

    @property
    def visible(self) -> tuple[Turn, ...]:
        """The turns shown so far, oldest first."""
        return self.turns[: self.position + 1]

    @property
    def at_end(self) -> bool:
        return self.position >= len(self.turns) - 1

    def played_gap(self, turn: Turn) -> float:
        """The session seconds playback spends before ``turn`` (its gap, capped)."""
        if self.max_gap_s is None:
            return turn.gap_s
        return min(turn.gap_s, self.max_gap_s)

    def compressed(self, turn: Turn) -> bool:
        """Whether playback shortens the silence before ``turn``."""
        return self.max_gap_s is not None and turn.gap_s > self.max_gap_s

    def time_until_next(self) -> float | None:
        """Real seconds until the next turn at the current speed (None at the end)."""
        nxt = self.next_turn
        if nxt is None:
            return None
        return max(0.0, self.played_gap(nxt) - self._progress) / self._speed

    # ---------------------------------------------------------- controls

    def play(self) -> None:
        self.playing = not self.at_end

    def pause(self) -> None:
        self.playing = False

    def toggle(self) -> bool:
        """Play if paused, pause if playing; returns whether it is now playing."""
        if self.playing:
            self.pause()
        else:
            self.play()
        return self.playing

    def set_speed(self, speed: float) -> float:
        if isinstance(speed, bool) or not isinstance(speed, int | float) or not (
            MIN_SPEED <= speed <= MAX_SPEED
        ):
            raise UsageError(f"speed must be between {MIN_SPEED:g}× and {MAX_SPEED:g}×, got {speed!r}")
        self._speed = float(speed)
        return self._speed

    def faster(self) -> float:
        """The next speed up the ladder (stays at the top)."""
        for s in SPEEDS:
            if s > self._speed:
                return self.set_speed(s)
        return self._speed

    def slower(self) -> float:
        """The next speed down the ladder (stays at the bottom)."""
        for s in reversed(SPEEDS):
            if s < self._speed:
                return self.set_speed(s)
        return self._speed

    def seek(self, index: int) -> Turn | None:
        """Show turns up to ``index`` (-1: none). Playback progress restarts."""
        if not -1 <= index < len(self.turns):
            raise UsageError(f"no turn {index}; this session has {len(self.turns)} turns")
        self.position = index
        self._progress = 0.0
        if self.at_end:
            self.playing = False
        return self.current

    def step_forward(self) -> Turn | None:
        """Show the next turn and return it (None, and no change, at the end)."""
        if self.at_end:
            self.playing = False
            return None
        return self.seek(self.position + 1)

    def step_back(self) -> Turn | None:
        """Hide the last shown turn; returns the new current turn (None before the
        first). Does nothing before the first turn."""
        if self.position < 0:
            return None
        return self.seek(self.position - 1)

    def jump_to_next_customer(self) -> Turn | None:
        """Show everything up to the next customer turn and return it; None (and no
        change) if no customer turn is left."""
        for t in self.turns[self.position + 1:]:
            if t.kind is TurnKind.CUSTOMER:
                return self.seek(t.index)
        return None

    def jump_to_previous_customer(self) -> Turn | None:
        """Go back to the customer turn before the current one; None if there is none."""
        for t in reversed(self.turns[: max(self.position, 0)]):
            if t.kind is TurnKind.CUSTOMER:
                return self.seek(t.index)
        return None

    def advance(self, elapsed_s: float) -> list[Turn]:
        """Let ``elapsed_s`` real seconds pass. While playing, returns the turns that
        became due (in order) and keeps the remainder toward the next one; pauses by
        itself after the last turn. Paused, nothing happens."""
        if elapsed_s < 0:
            raise UsageError("elapsed time cannot be negative")
        shown: list[Turn] = []
        if not self.playing:
            return shown
        budget = self._progress + elapsed_s * self._speed
        while (nxt := self.next_turn) is not None:
            need = self.played_gap(nxt)
            if budget < need:
                break
            budget -= need
            self.position += 1
            shown.append(nxt)
        self._progress = budget if self.next_turn is not None else 0.0
        if self.at_end:
            self.playing = False
        return shown
