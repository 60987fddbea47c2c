"""Tone detection with evidence: what a customer message says about how they feel.

``analyze(text, context)`` returns a :class:`ToneResult`: one :class:`Signal` per tone
found (frustration, anger, anxiety, confusion, urgency, churn risk, threat, abuse,
gratitude), each with a level and the evidence that triggered it as ``[start, end)``
character spans into ``text``; an overall :class:`~agentdesk.domain.ToneLevel`; and
``needs_deescalation`` (upset or hostile).

How it works (docs/tone.md has the long version):

1. **Cues.** Hand-written phrase tables (:mod:`agentdesk.scripts.lexicon`) are matched
   on a lower-cased copy of the text of the same length, so spans index the original.
   Each match is evidence with a weight. Abuse counts only when aimed at the agent or
   the company: an insult that is disclaimed ("I'm not calling you stupid") or quoted
   from someone else ("the engineer told me 'you are an idiot'") doesn't count, and an
   insult about "them" counts only after the company's staff are named in the sentence.
2. **Modifiers.** A negator just before an emotion word cancels it ("not angry") or
   turns praise into frustration ("not helpful"); intensifiers and shouting (all caps)
   strengthen a cue, downtoners weaken it; repeated ``!!``/``??`` and emoji add
   evidence; sarcasm ("oh great", "thanks for nothing", a cheerful opener before a
   failure) turns apparent praise into frustration.
3. **Two small learned scorers** (logistic regression, :mod:`agentdesk.scripts.model`).
   The *support* scorer learned from customer-support turns written for this project
   (failure, repetition, waiting, wrong charges, in the literal style of
   machine-translated chats); it reads a message sentence by sentence and is consulted
   when the message or the conversation is about a product or service. The *general*
   scorer learned from GoEmotions (Apache-2.0) and reads any text. A confident scorer
   adds to frustration and its strongest words become evidence too. Frustration cues
   from the tables count half their weight, so one cue alone makes a turn concerned,
   and two cues, or a cue the scorer agrees with, make it upset.
4. **Context.** A long wait, repeat contacts and a question asked before raise
   frustration (recorded as notes, since they have no span in the text).
5. **Levels.** Per signal: low ≥ 0.5, medium ≥ 1.0, high ≥ 2.0. Overall: hostile for
   abuse, threats or high anger; upset for medium frustration or anger, or churn risk
   with frustration; concerned for any other signal (anxiety and confusion call for
   reassurance and explanation, not de-escalation); calm otherwise.

Pure Python, no third-party imports; the cue tables compile and the weights load on
the first call, not at import time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Iterable

from agentdesk.domain import ToneLevel


class Tone(StrEnum):
    FRUSTRATION = "frustration"
    ANGER = "anger"
    ANXIETY = "anxiety"
    CONFUSION = "confusion"
    URGENCY = "urgency"
    CHURN_RISK = "churn_risk"
    THREAT = "threat"
    ABUSE = "abuse"
    GRATITUDE = "gratitude"


class SignalLevel(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


TONE_LABELS: dict[str, str] = {
    Tone.FRUSTRATION: "frustration",
    Tone.ANGER: "anger",
    Tone.ANXIETY: "anxiety",
    Tone.CONFUSION: "confusion",
    Tone.URGENCY: "urgency",
    Tone.CHURN_RISK: "churn risk",
    Tone.THREAT: "threat",
    Tone.ABUSE: "abuse",
    Tone.GRATITUDE: "gratitude",
}

LOW, MEDIUM, HIGH = 0.5, 1.0, 2.0
"""Score thresholds of the signal levels."""

NEGATIVE_TONES = (
    Tone.FRUSTRATION, Tone.ANGER, Tone.ANXIETY, Tone.CONFUSION, Tone.URGENCY,
    Tone.CHURN_RISK, Tone.THREAT, Tone.ABUSE,
)
_LEVEL_RANK = {SignalLevel.LOW: 1, SignalLevel.MEDIUM: 2, SignalLevel.HIGH: 3}
_TONE_ORDER = {t: i for i, t in enumerate(
    (Tone.ABUSE, Tone.THREAT, Tone.ANGER, Tone.FRUSTRATION, Tone.CHURN_RISK, Tone.ANXIETY,
     Tone.URGENCY, Tone.CONFUSION, Tone.GRATITUDE))}


@dataclass(frozen=True, slots=True)
class Evidence:
    """Why a signal fired: the words ``text[start:end]`` and the kind of cue they are."""

    start: int
    end: int
    cue: str

    def span(self) -> tuple[int, int]:
        return (self.start, self.end)


@dataclass(frozen=True, slots=True)
class Signal:
    tone: Tone
    level: SignalLevel
    score: float
    evidence: tuple[Evidence, ...] = ()
    notes: tuple[str, ...] = ()
    """Reasons with no span in the text (context: a long wait, a repeated question)."""

    @property
    def label(self) -> str:
        return TONE_LABELS[self.tone]

    def spans(self) -> list[tuple[int, int]]:
        return [e.span() for e in self.evidence]


@dataclass(frozen=True, slots=True)
class ToneContext:
    """What is known about the conversation around the message being analysed.

    ``earlier`` holds the customer's earlier messages in this conversation (oldest
    first); ``waited_s`` how long the customer has waited for an answer (queue wait or
    time since their unanswered message); ``repeat_contacts`` how many earlier
    contacts about the same matter (0 for a first contact).
    """

    earlier: tuple[str, ...] = ()
    waited_s: float = 0.0
    repeat_contacts: int = 0

    @classmethod
    def of(cls, earlier: Iterable[str] = (), waited_min: float | None = None,
           waited_s: float | None = None, repeat_contacts: int = 0) -> "ToneContext":
        seconds = waited_s if waited_s is not None else (waited_min or 0.0) * 60.0
        return cls(tuple(earlier), float(seconds), int(repeat_contacts))


NO_CONTEXT = ToneContext()


@dataclass(frozen=True, slots=True)
class ToneResult:
    text: str
    level: ToneLevel
    needs_deescalation: bool
    signals: tuple[Signal, ...] = ()
    """Strongest first (abuse, threat, anger … gratitude on ties)."""
    model_score: float = 0.0
    """Probability that the text voices frustration, disappointment or anger, from the
    learned scorer consulted first: the support scorer for a message about a product or
    service (its most negative sentence), else the general scorer."""
    notes: tuple[str, ...] = field(default=())

    def signal(self, tone: str) -> Signal | None:
        for s in self.signals:
            if s.tone == tone:
                return s
        return None

    def has(self, tone: str, at_least: str = SignalLevel.LOW) -> bool:
        s = self.signal(tone)
        return s is not None and _LEVEL_RANK[s.level] >= _LEVEL_RANK[SignalLevel(at_least)]

    @property
    def tones(self) -> tuple[str, ...]:
        return tuple(s.tone for s in self.signals)

    def evidence_spans(self) -> list[tuple[int, int, str]]:
        """Every evidence span, sorted and merged where they overlap, with the tone of
        the strongest signal covering it: ready for highlighting a transcript line."""
        spans: list[tuple[int, int, str]] = []
        for s in self.signals:
            for e in s.evidence:
                spans.append((e.start, e.end, s.tone))
        spans.sort(key=lambda x: (x[0], -x[1]))
        merged: list[tuple[int, int, str]] = []
        for start, end, tone in spans:
            if merged and start < merged[-1][1]:
                ps, pe, pt = merged[-1]
                merged[-1] = (ps, max(pe, end), pt)
            else:
                merged.append((start, end, tone))
        return merged

    def summary(self) -> str:
        """One line, e.g. ``upset: frustration (high), churn risk (medium)``."""
        parts = [f"{s.label} ({s.level})" for s in self.signals]
        return f"{self.level}: " + (", ".join(parts) if parts else "no signal")

    def to_json(self) -> dict:
        return {
            "level": str(self.level),
            "needs_deescalation": self.needs_deescalation,
            "signals": [
                {"tone": str(s.tone), "level": str(s.level),
                 "evidence": [[e.start, e.end] for e in s.evidence]}
                for s in self.signals
            ],
        }


# --------------------------------------------------------------------------- cues

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


@dataclass(slots=True)
class _Tables:
    tone_res: list[tuple[Tone, re.Pattern[str], list[tuple[float, str, bool]]]]
    """Per tone: one regex of all its cues, and per cue its weight, label and whether it
    counts only after a mention of the company's staff in the same sentence."""
    staff: re.Pattern[str]
    emoji: list[tuple[re.Pattern[str], Tone, float, str]]
    sarcasm: re.Pattern[str]
    opener: re.Pattern[str]
    punct: re.Pattern[str]
    caps: re.Pattern[str]
    service_topic: re.Pattern[str]
    service_failure: re.Pattern[str]
    acronyms: frozenset[str]
    negators: frozenset[str]
    intensifiers: dict[str, float]
    downtoners: dict[str, float]


