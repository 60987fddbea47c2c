"""The monitor's read model (agentdesk.monitor.Monitor) against a floor written by the real
services: what the first board shows, and how changes by agents arrive."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from agentdesk.metrics import Conversation
from agentdesk.monitor import (Monitor, build_report, evidence_words, load_cohort_events, local_midnight,
                               queue_movements)
from tests.conftest import T0


def loaded(monitor):
    """Both phases of loading; the board with the day's figures."""
    monitor.load()
    return monitor.load_figures()


def by_name(board):
    return {q.name: q for q in board.queues}


def agent_rows(board):
    return {a.name: a for a in board.agents}


def test_first_board_shows_the_floor(monitor, floor, writer, clock):
    board = monitor.load()
    assert board.at == T0 and board.escalations_full and not board.figures_ready
    assert board.chart.series == {} and board.total.metrics.conversations == 0
    counts = writer.queue_counts()
    for q in board.queues:
        n, oldest = counts.get(q.id, (0, None))
        assert (q.waiting, q.oldest_enqueued_at) == (n, oldest)
    assert board.total.waiting == sum(n for n, _ in counts.values()) == 3
    agents = agent_rows(board)
    assert (agents["alice"].state, agents["alice"].conversation_id) == ("busy", floor.open["alice"])
    assert agents["alice"].customer == "Customer 20" and agents["alice"].since == T0 - 120
    assert (agents["bob"].state, agents["bob"].conversation_id) == ("on hold", floor.open["bob"])
    assert agents["bob"].since == T0 - 90  # put on hold right after the claim
    assert (agents["carol"].state, agents["carol"].since) == ("wrap-up", T0 - 60)
    assert agents["dave"].state == "away" and agents["erin"].state == "offline"
    # then the day's figures: handled today is each agent's resolves and transfers since midnight
    esc_board = board
    board = monitor.load_figures()
    assert board.figures_ready and board.total.metrics.conversations > 0 and board.chart.series
    with writer.store.read() as conn:
        handled = dict(conn.execute(text(
            "SELECT agent_id, count(*) FROM event WHERE kind IN ('resolved', 'transferred') GROUP BY agent_id")).all())
    for a in board.agents:
        assert a.handled_today == handled.get(a.id, 0)
    # escalations: the hostile waiting customer first, then the upset one alice has
    esc = sorted(esc_board.escalation_upserts, key=lambda r: r.sort_key)
    assert [(r.id, r.level) for r in esc] == [(floor.hostile, "hostile"), (floor.open["alice"], "upset")]
    assert esc[0].evidence == ("useless",) and esc[0].assignee is None and esc[0].status == "waiting"
    assert esc[1].evidence == ("ridiculous",) and esc[1].assignee == "Alice Moreau"
    assert any(a.kind == "hostile" and a.conversation_id == floor.hostile for a in board.alerts)
    assert board.new_alerts == ()  # the state at start is shown, not announced
    if monitor.store.backend == "sqlite":
        assert board.warning is None
    else:  # the test server's role is a superuser: shown, and the monitor still only reads
        assert "can write (it is a superuser)" in board.warning


def test_service_figures_match_a_fold_of_the_log(monitor, writer):
    """The board's figures equal what the event log says, computed here independently."""
    board = loaded(monitor)
    events = load_cohort_events(writer.store, local_midnight(T0), None)
    convs: dict[int, Conversation] = {}
    for e in events:
        convs.setdefault(e.conversation_id, Conversation(e.conversation_id)).apply(e)
    queues = {q.id: q for q in writer.queues()}
    for row in board.queues:
        waits = [w for c in convs.values() for w in c.waits if w.queue_id == row.id]
        answered = [w.length for w in waits if w.outcome == "answered"]
        target = queues[row.id].sl_target_s
        met = sum(1 for x in answered if x <= target)
        missed = (sum(1 for x in answered if x > target)
                  + sum(1 for w in waits if w.outcome == "abandoned" and w.length > target)
                  + sum(1 for w in waits if w.outcome is None and T0 - w.start > target))
        m = row.metrics
        assert (m.offered, m.answered) == (len(waits), len(answered))
        assert (m.sl_met, m.sl_decided) == (met, met + missed)
        assert m.asa_s == pytest.approx(sum(answered) / len(answered))
        assert row.breach == (m.service_level < queues[row.id].sl_goal)  # the floor misses every goal


