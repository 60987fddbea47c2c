"""PII redaction for session exports: pure Python, regular expressions and heuristics.

No language model and nothing downloaded: every rule is here or in
:mod:`agentdesk.replay.names`, and documented in ``docs/sessions.md``
("Redaction"). Three layers:

* :func:`detect` finds personal data in one text and returns typed spans
  (:class:`PiiSpan`). Structured values are validated where a checksum exists (Luhn
  for cards, ISO 13616 mod-97 for IBANs, ABA for US routing numbers); values with no
  fixed shape (passwords, one-time codes, passport numbers, account numbers, dates of
  birth) are found only next to the words that introduce them.
* :class:`Redactor` replaces spans with typed, numbered placeholders — ``[EMAIL_1]``,
  ``[NAME_2]`` — and remembers which value got which number, so the same value gets
  the same placeholder in every text it redacts (one redactor per session). Names it
  has seen are then also found without a cue ("Sarah" anywhere once "Hi Sarah,"
  was seen).
* :func:`redact_session` redacts every text field of a :class:`Session`, checks the
  result (nothing it detected survives, a second detection pass finds nothing new,
  the session still validates) and raises :class:`RedactionError` rather than
  return something it cannot vouch for.
"""

from __future__ import annotations

import bisect
import functools
import ipaddress
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any, NamedTuple

from agentdesk.errors import AgentdeskError
from agentdesk.replay.names import (
    AMBIGUOUS_NAMES,
    COMMON_WORDS,
    FIRST_NAMES,
    NATIONALITIES,
    NOT_NAMES,
)
from agentdesk.replay.session import Customer, InvalidSession, Session, validate_session


class PiiType(StrEnum):
    EMAIL = "EMAIL"
    PHONE = "PHONE"
    CARD = "CARD"
    IBAN = "IBAN"
    ACCOUNT = "ACCOUNT"  # bank account number, sort code, routing number
    IP = "IP"
    ADDRESS = "ADDRESS"  # street address: house number and street (and flat)
    POSTCODE = "POSTCODE"
    NAME = "NAME"
    PASSWORD = "PASSWORD"
    CODE = "CODE"  # one-time code, PIN, card security code
    PASSPORT = "PASSPORT"
    ID = "ID"  # national id: SSN, NI number, driving licence, id card
    DOB = "DOB"  # date of birth


class RedactionError(AgentdeskError):
    """Redaction could not guarantee its result; nothing should be written."""

    exit_code = 6


@dataclass(frozen=True, slots=True)
class PiiSpan:
    """Personal data found in a text: ``text[start:end] == value``."""

    start: int
    end: int
    type: PiiType
    value: str


@dataclass(frozen=True, slots=True)
class RedactedSpan:
    """One replacement: ``start``/``end`` in the original text, ``out_start``/
    ``out_end`` where the placeholder sits in the redacted text."""

    start: int
    end: int
    type: PiiType
    placeholder: str
    out_start: int
    out_end: int


@dataclass(frozen=True, slots=True)
class Redaction:
    text: str
    spans: tuple[RedactedSpan, ...]


PLACEHOLDER_RE = re.compile(r"\[(?:" + "|".join(t.value for t in PiiType) + r"|AGENT)_\d+\]")
"""What every placeholder this module writes looks like."""

# Which detection wins when two overlap: higher first, then the longer span.
_PRIORITY = {
    PiiType.EMAIL: 100, PiiType.IBAN: 95, PiiType.CARD: 90, PiiType.ID: 86,
    PiiType.PASSPORT: 86, PiiType.ACCOUNT: 85, PiiType.DOB: 85, PiiType.PASSWORD: 82,
    PiiType.CODE: 80, PiiType.IP: 75, PiiType.PHONE: 70, PiiType.ADDRESS: 60,
    PiiType.POSTCODE: 55, PiiType.NAME: 50,
}


class _Cand(NamedTuple):
    start: int
    end: int
    type: PiiType


# ------------------------------------------------------------------- helpers

_UP = "A-ZÀ-ÖØ-ÞĀĂĄĆČĎĐĒĖĘĚĞĪĮİĶĻĽŁŃŅŇŌŐŒŔŘŚŞŠŢŤŪŮŰŲŹŻŽ"
_LO = "a-zß-öø-ÿāăąćčďđēėęěğīįıķļľłńņňōőœŕřśşšţťūůűųźżž"
_NAME_TOKEN = rf"[{_UP}][{_LO}]*(?:['’\-]?[{_UP}][{_LO}]+)*(?:-[{_LO}]+(?=[\s,.!?;:)]|$))?"
_NAME_TOKEN_RE = re.compile(_NAME_TOKEN)
_LOWER_TOKEN_RE = re.compile(rf"[{_LO}]+(?:['’\-][{_LO}]+)*")
_PARTICLES = frozenset(
    "van van der den de del della der di da das dos du von le la al el bin ibn ben ter".split()
)
_TITLES = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame|Lady|Lord|Madame|Mme|Mlle|Monsieur|Herr|Frau|Señora|Señor|Sra|Sr)"
_STREET_WORDS = frozenset(
    """street st road rd avenue ave lane ln drive way crescent terrace boulevard blvd
    gardens square sq parade mews highway parkway pkwy circle station estate centre
    center building""".split()
)
"""Words that end a run of name words ("George Street"). Street words that are also
common surnames (Park, Hall, Hill, Green, Court …) do not."""
_STREET_AFTER = re.compile(
    r"[ \t]+(?:Street|St|Road|Rd|Avenue|Ave|Lane|Drive|Square|Station|Crescent|Terrace|Boulevard)\b"
)
_PLACE_PREFIX = re.compile(
    r"(?:\b(?:San|Santa|Santo|São|Sao|Saint|St\.?|Ste\.?|Los|Las|El|Port|Fort|Mount|Mt\.?|"
    r"Lake|New|Cape|Glen|Villa|Bad)[ \t]+)$"
)
_MONTHS = frozenset(
    """january february march april may june july august september october november
    december jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday
    thursday friday saturday sunday""".split()
)


def _window(text: str, start: int, size: int = 40) -> str:
    return text[max(0, start - size):start].casefold()


def _nearest(window: str, words: re.Pattern[str]) -> int:
    """Distance from the end of ``window`` to the last match of ``words`` (or -1)."""
    best = -1
    for m in words.finditer(window):
        best = m.end()
    return -1 if best < 0 else len(window) - best


def _context(text: str, start: int, positive: re.Pattern[str], negative: re.Pattern[str],
             size: int = 40) -> int:
    """+1 if the nearest cue before ``start`` is positive, -1 if negative, 0 if none."""
    win = _window(text, start, size)
    pos = _nearest(win, positive)
    neg = _nearest(win, negative)
    if pos < 0 and neg < 0:
        return 0
    if neg < 0:
        return 1
    if pos < 0:
        return -1
    return 1 if pos <= neg else -1


_BREAK = re.compile(r"(?i)(?<!\bno)(?<!\bnr)(?<!\bnum)(?<!\bref)[.!?](?:\s|$)|\n")
_BREAK_STOP = re.compile(r"(?i)(?<!\bno)(?<!\bnr)(?<!\bnum)(?<!\bref)[.](?:\s|$)|\n")


def _sentence_break(filler: str, *, questions: bool = True) -> bool:
    """Whether the words between a cue and a value cross a sentence ("no." does not).
    With ``questions=False`` a "?" or "!" does not end it ("Code? It's 123 456")."""
    return bool((_BREAK if questions else _BREAK_STOP).search(filler))


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = ord(ch) - 48
        if i % 2:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


# ------------------------------------------------------------------ detectors

_FILE_EXT = frozenset(
    "png jpg jpeg gif svg webp pdf txt csv doc docx xls xlsx ppt pptx log json xml html htm "
    "js css py exe dll mp3 mp4 wav heic bmp tif tiff mov avi zip".split()
)
_EMAIL_RE = re.compile(
    r"(?<![\w.+'-])[\w!#$%&'*+/=?^`{|}~-]+(?:\.[\w!#$%&'*+/=?^`{|}~-]+)*"
    r"@(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+([^\W\d_]{2,24})(?![\w-])"
)