def _group_free(pattern: str) -> str:
    """Make every plain group in ``pattern`` non-capturing."""
    return re.sub(r"(?<!\\)\((?!\?)", "(?:", pattern)


_CUE_START = r"(?:(?<![\w'’])|(?<=\s['‘’])|(?<=^['‘’])|(?<=[(\[:]['‘’]))"
"""Where a cue may start: not inside a word or right after a word's apostrophe ("don't"
does not hold the cue "t …"), but right after an opening single quote (one that starts
the text or follows a space, a bracket or a colon): "told me to 'shut up'"."""


_ENGINE_CUES = ("negated positive", "sarcasm", "repeated punctuation", "shouting", "learned cue")
"""Evidence labels the engine adds itself (the others come from the cue tables)."""


@lru_cache(maxsize=1)
def cue_labels() -> frozenset[str]:
    """Every label an :class:`Evidence` can carry ("repetition", "security",
    "chargeback" …): what a script's ``cues`` may name."""
    from agentdesk.scripts import lexicon as lx

    labels = set(_ENGINE_CUES)
    for cues in (lx.ABUSE, lx.ABUSE_OF_STAFF, lx.THREAT, lx.ANGER, lx.FRUSTRATION, lx.CHURN,
                 lx.ANXIETY, lx.CONFUSION, lx.URGENCY, lx.GRATITUDE):
        labels.update(c for _, _, c in cues)
    labels.update(c for _, _, _, c in lx.EMOJI)
    return frozenset(labels)


