"""Suggestions: which scripts fit the customer's current turn, and why.

:func:`suggest` ranks the library for one customer turn from its
:class:`~agentdesk.scripts.tone.ToneResult` and the :class:`ConversationState`, and
returns at most three :class:`Suggestion` objects, each with a one-line reason.
:func:`fill` turns a chosen script into composer text with the cursor placed where the
agent should start typing.

Scoring (docs/tone.md, "How suggestions are ranked"):

1. **Needs.** The signals and the state give each step a need: abuse → a calm
   boundary; a threat → acknowledge, then escalate; anger → acknowledge and apologise;
   frustration → empathise, apologise, assure; confusion → explain step by step;
   churn risk → offer options; anxiety → assure; urgency → set expectations;
   gratitude → close (a light acknowledgement when they also ask for something). A long
   wait asks for an apology for the wait with an honest update; a repeat contact or a
   repeated question asks for ownership.
2. **Fit.** A script scores its step's need, plus a bonus for each tone it is tagged
   with that the turn shows (by level), plus a larger bonus for each situation it is
   tagged with that holds now, and one for a script written for one of the turn's
   cues. Scripts that fit no tone and no situation are left out.
3. **Variety.** The top three are picked greedily, halving the score of a script whose
   step is already in the list, so the agent sees, say, acknowledge + apologise +
   assure rather than three apologies.
4. Scripts in ``used_ids`` (already used in this conversation) are never offered, nor
   a script whose ``cues`` the turn doesn't show ("Protect their money first" needs a worry
   about money or an account, not any worry).

A calm turn with nothing else going on gets at most one light acknowledgement.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from typing import Iterable, Mapping

from agentdesk.scripts.loader import Library, Script
from agentdesk.scripts.tone import Evidence, Signal, SignalLevel, Tone, ToneResult

LONG_WAIT_S = 300.0
"""From this wait on, the customer gets an apology for the wait."""

_LEVEL_WEIGHT = {SignalLevel.LOW: 0.5, SignalLevel.MEDIUM: 1.0, SignalLevel.HIGH: 1.5}


_REQUEST = re.compile(
    r"\?|\b(?:can|could|would|will) (?:you|i|we)\b|\bhow (?:do|can|should|would) (?:i|we)\b|"
    r"\bi(?:'d| would) like\b|\b(?:i|we) (?:need|want|wanted) to\b|\bplease\b|\bone more thing\b|"
    r"\bquick q(?:uestion)?\b|\basks? (?:whether|if|for|about|how|to)\b|\bwants? (?:to|a|an|the|help)\b",
    re.IGNORECASE)
"""A message that asks for something: gratitude in it opens a request, not a close."""

_SITUATION_BOUND_STEPS = frozenset({"apologise", "close", "boundary", "escalate", "explain"})
"""Steps whose scripts tagged with situations are offered only when one holds."""

_STEP_ACTION = {
    "acknowledge": "acknowledge before solving",
    "empathise": "show you understand",
    "apologise": "apologise for the impact",
    "align": "agree on the goal",
    "assure": "say what happens next, and by when",
    "options": "offer options",
    "explain": "explain step by step",
    "escalate": "hand over with the context",
    "boundary": "set a calm boundary",
    "close": "thank them and follow up",
}
_SITUATION_ACTION = {
    ("long_wait", "apologise"): "apologise for the wait with an honest update",
    ("long_wait", "assure"): "give an honest time estimate",
    ("long_wait", "empathise"): "recognise the time they lost",
    ("long_wait", "close"): "thank them for their patience",
    ("repeat_contact", "acknowledge"): "take ownership, no repeating",
    ("repeat_contact", "apologise"): "apologise that they had to come back",
    ("repeat_contact", "escalate"): "name one owner for the case",
    ("repeat_contact", "assure"): "commit to a callback time",
    ("repeat_contact", "close"): "fix the root cause too",
    ("repeated_question", "acknowledge"): "take ownership, no repeating",
    ("transferred", "escalate"): "show you have the context",
    ("transferred", "acknowledge"): "show you have the context",
    ("repeated_abuse", "boundary"): "a second, clear boundary",
    ("persistent_abuse", "boundary"): "end the chat respectfully, keep the case open",
    ("answered", "explain"): "check that your explanation landed",
}
_CUE_ACTION = {
    "firm cancel": "they have decided: cancel it, no more offers",
}
"""The reason of a script written for one of these cues, when the turn shows it."""
_DECLINES = {
    "firm cancel": "options",
}
"""Cues by which the customer turns a step down ("I don't want a discount"): that step
is then offered only through scripts written for the cue ("cancel it, no sales pitch")."""


@dataclass(frozen=True, slots=True)
class ConversationState:
    """What the conversation looks like at this turn (the services fill it in).

    ``waited_s``: how long the customer waited before this turn was answered (queue
    wait for a first turn). ``repeat_contacts``: earlier contacts about the same
    matter. ``transferred``: the conversation came to this agent by a transfer.
    ``agent_replies``: agent messages sent so far. ``hostile_turns``: earlier customer
    turns that were hostile. ``wait_bound``: the current wait quote's upper bound in
    words, if one exists (scripts quoting ``{wait_bound}`` are preferred only then).
    """

    waited_s: float = 0.0
    repeat_contacts: int = 0
    transferred: bool = False
    agent_replies: int = 0
    hostile_turns: int = 0
    wait_bound: str | None = None


@dataclass(frozen=True, slots=True)
class Suggestion:
    script_id: str
    title: str
    text: str
    """The template, with its placeholders; :func:`fill` makes composer text of it."""
    step: str
    reason: str
    """One line: why this script, for this turn."""
    score: float


def _words(result: ToneResult, e: Evidence) -> str:
    """The evidence's words on one line, at most 30 characters."""
    w = " ".join(result.text[e.start:e.end].split())
    return w if len(w) <= 30 else w[:29] + "…"