def test_an_agents_claim_reaches_the_board(monitor, floor, writer, clock, db_url):
    loaded(monitor)
    dave = floor.agents["dave"]
    writer.set_agent_status(dave.id, "available")
    clock.advance(5)
    claim = writer.claim(dave.id, floor.hostile)
    board = monitor.poll()
    assert board is not None
    row = agent_rows(board)["dave"]
    assert (row.state, row.conversation_id, row.customer, row.since) == ("busy", floor.hostile, "Customer 25", T0 + 5)
    orders = by_name(board)["orders"]
    assert orders.waiting == 0 and orders.oldest_enqueued_at is None
    assert floor.hostile in board.changed and floor.hostile in board.waiting_removals
    # the hostile customer stays on the escalation list, now with dave
    esc = {r.id: r for r in board.escalation_upserts}
    assert esc[floor.hostile].assignee == "Dave Lin" and esc[floor.hostile].status == "active"
    fresh = Monitor.open(db_url, clock=clock)  # read from scratch: the same figures
    try:
        again = loaded(fresh)
        assert [q.metrics for q in again.queues] == [q.metrics for q in board.queues]
        assert again.total.metrics == board.total.metrics
        assert again.chart.series == board.chart.series
    finally:
        fresh.close()
    # resolving it takes it off the list, and counts for dave today
    clock.advance(60)
    before = row
    writer.resolve(claim, "solved")
    board = monitor.poll()
    assert floor.hostile in board.escalation_removals
    row = agent_rows(board)["dave"]
    assert row.conversation_id != floor.hostile and row.others == before.others - 1
    assert row.handled_today == before.handled_today + 1


def test_changes_while_loading_are_counted_once(monitor, floor, writer, clock, db_url):
    """Events committed after the feed started but before the figures were read arrive
    through the feed: counted once, not twice."""
    monitor.load()  # the feed starts here
    bob = floor.agents["bob"]
    claim = writer.current_claim(bob.id, floor.open["bob"])
    clock.advance(1)
    writer.resume(claim)
    writer.resolve(claim, "solved")  # one more for bob, after the feed's start
    dave = floor.agents["dave"]
    writer.set_agent_status(dave.id, "available")
    writer.claim(dave.id, floor.waiting[0])  # an answered wait, after the feed's start
    monitor.load_figures()  # reads only up to the feed's start ...
    board = monitor.poll()  # ... and the feed delivers the rest
    fresh = Monitor.open(db_url, clock=clock)
    try:
        again = loaded(fresh)
        assert agent_rows(board)["bob"].handled_today == agent_rows(again)["bob"].handled_today
        assert [q.metrics for q in board.queues] == [q.metrics for q in again.queues]
        assert board.chart.series == again.chart.series
    finally:
        fresh.close()


def test_a_customer_turning_hostile_raises_one_alert(monitor, floor, writer, clock):
    loaded(monitor)
    calm = floor.waiting[0]
    clock.advance(3)
    writer.customer_message(calm, "This is useless. I want to cancel everything.")
    board = monitor.poll()
    alerts = [a for a in board.new_alerts if a.kind == "hostile"]
    assert [a.conversation_id for a in alerts] == [calm]
    assert "turned hostile" in alerts[0].text and "“useless”" in alerts[0].text and "“cancel”" in alerts[0].text
    row = {r.id: r for r in board.escalation_upserts}[calm]
    assert row.level == "hostile" and set(row.evidence) == {"useless", "cancel"}
    # still hostile: no second alert; calm again: off the list
    clock.advance(3)
    writer.customer_message(calm, "Still useless.")
    board = monitor.poll()
    assert not [a for a in board.new_alerts if a.kind == "hostile"]
    clock.advance(3)
    writer.customer_message(calm, "Sorry, thanks for your patience.")
    board = monitor.poll()
    assert calm in board.escalation_removals