@lru_cache(maxsize=1)
def _tables() -> _Tables:
    from agentdesk.scripts import lexicon as lx

    # the tables are matched case-sensitively against a lower-cased copy of the text of
    # the same length (:func:`_lower`): two to three times faster than IGNORECASE
    flags = 0
    tone_res = []
    for tone, cues in (
        (Tone.ABUSE, lx.ABUSE + lx.ABUSE_OF_STAFF), (Tone.THREAT, lx.THREAT), (Tone.ANGER, lx.ANGER),
        (Tone.FRUSTRATION, lx.FRUSTRATION), (Tone.CHURN_RISK, lx.CHURN),
        (Tone.ANXIETY, lx.ANXIETY), (Tone.CONFUSION, lx.CONFUSION),
        (Tone.URGENCY, lx.URGENCY), (Tone.GRATITUDE, lx.GRATITUDE),
    ):
        alts = "|".join(f"({_group_free(p)})" for p, _, _ in cues)
        rx = re.compile(rf"{_CUE_START}(?:{alts})(?![\w])", flags)
        staff_only = len(lx.ABUSE) if tone is Tone.ABUSE else len(cues)
        tone_res.append((tone, rx, [(w, c, i >= staff_only) for i, (_, w, c) in enumerate(cues)]))
    emoji = [(re.compile(p), Tone(t), w, c) for p, t, w, c in lx.EMOJI]
    return _Tables(
        tone_res=tone_res,
        emoji=emoji,
        staff=re.compile(rf"(?<![\w])(?:{lx.STAFF_REFERENCE})(?![\w])", flags),
        sarcasm=re.compile(rf"(?<![\w])(?:{'|'.join(lx.SARCASM_STRONG)})(?![\w])", flags),
        opener=re.compile(rf"(?:^|(?<=[.!?\n]))\s*(?:oh,?\s+|wow,?\s+|well,?\s+)?{lx.SARCASM_OPENERS}(?:\s+\w+){{0,2}}\s*[,.!…]", flags),
        punct=re.compile(r"[!?¿¡]*(?:!{2,}|\?{2,}|\?!|!\?)[!?¿¡1]*"),
        caps=re.compile(r"(?<![\w#])[A-ZÀ-ÖØ-Þ]{3,}(?:['’][A-Z]+)?(?![\w#])"),
        service_topic=re.compile(rf"(?<![\w])(?:{lx.SERVICE_TOPIC})(?![\w])", flags),
        service_failure=re.compile(rf"(?<![\w])(?:{lx.SERVICE_FAILURE})(?![\w])", flags),
        acronyms=lx.ACRONYMS,
        negators=lx.NEGATORS,
        intensifiers=lx.INTENSIFIERS,
        downtoners=lx.DOWNTONERS,
    )