def _quote(result: ToneResult, signal: Signal, limit: int = 2) -> str:
    words: list[str] = []
    for e in signal.evidence:
        w = _words(result, e)
        if w and w.lower() not in (x.lower() for x in words):
            words.append(w)
        if len(words) == limit:
            break
    return ", ".join(f"“{w}”" for w in words)


def _situations(result: ToneResult, state: ConversationState) -> dict[str, str]:
    """Situations that hold now, with the words used in a reason."""
    found: dict[str, str] = {}
    if state.waited_s >= LONG_WAIT_S:
        found["long_wait"] = f"waited {state.waited_s / 60:.0f} min"
    if state.repeat_contacts > 0:
        n = state.repeat_contacts + 1
        found["repeat_contact"] = f"contact #{n} about this"
    frustration = result.signal(Tone.FRUSTRATION)
    if frustration is not None:
        if any("asked before" in n for n in frustration.notes):
            found["repeated_question"] = "asked the same thing again"
        else:
            before = next((e for e in frustration.evidence if e.cue in ("contact again", "no answer")), None)
            if before is not None:
                found["repeated_question"] = f"has been in touch before (“{_words(result, before)}”)"
    if state.transferred:
        found["transferred"] = "transferred to you"
    if state.agent_replies >= 1:
        found["answered"] = "still unsure after your reply"
    if state.hostile_turns >= 1 and result.signal(Tone.ABUSE) is not None:
        found["repeated_abuse"] = "abusive again"
        if state.hostile_turns >= 2:
            found["persistent_abuse"] = f"abusive after {state.hostile_turns} hostile turns"
    return found