def _emails(text: str) -> Iterator[_Cand]:
    for m in _EMAIL_RE.finditer(text):
        if m.group(1).casefold() in _FILE_EXT:
            continue
        start = m.start()
        while text[start] in "'`":
            start += 1
        yield _Cand(start, m.end(), PiiType.EMAIL)


_CARD_RE = re.compile(r"(?<![\w.,/-])\d(?:[ -]?\d){11,18}(?![\w]|[.,/-]\d)")
_CARD_NEG = re.compile(
    r"track|order|case|ref|invoice|gift|voucher|transaction|serial|imei|acc(?:oun)?t|iban|receipt|"
    r"routing|ticket|parcel|shipment|consignment|booking|policy|claim|member"
)
_CARD_POS = re.compile(r"card|visa|master|amex|debit|credit|pay|charge|cc\b|number")


def _card_groups_ok(groups: list[str]) -> bool:
    if len(groups) == 1:
        return True
    lens = [len(g) for g in groups]
    if lens[:-1] == [4] * (len(lens) - 1) and 1 <= lens[-1] <= 4:
        return True
    return lens in ([4, 6, 5], [4, 6, 4])


def _cards(text: str) -> Iterator[_Cand]:
    pos = 0
    while True:
        m = _CARD_RE.search(text, pos)
        if m is None:
            return
        raw = m.group()
        groups = re.split(r"[ -]", raw)
        offsets = [0]
        for g in groups[:-1]:
            offsets.append(offsets[-1] + len(g) + 1)
        hit = None
        # longest run of groups first, leftmost first (a card among other digits)
        for size in range(len(groups), 0, -1):
            for i in range(0, len(groups) - size + 1):
                part = groups[i:i + size]
                digits = "".join(part)
                if not 13 <= len(digits) <= 19:
                    continue
                if digits[0] not in "23456" or not luhn_ok(digits) or not _card_groups_ok(part):
                    continue
                start = m.start() + offsets[i]
                if _context(text, start, _CARD_POS, _CARD_NEG, 30) < 0:
                    continue
                hit = (start, start + sum(map(len, part)) + size - 1)
                break
            if hit:
                break
        if hit:
            yield _Cand(hit[0], hit[1], PiiType.CARD)
            pos = hit[1]
        else:
            pos = m.end()


IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BR": 29, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20,
    "EG": 29, "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18,
    "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IS": 26, "IT": 27, "JO": 30,
    "KW": 30, "KZ": 20, "LB": 28, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24,
    "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24, "PL": 28,
    "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24, "SE": 24, "SI": 19, "SK": 24,
    "SM": 27, "TN": 24, "TR": 26, "UA": 29, "VG": 24, "XK": 20,
}
_IBAN_START = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{2})\d\d")


def iban_ok(compact: str) -> bool:
    compact = compact.upper()
    if IBAN_LENGTHS.get(compact[:2]) != len(compact) or not compact.isalnum():
        return False
    moved = compact[4:] + compact[:4]
    return int("".join(str(int(ch, 36)) for ch in moved)) % 97 == 1


def _ibans(text: str) -> Iterator[_Cand]:
    for m in _IBAN_START.finditer(text):
        want = IBAN_LENGTHS.get(m.group(1).upper())
        if want is None:
            continue
        i, count = m.start(), 0
        end = None
        while i < len(text):
            ch = text[i]
            if ch.isascii() and ch.isalnum():
                count += 1
                i += 1
                if count == want:
                    end = i
                    break
            elif ch == " " and count >= 4 and i + 1 < len(text) and text[i + 1].isalnum():
                i += 1
            else:
                break
        if end is None or (end < len(text) and text[end].isalnum()):
            continue
        compact = text[m.start():end].replace(" ", "")
        if iban_ok(compact):
            yield _Cand(m.start(), end, PiiType.IBAN)


_IPV4_RE = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w]|\.\d)")
_IPV6_RE = re.compile(r"(?<![\w:.])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:(?<=:)\d{1,3}(?:\.\d{1,3}){3})?(?:%[\w.]+)?(?![\w:])")
_VERSION_CUE = re.compile(
    r"\b(?:v|ver|version|firmware|fw|build|patch|release|update|updated|upgrade|upgraded|"
    r"rollback|roll back|rolled back|downgrade|android|ios|macos|windows|app|sdk|api)\b"
)
_IP_CUE = re.compile(r"\b(?:ip|address|gateway|server|host|dns|router|ping|traceroute|whitelist|allowlist|from|subnet|range)\b")


def _ips(text: str) -> Iterator[_Cand]:
    for m in _IPV4_RE.finditer(text):
        try:
            ipaddress.IPv4Address(m.group())
        except ValueError:
            continue
        if _context(text, m.start(), _IP_CUE, _VERSION_CUE, 25) < 0:
            continue
        yield _Cand(m.start(), m.end(), PiiType.IP)
    for m in _IPV6_RE.finditer(text):
        value = m.group()
        if value.count(":") < 2 or sum(c.isalnum() for c in value.split("%")[0]) < 2:
            continue
        try:
            ipaddress.IPv6Address(value.split("%")[0])
        except ValueError:
            continue
        yield _Cand(m.start(), m.end(), PiiType.IP)


_PHONE_RE = re.compile(
    r"(?<![\w+./-])(?:\+|\b00)?\(?\d[\d \t().\-/]{4,24}\d(?![\w])"
)
_PHONE_SHAPE = re.compile(r"^(?:\+|00)?\s?(?:\(\d{1,5}\)|\d+)(?:[ .\-/]?(?:\(\d{1,5}\)|\d+)|\s\(\d{1,5}\))*$")
_DATE_SHAPE = re.compile(
    r"^(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d{2})|\d{1,2}[-/.]\d{1,2})$"
)
_NANP_SHAPE = re.compile(r"^(?:\+?1[ .-]?)?\(?[2-9]\d{2}\)?[ .-]?[2-9]\d{2}[ .-]\d{4}$")
_PHONE_POS = re.compile(
    r"phone|mobile|\bcell|\btel\b|\btel\.|telephone|\bcall|\bring\b|\btext me|\btxt|whatsapp|"
    r"reach me|contact me|landline|\bfax|\bmob\b|\bext\b|\bdial"
)
_PHONE_NEG = re.compile(
    r"order|\bref|invoice|ticket|\bcase|tracking|acc(?:oun)?t\b|account|serial|\bid\b|"
    r"transaction|membership|policy|\bclaim|meter|\bsku|\bpart\b|model|\bitem|booking|"
    r"reservation|confirmation|iban|routing|sort code|passport|licen[cs]e|ssn|\bvat|\btax|"
    r"imei|#|\bno\.|customer number|reference|parcel|consignment|isbn|receipt|voucher|"
    r"gift card|membership|loyalty|batch|lot\b"
)


def _phone_kind(cand: str) -> tuple[bool, bool]:
    """(plausible, strong): strong shapes need no cue, the rest need one."""
    digits = "".join(c for c in cand if c.isdigit())
    n = len(digits)
    if not 7 <= n <= 17 or not _PHONE_SHAPE.match(cand) or _DATE_SHAPE.match(cand):
        return False, False
    if "." in cand:
        parts = re.split(r"[.]", cand)
        if len(parts) < 3 or any(not 2 <= len(p.strip()) <= 4 for p in parts):
            return False, False
    if cand.count("(") != cand.count(")"):
        return False, False
    if cand.startswith("+"):
        return 8 <= n <= 15, True
    if cand.startswith("00"):
        return 10 <= n <= 17, True
    if _NANP_SHAPE.match(cand):
        return True, True
    if digits.startswith("0"):
        return 9 <= n <= 12, 10 <= n <= 11
    return n <= 15, False


