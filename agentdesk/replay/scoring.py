"""Role-play scorecards: how a trainee's reply to a customer turn measures up.

Six criteria, each judged ``pass``, ``fail`` or ``na`` (not applicable) with points and
a one-line explanation. The rules are plain and deterministic — phrase lists, a
readability formula and a timer — and every one is documented in ``docs/sessions.md``
("Scorecard"), so a trainer can tell a trainee exactly why a point was lost.

=================  ======  ==========================================================
criterion          points  applies when
=================  ======  ==========================================================
acknowledge        2       the customer is concerned, upset or hostile
apology            2       the customer is upset/hostile, or reports a problem
no_inflaming       2       always
expectation        2       unless the customer is only saying thanks / goodbye
plain_language     1       always (readability on replies of 8 words or more)
response_time      1       when a response time is known
=================  ======  ==========================================================

How upset the customer is comes in as a parameter: a tone level string from
:class:`agentdesk.domain.ToneLevel` (``calm``, ``concerned``, ``upset``, ``hostile``),
typically the tone engine's verdict on the customer's message, or the level recorded
in the session. ``None`` means unknown: the acknowledgement criterion is then ``na``.

Pure Python; no clock is read (response times are passed in).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from agentdesk.domain import TONE_SEVERITY, ToneLevel
from agentdesk.errors import UsageError
from agentdesk.replay.session import Session
from agentdesk.replay.timeline import TurnKind, build_turns
from agentdesk.safetext import sanitize
from agentdesk.scripts.tone import plain_apostrophes

SCORING_VERSION = "agentdesk-scorecard/1"
"""Changes whenever a rule changes, so stored scores say which rules made them."""

RESPONSE_TARGETS_S: dict[str, float] = {"chat": 60.0, "social": 120.0, "phone": 20.0, "email": 900.0}
"""Default time to answer in role-play, per channel: a chat reply within a minute, a
social reply within two, a spoken answer within 20 s, a considered e-mail within 15
minutes."""

READING_EASE_MIN = 50.0
"""Flesch reading ease at or above this passes ("fairly difficult" starts below 50)."""
READABILITY_MIN_WORDS = 8


class Verdict(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    NA = "na"


class Criterion(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    APOLOGY = "apology"
    NO_INFLAMING = "no_inflaming"
    EXPECTATION = "expectation"
    PLAIN_LANGUAGE = "plain_language"
    RESPONSE_TIME = "response_time"


TITLES = {
    Criterion.ACKNOWLEDGE: "Acknowledged the feeling",
    Criterion.APOLOGY: "Apologised for the impact",
    Criterion.NO_INFLAMING: "Avoided inflaming phrases",
    Criterion.EXPECTATION: "Set a clear expectation",
    Criterion.PLAIN_LANGUAGE: "Plain language",
    Criterion.RESPONSE_TIME: "Response time",
}
WEIGHTS = {
    Criterion.ACKNOWLEDGE: 2.0, Criterion.APOLOGY: 2.0, Criterion.NO_INFLAMING: 2.0,
    Criterion.EXPECTATION: 2.0, Criterion.PLAIN_LANGUAGE: 1.0, Criterion.RESPONSE_TIME: 1.0,
}


@dataclass(frozen=True, slots=True)
class CriterionResult:
    criterion: Criterion
    verdict: Verdict
    points: float
    max_points: float
    """0 when the criterion does not apply."""
    explanation: str
    evidence: tuple[str, ...] = ()
    """The words in the reply (or the customer's message) that decided it."""

    @property
    def title(self) -> str:
        return TITLES[self.criterion]


@dataclass(frozen=True, slots=True)
class Readability:
    words: int
    sentences: int
    syllables: int

    @property
    def flesch(self) -> float | None:
        """Flesch reading ease (higher is easier; 60–70 is plain English)."""
        if not self.words:
            return None
        return round(
            206.835 - 1.015 * (self.words / max(self.sentences, 1)) - 84.6 * (self.syllables / self.words), 1
        )


@dataclass(frozen=True, slots=True)
class TurnScore:
    turn: int
    """Which turn of the session (or which practice prompt) was answered."""
    customer_text: str
    tone: str | None
    reply: str
    response_s: float | None
    target_s: float
    criteria: tuple[CriterionResult, ...]
    readability: Readability
    reference: str | None = None
    """What the agent in the recording actually answered."""

    @property
    def points(self) -> float:
        return sum(c.points for c in self.criteria)

    @property
    def max_points(self) -> float:
        return sum(c.max_points for c in self.criteria)

    @property
    def percent(self) -> float | None:
        return round(100 * self.points / self.max_points, 1) if self.max_points else None

    def result(self, criterion: Criterion | str) -> CriterionResult:
        for c in self.criteria:
            if c.criterion == criterion:
                return c
        raise KeyError(criterion)


@dataclass(frozen=True, slots=True)
class Scorecard:
    session_id: str
    turns: tuple[TurnScore, ...]
    title: str | None = None
    trainee: str | None = None
    rules: str = SCORING_VERSION

    @property
    def points(self) -> float:
        return sum(t.points for t in self.turns)

    @property
    def max_points(self) -> float:
        return sum(t.max_points for t in self.turns)

    @property
    def percent(self) -> float | None:
        return round(100 * self.points / self.max_points, 1) if self.max_points else None

    def summary(self) -> dict[Criterion, dict[str, float]]:
        """Per criterion: how many turns passed, failed or did not apply, and points."""
        out: dict[Criterion, dict[str, float]] = {}
        for crit in Criterion:
            row = {"pass": 0, "fail": 0, "na": 0, "points": 0.0, "max_points": 0.0}
            for t in self.turns:
                r = t.result(crit)
                row[r.verdict.value] += 1
                row["points"] += r.points
                row["max_points"] += r.max_points
            out[crit] = row
        return out


# ------------------------------------------------------------------ phrase lists

def _rx(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


_FEELING = (
    r"frustrat\w*|annoy\w*|upsett?\w*|worr\w*|stress\w*|disappoint\w*|angry|anger|"
    r"concern\w*|anxious|panick?\w*|horrible|awful|unacceptable|infuriat\w*|confus\w*|"
    r"scary|frightening|a (?:real )?pain|inconvenien\w*|hassle"
)
ACKNOWLEDGEMENTS = _rx(
    r"\bI (?:completely |totally |fully |really |do |can )?understand\b",
    r"\bunderstandabl[ey]\b",
    r"\bI can (?:see|imagine|hear|tell) (?:why|how|that|you|this|it)\b",
    r"\bI hear you\b",
    rf"(?:'s|\bis|\bmust be|\bmust have been|\bsounds|\bwould be|\bhas been|\bwas|\bfeels?)"
    rf" (?:\w+ ){{0,2}}(?:{_FEELING})",
    rf"\b(?:you(?:'re| are| were| must be| must feel| feel)|must feel|must be) (?:\w+ ){{0,2}}(?:{_FEELING})",
    r"\byou(?:'re| are| were) (?:absolutely |quite |completely )?right\b",
    r"\b(?:that's|that is|it's) (?:a )?fair\b|\b(?:fair|good) point\b",
    r"\bsorry (?:that )?you(?:'ve| have| had| were|'re| are)\b(?! (?:feel|felt|think))",
    r"\bnot the (?:news|answer|outcome) you (?:wanted|were hoping for|expected)\b",
    r"\b(?:don't|do not|no need to|try not to) worry\b|\bnot to worry\b",
    r"\bno wonder\b",
    r"\bI(?:'d| would) feel the same\b",
    r"\bI know how\b",
    r"\bsorry to hear\b",
    r"\b(?:isn't|is not|wasn't|was not|that's not|that is not|not) (?:good enough|right|acceptable|fair|"
    r"what you (?:should|expected|wanted|needed))\b",
    r"\btoo long\b",
    r"\bthank(?:s| you) for (?:your patience|bearing with|waiting|being patient|letting us know|"
    r"telling us|explaining)\b",
)
"""Phrases that name or validate the customer's feeling."""

APOLOGIES = _rx(
    r"\b(?:I'm|I am|we're|we are|I'm so|I'm really|I'm very|so|really|very)? ?sorry\b",
    r"\bapologi[sz]e\w*\b",
    r"\bapologies\b",
    r"\b(?:my|our) (?:mistake|fault|error)\b",
)
NON_APOLOGIES = _rx(
    r"\bsorry (?:you|that you) (?:feel|felt|think|see it)\b",
    r"\bsorry if (?:you|that|this)\b",
    r"\bsorry,? but\b",
)
"""Apologies that blame the customer or take the apology back."""

INFLAMING = {
    "calm down": r"\bcalm down\b|\bcalm yourself\b",
    "relax": r"\b(?:just )?relax\b|\bchill(?: out)?\b",
    "as I already said": r"\bas I(?:'ve| have)? (?:already |previously |just )?(?:said|explained|mentioned|stated|told you)\b",
    "like I said": r"\blike I (?:said|told you)\b",
    "as stated": r"\bas (?:previously |already )?stated\b|\bper my (?:last|previous)\b",
    "that's our policy": r"\b(?:that's|that is|it's|it is|this is) (?:our|the|company) policy\b|\bpolicy is policy\b",
    "there's nothing I can do": r"\b(?:there's|there is) nothing (?:I|we) can do\b|\bnothing (?:more )?(?:I|we) can do\b|\bI can(?:'t|not) help you\b",
    "you need to": r"(?:^|[.!?;:]\s+|,\s*|\bthen\s+)you need to\b",
    "you should have": r"\byou should(?:'ve| have)\b|\byou must have\b|\byou (?:didn't|did not|failed to)\b",
    "obviously": r"\bobviously\b|\bclearly you\b|\bas you (?:should|would) know\b",
    "with respect": r"\bwith (?:all )?(?:due )?respect\b|\bno offen[cs]e\b",
    "to be honest": r"\bto be (?:honest|frank)\b|\bhonestly,",
    "sorry you feel that way": r"\bsorry (?:you|that you) (?:feel|felt) (?:that way|like that)\b|\bsorry if you\b",
    "not my problem": r"\bnot (?:my|our) (?:problem|fault|job|department|responsibility)\b|\byour problem\b",
    "you people": r"\byou people\b|\bwhatever\b",
    "read the manual": r"\bread (?:the|our) (?:terms|manual|faq|instructions|website)\b",
    "unfortunately that's not possible": r"\bthat(?:'s| is) not possible\b",
}
"""Phrases that inflame an upset customer (see DESIGN.md, empathy and de-escalation)."""
_INFLAMING_RX = {label: re.compile(p, re.IGNORECASE) for label, p in INFLAMING.items()}
_SHOUTING = re.compile(r"\b[A-Z]{2,}(?:\s+[A-Z]{2,}){2,}\b")

PROBLEM_CUES = _rx(
    r"\b(?:charged|billed) (?:twice|again|wrong\w*|too much|for)\b|\bovercharg\w*|\bdouble charge\w*",
    r"\b(?:hasn't|has not|haven't|have not|didn't|did not|never|not) (?:arrived|come|turned up|been delivered|received|worked|had|heard (?:back|anything))",
    r"\b(?:not|isn't|is not|doesn't|does not|won't|will not|can't|cannot|couldn't|stopped) (?:work\w*|load\w*|connect\w*|log\w* in|get in|open\w*|turn\w* on|print\w*)",
    r"\b(?:missing|broken|damaged|cracked|faulty|leak\w*|lost|wrong|late|delayed|locked|blocked|stuck|split|dropp\w*|cut off|error)\b",
    r"\b(?:still (?:waiting|no|nothing|not)|no (?:reply|answer|response|refund)|nothing (?:yet|has happened))\b",
    r"\b(?:complain\w*|refund|unacceptable|ridiculous|useless|disgrace\w*|shocking|rubbish|terrible)\b",
)
CLOSING = re.compile(
    r"\b(?:thanks|thank you|thx|cheers|much appreciated|bye|goodbye|that'?s (?:all|everything)|"
    r"all sorted|you'?re a star|legend)\b",
    re.IGNORECASE,
)
"""A customer message with one of these, no question and no problem is a closing."""
_NEGATED_PROBLEM = re.compile(r"(?:\bnothing|\bno|\bnot|n't)\s+(?:\w+\s+)?$", re.IGNORECASE)

_NUMBER_WORDS = r"(?:\d+(?:[.,]\d+)?|a|an|one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty|thirty|forty|sixty|a few|a couple of|few|couple of)"
_UNITS = r"(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|(?:working |business )?days?|weeks?|months?)"
_DAYS = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|weekend)"
_MONTH = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
TIME_EXPRESSIONS = _rx(
    rf"\b(?:within|in|under|for|about|around|up to|at most|less than|another|next) {_NUMBER_WORDS}(?:\s*(?:–|-|to|or)\s*{_NUMBER_WORDS})? {_UNITS}\b",
    rf"\b{_NUMBER_WORDS}\s*(?:–|-|to)\s*{_NUMBER_WORDS} {_UNITS}\b",
    r"\b(?:today|tonight|tomorrow|this (?:morning|afternoon|evening|week)|next week|later today|"
    r"end of (?:the )?(?:day|week)|right now|straight away|immediately|shortly|in a moment|"
    r"in the next few minutes)\b",
    rf"\b(?:by|on|before|until|from|this|next|every|each) {_DAYS}\b",
    rf"\b(?:by|on|before|until|from) (?:the )?\d{{1,2}}(?:st|nd|rd|th)?(?: (?:of )?{_MONTH})?\b",
    rf"\b\d{{1,2}}(?:st|nd|rd|th)? {_MONTH}\b|\b{_MONTH} \d{{1,2}}(?:st|nd|rd|th)?\b",
    r"\b\d{1,2}(?::\d{2})?\s?(?:am|pm)\b|\b(?:at|by|before|after|until) \d{1,2}[:.]\d{2}\b",
)
"""A time or date the customer can hold the agent to."""
NEXT_STEPS = _rx(
    r"\b(?:I'll|I will|I'm going to|I am going to|we'll|we will|we're going to|I'd like to|let me)\s+\w+",
    r"\blet's (?:get|check|sort|fix|try|start|look|go|do|find|see|make)\b",
    r"\bI(?:'ve| have)\s+(?:just |now |already )?(?:booked|sent|arranged|raised|escalated|refunded|"
    r"ordered|set|added|released|credited|cancelled|canceled|passed|updated|reissued|frozen|"
    r"checked|found|removed|re-sent|resent|emailed|e-mailed|scheduled|reset|unlocked|fixed|"
    r"logged|reported|moved|changed|applied|issued|requested|asked|flagged|made a note|noted)\b",
    r"\bI'm\s+(?:checking|looking|sending|transferring|passing|booking|arranging|refunding|"
    r"escalating|raising|calling|ordering|fixing|putting|updating|investigating)\b",
    r"\byou(?:'ll| will)\s+(?:receive|get|see|hear|have)\b",
    r"\b(?:next step|what happens next|the next thing)\b",
    r"\b(?:the engineer|an engineer|our team|the team|a courier|the courier)\s+will\b",
    r"\b(?:could|can|would) you (?:please )?(?:send|check|confirm|try|tell|share|let me know|restart|"
    r"click|open|plug|reply|upload|give)\b",
    r"(?:^|[.!?]\s+)(?:please )?(?:send|check|confirm|try|tell me|reply|restart|click|open|plug|"
    r"unplug|switch|turn|go to)\b",
)
"""A concrete thing that happens next, and who does it."""

JARGON = {
    term: re.compile(pattern, re.IGNORECASE)
    for term, pattern in {
        "SLA": r"\bSLAs?\b", "RMA": r"\bRMA\b", "ETA": r"\bETA\b", "DNS": r"\bDNS\b",
        "TTL": r"\bTTL\b", "CNAME": r"\bCNAME\b", "A record": r"\bA record\b",
        "nameserver": r"\bname ?servers?\b", "propagation": r"\bpropagat\w*", "resolver": r"\bresolvers?\b",
        "caching": r"\bcach(?:e|ing|ed)\b", "registrar": r"\bregistrar\b", "backend": r"\bback-?end\b",
        "provisioning": r"\bprovision\w*", "DHCP": r"\bDHCP\b", "subnet": r"\bsubnet\w*",
        "latency": r"\blatency\b", "packet loss": r"\bpacket loss\b", "tier 2": r"\btier ?[123]\b|\bL[123] support\b",
        "as per": r"\bas per\b", "kindly": r"\bkindly\b", "revert": r"\brevert\b",
        "aforementioned": r"\baforementioned\b", "herewith": r"\bhere(?:with|by|in|inafter)\b",
        "utilise": r"\butili[sz]\w*", "facilitate": r"\bfacilitat\w*", "leverage": r"\bleverag\w*",
        "going forward": r"\bgoing forward\b", "pursuant to": r"\bpursuant to\b",
        "in accordance with": r"\bin accordance with\b", "ascertain": r"\bascertain\w*",
        "endeavour": r"\bendeavou?r\w*", "expedite": r"\bexpedit\w*", "remediate": r"\bremediat\w*",
        "action (as a verb)": r"\b(?:will|to|be|been|get this) actioned\b|\bwill action\b",
    }.items()
}
"""Words a customer should not have to decode."""


# ------------------------------------------------------------------ readability

_WORD = re.compile(r"[A-Za-zÀ-ÿ]+(?:['’][A-Za-z]+)?|\d+(?:[.,]\d+)*")
_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)|\n\s*\n|\n")


