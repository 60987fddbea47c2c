"""PII redaction: each rule, the labelled set's figures, placeholders, whole sessions."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from agentdesk.replay.pii_eval import evaluate, load_labelled
from agentdesk.replay.redact import (
    PLACEHOLDER_RE,
    PiiType,
    RedactionError,
    Redactor,
    detect,
    iban_ok,
    luhn_ok,
    redact_session,
    redact_text,
)
from agentdesk.replay.session import (
    Customer,
    Session,
    SessionEvent,
    dump_sessions,
    parse_sessions,
    validate_session,
)

LABELLED = Path(__file__).with_name("pii_labelled.jsonl")


def found(text: str) -> list[tuple[str, str]]:
    return [(s.type.value, s.value) for s in detect(text)]


# ---------------------------------------------------------------- per-type rules

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # e-mail
        ("mail me: Jane.Doe+shop@example.co.uk.", [("EMAIL", "Jane.Doe+shop@example.co.uk")]),
        ("the retina file is logo@2x.png", []),
        # cards: Luhn, grouping, context
        ("card 4111 1111 1111 1111 please", [("CARD", "4111 1111 1111 1111")]),
        ("card 4111-1111-1111-1112 please", []),  # fails Luhn
        ("Amex 3782 822463 10005", [("CARD", "3782 822463 10005")]),
        ("tracking 4111 1111 1111 1111", []),  # a card-shaped tracking number
        ("ending in 4242", []),
        # IBAN: mod-97 and country length
        ("IBAN GB82 WEST 1234 5698 7654 32 thanks", [("IBAN", "GB82 WEST 1234 5698 7654 32")]),
        ("IBAN GB83 WEST 1234 5698 7654 32", []),
        ("nl91abna0417164300", [("IBAN", "nl91abna0417164300")]),
        # IP
        ("from 81.2.69.142 today", [("IP", "81.2.69.142")]),
        ("firmware 1.2.3.4 is out", []),
        ("999.1.1.1 is not an address", []),
        ("at 2001:db8::8a2e:370:7334", [("IP", "2001:db8::8a2e:370:7334")]),
        ("at 10:42:17 it failed", []),
        # phones
        ("ring +44 20 7946 0958", [("PHONE", "+44 20 7946 0958")]),
        ("call (415) 555-0132", [("PHONE", "(415) 555-0132")]),
        ("mobile 07700900123", [("PHONE", "07700900123")]),
        ("order 100234987 shipped", []),
        ("order 07700 900123", []),  # the nearest cue is "order"
        ("on 2024-05-02 and 02.04.2024", []),
        ("it cost 1.299,00 EUR", []),
        ("my phone is 555-0175", [("PHONE", "555-0175")]),
        ("reference 0049 1120 8834", []),
        # postcodes
        ("London SW1A 2AA", [("POSTCODE", "SW1A 2AA")]),
        ("Springfield, IL 62704", [("POSTCODE", "62704")]),
        ("ticket 62704 is open", []),
        ("zip code 10001-2345", [("POSTCODE", "10001-2345")]),
        ("Toronto M5H 2N2", [("POSTCODE", "M5H 2N2")]),
        ("it used 1500 MB of data", []),
        # addresses
        ("at 14 Harrow Road today", [("ADDRESS", "14 Harrow Road")]),
        ("Hauptstraße 112, 10827 Berlin", [("ADDRESS", "Hauptstraße 112"), ("POSTCODE", "10827")]),
        ("12 rue de la Paix, 75002 Paris", [("ADDRESS", "12 rue de la Paix"), ("POSTCODE", "75002")]),
        ("Via Roma is closed", []),
        ("the shop on Oxford Street", []),
        # names
        ("Hi Sarah, where is it?", [("NAME", "Sarah")]),
        ("Thanks,\nJohn Miller", [("NAME", "John Miller")]),
        ("my name is luis fernandez", [("NAME", "luis fernandez")]),
        ("Hello, this is Ana from billing", [("NAME", "Ana")]),
        ("Good morning Mr Patel, thanks", [("NAME", "Mr Patel")]),
        ("Will you deliver on Saturday?", []),
        ("Hi team, the May invoice", []),
        ("Dear Sir or Madam,", []),
        ("Sold by Marks & Spencer", []),
        ("Cheers Will, that worked", [("NAME", "Will")]),
        ("Hi, I'm Tomás.", [("NAME", "Tomás")]),
        ("Is the Paris store open?", []),
        # secrets and identifiers: only next to their cue
        ("my password is hunter2", [("PASSWORD", "hunter2")]),
        ("my password is wrong", []),
        ("the code is 482913", [("CODE", "482913")]),
        ("error code 0x80070005 and promo code 1234", []),
        ("passport no. C01X00T47", [("PASSPORT", "C01X00T47")]),
        ("serial 4C0J7A9X2", []),
        ("SSN 078-05-1120", [("ID", "078-05-1120")]),
        ("DOB 1979-11-03", [("DOB", "1979-11-03")]),
        ("the sale ended 31/01/2024", []),
        ("refund to account 31926819, sort code 60-16-13",
         [("ACCOUNT", "31926819"), ("ACCOUNT", "60-16-13")]),
        ("My account number on the bill is 44001234", []),  # no bank context
    ],
)
def test_rules(text, expected):
    assert found(text) == expected


def test_checksums():
    assert luhn_ok("4111111111111111") and not luhn_ok("4111111111111112")
    assert iban_ok("GB82WEST12345698765432") and not iban_ok("GB82WEST12345698765433")
    assert not iban_ok("XX82WEST12345698765432")


def test_placeholders_are_never_detected_again():
    assert detect("Hi [NAME_1], call [PHONE_2] or mail [EMAIL_1]") == []


# ------------------------------------------------------------- labelled set

def test_labelled_set_is_sound():
    rows = load_labelled(LABELLED)
    assert len(rows) >= 100
    assert {r.split for r in rows} == {"dev", "test", "fresh"}
    assert len({r.id for r in rows}) == len(rows)
    types = {t for r in rows for _, _, t in r.spans}
    assert types <= {t.value for t in PiiType}
    assert {"EMAIL", "PHONE", "CARD", "IBAN", "IP", "ADDRESS", "POSTCODE", "NAME", "PASSWORD",
            "CODE", "PASSPORT"} <= types
    assert sum(1 for r in rows if not r.spans) >= 50  # messages with no personal data


# Figures reached (see docs/sessions.md): dev and test 1.00/1.00 after tuning, fresh
# 1.00 precision / 0.967 recall. The floors leave a little room, no more.
@pytest.mark.parametrize(
    ("split", "min_precision", "min_recall"),
    [("dev", 0.98, 0.98), ("test", 0.98, 0.98), ("fresh", 0.95, 0.95), (None, 0.98, 0.97)],
)
def test_labelled_precision_and_recall(split, min_precision, min_recall):
    rows = [r for r in load_labelled(LABELLED) if split is None or r.split == split]
    overall = evaluate(rows).as_dict()["overall"]
    assert overall["precision_overlap"] >= min_precision
    assert overall["recall_overlap"] >= min_recall
    assert overall["precision_exact"] >= min_precision - 0.02
    assert overall["recall_exact"] >= min_recall - 0.02


def test_every_type_recall_on_whole_set():
    per_type = evaluate(load_labelled(LABELLED)).as_dict()["per_type"]
    for t, c in per_type.items():
        assert c["recall_overlap"] >= 0.9, t
        assert c["precision_overlap"] >= 0.9, t


# --------------------------------------------------------- placeholders

def test_redactor_is_consistent_across_texts():
    r = Redactor()
    a = r.redact("Hi, I'm Sarah Okafor, call 07700 900461 or sarah@example.com")
    b = r.redact("Sarah again: +44 7700 900461, SARAH@EXAMPLE.COM. My colleague Priya Nair knows.")
    assert a.text == "Hi, I'm [NAME_1], call [PHONE_1] or [EMAIL_1]"
    assert b.text == "[NAME_1] again: [PHONE_1], [EMAIL_1]. My colleague [NAME_2] knows."


def test_spans_point_into_both_texts():
    text = "Mail jo@example.com or ring 020 7946 0958."
    red = redact_text(text)
    for s in red.spans:
        assert red.text[s.out_start:s.out_end] == s.placeholder
        assert PLACEHOLDER_RE.fullmatch(s.placeholder)
    assert [text[s.start:s.end] for s in red.spans] == ["jo@example.com", "020 7946 0958"]
    assert [s.type for s in red.spans] == [PiiType.EMAIL, PiiType.PHONE]


def test_known_value_is_caught_without_a_cue():
    r = Redactor()
    r.redact("my mobile is 07700900461")
    assert r.redact("ref 07700900461 noted").text == "ref [PHONE_1] noted"


def test_known_names_are_found_anywhere():
    r = Redactor(known_names=["Beatrix Kowalczyk"])
    assert r.redact("kowalczyk account, Beatrix called").text == "[NAME_1] account, [NAME_1] called"


# -------------------------------------------------------------- sessions

T0 = 1_741_080_000.0


def session_with(*bodies: tuple[str, str], data: dict | None = None, **header) -> Session:
    events = [SessionEvent(1, T0, "arrived"), SessionEvent(2, T0 + 30, "claimed", agent="Tom")]
    for i, (author, body) in enumerate(bodies, start=3):
        events.append(SessionEvent(i, T0 + 30 + i * 20, "message", author=author,
                                   agent="Tom" if author == "agent" else None, body=body))
    n = len(events) + 1
    events.append(SessionEvent(n, T0 + 500, "transferred", agent="Tom",
                               data=data or {"to_queue": "refunds", "note": "Beatrix wants a refund"}))
    events.append(SessionEvent(n + 1, T0 + 600, "annotation", body="Nice work, Tom",
                               data={"target": 3, "by": "kim"}))
    base = dict(id="r1", queue="billing", channel="chat", subject="Refund for Beatrix",
                customer=Customer("Beatrix Kowalczyk", email="bk@example.com", phone="07700 900461"),
                created_at=T0, events=tuple(events))
    base.update(header)
    return Session(**base)


def all_strings(s: Session) -> str:
    return dump_sessions([s])


def test_redact_session_covers_every_field():
    s = session_with(
        ("customer", "hi, beatrix here. card 4111 1111 1111 1111, ring 07700900461"),
        ("agent", "Thanks Beatrix, I'm Tom. I'll refund it by 5pm."),
    )
    r = redact_session(s)
    out = all_strings(r)
    for secret in ("Beatrix", "beatrix", "Kowalczyk", "bk@example.com", "07700", "4111", "Tom", "kim"):
        assert secret not in out, secret
    assert r.redacted and r.customer.name == "[NAME_1]"
    assert r.customer.email == "[EMAIL_1]" and r.customer.phone == "[PHONE_1]"
    assert r.subject == "Refund for [NAME_1]"
    assert r.events[2].body == "hi, [NAME_1] here. card [CARD_1], ring [PHONE_1]"
    assert r.events[3].body == "Thanks [NAME_1], I'm [NAME_2]. I'll refund it by 5pm."
    assert r.events[4].data == {"to_queue": "refunds", "note": "[NAME_1] wants a refund"}
    assert r.events[5].data["by"] == "agent_2" and r.events[1].agent == "agent_1"
    validate_session(r)
    assert parse_sessions(dump_sessions([r])) == [r]
    # redaction is deterministic
    assert redact_session(s) == r


def test_keep_agents():
    s = session_with(("customer", "hello"))
    r = redact_session(s, keep_agents=True)
    assert r.events[1].agent == "Tom"


def test_structural_field_with_personal_data_fails():
    s = session_with(("customer", "hi"), data={"to_queue": "sarah@example.com"})
    with pytest.raises(RedactionError, match="to_queue"):
        redact_session(s)


def test_uninspectable_data_fails():
    s = session_with(("customer", "hi"), data={"to_queue": "refunds", "blob": object()})
    with pytest.raises(RedactionError, match="cannot inspect"):
        redact_session(s)


def test_data_key_with_personal_data_fails():
    s = session_with(("customer", "hi"), data={"to_queue": "refunds", "jo@example.com": "x"})
    with pytest.raises(RedactionError, match="data key"):
        redact_session(s)


def test_numbers_under_personal_keys_are_redacted():
    s = session_with(("customer", "hi"), data={"to_queue": "refunds", "phone": 447700900461})
    r = redact_session(s)
    # the same number as the customer's phone (compared on the last nine digits)
    assert r.events[-2].data["phone"] == "[PHONE_1]"


def test_redaction_error_is_an_agentdesk_error():
    from agentdesk.errors import AgentdeskError
    assert issubclass(RedactionError, AgentdeskError)


# -------------------------------------------------------------- properties

PII_VALUES = st.sampled_from([
    ("EMAIL", "ann.lee@example.com"), ("PHONE", "+44 20 7946 0958"), ("CARD", "4111 1111 1111 1111"),
    ("IBAN", "DE89 3704 0044 0532 0130 00"), ("IP", "203.0.113.77"), ("POSTCODE", "SW1A 2AA"),
    ("EMAIL", "bo@example.org"), ("PHONE", "07700 900461"),
])
FILLER = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(FILLER, PII_VALUES), min_size=1, max_size=4), FILLER)
def test_property_detected_values_never_survive(parts, tail):
    text = "".join(f"{f} {v} " for f, (_, v) in parts) + tail
    spans = detect(text)
    red = redact_text(text)
    bare = PLACEHOLDER_RE.sub(" ", red.text)
    for s in spans:
        if len(s.value) >= 4:
            assert s.value not in bare
    # the same value always gets the same placeholder
    seen: dict[str, str] = {}
    for s in red.spans:
        value = text[s.start:s.end]
        assert seen.setdefault(value, s.placeholder) == s.placeholder


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=200))
def test_property_detect_never_fails_and_spans_are_sane(text):
    spans = detect(text)
    last = 0
    for s in spans:
        assert last <= s.start < s.end <= len(text)
        assert text[s.start:s.end] == s.value
        last = s.end
    red = redact_text(text)
    # untouched text between replacements is kept exactly
    pieces = re.split(PLACEHOLDER_RE, red.text)
    assert "".join(pieces) == "".join(
        text[a:b] for a, b in zip([0] + [s.end for s in red.spans], [s.start for s in red.spans] + [len(text)], strict=True)
    ) or PLACEHOLDER_RE.search(text)


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(FILLER, PII_VALUES), min_size=1, max_size=3), st.text(min_size=1, max_size=20))
def test_property_redact_session_vouches_or_refuses(parts, name):
    assume(name.strip())
    bodies = tuple(("customer", (f + " " + v).strip() or v) for f, (_, v) in parts)
    s = session_with(*bodies, customer=Customer(name))
    try:
        r = redact_session(s)
    except RedactionError:
        return
    out = dump_sessions([r])
    for _, body in bodies:
        for span in detect(body):
            if len(span.value) >= 4:
                assert span.value not in out
    validate_session(r)


def test_redact_session_is_consistent_between_fields():
    s = session_with(("customer", "it's bo@example.org"), ("customer", "again: bo@example.org"))
    r = redact_session(s)
    assert r.events[2].body.endswith("[EMAIL_2]") and r.events[3].body.endswith("[EMAIL_2]")


def test_redacts_existing_placeholder_lookalikes_safely():
    r = redact_text("I typed [EMAIL_1] literally and jo@example.com")
    assert r.text == "I typed [EMAIL_1] literally and [EMAIL_1]"


def test_session_marked_redacted_round_trips():
    r = redact_session(session_with(("customer", "hi")))
    text = dump_sessions([r])
    assert '"redacted": true' in text
    [back] = parse_sessions(text)
    assert back == r and back.redacted
    assert not replace(back, redacted=False).redacted


def test_redacting_twice_changes_nothing_more():
    s = session_with(("customer", "my name is Beatrix, mail bk@example.com"),
                     ("agent", "Thanks Beatrix, your name is noted."))
    once = redact_session(s)
    assert once.events[3].body == "Thanks [NAME_1], your name is noted."
    assert redact_session(once) == once