def _phones(text: str) -> Iterator[_Cand]:
    pos = 0
    while True:
        m = _PHONE_RE.search(text, pos)
        if m is None:
            return
        raw = m.group().rstrip(" \t(-/.")
        # the run may hold more than one number, or a number with other digits
        # around it ("0 07700 900461", "07700 900461 2 times"): try its groups,
        # longest stretch first, leftmost first, and resume after what was taken
        cuts = [0] + [g.end() for g in re.finditer(r"(?<=\d)[ \t]+(?=[\d(])", raw)] + [len(raw)]
        hit = None
        n = len(cuts) - 1
        for size in range(n, 0, -1):
            for i in range(0, n - size + 1):
                cand = raw[cuts[i]:cuts[i + size]].strip()
                if cand.startswith("(") and ")" not in cand:
                    cand = cand[1:]
                plausible, strong = _phone_kind(cand)
                if not plausible:
                    continue
                start = m.start() + cuts[i] + raw[cuts[i]:].index(cand)
                if start > 0 and (text[start - 1].isalnum() or text[start - 1] in "+-/."):
                    continue
                ctx = _context(text, start, _PHONE_POS, _PHONE_NEG, 35)
                if cand.startswith("+"):
                    ctx = 1  # "+44 …" is a phone number whatever comes before it
                if ctx < 0 or (not strong and ctx <= 0):
                    continue
                hit = (start, start + len(cand))
                break
            if hit:
                break
        if hit:
            yield _Cand(hit[0], hit[1], PiiType.PHONE)
            pos = hit[1]
        else:
            pos = m.end()


_UK_POSTCODE = re.compile(
    r"\b(?:GIR ?0AA|[A-PR-UWYZ](?:\d[A-HJKPSTUW\d]?|[A-HK-Y]\d[ABEHMNPRVWXY\d]?) ?\d[ABD-HJLNP-UW-Z]{2})\b"
)
_CA_POSTCODE = re.compile(r"\b[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d\b")
_EIRCODE = re.compile(r"\b(?:[AC-FHKNPRTV-Y]\d{2}|D6W) ?[0-9AC-FHKNPRTV-Y]{4}\b")
_NL_POSTCODE = re.compile(r"\b[1-9]\d{3} ?(?!SA|SD|SS)[A-Z]{2}\b")
_NUM_POSTCODE = re.compile(r"(?<![\w.,/-])(?:\d{5}-\d{3}|\d{5}-\d{4}|\d{4,5})(?![\w]|[.,/-]\d)")
_US_STATES = frozenset(
    """AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV
    NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY""".split()
)
_AU_STATES = frozenset("NSW VIC QLD SA WA TAS NT ACT".split())
_POSTCODE_CUE = re.compile(r"\b(?:zip|zip ?code|postcode|post code|postal code|plz|cp|code postal|cep|eircode)\b")
_POSTCODE_NEG = re.compile(r"order|ticket|case|invoice|\bref|#|\bno\.|number|account|id\b|tracking|item|sku|model|room|flat|unit|page")
_UNIT_WORDS = frozenset(
    "MB GB KB TB AM PM AD BC HP PS CM MM KM KG EU US UK TV PC OK ID".split()
)


def _postcodes(text: str, addresses: list[_Cand]) -> Iterator[_Cand]:
    def after_address(pos: int, reach: int = 60) -> bool:
        return any(0 <= pos - a.end <= reach for a in addresses)

    def cue_before(pos: int) -> bool:
        return _context(text, pos, _POSTCODE_CUE, _POSTCODE_NEG, 25) > 0

    def locality(m: re.Match[str]) -> bool:
        """``, 10827 Berlin`` / start of line, then a capitalised place name."""
        before = text[:m.start()].rstrip(" ")
        if before and before[-1] not in ",\n:" and not after_address(m.start(), 3):
            return False
        nxt = re.match(rf"[ \t]+([{_UP}][{_LO}]+)", text[m.end():])
        return bool(nxt) and nxt.group(1).casefold() not in _MONTHS and nxt.group(1) not in NOT_NAMES

    for m in _UK_POSTCODE.finditer(text):
        yield _Cand(m.start(), m.end(), PiiType.POSTCODE)
    for m in _CA_POSTCODE.finditer(text):
        yield _Cand(m.start(), m.end(), PiiType.POSTCODE)
    for m in _EIRCODE.finditer(text):
        if any(c.isalpha() for c in m.group()[-4:]) or cue_before(m.start()):
            yield _Cand(m.start(), m.end(), PiiType.POSTCODE)
    for m in _NL_POSTCODE.finditer(text):
        if m.group()[-2:] in _UNIT_WORDS:
            continue
        if cue_before(m.start()) or after_address(m.start()) or locality(m):
            yield _Cand(m.start(), m.end(), PiiType.POSTCODE)
    for m in _NUM_POSTCODE.finditer(text):
        value = m.group()
        prev = re.search(r"([A-Z]{2,3})[ \t]+$", text[max(0, m.start() - 6):m.start()])
        state = prev.group(1) if prev else None
        if len(value) >= 5 and value[:5].isdigit() and state in _US_STATES:
            yield _Cand(m.start(), m.end(), PiiType.POSTCODE)
        elif len(value) == 4 and state in _AU_STATES:
            yield _Cand(m.start(), m.end(), PiiType.POSTCODE)
        elif cue_before(m.start()):
            yield _Cand(m.start(), m.end(), PiiType.POSTCODE)
        elif (after_address(m.start()) or locality(m)) and _context(
            text, m.start(), _POSTCODE_CUE, _POSTCODE_NEG, 20
        ) >= 0:
            if len(value) == 4 and not after_address(m.start()):
                continue  # a bare 4-digit number needs a street before it
            yield _Cand(m.start(), m.end(), PiiType.POSTCODE)


_EN_SUFFIX = (
    r"(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Dr|Close|Way|Court|Ct|Place|Pl|Crescent|"
    r"Cres|Terrace|Boulevard|Blvd|Gardens|Gdns|Grove|Hill|Square|Sq|Parade|Row|Walk|Mews|"
    r"Highway|Hwy|Parkway|Pkwy|Circle|Cir|Trail|View|Rise|Green|Park|Gate|Wharf|Quay|"
    r"Embankment|Broadway|Vale|Approach|Esplanade|Promenade|Common)"
)
_EN_UNIT = r"(?:(?:Flat|Apartment|Apt|Unit|Suite|Ste|Floor)\.?\s*[\w-]{1,5},?\s+)"
_EN_ADDRESS = re.compile(
    rf"(?:\b{_EN_UNIT})?\b\d{{1,5}}[A-Za-z]?(?:[/-]\d{{1,5}}[A-Za-z]?)?,?[ \t]+"
    rf"(?:(?:N|S|E|W|NE|NW|SE|SW|North|South|East|West|Old|New|Upper|Lower|Great|Little)\.?[ \t]+)?"
    rf"(?:(?:[{_UP}][\w'’.-]*[ \t]+){{0,3}}{_EN_SUFFIX}\b\.?"
    rf"(?:[ \t]+(?:North|South|East|West|NW|NE|SW|SE|N|S|E|W)\b)?"
    rf"|[{_UP}][{_LO}]+(?:way|gate|side)\b)"
    rf"(?:,?[ \t]+(?:Flat|Apartment|Apt|Unit|Suite|Ste|Floor)\.?[ \t]*#?[\w-]{{1,5}}\b)?"
)
_EN_ADDRESS_LOWER = re.compile(
    r"\b\d{1,5}[a-z]?[ \t]+(?:[a-z]{3,}[ \t]+){1,2}(?:street|road|avenue|lane)\b"
)
_GERMANIC = (
    r"(?:straße|strasse|str\.|weg|allee|platz|gasse|damm|ufer|chaussee|straat|laan|gracht|"
    r"plein|kade|singel|dijk|steeg|vej|gade|gatan|vägen|veien|gata)"
)
_DE_ADDRESS = re.compile(
    rf"\b[{_UP}][\w-]{{0,40}}?{_GERMANIC}[ \t]*\d{{1,4}}(?:[ \t]?[a-zA-Z]\b)?"
    rf"|\b(?:[{_UP}][\w-]{{1,40}}[ \t]){{1,3}}(?:Straße|Strasse|Str\.|Weg|Allee|Platz|Gasse|Ring|Damm)[ \t]*\d{{1,4}}[a-zA-Z]?\b"
)
_PARTICLE_RE = r"(?:de|del|de la|de los|de las|des|du|da|do|dos|das|della|delle|dei|di|d'|la|le|les|el|los|las|l')"
_FR_TYPES = r"(?:rue|avenue|av\.|boulevard|bd|place|chemin|allée|allee|quai|impasse|route|cours|square)"
_FR_ADDRESS = re.compile(
    rf"\b\d{{1,4}}(?:[ \t]?(?:bis|ter))?,?[ \t]+(?i:{_FR_TYPES})[ \t]+"
    rf"(?:{_PARTICLE_RE}[ \t]*)*[{_UP}][\w'’-]*(?:[ \t]+(?:{_PARTICLE_RE}[ \t]*)*[{_UP}][\w'’-]*){{0,3}}"
)
_SOUTH_TYPES = (
    r"(?:Calle|C/|Avenida|Avda\.?|Plaza|Paseo|Camino|Carrer|Via|Viale|Piazza|Piazzale|Corso|"
    r"Largo|Vicolo|Rua|Travessa|Praça|Alameda|Rambla|Ronda)"
)
_SOUTH_ADDRESS = re.compile(
    rf"\b{_SOUTH_TYPES}[ \t]+(?:{_PARTICLE_RE}[ \t]+)*[{_UP}][\w'’-]*"
    rf"(?:[ \t]+(?:{_PARTICLE_RE}[ \t]+)*[{_UP}][\w'’-]*){{0,3}},?[ \t]+(?:n[º°o]\.?[ \t]*)?\d{{1,5}}[a-zA-Z]?\b"
    rf"(?:,[ \t]*\d{{1,2}}(?!\d)[ \t]*[º°ª]?(?:[ \t]*[A-Z]\b)?)?"
)