def count_syllables(word: str) -> int:
    """Syllables in an English word: vowel groups of one or two letters, after
    dropping a silent final "e", "es" or "ed" (the common heuristic; within one
    syllable of a dictionary on most words)."""
    w = word.lower().strip("'’")
    if not w:
        return 0
    if w.isdigit():
        return max(1, len(w))  # numbers are read out; a rough count is enough
    if len(w) <= 3:
        return 1
    w = re.sub(r"(?:[^laeiouy]es|ed|[^laeiouy]e)$", "", w)
    w = re.sub(r"^y", "", w)
    return max(1, len(re.findall(r"[aeiouy]{1,2}", w)))


def readability(text: str) -> Readability:
    words = _WORD.findall(text)
    pieces = [p for p in _SENTENCE_END.split(text) if _WORD.search(p)]
    return Readability(
        words=len(words), sentences=max(1, len(pieces)) if words else 0,
        syllables=sum(count_syllables(w) for w in words),
    )


# ------------------------------------------------------------------ scoring


def _quote(match: re.Match[str] | None) -> str:
    return f"“{match.group().strip()}”" if match else ""


def _tone_severity(tone: str | None) -> int | None:
    if tone is None:
        return None
    if tone not in TONE_SEVERITY:
        raise UsageError(f"unknown tone level {tone!r}; use one of {', '.join(t.value for t in ToneLevel)}")
    return TONE_SEVERITY[tone]


