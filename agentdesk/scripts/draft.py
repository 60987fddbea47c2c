"""Draft check: phrases in an agent's draft that inflame or confuse, with a softer way.

:func:`check_draft` returns :class:`DraftHint` objects (span, kind, why, alternative)
sorted by position. It only advises: nothing here blocks sending. It is cheap enough
to run on every keystroke (one pass of a few compiled expressions).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from agentdesk.scripts.tone import plain_apostrophes


@dataclass(frozen=True, slots=True)
class DraftHint:
    start: int
    end: int
    phrase: str
    """``text[start:end]``."""
    kind: str
    """inflaming, blaming, dismissive, condescending, hollow apology, jargon,
    shouting, unfilled placeholder."""
    why: str
    alternative: str
    """A softer phrasing to consider (empty when the fix is to remove or fill it)."""


# (pattern, kind, why, alternative)
_RULES: list[tuple[str, str, str, str]] = [
    (r"(?:please |just |you (?:need|have) to )?calm down|relax|chill(?: out)?|take a (?:deep )?breath|no need to (?:shout|get upset|be rude)",
     "inflaming", "telling someone to calm down tells them they are wrong to be upset",
     "I can see this has been really frustrating. Let's sort it out together."),
    (r"as i(?:'ve| have)?(?: already)? (?:said|mentioned|explained|told you|stated|wrote)(?: before| earlier| previously)?|like i (?:said|told you)|as previously (?:stated|mentioned)|per my (?:last|previous) (?:message|email|reply)|i(?: have|'ve) already (?:told|explained to) you",
     "inflaming", "reads as 'you weren't listening'",
     "To recap: …"),
    # not the empathetic forms: "more time than you should have", "you shouldn't have
    # had to explain this twice" (the library's own scripts say both)
    (r"(?<!than )you should(?: have|'ve)|you shouldn'?t have(?! (?:had )?to\b)|you (?:were|are) supposed to|you failed to|you didn'?t (?:read|follow|check)|you forgot to|if you had (?:read|followed|checked)",
     "blaming", "blames the customer for the problem",
     "Next time, it helps to …; for now, here's what I can do: …"),
    (r"(?:it'?s|that'?s|this is) (?:our|the|company|just) policy|(?:our|company) policy (?:says|states|is)|(?:per|as per|according to) (?:our |the )?(?:policy|terms)|rules are rules",
     "dismissive", "hides behind a rule instead of explaining it",
     "Here's what I can do within our rules: …"),
    (r"there(?:'s| is) nothing (?:(?:more|else) )?(?:i|we) can do|nothing (?:i|we) can do|i can'?t do anything|(?:i|we) can'?t help you|not (?:my|our) (?:problem|fault|job|department|responsibility)|that'?s not (?:my|our) (?:problem|fault|job|department)",
     "dismissive", "closes the door; say what you can do",
     "Here's what I can do: …"),
    (r"you(?:'re| are) wrong|that'?s (?:not true|wrong|incorrect)|that(?:'s| is) impossible|that can'?t be|you must be mistaken|you(?:'re| are) (?:mistaken|confused)",
     "inflaming", "contradicts the customer head-on",
     "Let me check that for you."),
    (r"no one else has (?:complained|had (?:this|that) (?:problem|issue))|you(?:'re| are) the only one|nobody else has (?:this|that) (?:problem|issue)",
     "dismissive", "suggests the customer is the problem",
     "Thanks for flagging it: I'll make sure the right team knows."),
    (r"(?:i|we) (?:don'?t|do not) know",
     "dismissive", "sounds like the end of the road",
     "Let me find out for you."),
    (r"(?:we )?(?:sincerely )?apologi[sz]e for any inconvenience(?: (?:this|that) (?:may have|has) caused)?|sorry for any inconvenience(?: caused)?|we regret any inconvenience|sorry you feel (?:that way|like that)|sorry if you (?:feel|felt)",
     "hollow apology", "a generic apology sounds like a form letter",
     "I'm sorry this has cost you time. Here's what I'm doing about it: …"),
    (r"obviously|clearly|simply|as everyone knows|it'?s (?:really )?(?:easy|simple)|all you (?:have|need) to do is",
     "condescending", "implies it should have been easy for them",
     ""),
    (r"you must have (?:entered|typed|done|made|clicked|pressed|sent|missed|forgotten|deleted|changed|set|used|ordered|put)",
     "blaming", "assumes the customer made the mistake",
     "Let's check what was entered."),
    # the lookahead keeps the words after it out of the span (the rule's own end check
    # needs the span to end at a word boundary)
    (r"you (?:must|have to|need to)(?= (?!be\b|have (?:been|had|felt|gone through)\b)\w)",
     "condescending", "an order rather than a request",
     "Could you … , please?"),
    (r"(?:please )?(?:be|bear) patient|patience,? please",
     "condescending", "asks them to wait without saying for how long",
     "Thank you for bearing with me: this should take about …"),
    (r"as (?:mentioned|stated|noted|explained)(?: (?:before|earlier|previously|above|below))?",
     "inflaming", "reads as 'you weren't listening'",
     "To recap: …"),
    (r"did you (?:even|actually) (?:read|check|try|look|listen)",
     "inflaming", "sounds like an accusation",
     "Could you check … for me?"),
    (r"(?:i'?m|i am) (?:only|just) trying to help|(?:it|that) is what it is|with (?:all )?due respect",
     "dismissive", "sounds defensive or final; the customer hears 'stop complaining'",
     "I want to get this sorted for you. Here's what I can do: …"),
    (r"unfortunately,? (?:there'?s )?nothing|no,? we (?:can'?t|cannot|won'?t)",
     "dismissive", "leads with the no",
     "What I can do is …"),
    (r"hysterical|overreact\w*|(?:being|so|too) dramatic",
     "inflaming", "labels the customer's feelings",
     ""),
]

# jargon term -> plain words
_JARGON: dict[str, str] = {
    "SLA": "the time we promise to answer in",
    "RMA": "return number",
    "KYC": "identity check",
    "AML": "anti-fraud check",
    "ETA": "expected time",
    "ticket": "case",
    "backend": "our system",
    "back end": "our system",
    "back-end": "our system",
    "provisioning": "setting up",
    "provisioned": "set up",
    "escalated": "passed to a specialist",
    "escalate": "pass to a specialist",
    "L2": "our specialist team",
    "L3": "our specialist team",
    "tier 2": "our specialist team",
    "tier 3": "our specialist team",
    "second-level support": "our specialist team",
    "T&Cs": "terms",
    "ToS": "terms",
    "credentials": "username and password",
    "authenticate": "confirm it's you",
    "authentication": "checking it's you",
    "reboot": "restart",
    "power cycle": "turn it off and on again",
    "firmware": "the device's software",
    "cache": "saved browser data",
    "DNS": "internet address settings",
    "propagation": "the change reaching everyone",
    "CRM": "our records",
    "workaround": "another way to do it",
    "ACH": "bank transfer",
    "chargeback": "payment dispute",
    "pro rata": "for the part of the month you used",
    "pro-rated": "charged for the part you used",
    "prorated": "charged for the part you used",
    "as per": "as in",
    "kindly": "please",
    "revert back": "reply",
    "revert": "reply",
    "per se": "as such",
    "bandwidth": "time",
    "synergy": "",
    "leverage": "use",
}


@dataclass(slots=True)
class _Compiled:
    rules: list[tuple[re.Pattern[str], str, str, str]]
    jargon: re.Pattern[str]
    caps: re.Pattern[str]
    punct: re.Pattern[str]
    slot: re.Pattern[str]


@lru_cache(maxsize=1)
def _compiled() -> _Compiled:
    rules = [(re.compile(rf"(?<![\w'])(?:{p})(?![\w'])", re.IGNORECASE), k, w, a)
             for p, k, w, a in _RULES]
    terms = sorted(_JARGON, key=len, reverse=True)
    jargon = re.compile(r"(?<![\w&])(" + "|".join(re.escape(t) for t in terms) + r")(?![\w&])",
                        re.IGNORECASE)
    return _Compiled(
        rules=rules,
        jargon=jargon,
        caps=re.compile(r"(?<![\w])[A-Z]{3,}(?:\s+[A-Z]{2,})+(?![\w])|(?<![\w])[A-Z]{5,}(?![\w])"),
        punct=re.compile(r"!{2,}|\?{2,}|[!?]{3,}"),
        slot=re.compile(r"\{[a-z_]+\}"),
    )


_CASE_SENSITIVE_JARGON = {"L2", "L3", "SLA", "RMA", "KYC", "AML", "ETA", "DNS", "CRM", "ACH", "ToS"}
_NOT_SHOUTING = frozenset({"ASAP", "FAQ", "IBAN", "HTTPS", "EMAIL", "CANCEL"})


def check_draft(text: str) -> list[DraftHint]:
    """Hints for an agent's draft, sorted by position; ``[]`` when it reads well."""
    if not isinstance(text, str) or not text:
        return []
    c = _compiled()
    hints: list[DraftHint] = []
    taken: list[tuple[int, int]] = []

    def add(start: int, end: int, kind: str, why: str, alt: str) -> None:
        if end <= start or any(start < te and ts < end for ts, te in taken):
            return
        taken.append((start, end))
        hints.append(DraftHint(start, end, text[start:end], kind, why, alt))

    # the rules are written with the plain apostrophe; a draft pasted from a word processor
    # or a phone has the typographic one ("that’s our policy"). Same length, same offsets.
    plain_text = plain_apostrophes(text)
    for m in c.slot.finditer(text):
        add(m.start(), m.end(), "unfilled placeholder", "replace it before sending", "")
    for rx, kind, why, alt in c.rules:
        for m in rx.finditer(plain_text):
            add(m.start(), m.end(), kind, why, alt)
    for m in c.jargon.finditer(text):
        word = m.group()
        key = next((k for k in _JARGON if k.lower() == word.lower()), word)
        if key in _CASE_SENSITIVE_JARGON and word != key:
            continue  # "eta" in a name, "aml" in a word list: only the acronym is jargon
        plain = _JARGON[key]
        add(m.start(), m.end(), "jargon", "the customer may not know this term",
            f"say {plain!r}" if plain else "leave it out")
    for m in c.caps.finditer(text):
        words = m.group().split()
        if all(w in _NOT_SHOUTING or w in _JARGON for w in words):
            continue
        add(m.start(), m.end(), "shouting", "capitals read as shouting", m.group().capitalize())
    for m in c.punct.finditer(text):
        add(m.start(), m.end(), "shouting", "repeated punctuation reads as shouting or impatience",
            m.group()[0])
    hints.sort(key=lambda h: (h.start, h.end))
    return hints