def _needs(result: ToneResult, state: ConversationState, situations: Mapping[str, str]
           ) -> tuple[dict[str, float], dict[str, str]]:
    """Need per step, and the reason behind the strongest need of each step."""
    need: dict[str, float] = {}
    why: dict[str, str] = {}

    def want(step: str, amount: float, reason: str) -> None:
        if amount > need.get(step, 0.0):
            need[step] = amount
            why[step] = reason

    def lvl(tone: Tone) -> float:
        s = result.signal(tone)
        return _LEVEL_WEIGHT[s.level] if s else 0.0

    def said(tone: Tone) -> str:
        s = result.signal(tone)
        assert s is not None
        q = _quote(result, s)
        return f"{s.label} ({s.level}{': ' + q if q else ''})"

    if lvl(Tone.ABUSE):
        want("boundary", 3.0 + lvl(Tone.ABUSE), f"{said(Tone.ABUSE)}: set a calm boundary, keep helping")
        want("align", 1.2, f"{said(Tone.ABUSE)}: refocus on the problem")
    if lvl(Tone.THREAT):
        want("acknowledge", 2.0 + lvl(Tone.THREAT), f"{said(Tone.THREAT)}: acknowledge and stay in control")
        want("escalate", 1.6 + lvl(Tone.THREAT), f"{said(Tone.THREAT)}: offer the formal route")
        want("options", 1.2, f"{said(Tone.THREAT)}: offer a faster way than a dispute")
    if lvl(Tone.ANGER):
        want("acknowledge", 1.8 + lvl(Tone.ANGER), f"{said(Tone.ANGER)}: acknowledge before solving")
        want("apologise", 1.4 + lvl(Tone.ANGER), f"{said(Tone.ANGER)}: apologise for the impact")
        want("align", 1.0 + lvl(Tone.ANGER) / 2, f"{said(Tone.ANGER)}: agree on the goal")
    if lvl(Tone.FRUSTRATION):
        f = lvl(Tone.FRUSTRATION)
        want("empathise", 1.4 + f, f"{said(Tone.FRUSTRATION)}: show you understand")
        want("acknowledge", 1.2 + f, f"{said(Tone.FRUSTRATION)}: acknowledge before solving")
        want("apologise", 1.1 + f, f"{said(Tone.FRUSTRATION)}: apologise for the impact")
        want("assure", 0.9 + f / 2, f"{said(Tone.FRUSTRATION)}: say what happens next")
    if lvl(Tone.CONFUSION):
        want("explain", 2.2 + lvl(Tone.CONFUSION), f"{said(Tone.CONFUSION)}: explain step by step")
        want("empathise", 0.8, f"{said(Tone.CONFUSION)}: reassure that it is confusing")
    churn = result.signal(Tone.CHURN_RISK)
    # "I cancelled it last month" is a decision made, not a risk to answer with options
    if churn is not None and any(e.cue not in ("already cancelled", "shouting", "repeated punctuation")
                                 for e in churn.evidence):
        want("options", 2.2 + lvl(Tone.CHURN_RISK), f"{said(Tone.CHURN_RISK)}: offer options before anything else")
        want("empathise", 1.0 + lvl(Tone.CHURN_RISK) / 2, f"{said(Tone.CHURN_RISK)}: acknowledge the disappointment")
    if lvl(Tone.ANXIETY):
        want("assure", 2.0 + lvl(Tone.ANXIETY), f"{said(Tone.ANXIETY)}: reassure and set expectations")
        want("empathise", 1.2 + lvl(Tone.ANXIETY) / 2, f"{said(Tone.ANXIETY)}: name the worry")
    if lvl(Tone.URGENCY):
        want("assure", 1.6 + lvl(Tone.URGENCY), f"{said(Tone.URGENCY)}: say by when")
        want("options", 0.8, f"{said(Tone.URGENCY)}: offer the fastest route")
    if lvl(Tone.GRATITUDE) and not result.needs_deescalation:
        if _REQUEST.search(result.text):
            # "thanks for last time — quick question: …": not the end of the conversation
            want("acknowledge", 1.6 + lvl(Tone.GRATITUDE),
                 f"{said(Tone.GRATITUDE)}, and a new request: thank them, then help")
        else:
            want("close", 1.6 + lvl(Tone.GRATITUDE), f"{said(Tone.GRATITUDE)}: thank them and close or follow up")
    if "long_wait" in situations:
        want("apologise", 3.2, f"{situations['long_wait']}: apologise for the wait with an honest update")
        want("assure", 1.8, f"{situations['long_wait']}: give an honest time estimate")
    if "repeat_contact" in situations or "repeated_question" in situations:
        key = "repeat_contact" if "repeat_contact" in situations else "repeated_question"
        want("acknowledge", 2.8, f"{situations[key]}: take ownership, no repeating")
        want("escalate", 1.3, f"{situations[key]}: name an owner for the case")
    if "transferred" in situations:
        want("escalate", 2.4, f"{situations['transferred']}: show you have the context")
    if result.level == "hostile" or state.hostile_turns >= 2:
        want("escalate", 2.2 + 0.4 * state.hostile_turns, "hostile turns: offer a supervisor")
    return need, why