def _criterion(crit: Criterion, verdict: Verdict, explanation: str, evidence: tuple[str, ...] = ()) -> CriterionResult:
    weight = WEIGHTS[crit]
    if verdict is Verdict.NA:
        return CriterionResult(crit, verdict, 0.0, 0.0, explanation, evidence)
    return CriterionResult(crit, verdict, weight if verdict is Verdict.PASS else 0.0, weight, explanation, evidence)


def _acknowledge(reply: str, severity: int | None, tone: str | None) -> CriterionResult:
    if severity is None:
        return _criterion(Criterion.ACKNOWLEDGE, Verdict.NA, "No tone reading for the customer's message.")
    if severity == 0:
        return _criterion(Criterion.ACKNOWLEDGE, Verdict.NA, "The customer was calm: nothing to acknowledge.")
    m = ACKNOWLEDGEMENTS.search(reply)
    if m:
        return _criterion(Criterion.ACKNOWLEDGE, Verdict.PASS,
                          f"The customer was {tone}; the reply acknowledged it: {_quote(m)}.", (m.group(),))
    return _criterion(Criterion.ACKNOWLEDGE, Verdict.FAIL,
                      f"The customer was {tone}, but the reply did not name or validate the feeling "
                      "(e.g. “I can see why that's frustrating”).")