def _lower(text: str) -> str:
    """``text`` lower-cased, character for character (so every offset stays valid), with
    the typographic apostrophe that phones type ("don’t") as the plain one the cue tables
    are written with."""
    low = text.lower()
    if len(low) != len(text):
        # a few characters lower-case to two ("İ" → "i̇"): leave those as they are
        low = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    return plain_apostrophes(low)


def plain_apostrophes(text: str) -> str:
    """``text`` with the typographic apostrophe ("don’t", as phones and word processors
    type it) as the plain one the cue tables, the draft check and the scorecards are
    written with: one character for one, so every offset stays valid."""
    return text.replace("’", "'")


def _words_before(text: str, start: int, n: int = 3) -> list[str]:
    window = text[max(0, start - 40):start]
    # a clause boundary stops the look-back: "No. I am angry" is not a negation
    cut = max(window.rfind("."), window.rfind("!"), window.rfind("?"), window.rfind(";"),
              window.rfind(","), window.rfind("\n"))
    if cut >= 0:
        window = window[cut + 1:]
    return [plain_apostrophes(w.lower()) for w in _WORD.findall(window)][-n:]


def _is_negator(word: str, negators: frozenset[str]) -> bool:
    return word in negators or word.endswith("n't") or word.replace("'", "") in negators


def _negated(before: list[str], negators: frozenset[str]) -> bool:
    if not any(_is_negator(w, negators) for w in before):
        return False
    # "never been so angry", "couldn't be more frustrated", "not only annoyed": emphasis
    if any(w in ("so", "more", "this", "as", "only", "just", "ever") for w in before):
        return False
    return True


_STOPWORDS = frozenset(
    "the and for you your my me our this that with have has had was were are is not but "
    "from they them their there what when who how why which will would can could should "
    "about into over just also then than its it's i'm i've been being any all some "
    "a an i to of in on at it so be or as if do up we us he she his her".split()
)
"""Words that explain nothing on their own, never shown as learned-cue evidence."""


def _function_words_only(span: str) -> bool:
    """True for learned-cue words that explain nothing on their own ("but the", "it's a",
    "and"): shown as evidence they would look like the reason, which they are not."""
    return all(plain_apostrophes(w.lower()) in _STOPWORDS for w in _WORD.findall(span))


_AIMED_CUES = {"insult", "sarcastic insult", "contempt", "profanity at the agent", "threat to the agent",
               "ill wish"}
"""Abuse cues that are someone speaking *to* the agent: they don't count when disclaimed
("I'm not calling you stupid") or quoted from someone else (the agent "told me 'you are
an idiot'"). "reported abuse" (a call note's "swore at the agent") is always a report."""

_DISCLAIM_VERBS = frozenset(
    "call calling called say saying said think thinking thought mean meaning meant suggest "
    "suggesting suggested imply implying implied accuse accusing accused believe claim claiming".split())
_OPEN_QUOTE = re.compile(r"(?:(?<=\s)|(?<=^)|(?<=[:(\[]))[\"'‘“]")
_CLOSE_QUOTE = re.compile(r"[\"'’”](?=[\s.,!?;:)\]]|$)")
_REPORTED = re.compile(
    r"\b(?:said|says|say|told me|tells me|tell me|wrote|writes|replied|replies|answered|answers|"
    r"called me|calls me|texted|messaged|responded|asked me|shouted|yelled|put it)\b", re.IGNORECASE)
_SELF_REPORTED = re.compile(r"\b(?:i|we)\s+(?:\w+\s+)?(?:said|say|told|wrote|replied|answered|texted|messaged|responded|asked|shouted|yelled|put it)\b",
                            re.IGNORECASE)


def _sentence_start(text: str, pos: int) -> int:
    window = text[max(0, pos - 300):pos]
    cut = max(window.rfind("."), window.rfind("!"), window.rfind("?"), window.rfind("\n"))
    return pos - len(window) + cut + 1