def _addresses(text: str) -> list[_Cand]:
    out: list[_Cand] = []
    for rx in (_EN_ADDRESS, _EN_ADDRESS_LOWER, _DE_ADDRESS, _FR_ADDRESS, _SOUTH_ADDRESS):
        for m in rx.finditer(text):
            out.append(_Cand(m.start(), m.end(), PiiType.ADDRESS))
    return out


_PASSWORD_CUE = re.compile(
    r"(?i)\b(?:pass(?:word|wd|phrase)?|pwd|pw|wi-?fi (?:password|key))\b"
    r"((?:[ \t]+(?:i (?:used|use|set|chose|picked|typed)|used|is|was|is now|was set to|"
    r"would be|should be|to|of))*[ \t]*(?:[:=][ \t]*|[ \t]+)?)"
)
_NEW_ONE_CUE = re.compile(r"(?i)\b(?:the )?(?:new|old|current) one (?:is|was)[ \t]+")
_PW_TOKEN = re.compile(r"""["'“‘]?([^\s"'“”‘’]+)["'”’]?""")


def _clean_password(text: str, start: int) -> tuple[int, int] | None:
    m = _PW_TOKEN.match(text, start)
    if not m:
        return None
    s, e = m.start(1), m.end(1)
    quoted = m.group() != m.group(1)
    # trailing punctuation belongs to the sentence unless more text follows directly
    while e > s and text[e - 1] in ".,;:)]}":
        e -= 1
    if e > s and text[e - 1] in "!?":
        rest = text[e:]
        if not rest.strip() or rest[:1] == "\n" or re.match(rf"[ \t]+[{_UP}]", rest):
            while e > s and text[e - 1] in "!?":
                e -= 1
    token = text[s:e]
    if len(token) < 3 and not quoted:
        return None
    low = token.casefold()
    if not quoted and low.isalpha() and (low in COMMON_WORDS or low in _MONTHS):
        return None
    if "@" in token:
        return None
    return s, e


def _passwords(text: str) -> Iterator[_Cand]:
    found = False
    for m in _PASSWORD_CUE.finditer(text):
        connector = m.group(1)
        pos = m.end()
        span = _clean_password(text, pos)
        if span is None:
            continue
        token = text[span[0]:span[1]]
        has_connector = bool(connector.strip()) or ":" in connector or "=" in connector
        looks = bool(re.search(r"\d", token)) and bool(re.search(r"[^\W\d_]", token)) or bool(
            re.search(r"[^\w\s]", token)
        )
        if not has_connector and not looks:
            continue
        if token.isdigit():
            continue  # a numeric "passcode" is a CODE
        found = True
        yield _Cand(span[0], span[1], PiiType.PASSWORD)
    if found or re.search(r"(?i)\bpass(?:word)?\b", text):
        for m in _NEW_ONE_CUE.finditer(text):
            span = _clean_password(text, m.end())
            if span:
                yield _Cand(span[0], span[1], PiiType.PASSWORD)


_CODE_CUE = re.compile(
    r"(?i)\b(?:(error|status|discount|promo|promotional|voucher|coupon|post|zip|area|country|"
    r"product|sort|bar|qr|source|referral|gift|tracking|reference|dialling|dial|response|"
    r"exit|return|fault|reason|tax|hs|swift|bank|branch|colour|color|style|model|item|"
    r"access|region|language|currency|airport|class|fare|booking)[ \t-]+)?"
    r"(code|otp|pin|passcode|cvv|cvc|cv2|csc|security code|verification|2fa|mfa)\b"
)
_CODE_VALUE = re.compile(r"(?<![\w.-])(\d{3}[ -]\d{3}|\d{3,8})(?![\w]|[.,/-]\d)")


def _codes(text: str) -> Iterator[_Cand]:
    for m in _CODE_CUE.finditer(text):
        if m.group(1):
            continue
        word = m.group(2).casefold()
        rest = text[m.end():m.end() + 30]
        v = _CODE_VALUE.search(rest)
        if not v:
            continue
        filler = rest[:v.start()]
        if _sentence_break(filler, questions=False) or len(filler) > 22:
            continue
        value = v.group(1)
        digits = value.replace(" ", "").replace("-", "")
        short_ok = word in ("cvv", "cvc", "cv2", "csc", "security code") or "security" in text[
            max(0, m.start() - 10):m.start()
        ].casefold()
        if len(digits) == 3 and not short_ok:
            continue
        if not 3 <= len(digits) <= 8:
            continue
        yield _Cand(m.end() + v.start(1), m.end() + v.end(1), PiiType.CODE)


_PASSPORT_CUE = re.compile(r"(?i)\bpass(?:port)\b")
_PASSPORT_VALUE = re.compile(r"(?<![\w-])([A-Za-z0-9]{6,10})(?![\w-])")


def _passports(text: str) -> Iterator[_Cand]:
    for m in _PASSPORT_CUE.finditer(text):
        rest = text[m.end():m.end() + 45]
        for v in _PASSPORT_VALUE.finditer(rest):
            filler = rest[:v.start()]
            if _sentence_break(filler):
                break
            token = v.group(1)
            digits = sum(c.isdigit() for c in token)
            if digits == 0 or (token.isdigit() and len(token) < 6):
                continue
            if token.isalpha():
                continue
            if len(token) < 8 and not token.isdigit():
                continue
            yield _Cand(m.end() + v.start(1), m.end() + v.end(1), PiiType.PASSPORT)
            break


_SSN_RE = re.compile(r"(?<![\w-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\w]|-\d)")
_NINO_STRICT = re.compile(
    r"\b(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b"
)
_NINO_LOOSE = re.compile(r"\b[A-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b")
_ID_CUE = re.compile(
    r"(?i)\b(?:national insurance(?: number| no\.?)?|ni number|ni no\.?|nino|"
    r"driving licen[cs]e(?: number| no\.?)?|driver'?s licen[cs]e(?: number| no\.?)?|"
    r"licen[cs]e (?:number|no\.?)|national id(?: number| no\.?)?|id card(?: number| no\.?)?|"
    r"identity card(?: number| no\.?)?|social security(?: number| no\.?)?|ssn|dni|nie|"
    r"personalausweis(?:nummer)?|tax id|tin)\b"
)
_ID_VALUE = re.compile(r"(?<![\w-])([A-Z0-9](?:[A-Z0-9 -]{3,20}[A-Z0-9]))(?![\w])")