def test_queue_breach_and_recovery_are_announced_once(db_url, clock, writer):
    writer.create_queue("sales", "Sales", 60, 0.5)
    ann = writer.create_agent("ann", "Ann", ["sales"])
    writer.set_agent_status(ann.id, "available")
    cust = writer.create_customer("Kim", "k@example.com")

    def answered(wait: float) -> None:
        cid = writer.arrive(cust.id, "sales", "chat", "Hello there")
        clock.advance(wait)
        writer.resolve(writer.claim(ann.id, cid), "solved")

    for _ in range(5):
        answered(10)
    mon = Monitor.open(db_url, clock=clock)
    try:
        board = loaded(mon)
        assert not by_name(board)["sales"].breach
        for _ in range(7):
            answered(100)  # 5 met, 7 missed: 42 % < 50 %
        board = mon.poll()
        sales = by_name(board)["sales"]
        assert sales.breach and sales.metrics.service_level == pytest.approx(5 / 12)
        assert [a.kind for a in board.new_alerts] == ["queue"]
        assert "below its goal of 50%" in board.new_alerts[0].text
        answered(5)  # 6 of 13: still in breach, nothing new
        board = mon.poll()
        assert board.new_alerts == () and by_name(board)["sales"].breach
        answered(5)  # 7 of 14 met: back at the goal
        assert [a.kind for a in mon.poll().new_alerts] == ["recovered"]
    finally:
        mon.close()


def test_a_waiting_list_arrives_in_the_board_stream(monitor, floor, writer):
    loaded(monitor)
    tech = writer.queues()[1]
    monitor.request_waiting(tech.id)
    board = monitor.poll()
    assert [r.id for r in board.waiting_lists[tech.id]] == [r.id for r in writer.waiting([tech.id])]
    assert monitor.poll() is None or tech.id not in monitor.poll().waiting_lists


def test_the_day_rolls_over_at_local_midnight(monitor, floor, writer, clock):
    board = loaded(monitor)
    assert board.total.metrics.conversations > 0
    clock.now = local_midnight(T0) + 86400 + 5
    board = monitor.board()
    assert board.day_start == local_midnight(T0) + 86400
    assert board.total.metrics.conversations == 0  # a new day's cohort
    assert all(a.handled_today == 0 for a in board.agents)
    assert board.total.waiting == 3  # who waits does not depend on the day


def test_chart_depth_walks_back_to_what_the_log_says(monitor, writer):
    board = loaded(monitor)
    depth, sl = board.chart.series[None]
    assert depth[-1] == board.total.waiting
    step = board.chart.step_s
    first_bucket = len(sl)
    events = load_cohort_events(writer.store, None, None)
    convs: dict[int, Conversation] = {}
    for e in events:
        convs.setdefault(e.conversation_id, Conversation(e.conversation_id)).apply(e)
    import math

    b_now = math.floor(T0 / step)
    for i in range(len(sl)):
        t = (b_now - first_bucket + 1 + i) * step
        expected = sum(1 for c in convs.values() for w in c.waits
                       if w.start <= t and (w.end is None or w.end > t))
        assert depth[i] == expected, i
    # service level per interval: waits that ended in it
    met = sum(m for m, _ in sl)
    decided = sum(d for _, d in sl)
    assert decided > 0 and 0 < met < decided


def test_queue_movements_know_where_abandoned_customers_were():
    from agentdesk.domain import Change

    entries = [Change(1, "arrived", 7, None, 100.0, {"queue_id": 2})]
    events = [Change(5, "transferred", 7, 3, 500.0, {"from_queue_id": 2, "to_queue_id": 4}),
              Change(6, "abandoned", 7, None, 700.0, {"waited_s": 200.0}),
              Change(7, "reopened", 7, None, 800.0, {"by": "customer"}),
              Change(8, "reopened", 8, 3, 850.0, {"by": "agent"}),
              Change(9, "claimed", 7, 3, 900.0, {"queue_id": 4, "waited_s": 100.0})]
    moves, decisions = queue_movements(events, entries, 300.0)
    assert moves == [(500.0, 4, 1), (700.0, 4, -1), (800.0, 4, 1), (900.0, 4, -1)]
    assert decisions == [(700.0, 4, 200.0, False), (900.0, 4, 100.0, True)]


def test_evidence_words_are_sanitised_and_not_repeated():
    body = "you useless \x1b[31midiots, useless!"
    data = {"signals": [{"tone": "abuse", "level": "low", "evidence": [[4, 11]]},
                        {"tone": "abuse", "level": "high", "evidence": [[0, 23], [25, 32], [99, 120]]}]}
    words = evidence_words(body, data)
    assert words == ("you useless ␛[31midiots",)  # the high signal first; "useless" is inside it
    assert evidence_words("", {"signals": [{"evidence": [["x", 1]]}]}) == ()