def _problem(customer_text: str) -> re.Match[str] | None:
    """The first problem the customer reports, skipping negated ones ("nothing wrong")."""
    for m in PROBLEM_CUES.finditer(customer_text):
        if not _NEGATED_PROBLEM.search(customer_text[max(0, m.start() - 20):m.start()]):
            return m
    return None


def _apology(reply: str, customer_text: str, severity: int | None,
             apologised_before: bool) -> CriterionResult:
    problem = _problem(customer_text)
    upset = severity is not None and severity >= 2
    if not (upset or problem):
        return _criterion(Criterion.APOLOGY, Verdict.NA,
                          "The customer reported no problem and was not upset: no apology due.")
    if apologised_before and not problem:
        return _criterion(Criterion.APOLOGY, Verdict.NA,
                          "Already apologised earlier and no new problem: another apology is optional.")
    why = f"the customer reported a problem ({_quote(problem)})" if problem else "the customer was upset"
    fake = NON_APOLOGIES.search(reply)
    real = [m for m in APOLOGIES.finditer(reply) if not (fake and _overlap(m, fake))]
    if real:
        return _criterion(Criterion.APOLOGY, Verdict.PASS, f"An apology was due ({why}) and given: {_quote(real[0])}.",
                          (real[0].group().strip(),))
    if fake:
        return _criterion(Criterion.APOLOGY, Verdict.FAIL,
                          f"An apology was due ({why}), but {_quote(fake)} apologises for the customer's "
                          "reaction, not for the impact.", (fake.group(),))
    return _criterion(Criterion.APOLOGY, Verdict.FAIL,
                      f"An apology was due ({why}), and the reply has none (e.g. “I'm sorry this happened”).")


