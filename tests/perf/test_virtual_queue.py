"""The virtualised queue at scale, by behaviour (never by time).

A host app holds one :class:`QueueView` with thousands of rows placed by key and only
the head's text loaded; it answers ``RowsWanted`` from an in-memory table, as the
console's screen answers from the store. Checked: the rows on screen are the right
ones, in queue order, with their positions and text; the cursor stays on the same
conversation through every kind of update; End reaches the last row and a list at its
end shows arrivals; page down lands on rows that are shown; the text kept in memory
stays bounded; positions and per-queue counts always equal a recount.
"""

from __future__ import annotations

import asyncio
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textual import on
from textual.app import App, ComposeResult

from agentdesk.domain import WaitingRow
from agentdesk.widgets.queue_view import QueueIndex, QueueView, qkey
from tests.ui.helpers import screen_text

NOW = 1795615200.0
QUEUES = {1: "billing", 2: "tech", 3: "orders"}


def make_rows(n: int, seed: int = 3, start_id: int = 1) -> list[WaitingRow]:
    rnd = random.Random(seed)
    return [WaitingRow(id=i, queue_id=rnd.randint(1, 3), priority=rnd.choice([0, 0, 0, 1, 2]),
                       enqueued_at=NOW - rnd.uniform(1, 7200), customer_name=f"Cust{i:05d}", channel="chat",
                       preview=f"preview of {i}", tone=None) for i in range(start_id, start_id + n)]


class Host(App[None]):
    """A QueueView on its own; row text comes from ``table`` when the view asks."""

    def __init__(self, rows: list[WaitingRow], head: int = 50, cap: int | None = None,
                 answer: bool = True) -> None:
        super().__init__()
        self.table = {r.id: r for r in rows}
        ordered = sorted(rows, key=qkey)
        self.index = QueueIndex.build([qkey(r) for r in rows], ordered[:head])
        self.cap = cap
        self.answer = answer
        self.asked: list[list[int]] = []

    def compose(self) -> ComposeResult:
        yield QueueView(clock=lambda: NOW, id="queue")

    def on_mount(self) -> None:
        view = self.query_one(QueueView)
        if self.cap is not None:
            view.detail_cap = self.cap
        view.queue_names = dict(QUEUES)
        view.set_index(self.index)
        view.focus()

    @on(QueueView.RowsWanted)
    def _wanted(self, event: QueueView.RowsWanted) -> None:
        self.asked.append(list(event.keys))
        if self.answer:
            view = self.query_one(QueueView)
            view.fill([self.table[k] for k in event.keys if k in self.table], event.keys)


def visible(view: QueueView) -> range:
    top = int(view.scroll_y)
    return range(top, min(top + view.scrollable_content_region.height, view.row_count))


def brute_positions(rows) -> dict[int, int]:
    pos, seen = {}, {}
    for r in sorted(rows, key=qkey):
        seen[r.queue_id] = seen.get(r.queue_id, 0) + 1
        pos[r.id] = seen[r.queue_id]
    return pos


async def settle(pilot, view: QueueView) -> None:
    """Let requests for rows near the viewport be asked and answered."""
    for _ in range(5):
        await pilot.pause()
    assert all(view.row_at(i) is not None for i in visible(view))


async def test_shows_the_right_rows_in_queue_order():
    rows = make_rows(5000)
    ordered = sorted(rows, key=qkey)
    positions = brute_positions(rows)
    app = Host(rows, head=40)
    async with app.run_test(size=(110, 30)) as pilot:
        view = app.query_one(QueueView)
        await settle(pilot, view)
        assert view.row_count == 5000
        text = screen_text(app)
        lines = text.splitlines()
        for i in visible(view):
            row = ordered[i]
            line = next(ln for ln in lines if row.customer_name in ln)
            assert line.split()[0].rstrip("★") == str(positions[row.id])  # its place in its own queue
            assert QUEUES[row.queue_id] in line
        # far down: rows arrive by id when they come into view, and show their own text
        await pilot.press(*["pagedown"] * 30)
        await settle(pilot, view)
        shown = screen_text(app)
        for i in visible(view):
            assert ordered[i].customer_name in shown
        assert all(k in app.table for batch in app.asked for k in batch)
        stats = view.queue_stats()
        for q in QUEUES:
            mine = [r for r in rows if r.queue_id == q]
            assert stats[q] == (len(mine), min(r.enqueued_at for r in mine))


async def test_rows_not_loaded_yet_show_what_is_known():
    """Before its text arrives, a row still shows its place, wait and queue (and "…")."""
    rows = make_rows(3000)
    ordered = sorted(rows, key=qkey)
    app = Host(rows, head=10, answer=False)
    async with app.run_test(size=(110, 30)) as pilot:
        view = app.query_one(QueueView)
        await pilot.pause()
        await pilot.pause()
        row = ordered[20]
        assert view.row_at(20) is None
        line = screen_text(app).splitlines()[20]
        assert row.customer_name not in line and "…" in line and QUEUES[row.queue_id] in line
        assert any(row.id in batch for batch in app.asked)  # it was asked for, once
        assert sum(batch.count(row.id) for batch in app.asked) == 1
        view.fill([row], [row.id])
        await pilot.pause()
        assert row.customer_name in screen_text(app).splitlines()[20]