def _ids(text: str) -> Iterator[_Cand]:
    for m in _SSN_RE.finditer(text):
        yield _Cand(m.start(), m.end(), PiiType.ID)
    for m in _NINO_STRICT.finditer(text):
        yield _Cand(m.start(), m.end(), PiiType.ID)
    for m in _ID_CUE.finditer(text):
        rest = text[m.end():m.end() + 40]
        loose = _NINO_LOOSE.search(rest)
        v = loose or _ID_VALUE.search(rest)
        if not v:
            continue
        filler = rest[:v.start()]
        if _sentence_break(filler) or len(filler) > 12:
            continue
        token = v.group(0) if loose else v.group(1)
        token = token.strip(" -")
        if sum(c.isdigit() for c in token) < 4:
            continue
        start = m.end() + v.start()
        yield _Cand(start, start + len(token), PiiType.ID)


_DOB_CUE = re.compile(
    r"(?i)\b(?:date of birth|d\.?o\.?b\.?|born(?: on)?|birthday|birth ?date|geburtsdatum|"
    r"date de naissance|fecha de nacimiento)\b"
)
_MONTH_NAMES = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?"
)
_DATE_VALUE = re.compile(
    rf"(?i)(?<![\w/.-])(?:\d{{4}}-\d{{1,2}}-\d{{1,2}}|\d{{1,2}}[/.-]\d{{1,2}}[/.-](?:\d{{4}}|\d{{2}})"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?[ \t]+(?:of[ \t]+)?{_MONTH_NAMES},?[ \t]+\d{{4}}"
    rf"|{_MONTH_NAMES}[ \t]+\d{{1,2}}(?:st|nd|rd|th)?,?[ \t]+\d{{4}})(?![\w]|[/.-]\d)"
)


def _dobs(text: str) -> Iterator[_Cand]:
    for m in _DOB_CUE.finditer(text):
        rest = text[m.end():m.end() + 40]
        v = _DATE_VALUE.search(rest)
        if not v:
            continue
        filler = rest[:v.start()]
        if len(filler) > 15 or _sentence_break(filler):
            continue
        yield _Cand(m.end() + v.start(), m.end() + v.end(), PiiType.DOB)


_ACCOUNT_CUE = re.compile(r"(?i)\b(?:bank )?(?:account|acct|a/c)(?:[ \t]+(?:number|no\.?|num|#))?\b")
_SORT_CODE = re.compile(
    r"(?i)\bsort(?:[ -]?code\b[ \t:]*|[ \t]*:[ \t]*)(?:is[ \t]+)?(\d{2}[- ]?\d{2}[- ]?\d{2})(?!\d)"
)
_ROUTING = re.compile(r"(?i)\b(?:routing|aba|bsb|transit)(?:[ \t]+(?:number|no\.?|#))?[ \t:]*(?:is[ \t]+)?(\d{3}-?\d{3}(?:\d{3})?)(?!\d)")
_BANK_CONTEXT = re.compile(
    r"(?i)sort[ -]?code|routing|\bbank|\biban|\bach\b|\bbsb\b|\bbic\b|\bswift|refund|transfer|"
    r"wire|payee|direct debit|standing order"
)


def _aba_ok(digits: str) -> bool:
    if len(digits) != 9:
        return False
    d = [int(c) for c in digits]
    return (3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + d[2] + d[5] + d[8]) % 10 == 0


def _accounts(text: str) -> Iterator[_Cand]:
    for m in _SORT_CODE.finditer(text):
        yield _Cand(m.start(1), m.end(1), PiiType.ACCOUNT)
    for m in _ROUTING.finditer(text):
        digits = m.group(1).replace("-", "")
        if len(digits) == 9 and not _aba_ok(digits):
            continue
        yield _Cand(m.start(1), m.end(1), PiiType.ACCOUNT)
    if not _BANK_CONTEXT.search(text):
        return
    for m in _ACCOUNT_CUE.finditer(text):
        v = re.match(r"[ \t]*(?:is[ \t]+|:[ \t]*|#[ \t]*)?(\d{6,12})(?![\w]|[.,/-]\d)", text[m.end():])
        if v:
            yield _Cand(m.end() + v.start(1), m.end() + v.end(1), PiiType.ACCOUNT)


# ------------------------------------------------------------------- names

_GREETING = re.compile(
    r"(?im)(?:^|(?<=[.!?]\s))[ \t]*(?:hi|hello|hey|hiya|dear|good (?:morning|afternoon|evening|day)|"
    r"morning|afternoon|evening|greetings|howdy|bonjour|hallo|hola|ciao|hej|yo)\b[ \t]*,?[ \t]*"
)
_SIGNOFF = re.compile(
    r"(?i)\b(?:thanks|thank you|thanks again|many thanks|cheers|regards|kind regards|"
    r"best regards|warm regards|warmest regards|best wishes|best|sincerely|yours sincerely|"
    r"yours faithfully|yours truly|all the best|take care|thx|ta|respectfully|"
    r"mit freundlichen grüßen|cordialement|saludos|grazie)"
    r"(?:[ \t]+(?:so much|very much|again|a lot|loads|both))?[ \t]*[,.!]*[ \t]*(?:\n[ \t]*|[ \t])"
)
_SIGNOFF_LINE = re.compile(
    r"(?i)^[ \t]*(?:thanks|thank you|many thanks|cheers|regards|kind regards|best regards|"
    r"warm regards|best wishes|best|sincerely|yours sincerely|yours faithfully|yours truly|"
    r"all the best|take care|thx|ta)[ \t]*[,.!]*[ \t]*$"
)
_INTRO_STRONG = re.compile(
    r"(?i)\b(?:my name(?: is|'s|’s)|name(?: is|:)|call me|i am called|i'm called|"
    r"(?:account|card) ?holder(?: is|:)?|name on (?:the )?card(?: is|:)?|signed by|"
    r"addressed to|on behalf of|in the name of|under the name(?: of)?)[ \t]*,?[ \t]*"
)
_INTRO_WEAK = re.compile(
    r"(?i)\b(?:this is|it's|it’s|it is|i'm|i’m|i am|here is|you're speaking (?:to|with))[ \t]+"
)
_RELATION = re.compile(
    r"(?i)\b(?:my|our|his|her|their)[ \t]+(?:husband|wife|partner|son|daughter|mum|mom|mother|"
    r"dad|father|brother|sister|friend|colleague|manager|boss|neighbour|neighbor|landlord|"
    r"landlady|flatmate|roommate|carer|grandson|granddaughter|grandmother|grandfather|"
    r"grandma|grandpa|nan|uncle|aunt|auntie|cousin|fiancée?|girlfriend|boyfriend|child|"
    r"nephew|niece|assistant|tenant|housemate)(?:['’]s name(?: is)?)?[ \t]*,?[ \t]*"
)
_VERB_CUE = re.compile(
    r"(?i)\b(?:spoke (?:to|with)|speak (?:to|with)|speaking (?:to|with)|talk(?:ed)? (?:to|with)|"
    r"ask(?:ed)? for|ask|asked|tell|told|thanks to|thank|called|named|agent|rep|representative|"
    r"advisor|adviser|colleague|signed for by|other than|not|than|with|from|by|to|and|or)"
    r"[ \t]*,?[ \t]+"
)
_X_HERE = re.compile(rf"(?m)^[ \t]*({_NAME_TOKEN})[ \t]+here\b")
_TITLE_RE = re.compile(rf"\b{_TITLES}\.?[ \t]+(?:[{_UP}]\.?[ \t]+){{0,2}}(?=[{_UP}])")
_TERMINATOR = re.compile(r"[ \t]*(?:$|[,.!?:;)(\n—–]|[ \t]-[ \t]|[ \t]+(?:bye|x+)\b)")


def _fold(word: str) -> str:
    """Case- and accent-folded form used for list look-ups ("Tomás" → "tomas")."""
    if word.isascii():
        return word.casefold()
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _is_known_name(word: str) -> bool:
    low = _fold(word)
    return low in FIRST_NAMES or low in AMBIGUOUS_NAMES


def _is_listed_name(word: str) -> bool:
    low = _fold(word)
    return low in FIRST_NAMES and low not in AMBIGUOUS_NAMES


def _not_a_name(word: str) -> bool:
    low = word.casefold().rstrip(".")
    return low in NOT_NAMES or low in _MONTHS or low in _STREET_WORDS or len(low) < 2