def _overlap(a: re.Match[str], b: re.Match[str]) -> bool:
    return a.start() < b.end() and b.start() < a.end()


def _apologised(replies: tuple[str, ...] | list[str]) -> bool:
    for r in replies:
        fake = NON_APOLOGIES.search(r)
        if any(not (fake and _overlap(m, fake)) for m in APOLOGIES.finditer(r)):
            return True
    return False


def _inflaming(reply: str) -> CriterionResult:
    found = [(m.start(), label, m.group()) for label, rx in _INFLAMING_RX.items() if (m := rx.search(reply))]
    shout = _SHOUTING.search(reply)
    if shout:
        found.append((shout.start(), "shouting (capitals)", shout.group()))
    if found:
        found.sort()
        quoted = ", ".join(f"“{text}”" for _, _, text in found)
        return _criterion(Criterion.NO_INFLAMING, Verdict.FAIL,
                          f"Inflaming wording: {quoted}.", tuple(text for _, _, text in found))
    return _criterion(Criterion.NO_INFLAMING, Verdict.PASS, "No inflaming phrases.")


def _expectation(reply: str, customer_text: str) -> CriterionResult:
    closing = CLOSING.search(customer_text) and "?" not in customer_text and not _problem(customer_text)
    if closing:
        return _criterion(Criterion.EXPECTATION, Verdict.NA,
                          "The customer was only closing the conversation.")
    when = TIME_EXPRESSIONS.search(reply)
    step = NEXT_STEPS.search(reply)
    if when or step:
        parts = []
        if when:
            parts.append(f"a time ({_quote(when)})")
        if step:
            parts.append(f"a next step ({_quote(step)})")
        return _criterion(Criterion.EXPECTATION, Verdict.PASS, "The reply sets " + " and ".join(parts) + ".",
                          tuple(m.group() for m in (when, step) if m))
    return _criterion(Criterion.EXPECTATION, Verdict.FAIL,
                      "No time and no next step: say what happens next and when "
                      "(e.g. “I'll check now and reply within 10 minutes”).")


