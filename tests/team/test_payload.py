"""Notification payloads are untrusted text: parsed defensively, never raising, and
only ever read as "these ids may have changed" hints."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from agentdesk.store.listen import Hint, parse_payload


def test_what_the_store_sends():
    assert parse_payload("7") == Hint(ids=frozenset({7}))
    assert parse_payload("0,3,12") == Hint(ids=frozenset({0, 3, 12}))
    assert parse_payload("*") == Hint(every=True)


def test_the_issues_junk_example_keeps_only_the_id_shaped_token():
    assert parse_payload("DROP TABLE; 1,2,x") == Hint(ids=frozenset({2}))


def test_nothing_usable_is_none():
    for junk in ["", " ", "x", "-1", "+1", "1.5", "1e9", "0x10", "١٢", "²", "99999999999999999999",
                 "*,*", "**", ",,,", "'; DELETE FROM conversation; --", "\x1b[2J", None, 12, b"1"]:
        assert parse_payload(junk) is None, junk


def test_whitespace_around_ids_is_tolerated():
    assert parse_payload(" 4 , 5 ") == Hint(ids=frozenset({4, 5}))


def test_payload_size_is_bounded():
    longest = ",".join(str(i) for i in range(1, 1800))[:7999].rsplit(",", 1)[0]
    assert len(parse_payload(longest).ids) == longest.count(",") + 1
    assert parse_payload(",".join(["1"] * 3000)) == Hint(ids=frozenset({1}))
    assert parse_payload("1," * 4001) is None, "longer than PostgreSQL ever delivers: not ours"


@given(st.text(max_size=600))
def test_any_text_parses_without_raising(payload):
    hint = parse_payload(payload)
    if hint is None:
        return
    tokens = {t.strip() for t in payload.split(",")}
    assert hint.every or hint.ids
    for i in hint.ids:
        assert i >= 0 and str(i) in {t.lstrip("0") or "0" for t in tokens}


@given(st.lists(st.integers(min_value=0, max_value=10**12), min_size=1, max_size=300))
def test_the_stores_own_payloads_round_trip(ids):
    payload = ",".join(str(i) for i in sorted(set(ids)))
    assert parse_payload(payload) == Hint(ids=frozenset(ids))