async def test_the_bound_column_tells_no_honest_bound_from_not_quoted_yet():
    rows = make_rows(3)
    ordered = sorted(rows, key=qkey)
    app = Host(rows)
    async with app.run_test(size=(110, 10)) as pilot:
        view = app.query_one(QueueView)
        await settle(pilot, view)
        quoted, unsure, fresh = ordered
        bounds: dict[int, dict[int, float | None]] = {}
        bounds.setdefault(quoted.queue_id, {})[quoted.id] = 330.0
        bounds.setdefault(unsure.queue_id, {})[unsure.id] = None
        view.set_queue_bounds(bounds)
        await pilot.pause()
        lines = {r.id: next(ln for ln in screen_text(app).splitlines() if r.customer_name in ln) for r in ordered}
        assert "≤6m" in lines[quoted.id]  # rounded up, as the customer is told
        assert "—" in lines[unsure.id] and "≤" not in lines[unsure.id]  # no honest bound
        assert "—" not in lines[fresh.id] and "≤" not in lines[fresh.id]  # not quoted yet


async def test_cursor_stays_on_the_same_conversation_across_updates():
    rows = make_rows(4000)
    app = Host(rows, head=4000)
    async with app.run_test(size=(110, 30)) as pilot:
        view = app.query_one(QueueView)
        await settle(pilot, view)
        target = sorted(rows, key=qkey)[1500]
        assert view.move_to_key(target.id)
        await pilot.pause()
        line_on_screen = view.cursor - int(view.scroll_y)

        def cursor_on_target() -> None:
            assert view.cursor_key == target.id
            assert view.row_at(view.cursor).id == target.id

        # newcomers above (top priority) and below (just arrived), one at a time and in bulk
        urgent = [WaitingRow(90_000 + i, 1, 2, NOW - 9000 - i, f"Urgent{i}", "phone", "!", "upset")
                  for i in range(25)]
        view.apply(upserts=urgent[:1])
        cursor_on_target()
        view.apply(upserts=urgent[1:] + make_rows(30, seed=9, start_id=80_000))
        cursor_on_target()
        await pilot.pause()
        assert view.cursor - int(view.scroll_y) == line_on_screen  # the row did not jump on screen
        # rows above leave (claimed by others)
        above = [view.key_at(i) for i in range(0, 40)]
        view.apply(removals=above)
        cursor_on_target()
        # the row itself changes (new preview) and then moves (priority raised)
        changed = WaitingRow(target.id, target.queue_id, target.priority, target.enqueued_at,
                             target.customer_name, target.channel, "a new message", "concerned")
        view.apply(upserts=[changed])
        cursor_on_target()
        assert view.cursor_row.preview == "a new message"
        moved = WaitingRow(target.id, target.queue_id, 2, NOW - 20_000, target.customer_name,
                           target.channel, "moved", None)
        view.apply(upserts=[moved])
        cursor_on_target()
        assert view.cursor == 0  # the oldest of the top priority: first in line now
        # when the row itself leaves, the cursor stays at its place (its neighbour)
        below = view.key_at(1)
        view.apply(removals=[target.id])
        assert view.cursor == 0 and view.cursor_key == below


async def test_end_reaches_the_last_row_and_a_list_at_its_end_shows_arrivals():
    rows = make_rows(6000)
    ordered = sorted(rows, key=qkey)
    app = Host(rows, head=50)
    async with app.run_test(size=(110, 30)) as pilot:
        view = app.query_one(QueueView)
        await settle(pilot, view)
        await pilot.press("end")
        await settle(pilot, view)
        assert view.cursor == view.row_count - 1 == 5999
        assert view.cursor_key == ordered[-1].id
        text = screen_text(app)
        assert ordered[-1].customer_name in text and ordered[-2].customer_name in text
        # a newcomer (standard priority, waiting least) joins the end: on screen at once,
        # while the cursor stays on the conversation it was on
        newcomer = WaitingRow(70_001, 2, 0, NOW, "Newcomer", "chat", "hi", None)
        view.apply(upserts=[newcomer])
        await pilot.pause()
        assert view.cursor_key == ordered[-1].id
        assert view.index_of(newcomer.id) in visible(view)
        assert "Newcomer" in screen_text(app)
        await pilot.press("home")
        await settle(pilot, view)
        assert view.cursor == 0 and ordered[0].customer_name in screen_text(app)


async def test_page_down_lands_on_rows_that_are_shown():
    rows = make_rows(5000)
    ordered = sorted(rows, key=qkey)
    app = Host(rows, head=30)
    async with app.run_test(size=(110, 30)) as pilot:
        view = app.query_one(QueueView)
        await settle(pilot, view)
        page = view.scrollable_content_region.height - 1
        for n in range(1, 8):
            await pilot.press("pagedown")
            await settle(pilot, view)
            assert view.cursor == n * page
            assert ordered[view.cursor].customer_name in screen_text(app)
        # a page ahead is asked for before it is needed: the next page is already there
        top = int(view.scroll_y)
        height = view.scrollable_content_region.height
        assert all(view.row_at(i) is not None for i in range(top + height, min(top + 2 * height, 5000)))