def _plain(reply: str, read: Readability) -> CriterionResult:
    jargon = [term for term, rx in JARGON.items() if rx.search(reply)]
    ease = read.flesch if read.words >= READABILITY_MIN_WORDS else None
    problems = []
    if jargon:
        problems.append("jargon: " + ", ".join(jargon))
    if ease is not None and ease < READING_EASE_MIN:
        problems.append(f"reading ease {ease:g} (below {READING_EASE_MIN:g}: long sentences or long words)")
    if problems:
        return _criterion(Criterion.PLAIN_LANGUAGE, Verdict.FAIL, "Hard to read — " + "; ".join(problems) + ".",
                          tuple(jargon))
    if ease is None:
        return _criterion(Criterion.PLAIN_LANGUAGE, Verdict.PASS,
                          f"Short reply ({read.words} words) with no jargon.")
    return _criterion(Criterion.PLAIN_LANGUAGE, Verdict.PASS, f"Reading ease {ease:g}, no jargon.")


def _response(response_s: float | None, target_s: float) -> CriterionResult:
    if response_s is None:
        return _criterion(Criterion.RESPONSE_TIME, Verdict.NA, "Response time not measured.")
    if response_s <= target_s:
        return _criterion(Criterion.RESPONSE_TIME, Verdict.PASS,
                          f"Answered in {response_s:.0f} s (target {target_s:.0f} s).")
    return _criterion(Criterion.RESPONSE_TIME, Verdict.FAIL,
                      f"Answered in {response_s:.0f} s, over the {target_s:.0f} s target.")