def _disclaimed(text: str, start: int) -> bool:
    """An insult after "not calling you …", "I don't think you're …", "not that you're …"."""
    before = _words_before(text, start, 5)
    for i, w in enumerate(before):
        if w in ("not", "never") or w.endswith("n't") or w in ("dont", "wouldnt", "isnt", "im not"):
            rest = before[i + 1:]
            if (rest and rest[0] == "that") or any(r in _DISCLAIM_VERBS for r in rest):
                return True
    return False


def _quoted_from_someone_else(text: str, start: int) -> bool:
    """The words at ``start`` sit inside a quotation that someone other than the writer
    said ("the agent told me 'you are an idiot'")."""
    lo = max(0, start - 200)
    opening = None
    for m in _OPEN_QUOTE.finditer(text, lo, start):
        opening = m.start()
    if opening is None or _CLOSE_QUOTE.search(text, opening + 1, start):
        return False
    lead = text[max(lo, opening - 80):opening]
    cut = max(lead.rfind("."), lead.rfind("!"), lead.rfind("?"), lead.rfind("\n"))
    lead = lead[cut + 1:]
    return bool(_REPORTED.search(lead)) and not _SELF_REPORTED.search(lead)


_NEGATION_SENSITIVE_CUES = {"emotion word", "outrage", "indignation", "urgent", "deadline", "thanks", "praise", "relief",
                            "problem", "worry", "distress", "security", "not understanding"}


class _Acc:
    """Evidence collected for one tone."""

    __slots__ = ("score", "evidence", "weights", "notes")

    def __init__(self) -> None:
        self.score = 0.0
        self.evidence: list[Evidence] = []
        self.weights: list[float] = []
        self.notes: list[str] = []

    def add(self, start: int, end: int, weight: float, cue: str) -> None:
        self.score += weight
        self.evidence.append(Evidence(start, end, cue))
        self.weights.append(weight)

    def drop_overlapping(self, spans: list[tuple[int, int]]) -> None:
        """Forget evidence overlapping ``spans`` (praise that turned out sarcastic)."""
        keep = [i for i, ev in enumerate(self.evidence)
                if not any(ev.start < se and ss < ev.end for ss, se in spans)]
        if len(keep) == len(self.evidence):
            return
        self.score -= sum(w for i, w in enumerate(self.weights) if i not in keep)
        self.evidence = [self.evidence[i] for i in keep]
        self.weights = [self.weights[i] for i in keep]


def _content_words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text) if len(w) > 3}


def _similar(a: set[str], b: set[str]) -> float:
    if len(a) < 3 or len(b) < 3:
        return 0.0
    return len(a & b) / len(a | b)


FRUSTRATION_CUE_SCALE = 0.5
"""Frustration cues count half their table weight: one cue alone ("nobody answered",
1.6 → 0.8) makes a turn *concerned*; two cues, or a cue the learned scorer agrees with,
make it *upset*. (The weights in the tables keep their meaning relative to each other.)"""

MAX_CHARS = 20_000
"""Only this many leading characters are read (about 0.2 s at worst); a longer
message keeps its full text in the result, with evidence from its start only."""