async def test_row_text_kept_in_memory_stays_bounded():
    rows = make_rows(20_000)
    app = Host(rows, head=50, cap=300)
    async with app.run_test(size=(110, 30)) as pilot:
        view = app.query_one(QueueView)
        await settle(pilot, view)
        for key in ("end", "home", "end"):
            await pilot.press(key)
            await settle(pilot, view)
        for target in (5000, 12_000, 17_500, 300):
            view.cursor = target
            await settle(pilot, view)
            assert sum(r is not None for r in view.rows) <= 300
        # what is on screen is always there
        assert all(view.row_at(i) is not None for i in visible(view))


async def test_a_burst_of_deltas_collapses_into_one(sqlite_url, clock):
    """Fifty arrivals committed between two polls come out of the change feed as one
    delta, and the console applies them in one go: one update of the list, not fifty."""
    import threading

    from agentdesk.desk import Desk
    from agentdesk.live import ChangeFeed
    from agentdesk.store.db import Store
    from tests.conftest import build_floor
    from tests.ui.helpers import connected, make_app, wait_for

    store = Store.open(sqlite_url)
    desk = Desk(store, clock=clock, tone_fn=None)
    floor = build_floor(desk, clock, waiting=3)
    feed = ChangeFeed.start(desk, listen=False)
    ids = [desk.arrive(floor.customers[0].id, "billing", "chat", f"burst {i}") for i in range(50)]
    delta = feed.poll()
    assert delta is not None and sorted(r.id for r in delta.upserts) == sorted(ids)
    assert feed.poll() is None  # nothing left over
    feed.close()

    app = make_app(sqlite_url, clock=clock)
    applied: list[set[int]] = []
    async with app.run_test(size=(110, 30)) as pilot:
        await connected(pilot)
        view = app.screen.query_one(QueueView)
        original_apply = view.apply

        def counting_apply(upserts=(), removals=()):
            upserts = list(upserts)
            applied.append({r.id for r in upserts})
            return original_apply(upserts, removals)

        view.apply = counting_apply
        # hold the console's next poll until the whole burst is committed
        gate, parked = threading.Event(), threading.Event()
        original_poll = app._feed.poll

        def gated_poll(**kw):
            parked.set()
            gate.wait(10)
            return original_poll(**kw)

        app._feed.poll = gated_poll
        await wait_for(pilot, parked.is_set, what="the live loop to poll")
        more = [desk.arrive(floor.customers[1].id, "tech", "chat", f"second burst {i}") for i in range(50)]
        gate.set()
        await wait_for(pilot, lambda: all(view.index_of(i) is not None for i in more), what="the burst")
        with_newcomers = [ids_ for ids_ in applied if ids_ & set(more)]
        assert with_newcomers[0] >= set(more)  # all fifty in the first update that has any
    store.close()


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(["add", "remove", "move"]), st.integers(0, 10_000),
                          st.integers(1, 3), st.integers(0, 2), st.floats(0, 7200)), min_size=1, max_size=60),
       st.integers(0, 999))
def test_positions_and_counts_always_match_a_recount(ops, seed):
    rows = {r.id: r for r in make_rows(400, seed=seed)}

    async def run() -> None:
        app = Host(list(rows.values()), head=400)
        async with app.run_test(size=(110, 30)) as pilot:
            view = app.query_one(QueueView)
            await pilot.pause()
            for op, n, queue, priority, age in ops:
                if op == "add":
                    row = WaitingRow(10_000 + n, queue, priority, NOW - age, f"N{n}", "chat", "", None)
                    rows[row.id] = row
                    view.apply(upserts=[row])
                elif op == "remove" and rows:
                    key = sorted(rows)[n % len(rows)]
                    del rows[key]
                    view.apply(removals=[key])
                elif op == "move" and rows:
                    old = rows[sorted(rows)[n % len(rows)]]
                    row = WaitingRow(old.id, queue, priority, NOW - age, old.customer_name, "chat", "", None)
                    rows[row.id] = row
                    view.apply(upserts=[row])
            ordered = sorted(rows.values(), key=qkey)
            assert [view.key_at(i) for i in range(view.row_count)] == [r.id for r in ordered]
            expected = brute_positions(rows.values())
            assert all(view.position(r) == expected[r.id] for r in ordered)
            stats = view.queue_stats()
            for q in QUEUES:
                mine = [r for r in ordered if r.queue_id == q]
                got = stats.get(q, (0, None))
                assert got == (len(mine), min((r.enqueued_at for r in mine), default=None))
            keys = view.queue_keys()
            for q in QUEUES:
                assert [k[2] for k in keys.get(q, [])] == [r.id for r in ordered if r.queue_id == q]

    asyncio.run(run())