def score_reply(
    reply: str,
    *,
    customer_text: str,
    tone: str | None = None,
    response_s: float | None = None,
    target_s: float | None = None,
    channel: str = "chat",
    reference: str | None = None,
    turn: int = 0,
    earlier_replies: tuple[str, ...] | list[str] = (),
) -> TurnScore:
    """Score ``reply`` to the customer's ``customer_text``.

    ``tone`` is the customer's tone level (a :class:`~agentdesk.domain.ToneLevel`
    value, or None if unknown). ``response_s`` is how long the reply took;
    ``target_s`` defaults to :data:`RESPONSE_TARGETS_S` for ``channel``.
    ``earlier_replies`` are the same person's previous replies in this conversation:
    once they hold an apology, another is only due for a newly reported problem. Raises
    :class:`~agentdesk.errors.UsageError` for an unknown tone level or a negative
    time.
    """
    if not isinstance(reply, str) or not isinstance(customer_text, str):
        raise UsageError("reply and customer_text must be text")
    severity = _tone_severity(tone)
    if response_s is not None and response_s < 0:
        raise UsageError("response time cannot be negative")
    target = RESPONSE_TARGETS_S.get(channel, RESPONSE_TARGETS_S["chat"]) if target_s is None else float(target_s)
    if target <= 0:
        raise UsageError("response-time target must be positive")
    # the phrase lists are written with the plain apostrophe; a reply or a recorded
    # message from a phone or a word processor has the typographic one ("I’m sorry
    # you’ve …", "that’s our policy"). The scored texts are kept as written.
    original_reply, original_customer_text = reply, customer_text
    reply, customer_text = plain_apostrophes(reply), plain_apostrophes(customer_text)
    earlier_replies = tuple(plain_apostrophes(r) for r in earlier_replies)
    read = readability(reply)
    if not reply.strip():
        criteria = tuple(
            _criterion(c, Verdict.FAIL, "No reply was written.") if c is not Criterion.RESPONSE_TIME
            else _response(response_s, target)
            for c in Criterion
        )
    else:
        criteria = (
            _acknowledge(reply, severity, tone),
            _apology(reply, customer_text, severity, _apologised(earlier_replies)),
            _inflaming(reply),
            _expectation(reply, customer_text),
            _plain(reply, read),
            _response(response_s, target),
        )
    return TurnScore(turn=turn, customer_text=original_customer_text, tone=tone, reply=original_reply,
                     response_s=response_s, target_s=target, criteria=criteria, readability=read,
                     reference=reference)


def scorecard(turns: list[TurnScore] | tuple[TurnScore, ...], *, session_id: str,
              title: str | None = None, trainee: str | None = None) -> Scorecard:
    return Scorecard(session_id=session_id, turns=tuple(turns), title=title, trainee=trainee)


# --------------------------------------------------------------- role-play prompts

REFERENCE_MERGE_S = 90.0
"""Agent messages sent within this many seconds of the first are one reply."""


@dataclass(frozen=True, slots=True)
class PracticePrompt:
    """One point in a session where the trainee answers instead of the agent."""

    turn: int
    """Index (in :func:`agentdesk.replay.timeline.build_turns`) of the agent turn replaced."""
    customer_turns: tuple[int, ...]
    """The customer turns being answered (since the previous agent reply)."""
    customer_text: str
    tone: str | None
    """The recorded tone level of the latest customer turn with a reading, if any."""
    reference: str
    """What the agent actually answered (consecutive messages joined)."""
    reference_response_s: float | None
    channel: str


def practice_prompts(session: Session) -> tuple[PracticePrompt, ...]:
    """Where a trainee answers in role-play: every agent reply that follows at least
    one customer message, with what the customer said and what the agent answered."""
    turns = build_turns(session)
    prompts = []
    pending: list[int] = []
    i = 0
    while i < len(turns):
        t = turns[i]
        if t.kind is TurnKind.CUSTOMER:
            pending.append(i)
        elif t.kind is TurnKind.AGENT and pending:
            parts = [t.text or ""]
            j = i + 1
            while j < len(turns) and turns[j].kind in (TurnKind.AGENT, TurnKind.EVENT, TurnKind.NOTE) and (
                turns[j].event.at - t.event.at <= REFERENCE_MERGE_S
            ):
                if turns[j].kind is TurnKind.AGENT:
                    parts.append(turns[j].text or "")
                j += 1
            tone = None
            for k in reversed(pending):
                if turns[k].tone_level is not None:
                    tone = turns[k].tone_level
                    break
            prompts.append(PracticePrompt(
                turn=i, customer_turns=tuple(pending),
                customer_text="\n".join(turns[k].text or "" for k in pending),
                tone=tone, reference="\n".join(parts), reference_response_s=t.response_s,
                channel=session.channel,
            ))
            pending = []
            i = j
            continue
        i += 1
    return tuple(prompts)