def _name_run(text: str, pos: int, *, lower_ok: bool = False, max_tokens: int = 3) -> tuple[int, int, list[str]] | None:
    """1–``max_tokens`` capitalised name tokens from ``pos`` (particles allowed between)."""
    tokens: list[str] = []
    start = end = pos
    i = pos
    while len(tokens) < max_tokens:
        m = _NAME_TOKEN_RE.match(text, i)
        if m is None and lower_ok:
            m = _LOWER_TOKEN_RE.match(text, i)
            if m and (
                (not tokens and _fold(m.group()) not in FIRST_NAMES)
                or (tokens and m.group().casefold() in COMMON_WORDS)
            ):
                m = None
        if m is None:
            break
        word = m.group()
        if _not_a_name(word):
            break
        if not tokens:
            start = m.start()
        tokens.append(word)
        end = m.end()
        # look past spaces (and particles) for the next token
        j = end
        sp = re.match(r"[ \t]+", text[j:])
        if not sp:
            break
        j += sp.end()
        part = re.match(r"((?:van der|van den|van|von|de la|de|del|della|di|da|dos|du|al|el|bin|ibn|ter)[ \t]+)(?=[" + _UP + "])", text[j:])
        if part:
            j += part.end()
        i = j
    if not tokens:
        return None
    return start, end, tokens


def _names(text: str, known: frozenset[str]) -> list[_Cand]:
    out: list[_Cand] = []

    def add(run: tuple[int, int, list[str]] | None, start: int | None = None) -> None:
        if run is None:
            return
        s, e, _ = run
        out.append(_Cand(s if start is None else start, e, PiiType.NAME))

    def terminated(end: int) -> bool:
        return bool(_TERMINATOR.match(text, end))

    # greetings: "Hi Sarah," / "Dear Ms Lindqvist" / "hi james"
    for m in _GREETING.finditer(text):
        t = _TITLE_RE.match(text, m.end())
        if t:
            add(_name_run(text, t.end()), t.start())
            continue
        run = _name_run(text, m.end(), lower_ok=True)
        if run and (terminated(run[1]) or _is_known_name(run[2][0]) or run[2][0].casefold() in known):
            if run[2][0][0].isupper() or _fold(run[2][0]) in FIRST_NAMES:
                add(run)
    # sign-offs: "Thanks, John Miller" / "Cheers Will," / "Regards,\nPriya"
    for m in _SIGNOFF.finditer(text):
        run = _name_run(text, m.end())
        if run and (terminated(run[1]) or _is_known_name(run[2][0])):
            add(run)
    # a signature: the last line of a multi-line message, after a sign-off or a known name
    lines = text.rstrip().split("\n")
    if len(lines) >= 2:
        last = lines[-1]
        offset = len(text.rstrip()) - len(last)
        m = re.match(rf"^[ \t]*[-–—]?[ \t]*(?={_NAME_TOKEN})", last)
        if m:
            run = _name_run(text, offset + m.end())
            prev = lines[-2]
            if run and re.match(r"[ \t]*(?:\(.*\))?[ \t]*$", text[run[1]:offset + len(last)]):
                if _SIGNOFF_LINE.match(prev) or any(_is_known_name(w) for w in run[2]):
                    add(run)
    # self-introductions and people named with a strong cue
    for m in _INTRO_STRONG.finditer(text):
        t = _TITLE_RE.match(text, m.end())
        if t:
            add(_name_run(text, t.end()), t.start())
        else:
            add(_name_run(text, m.end(), lower_ok=True))
    for m in _RELATION.finditer(text):
        t = _TITLE_RE.match(text, m.end())
        if t:
            add(_name_run(text, t.end()), t.start())
        else:
            add(_name_run(text, m.end()))
    for m in _INTRO_WEAK.finditer(text):
        t = _TITLE_RE.match(text, m.end())
        if t:
            add(_name_run(text, t.end()), t.start())
            continue
        run = _name_run(text, m.end(), lower_ok=True)
        if run is None:
            continue
        first = run[2][0]
        follow = re.match(
            r"(?i)[ \t]*,?[ \t]*(?:from|at|here|with|calling|speaking|again|and i|the one)\b",
            text[run[1]:],
        )
        first_person = m.group().strip().casefold() in ("i'm", "i’m", "i am")
        if (
            _is_known_name(first) or first.casefold() in known
            or (follow and first[0].isupper())
            # "I'm Tomás": after "I'm" a capital letter is a name, not an adjective
            or (first_person and first[0].isupper() and _fold(first) not in NATIONALITIES)
        ):
            add(run)
    for m in _VERB_CUE.finditer(text):
        run = _name_run(text, m.end())
        if run and _is_known_name(run[2][0]) and not _brandish(text, run[0], run[1]):
            word = m.group().strip(" \t,").casefold()
            if word in ("with", "from", "by", "to", "and", "or", "than", "not") and not _is_listed_name(run[2][0]):
                continue
            add(run)
    for m in _X_HERE.finditer(text):
        if _is_known_name(m.group(1)):
            add(_name_run(text, m.start(1)))
    # titles anywhere: "Mr Patel", "Dr Ingrid Solberg", "Mrs J Hart"
    for t in _TITLE_RE.finditer(text):
        add(_name_run(text, t.end()), t.start())
    # listed given names anywhere ("Priya helped me"), and names already seen
    for m in _NAME_TOKEN_RE.finditer(text):
        word = m.group()
        low = word.casefold()
        if low in known:
            # a known surname pulls in the given name before it ("Rob Hale" once
            # "Robert Hale" was seen)
            prev = re.search(rf"({_NAME_TOKEN})[ \t]+$", text[max(0, m.start() - 30):m.start()])
            if prev and _is_known_name(prev.group(1)):
                run = _name_run(text, m.start())
                if run:
                    out.append(_Cand(m.start() - len(prev.group(0)), run[1], PiiType.NAME))
                    continue
        if low in known or (
            _is_listed_name(word) and not _brandish(text, m.start(), m.end())
            and not _PLACE_PREFIX.search(text[max(0, m.start() - 8):m.start()])
            and not _STREET_AFTER.match(text, m.end())
        ):
            add(_name_run(text, m.start()))
    if known:
        # known names in any case ("KOWALCZYK", "beatrix"), except lower-case words
        # that are ordinary words too ("will", "may")
        for m in _known_re(known).finditer(text):
            if _known_counts(m.group()):
                out.append(_Cand(m.start(), m.end(), PiiType.NAME))
    return out


@functools.lru_cache(maxsize=256)
def _known_re(known: frozenset[str]) -> re.Pattern[str]:
    alts = sorted(map(re.escape, known), key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(alts) + r")(?!\w)", re.IGNORECASE)


def _known_counts(word: str) -> bool:
    """Whether an occurrence of a known name word is taken as the name."""
    low = word.casefold()
    return not word.islower() or (low not in COMMON_WORDS and low not in AMBIGUOUS_NAMES)


def _brandish(text: str, start: int, end: int) -> bool:
    """A name inside a brand or product: "Marks & Spencer", "Jordan 4"."""
    before = text[max(0, start - 3):start]
    after = text[end:end + 3]
    return (
        "&" in before or "&" in after or bool(re.match(r"[ \t]\d", after))
        or after[:1] == "@" or (before != "" and before[-1] in "@#")
    )


# ------------------------------------------------------------------ detection


def _resolve(cands: Iterable[_Cand]) -> list[_Cand]:
    """Keep the best of overlapping candidates (priority, then length, then position)."""
    starts: list[int] = []  # chosen spans, kept sorted and disjoint
    chosen: list[_Cand] = []
    for c in sorted(set(cands), key=lambda c: (-_PRIORITY[c.type], -(c.end - c.start), c.start)):
        if c.end <= c.start:
            continue
        i = bisect.bisect_right(starts, c.start)
        if i > 0 and chosen[i - 1].end > c.start:
            continue
        if i < len(chosen) and chosen[i].start < c.end:
            continue
        starts.insert(i, c.start)
        chosen.insert(i, c)
    return chosen


def _protected(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in PLACEHOLDER_RE.finditer(text)]