def analyze(text: str, context: ToneContext | None = None) -> ToneResult:
    """Detect the tone of one customer message. Never raises on any ``str``."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    full = text
    text = text[:MAX_CHARS]
    ctx = context or NO_CONTEXT
    t = _tables()
    acc: dict[Tone, _Acc] = {tone: _Acc() for tone in Tone}
    low = _lower(text)

    # 1. cue tables
    for tone, rx, meta in t.tone_res:
        a = acc[tone]
        for m in rx.finditer(low):
            idx = m.lastindex
            if idx is None:  # pragma: no cover - every alternative is a group
                continue
            weight, cue, staff_only = meta[idx - 1]
            start, end = m.span()
            if end <= start:
                continue
            if staff_only and not t.staff.search(low, _sentence_start(text, start), start):
                continue
            before = _words_before(text, start)
            if tone is Tone.ABUSE and cue in _AIMED_CUES and (
                    _disclaimed(text, start) or _quoted_from_someone_else(text, start)):
                continue
            if cue in _NEGATION_SENSITIVE_CUES and _negated(before, t.negators):
                if tone is Tone.GRATITUDE and cue == "praise":
                    acc[Tone.FRUSTRATION].add(start, end, 1.0, "negated positive")
                continue
            factor = 1.0
            for w in before[-2:]:
                factor = max(factor, t.intensifiers.get(w, 1.0))
                factor = min(factor, t.downtoners.get(w, 1.0)) if w in t.downtoners else factor
            word = text[start:end]
            letters = [c for c in word if c.isalpha()]
            if len(letters) >= 3 and all(c.isupper() for c in letters) and word.upper() not in t.acronyms:
                factor *= 1.4
            if tone is Tone.FRUSTRATION:
                factor *= FRUSTRATION_CUE_SCALE
            a.add(start, end, weight * factor, cue)

    # 2. emoji and emoticons
    for rx, tone, weight, cue in t.emoji:
        for m in rx.finditer(text):
            scale = FRUSTRATION_CUE_SCALE if tone is Tone.FRUSTRATION else 1.0
            acc[tone].add(m.start(), m.end(), weight * scale, cue)

    # 3. sarcasm
    negative_cue = len(acc[Tone.FRUSTRATION].evidence) + len(acc[Tone.ANGER].evidence)
    sarcastic_spans: list[tuple[int, int]] = []
    for m in t.sarcasm.finditer(low):
        if m.end() > m.start():
            sarcastic_spans.append(m.span())
            acc[Tone.FRUSTRATION].add(m.start(), m.end(), 1.2, "sarcasm")
    if acc[Tone.FRUSTRATION].score >= 0.8 or acc[Tone.ANGER].score >= 0.8 or negative_cue >= 2:
        for m in t.opener.finditer(low):
            s, e = m.span()
            while s < e and not text[s].isalnum():
                s += 1
            while e > s and not text[e - 1].isalnum():
                e -= 1
            if e <= s or any(s < se and ss < e for ss, se in sarcastic_spans):
                continue
            sarcastic_spans.append((s, e))
            acc[Tone.FRUSTRATION].add(s, e, 1.0, "sarcasm")
    if sarcastic_spans:
        acc[Tone.GRATITUDE].drop_overlapping(sarcastic_spans)

    # 4. intensity: repeated punctuation and shouting strengthen the strongest signal
    def strongest(tones: Iterable[Tone]) -> Tone | None:
        best = max(tones, key=lambda x: acc[x].score)
        return best if acc[best].score > 0 else None

    for m in t.punct.finditer(text):
        mark = m.group()
        target = strongest(NEGATIVE_TONES + (Tone.GRATITUDE,))
        if target is None:
            target = Tone.CONFUSION if "!" not in mark else Tone.FRUSTRATION
            weight = 0.5 if target is Tone.CONFUSION else 0.4
        else:
            weight = 0.5 + 0.1 * min(len(mark) - 2, 4)
        scale = FRUSTRATION_CUE_SCALE if target is Tone.FRUSTRATION else 1.0
        acc[target].add(m.start(), m.end(), weight * scale, "repeated punctuation")

    caps = [m for m in t.caps.finditer(text) if m.group().upper() not in t.acronyms
            and m.group().split("'")[0] not in t.acronyms]
    if caps:
        letters = sum(1 for c in text if c.isalpha())
        upper = sum(1 for c in text if c.isupper())
        all_caps = bool(letters) and upper / letters > 0.6 and letters >= 6
        if len(caps) >= 2 or all_caps:
            target = strongest(NEGATIVE_TONES) or Tone.FRUSTRATION
            weight = min(0.5 + 0.2 * len(caps), 1.2)
            if target is Tone.FRUSTRATION and not all_caps:
                # a few capitalised words (names, caps-lock fragments) count half, like
                # other frustration cues; a message written in capitals is shouting
                weight *= FRUSTRATION_CUE_SCALE
            first = True
            for m in caps:
                acc[target].add(m.start(), m.end(), weight if first else 0.0, "shouting")
                first = False

    # 5. the learned scorers: a message's probability is that of its most negative
    # sentence. The support scorer is consulted for messages about a product or service
    # (named in the message or earlier in the conversation); the general one always.
    from agentdesk.scripts import model as _model

    about_service = t.service_topic.search(low) or t.service_failure.search(low) or any(
        t.service_topic.search(el) or t.service_failure.search(el)
        for el in (_lower(e[:MAX_CHARS]) for e in ctx.earlier[-50:]))
    p = 0.0
    bonus = 0.0
    contributions: list[tuple[int, int, float]] = []
    scorers = [_model.get_general()]
    if about_service:
        scorers.insert(0, _model.get())
    for scorer in scorers:
        sp, words = scorer.score(text)
        b = 1.0 if sp >= scorer.threshold else 0.5 if sp >= scorer.threshold_low else 0.0
        if scorer is scorers[0]:
            p = sp
        if b > bonus:
            bonus, contributions = b, words
    if bonus:
        f = acc[Tone.FRUSTRATION]
        f.score += bonus
        covered = [(e.start, e.end) for e in f.evidence]
        chosen: list[tuple[int, int]] = []
        for start, end, w in contributions:
            if len(chosen) == 3:
                break
            if w < 0.4 or any(start < ce and cs < end for cs, ce in covered):
                continue
            if end - start < 3 or _function_words_only(text[start:end]):
                continue
            chosen.append((start, end))
            covered.append((start, end))
        # neighbouring words read as one phrase: "each", "time" → "each time"
        merged: list[list[int]] = []
        for start, end in sorted(chosen):
            if merged and not text[merged[-1][1]:start].strip():
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        for start, end in merged:
            f.evidence.append(Evidence(start, end, "learned cue"))
            f.weights.append(0.0)
        f.notes.append(f"learned scorer {p:.2f}")

    # 6. context
    f = acc[Tone.FRUSTRATION]
    in_text = f.score + acc[Tone.ANGER].score
    raise_by = 0.0
    notes: list[str] = []
    minutes = ctx.waited_s / 60.0
    if minutes >= 5:
        raise_by += 0.3 if minutes < 15 else (0.7 if minutes < 30 else 1.0)
        notes.append(f"waited {minutes:.0f} min")
    if ctx.repeat_contacts > 0:
        raise_by += 0.5 if ctx.repeat_contacts == 1 else 1.0
        notes.append(f"contact #{ctx.repeat_contacts + 1} about this")
    if not in_text:
        raise_by = min(raise_by, 0.5)  # context alone: concerned, not upset
    if ctx.earlier:
        words = _content_words(text)
        if any(_similar(words, _content_words(e[:MAX_CHARS])) >= 0.5 for e in ctx.earlier[-50:]):
            raise_by += 1.0
            notes.append("asked before in this conversation")
    if raise_by:
        f.score += raise_by
        f.notes.extend(notes)

    # 7. levels
    signals: list[Signal] = []
    for tone, a in acc.items():
        if a.score < LOW:
            continue
        level = (SignalLevel.HIGH if a.score >= HIGH else
                 SignalLevel.MEDIUM if a.score >= MEDIUM else SignalLevel.LOW)
        ev = sorted({(e.start, e.end, e.cue): e for e in a.evidence}.values(),
                    key=lambda e: (e.start, e.end))
        signals.append(Signal(tone, level, round(a.score, 3), tuple(ev), tuple(a.notes)))
    signals.sort(key=lambda s: (-_LEVEL_RANK[s.level], _TONE_ORDER[s.tone]))
    level = _overall({s.tone: s.score for s in signals})
    return ToneResult(
        text=full,
        level=level,
        needs_deescalation=level in (ToneLevel.UPSET, ToneLevel.HOSTILE),
        signals=tuple(signals),
        model_score=round(p, 4),
        notes=tuple(notes),
    )


def _overall(score: dict[Tone, float]) -> ToneLevel:
    def s(t: Tone) -> float:
        return score.get(t, 0.0)

    if s(Tone.ABUSE) >= MEDIUM or s(Tone.THREAT) >= HIGH or s(Tone.ANGER) >= HIGH or (
        s(Tone.THREAT) >= MEDIUM and s(Tone.ANGER) >= MEDIUM
    ):
        return ToneLevel.HOSTILE
    negative_feeling = max(s(Tone.FRUSTRATION), s(Tone.ANGER))
    if (negative_feeling >= MEDIUM or s(Tone.THREAT) >= LOW or s(Tone.ABUSE) >= LOW
            or (s(Tone.CHURN_RISK) >= MEDIUM and negative_feeling >= LOW)):
        return ToneLevel.UPSET
    if any(s(t) >= LOW for t in NEGATIVE_TONES):
        return ToneLevel.CONCERNED
    return ToneLevel.CALM