def suggest(result: ToneResult, state: ConversationState | None = None,
            library: Library | None = None, used_ids: Iterable[str] = (), limit: int = 3
            ) -> list[Suggestion]:
    """Up to ``limit`` scripts for this customer turn, best first, each with a reason.

    ``library`` defaults to the built-in one. Scripts in ``used_ids`` are skipped.
    Returns ``[]`` when nothing is worth suggesting.
    """
    if library is None:
        from agentdesk.scripts.loader import default_library

        library = default_library()
    state = state or ConversationState()
    used = set(used_ids)
    situations = _situations(result, state)
    need, why = _needs(result, state, situations)
    present = {s.tone: _LEVEL_WEIGHT[s.level] for s in result.signals}
    shown_cues = {e.cue for s in result.signals for e in s.evidence}
    declined = {step: cue for cue, step in _DECLINES.items() if cue in shown_cues}

    candidates: list[tuple[float, Script, str]] = []
    calm = not need
    for script in library:
        if script.id in used or (script.cues and shown_cues.isdisjoint(script.cues)):
            continue
        if script.step in declined and declined[script.step] not in script.cues:
            continue  # they said no to offers: don't make one
        if calm:
            if "calm" in script.tones and script.step == "acknowledge" and not script.situations:
                candidates.append((1.0, script, "calm turn: a light acknowledgement is enough"))
            continue
        fits = sorted((present.get(t, 0.0) for t in script.tones if t != "calm"), reverse=True)
        tone_fit = (fits[0] + 0.25 * sum(fits[1:])) if fits else 0.0
        sit_fit = [s for s in script.situations if s in situations]
        if not tone_fit and not sit_fit:
            continue
        if script.situations and not sit_fit and script.step in _SITUATION_BOUND_STEPS:
            continue  # "sorry for the wait" without a wait rings hollow
        base = need.get(script.step, 0.0)
        if not base:
            continue
        score = base + 0.35 * tone_fit + 1.2 * len(sit_fit)
        if script.cues:
            score += 1.0  # written for exactly what the customer said
        if script.situations and not sit_fit:
            score -= 0.4  # written for a situation that doesn't hold now
        if "wait_bound" in script.placeholders and not state.wait_bound and "long_wait" not in situations:
            score -= 0.5
        reason = why[script.step]
        cue_hit = next((e for s in result.signals for e in s.evidence
                        if e.cue in script.cues and e.cue in _CUE_ACTION), None)
        if cue_hit is not None:
            reason = f"“{_words(result, cue_hit)}”: {_CUE_ACTION[cue_hit.cue]}"
        elif sit_fit:
            sit = sit_fit[0]
            action = _SITUATION_ACTION.get((sit, script.step)) or _STEP_ACTION[script.step]
            reason = f"{situations[sit]}: {action}"
        candidates.append((score, script, reason))
    candidates.sort(key=lambda c: (-c[0], c[1].id))
    picked: list[tuple[float, Script, str]] = []
    pool = list(candidates)
    while pool and len(picked) < (1 if calm else limit):
        steps = {s.step for _, s, _ in picked}

        def varied(i: int) -> tuple[float, int]:
            sc, s, _ = pool[i]
            return (sc * 0.5 if s.step in steps else sc, -i)

        best = max(range(len(pool)), key=varied)
        score = varied(best)[0]
        _, script, reason = pool.pop(best)
        picked.append((score, script, reason))
    return [Suggestion(s.id, s.title, s.text, s.step, r, round(sc, 3)) for sc, s, r in picked]


# ------------------------------------------------------------------- filling

_FORMATTER = string.Formatter()
_EDIT_FIRST = ("next_step", "issue")
"""Unfilled placeholders where the agent should start typing, in order of preference."""


@dataclass(frozen=True, slots=True)
class Filled:
    text: str
    cursor: int
    """Where the agent should start editing: the first unfilled ``{next_step}`` (or
    other unfilled slot), else the end of the text."""
    unfilled: tuple[tuple[int, int, str], ...] = ()
    """Placeholders left in the text as ``{name}``: ``(start, end, name)``."""


def fill_slots(script: Script | str, values: Mapping[str, object] | None = None) -> Filled:
    """Fill the placeholders that ``values`` provides (missing, ``None`` or empty values
    leave ``{name}`` in the text for the agent to replace)."""
    template = script.text if isinstance(script, Script) else script
    values = values or {}
    out: list[str] = []
    unfilled: list[tuple[int, int, str]] = []
    pos = 0
    for literal, name, _spec, _conv in _FORMATTER.parse(template):
        out.append(literal)
        pos += len(literal)
        if name is None:
            continue
        value = values.get(name)
        text = "" if value is None else " ".join(str(value).split())
        if not text:
            slot = "{" + name + "}"
            unfilled.append((pos, pos + len(slot), name))
            text = slot
        out.append(text)
        pos += len(text)
    filled = "".join(out)
    cursor = len(filled)
    for preferred in _EDIT_FIRST:
        hit = next((u for u in unfilled if u[2] == preferred), None)
        if hit:
            cursor = hit[0]
            break
    else:
        if unfilled:
            cursor = unfilled[0][0]
    return Filled(filled, cursor, tuple(unfilled))


def fill(script: Script | str, values: Mapping[str, object] | None = None) -> tuple[str, int]:
    """``(text, cursor_offset)``: the script with its placeholders filled from
    ``values``, and where the agent should start editing. See :func:`fill_slots`."""
    f = fill_slots(script, values)
    return f.text, f.cursor


_SLOT = re.compile(r"\{([a-z_]+)\}")


def unfilled_slots(text: str) -> list[tuple[int, int, str]]:
    """``{name}`` slots still present in a draft: ``(start, end, name)``."""
    return [(m.start(), m.end(), m.group(1)) for m in _SLOT.finditer(text)]