def detect(text: str, *, known_names: Iterable[str] = ()) -> list[PiiSpan]:
    """Personal data in ``text``, as non-overlapping spans in text order.

    ``known_names`` are name tokens already known to belong to people in this
    conversation (the customer's name, names seen earlier); they are found anywhere,
    without a cue. Existing placeholders (``[NAME_1]``) are never reported.
    """
    if not isinstance(text, str):
        raise TypeError("detect() needs a str")
    known = frozenset(n.casefold() for n in known_names if n)
    cands: list[_Cand] = []
    cands.extend(_emails(text))
    cands.extend(_ibans(text))
    cands.extend(_cards(text))
    cands.extend(_ips(text))
    cands.extend(_phones(text))
    cands.extend(_passwords(text))
    cands.extend(_codes(text))
    cands.extend(_passports(text))
    cands.extend(_ids(text))
    cands.extend(_dobs(text))
    cands.extend(_accounts(text))
    addresses = _addresses(text)
    cands.extend(addresses)
    cands.extend(_postcodes(text, addresses))
    names = _names(text, known)
    # names found in this text count as known for the rest of it
    learned = {t for c in names for t in _name_tokens(text[c.start:c.end])} - known
    learned = {t for t in learned if t not in NOT_NAMES and t not in COMMON_WORDS}
    if learned:
        names = _names(text, known | learned)
    cands.extend(names)
    guard = _protected(text)
    if guard:
        cands = [c for c in cands if all(c.end <= s or c.start >= e for s, e in guard)]
    return [PiiSpan(c.start, c.end, c.type, text[c.start:c.end]) for c in _resolve(cands)]


# ------------------------------------------------------------------ redaction


def _name_tokens(value: str) -> list[str]:
    value = re.sub(rf"^{_TITLES}\.?\s+", "", value.strip())
    return [
        t.casefold() for t in re.findall(rf"[{_UP}{_LO}][{_UP}{_LO}'’-]*", value)
        if len(t) >= 2 and t.casefold() not in _PARTICLES
    ]


def _key(kind: PiiType, value: str) -> str:
    if kind is PiiType.EMAIL:
        return value.casefold()
    if kind is PiiType.PHONE:
        digits = "".join(c for c in value if c.isdigit())
        return digits[-9:] if len(digits) >= 9 else digits
    if kind is PiiType.IP:
        try:
            return str(ipaddress.ip_address(value.split("%")[0]))
        except ValueError:
            return value.casefold()
    if kind in (PiiType.CARD, PiiType.IBAN, PiiType.ACCOUNT, PiiType.ID, PiiType.PASSPORT,
                PiiType.CODE, PiiType.POSTCODE):
        return "".join(c for c in value if c.isalnum()).upper()
    if kind is PiiType.PASSWORD:
        return value
    return " ".join(value.casefold().split())


class Redactor:
    """Replaces personal data with numbered placeholders, consistently.

    One redactor per session: the first e-mail address seen becomes ``[EMAIL_1]``
    and stays ``[EMAIL_1]`` wherever it appears again (compared case-insensitively);
    a second, different address becomes ``[EMAIL_2]``. Numbers count per type in the
    order values are first met. See ``docs/sessions.md`` for how values are compared
    (phone numbers by their last nine digits, names by their words, so "Sarah" after
    "Sarah Okafor" is the same ``[NAME_1]``).
    """

    ECHO_MIN = 4
    """Values at least this long are also replaced wherever they recur verbatim,
    cue or no cue (a phone number detected once is caught in a note that only says
    "ref 07700900461")."""

    def __init__(self, known_names: Iterable[str] = ()):
        self._numbers: dict[tuple[PiiType, str], int] = {}
        self._counts: dict[PiiType, int] = {}
        self._people: list[list] = []  # [set of name words, placeholder number or None]
        self._known: set[str] = set()
        self._echo: dict[str, PiiType] = {}
        self._echo_re: re.Pattern[str] | None = None
        self.values: dict[str, PiiType] = {}
        """Every original value replaced so far (value → type)."""
        for name in known_names:
            self.learn_name(name)

    def remember(self, kind: PiiType, value: str) -> None:
        """Treat ``value`` as personal data of type ``kind`` wherever it appears later."""
        kind = PiiType(kind)
        if kind is PiiType.NAME:
            self.learn_name(value)
        if len(value.strip()) >= self.ECHO_MIN and value not in self._echo:
            self._echo[value] = kind
            self._echo_re = None

    def _echoes(self, text: str, spans: list[PiiSpan]) -> list[PiiSpan]:
        if not self._echo:
            return []
        if self._echo_re is None:
            alts = sorted(self._echo, key=len, reverse=True)
            self._echo_re = re.compile("|".join(map(re.escape, alts)))
        taken = [(s.start, s.end) for s in spans] + _protected(text)
        out: list[PiiSpan] = []
        for m in self._echo_re.finditer(text):
            a, b = m.start(), m.end()
            value = m.group()
            if value[0].isalnum() and a > 0 and text[a - 1].isalnum():
                continue
            if value[-1].isalnum() and b < len(text) and text[b].isalnum():
                continue
            if any(a < e and s < b for s, e in taken):
                continue
            out.append(PiiSpan(a, b, self._echo[value], value))
            taken.append((a, b))
        return out

    @property
    def known_names(self) -> frozenset[str]:
        return frozenset(self._known)

    def learn_name(self, name: str) -> None:
        """Treat the words of ``name`` as one person's name from now on."""
        name = PLACEHOLDER_RE.sub(" ", name)  # "[NAME_1]" is not a name
        toks = {t for t in _name_tokens(name) if t not in NOT_NAMES and t not in COMMON_WORDS}
        if not toks:
            return
        self._known |= toks
        self._person(toks)

    def _person(self, toks: set[str]) -> list:
        """The person entry ``[words, number or None]`` these words belong to: an
        entry whose words include them, or are included in them (then extended)."""
        for entry in self._people:
            words = entry[0]
            if toks <= words or words <= toks:
                words |= toks
                return entry
        entry = [set(toks), None]
        self._people.append(entry)
        return entry

    def _next(self, kind: PiiType) -> int:
        n = self._counts.get(kind, 0) + 1
        self._counts[kind] = n
        return n

    def placeholder(self, kind: PiiType, value: str) -> str:
        """The placeholder for ``value`` (allocating the next number if it is new)."""
        kind = PiiType(kind)
        if kind is PiiType.NAME:
            entry = self._person(set(_name_tokens(value)) or {value.casefold()})
            if entry[1] is None:
                entry[1] = self._next(kind)
            number = entry[1]
        else:
            key = (kind, _key(kind, value))
            number = self._numbers.get(key)
            if number is None:
                number = self._next(kind)
                self._numbers[key] = number
        self.remember(kind, value)
        self.values[value] = kind
        return f"[{kind.value}_{number}]"

    def redact(self, text: str) -> Redaction:
        """``text`` with every detected value replaced, and where each one was."""
        spans = detect(text, known_names=self._known)
        for span in spans:
            self.remember(span.type, span.value)
        echoes = self._echoes(text, spans)
        if echoes:
            spans = sorted(spans + echoes, key=lambda s: s.start)
        out: list[str] = []
        done: list[RedactedSpan] = []
        pos = 0
        length = 0
        for s in spans:
            out.append(text[pos:s.start])
            length += s.start - pos
            ph = self.placeholder(s.type, s.value)
            done.append(RedactedSpan(s.start, s.end, s.type, ph, length, length + len(ph)))
            out.append(ph)
            length += len(ph)
            pos = s.end
        out.append(text[pos:])
        return Redaction("".join(out), tuple(done))


def redact_text(text: str, redactor: Redactor | None = None) -> Redaction:
    """Redact one text (with a fresh :class:`Redactor` unless one is given)."""
    return (redactor or Redactor()).redact(text)


# ------------------------------------------------------------- whole sessions