# ----------------------------------------------------------------- export


def card_dict(card: Scorecard) -> dict[str, Any]:
    """The scorecard as plain JSON-ready data (the ``card.json`` layout)."""
    return {
        "rules": card.rules,
        "session": card.session_id,
        "title": card.title,
        "trainee": card.trainee,
        "points": card.points,
        "max_points": card.max_points,
        "percent": card.percent,
        "summary": {c.value: row for c, row in card.summary().items()},
        "turns": [
            {
                "turn": t.turn,
                "customer": t.customer_text,
                "tone": t.tone,
                "reply": t.reply,
                "response_s": t.response_s,
                "target_s": t.target_s,
                "reading_ease": t.readability.flesch,
                "points": t.points,
                "max_points": t.max_points,
                "percent": t.percent,
                "criteria": [
                    {
                        "criterion": c.criterion.value, "title": c.title, "verdict": c.verdict.value,
                        "points": c.points, "max_points": c.max_points,
                        "explanation": c.explanation, "evidence": list(c.evidence),
                    }
                    for c in t.criteria
                ],
                "reference": t.reference,
            }
            for t in card.turns
        ],
    }


def card_json(card: Scorecard) -> str:
    """``card.json``: stable key order, UTF-8 text, ends with a newline."""
    return json.dumps(card_dict(card), ensure_ascii=False, indent=2) + "\n"


_MARK = {Verdict.PASS: "✓ pass", Verdict.FAIL: "✗ fail", Verdict.NA: "– n/a"}


def _cell(text: str) -> str:
    return sanitize(text, single_line=True).replace("|", "\\|")


def _blockquote(text: str) -> str:
    lines = sanitize(text).split("\n") or [""]
    return "\n".join("> " + line if line.strip() else ">" for line in lines)


def _pts(x: float) -> str:
    return f"{x:g}"


def card_markdown(card: Scorecard) -> str:
    """``card.md``: a readable report. Customer and trainee text is quoted and made
    inert (control characters shown, table pipes escaped)."""
    out = [f"# Scorecard — {_cell(card.title or card.session_id)}", ""]
    meta = [f"- Session: `{_cell(card.session_id)}`"]
    if card.trainee:
        meta.append(f"- Trainee: {_cell(card.trainee)}")
    pct = "n/a" if card.percent is None else f"{card.percent:g} %"
    meta.append(f"- Overall: **{_pts(card.points)} / {_pts(card.max_points)} points ({pct})** over {len(card.turns)} turn(s)")
    meta.append(f"- Rules: {card.rules}")
    out += meta + ["", "## By criterion", "", "| Criterion | Pass | Fail | n/a | Points |", "|---|---:|---:|---:|---:|"]
    for crit, row in card.summary().items():
        out.append(f"| {TITLES[crit]} | {row['pass']} | {row['fail']} | {row['na']} | "
                   f"{_pts(row['points'])} / {_pts(row['max_points'])} |")
    for n, t in enumerate(card.turns, start=1):
        pct = "n/a" if t.percent is None else f"{t.percent:g} %"
        out += ["", f"## Turn {n} — {_pts(t.points)} / {_pts(t.max_points)} ({pct})", ""]
        out += [f"**Customer** (tone: {t.tone or 'unknown'}):", "", _blockquote(t.customer_text), ""]
        timing = "" if t.response_s is None else f" in {t.response_s:.0f} s"
        out += [f"**Reply**{timing}:", "", _blockquote(t.reply or "(no reply)"), ""]
        out += ["| Criterion | Result | Points | Why |", "|---|---|---:|---|"]
        for c in t.criteria:
            out.append(f"| {c.title} | {_MARK[c.verdict]} | {_pts(c.points)} / {_pts(c.max_points)} | {_cell(c.explanation)} |")
        if t.reference:
            out += ["", "**What the agent answered:**", "", _blockquote(t.reference)]
    return "\n".join(out) + "\n"