def test_the_report_agrees_with_the_wallboard(monitor, writer):
    """``agentdesk report`` for today and the wallboard's figures are the same numbers."""
    board = loaded(monitor)
    rep = build_report(monitor.store, since=local_midnight(T0), until=None, now=T0, fcr_reopen_days=7)
    expected = {k: v for k, v in board.total.metrics.as_dict().items() if k != "fcr_pending"}
    got = {k: v for k, v in rep.total.as_dict().items() if k != "fcr_pending"}
    assert got == expected
    assert rep.total.fcr_pending == rep.total.resolved - sum(1 for r in rep.rows if r["fcr"] == "no")
    assert {q.name: m.service_level for q, m in rep.queues} == {q.name: q.metrics.service_level for q in board.queues}
    assert len(rep.rows) == board.total.metrics.conversations
    billing = build_report(monitor.store, since=local_midnight(T0), until=None, now=T0, queue="BILLING ")
    assert billing.queue.name == "billing" and billing.total.offered == by_name(board)["billing"].metrics.offered


@pytest.mark.parametrize("old_events", [False, True], ids=["customer-in-event", "event-without-customer"])
def test_the_report_counts_a_repeat_contact_after_its_period(db_url, writer, clock, old_events):
    """FCR in ``agentdesk report`` for a past day: a customer who came back with a new
    conversation the day after is a miss for that day, though the new one is not in it.
    Events written before arrivals carried their customer are linked through the
    conversation."""
    day = 86400.0
    writer.create_queue("billing", "Billing", 60, 0.8)
    agent = writer.create_agent("ana", "Ana Silva")
    writer.set_agent_status(agent.id, "available")
    start = clock.now = T0 - 5 * day
    came_back = writer.create_customer("Kim Lee", "kim@example.com")
    one_off = writer.create_customer("Ola Berg", "ola@example.com")
    first = writer.arrive(came_back.id, "billing", "chat", "my card was charged twice")
    writer.arrive(one_off.id, "billing", "chat", "how do I change my address?")
    for _ in range(2):
        clock.advance(60)
        claim = writer.claim_next(agent.id)
        clock.advance(300)
        writer.resolve(claim, "solved")
    clock.now = start + day + 3600
    again = writer.arrive(came_back.id, "billing", "email", "still charged twice")
    if old_events:
        with writer.store.write() as conn:
            conn.execute(text("UPDATE event SET data = json_remove(data, '$.customer_id') WHERE kind = 'arrived'")
                         if writer.store.is_sqlite else
                         text("UPDATE event SET data = (data::jsonb - 'customer_id')::json WHERE kind = 'arrived'"))
    rep = build_report(writer.store, since=start - 60, until=start + day / 2, now=start + 10 * day,
                       fcr_reopen_days=7)
    fcr = {r["conversation_id"]: r["fcr"] for r in rep.rows}
    assert again not in fcr
    assert fcr[first] == "no" and sorted(fcr.values()) == ["no", "yes"]
    assert rep.total.fcr == 0.5
    # with a window shorter than the gap, the same day resolved both at first contact
    short = build_report(writer.store, since=start - 60, until=start + day / 2, now=start + 10 * day,
                         fcr_reopen_days=1)
    assert short.total.fcr == 1.0


def test_a_customer_coming_back_lowers_fcr_on_the_live_board(monitor, floor, writer, clock, db_url):
    loaded(monitor)
    erin = floor.agents["erin"]
    writer.set_agent_status(erin.id, "available")
    zed = writer.create_customer("Zed Hart", "zed@example.com")
    clock.advance(5)
    first = writer.arrive(zed.id, "billing", "chat", "my invoice is wrong")
    clock.advance(5)
    claim = writer.claim(erin.id, first)
    clock.advance(120)
    writer.resolve(claim, "solved")
    board = monitor.poll()
    resolved, fcr = board.total.metrics.resolved, board.total.metrics.fcr
    clock.advance(600)
    writer.arrive(zed.id, "billing", "email", "the invoice is still wrong")
    board = monitor.poll()
    assert board.total.metrics.resolved == resolved
    assert board.total.metrics.fcr == pytest.approx(fcr - 1 / resolved)
    fresh = Monitor.open(db_url, clock=clock)  # read from scratch: the same figure
    try:
        assert loaded(fresh).total.metrics.fcr == board.total.metrics.fcr
    finally:
        fresh.close()
