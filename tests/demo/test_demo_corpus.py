"""The demo's written content: complete, consistent, and without accidental repeats."""

from __future__ import annotations

import re
from collections import Counter

from agentdesk.demo import corpus
from agentdesk.demo.corpus import CHANNELS, PLACEHOLDERS, TONES, fill, load, placeholders
from agentdesk.domain import DISPOSITION_CODES


def test_corpus_has_no_problems():
    assert corpus.problems() == []


def test_every_corpus_string_is_distinct():
    seen = Counter(text for _where, text in corpus.texts())
    repeated = {t: n for t, n in seen.items() if n > 1}
    assert repeated == {}
    # and the walk really covers the content (openers, issues, lines, follow-ups)
    assert len(seen) > 700


def test_queues_and_their_settings():
    c = load()
    names = {q.name for q in c.queues}
    assert {"billing", "technical", "orders"} <= names
    for q in c.queues:
        assert q.title and q.team
        assert 10 <= q.sl_target_s <= 600
        assert 0 < q.sl_goal < 1
        assert q.skills
        assert abs(sum(w for _, w in q.channel_weights) - 1.0) < 1e-9
    assert abs(sum(q.weight for q in c.queues) - 1.0) < 1e-9


def test_openers_per_queue_and_tone_cover_every_channel():
    c = load()
    for q in c.queues:
        for tone in TONES:
            pair = [o for o in c.openers if o.queue == q.name and o.tone == tone]
            assert len(pair) >= 8, (q.name, tone)
            assert len({o.body for o in pair}) == len(pair)
            for ch in CHANNELS:
                assert any(not o.repeat for o in c.openers_by[(q.name, tone, ch)]), (q.name, tone, ch)


def test_opener_styles_fit_their_channel():
    c = load()
    styles = Counter(o.style for o in c.openers)
    assert set(styles) == {"text", "email", "speech", "call_note", "post"}
    for o in c.openers:
        if o.style == "post":
            assert o.body.startswith("@KestrelHelp") or "@KestrelHelp" in o.body
            assert len(o.body) <= 280  # a public post is short
        if o.style == "email":
            first_line, rest = o.body.split("\n\n", 1)
            assert first_line.endswith(","), o.body  # a greeting line
            assert "\n\n" in rest  # and a sign-off after the body
        if o.style == "call_note":
            assert o.author_kind == "system"
            assert o.body.startswith("Caller")
        else:
            assert o.author_kind == "customer"
    # chat is written the way people type: some of it lower-case
    chat = [o.body for o in c.openers if o.style == "text" and o.channels == {"chat"}]
    assert sum(b[0].islower() for b in chat) >= 10


def test_lengths_vary():
    lengths = sorted(len(o.body) for o in load().openers)
    assert lengths[0] < 60 and lengths[-1] > 600
    assert sum(n > 400 for n in lengths) >= 4


def test_placeholders_are_known_and_fillable():
    values = {k: f"<{k}>" for k in PLACEHOLDERS}
    for where, text in corpus.texts():
        assert placeholders(text) <= PLACEHOLDERS, where
        filled = fill(text, values)
        assert "{" not in filled and "}" not in filled, where


def test_fill_names_a_missing_value():
    try:
        fill("order {order} for {first}", {"first": "Ana"})
    except KeyError as err:
        assert "{order}" in str(err)
    else:  # pragma: no cover
        raise AssertionError("a missing placeholder value must raise")


def test_issue_dispositions_are_valid_and_have_lines():
    c = load()
    for issue in c.issues.values():
        assert issue.dispositions
        for code, weight in issue.dispositions:
            assert code in DISPOSITION_CODES
            assert weight > 0
            assert code in issue.resolutions
        if issue.handoff:
            target, note, code = issue.handoff
            assert target in {q.name for q in c.queues} and target != issue.queue
            assert code in DISPOSITION_CODES and note
    # past-contact subjects per queue
    for q in c.queues:
        subjects = [s for i in c.issues_by_queue[q.name] for s in i.subjects]
        assert len(subjects) >= 12


def test_follow_ups_escalate_for_every_tone():
    c = load()
    assert len(c.follow_ups) >= 40
    for tone in TONES:
        levels = {f.level for f in c.follow_ups if tone in f.tones and f.channel == "chat"}
        assert levels == {1, 2, 3}, tone
    phone = [f for f in c.follow_ups if f.channel == "phone"]
    assert phone and all(f.author_kind == "system" for f in phone)


def test_counts_meet_the_brief():
    n = corpus.counts()
    assert n["queues"] >= 3
    assert n["openers"] >= 8 * 7 * n["queues"]
    assert n["follow_ups"] >= 40
    assert n["agent_lines"] >= 60
    assert n["customer_turns"] >= 40
    assert 6 <= n["agents"] <= 10
    assert n["name_traditions"] >= 10


def test_names_are_diverse_and_plentiful():
    c = load()
    combos = sum(len(g.first) * len(g.last) for g in c.names)
    assert combos >= 2000
    # several scripts' worth of names, written with their own letters
    assert any(re.search(r"[^\x00-\x7f]", n) for g in c.names for n in g.first + g.last)


def test_agents_staff_every_queue():
    c = load()
    for q in c.queues:
        assert sum(q.name in a.queues for a in c.agents) >= 2
    assert len({a.name for a in c.agents}) == len(c.agents)