_STRUCTURAL_KEYS = frozenset(
    {"disposition", "level", "status", "tone", "script", "to_queue", "from_queue", "queue",
     "signals", "target", "in_reply_to", "priority", "expected_s", "upper_s", "share",
     "position", "score", "by_kind", "channel"}
)
_PERSON_KEYS = frozenset({"by", "to_agent", "from_agent"})
"""Data fields naming a member of staff: pseudonymised like the ``agent`` field."""
_NUMBER_KEY_TYPES = {
    "phone": PiiType.PHONE, "mobile": PiiType.PHONE, "tel": PiiType.PHONE, "card": PiiType.CARD,
    "iban": PiiType.IBAN, "account": PiiType.ACCOUNT, "passport": PiiType.PASSPORT,
    "ssn": PiiType.ID, "postcode": PiiType.POSTCODE, "zip": PiiType.POSTCODE, "dob": PiiType.DOB,
    "birth": PiiType.DOB, "pin": PiiType.CODE, "code": PiiType.CODE,
}
_PII_NUMBER_KEYS = re.compile("(?i)" + "|".join(_NUMBER_KEY_TYPES))
"""Numbers in event data under keys like these are personal data, not counts."""


class _SessionRedaction:
    def __init__(self, session: Session, keep_agents: bool):
        self.session = session
        self.keep_agents = keep_agents
        self.redactor = Redactor()
        self.agent_names: dict[str, str] = {}

    def agent(self, name: str | None) -> str | None:
        if name is None or self.keep_agents:
            return name
        if name not in self.agent_names:
            self.agent_names[name] = f"agent_{len(self.agent_names) + 1}"
        return self.agent_names[name]

    def text(self, value: str | None) -> str | None:
        """Redact until nothing more is found: removing a value can remove the cue
        that kept a neighbour from being detected ("id 07700 900461" once "id" is
        a redacted name). Three passes at most; :meth:`_verify` has the last word."""
        if value is None:
            return None
        for _ in range(3):
            red = self.redactor.redact(value)
            value = red.text
            if not red.spans:
                break
        return value

    def data(self, value: Any, key: str = "", where: str = "") -> Any:
        if isinstance(value, dict):
            out = {}
            for k, v in value.items():
                if detect(k):
                    raise RedactionError(
                        f"cannot redact session {self.session.id!r}: {where}data key {k!r} "
                        "looks like personal data; nothing was written"
                    )
                out[k] = self.data(v, k, where)
            return out
        if isinstance(value, list):
            return [self.data(v, key, where) for v in value]
        if isinstance(value, str):
            if key in _PERSON_KEYS:
                return self.agent(value)
            if key in _STRUCTURAL_KEYS:
                if detect(value, known_names=self.redactor.known_names):
                    raise RedactionError(
                        f"cannot redact session {self.session.id!r}: {where}data.{key} "
                        f"({value[:20]!r}…) must stay as it is but contains personal data"
                    )
                return value
            return self.text(value)
        if isinstance(value, bool) or value is None:
            return value
        if isinstance(value, int | float):
            m = _PII_NUMBER_KEYS.search(key)
            if m and key not in _STRUCTURAL_KEYS:
                return self.redactor.placeholder(_NUMBER_KEY_TYPES[m.group().casefold()], str(value))
            return value
        raise RedactionError(
            f"cannot redact session {self.session.id!r}: {where}data.{key} holds a "
            f"{type(value).__name__}, which redaction cannot inspect"
        )

    def run(self) -> Session:
        s = self.session
        r = self.redactor
        # learn every person's name first, so a name is caught even before the
        # message that introduces it
        r.learn_name(s.customer.name)
        staff = list(s.agents) + [
            v for e in s.events for k, v in e.data.items() if k in _PERSON_KEYS and isinstance(v, str)
        ]
        for name in [] if self.keep_agents else staff:
            if re.fullmatch(rf"[{_UP}{_LO}]+(?:[ .][{_UP}{_LO}]+)?", name):
                r.learn_name(name)
        if s.customer.email:
            r.remember(PiiType.EMAIL, s.customer.email)
        if s.customer.phone:
            r.remember(PiiType.PHONE, s.customer.phone)
        for text in self._texts(s):
            for span in detect(text, known_names=r.known_names):
                r.remember(span.type, span.value)
        def header_value(kind: PiiType, value: str | None) -> str | None:
            if value is None or PLACEHOLDER_RE.fullmatch(value.strip()):
                return value  # already redacted
            return r.placeholder(kind, value)

        customer = Customer(
            name=header_value(PiiType.NAME, s.customer.name) or "",
            tier=s.customer.tier,
            email=header_value(PiiType.EMAIL, s.customer.email),
            phone=header_value(PiiType.PHONE, s.customer.phone),
        )
        events = []
        for ev in s.events:
            where = f"event seq {ev.seq}: "
            events.append(replace(
                ev, agent=self.agent(ev.agent), body=self.text(ev.body),
                data=self.data(ev.data, "", where),
            ))
        out = replace(
            s, customer=customer, subject=self.text(s.subject) or "",
            title=self.text(s.title), description=self.text(s.description),
            tags=tuple(self.text(t) or "" for t in s.tags), events=tuple(events), redacted=True,
        )
        self._verify(out)
        return out

    @staticmethod
    def _texts(s: Session) -> Iterator[str]:
        yield s.subject
        if s.title:
            yield s.title
        if s.description:
            yield s.description
        yield from s.tags
        for ev in s.events:
            if ev.body:
                yield ev.body
            yield from _strings(ev.data)

    def _verify(self, out: Session) -> None:
        r = self.redactor
        leftovers = {v for v in r.values if len(v.strip()) >= Redactor.ECHO_MIN}
        # name words must not survive anywhere (as whole words, case-insensitively)
        words = frozenset(w for w in r.known_names if len(w) >= 2)
        word_re = _known_re(words) if words else None
        fields = [("customer name", out.customer.name)] + [("subject", out.subject)]
        fields += [(f"event seq {e.seq}", t) for e in out.events for t in ([e.body] if e.body else []) + list(_strings(e.data))]
        if out.title:
            fields.append(("title", out.title))
        if out.description:
            fields.append(("description", out.description))
        fields += [("tags", t) for t in out.tags]
        if not self.keep_agents:
            fields += [(f"event seq {e.seq} agent", e.agent) for e in out.events if e.agent]

        for where, text in fields:
            bare = PLACEHOLDER_RE.sub(" ", text)
            found = detect(bare, known_names=r.known_names)
            if found:
                raise RedactionError(
                    f"cannot redact session {out.id!r}: {where} still contains "
                    f"{found[0].type.value} after redaction; nothing was written"
                )
            for v in leftovers:
                if v in bare and _whole(bare, v):
                    raise RedactionError(
                        f"cannot redact session {out.id!r}: {where} still contains a "
                        f"redacted {r.values[v].value} value; nothing was written"
                    )
            if word_re is not None:
                for m in word_re.finditer(bare):
                    if _known_counts(m.group()):
                        raise RedactionError(
                            f"cannot redact session {out.id!r}: {where} still contains a "
                            "name after redaction; nothing was written"
                        )
        try:
            validate_session(out)
        except InvalidSession as err:
            raise RedactionError(f"redaction produced an invalid session: {err}") from None


def _whole(text: str, value: str) -> bool:
    for m in re.finditer(re.escape(value), text):
        s, e = m.start(), m.end()
        if (s == 0 or not (text[s - 1].isalnum() and value[0].isalnum())) and (
            e == len(text) or not (text[e].isalnum() and value[-1].isalnum())
        ):
            return True
    return False


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def redact_session(session: Session, *, keep_agents: bool = False) -> Session:
    """A copy of ``session`` with personal data replaced by placeholders.

    Every text is redacted with one :class:`Redactor`, so values keep their
    placeholder across the session: the customer's name, e-mail and phone in the
    header, the subject, title, description and tags, every event body (messages,
    notes, annotations) and every string inside event data (hand-off notes, hold
    reasons, suggestion texts …) except the structural fields that must keep their
    value (disposition, tone level, queue names …), which are checked instead. Agent
    names become ``agent_1``, ``agent_2`` … unless ``keep_agents``. The result is
    marked ``redacted``.

    Raises :class:`RedactionError` when the result cannot be vouched for: a
    structural field or a data key holds personal data, a value redaction cannot
    inspect, anything still detected after redaction, or an invalid result.
    """
    return _SessionRedaction(session, keep_agents).run()
