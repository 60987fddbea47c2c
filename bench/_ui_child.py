"""Child process of ``bench/ui.py``: runs one app headless, times frames, prints JSON.

    python bench/_ui_child.py first-frame {bare|desk|desk-typer} --db PATH
    python bench/_ui_child.py console --db PATH --waiting N --big ID [--presses 40]
    python bench/_ui_child.py table {datatable|fastdatatable} --db PATH
    python bench/_ui_child.py writer --db PATH          (helper: arrivals on demand)

Every mode hooks ``App._display``, the one place Textual hands a finished frame to its
driver. Headless, Textual skips turning the frame into terminal output; the hook does
that work (``render_segments``), as a real terminal would need, and only then takes
the time: a frame counts when its bytes exist. The conditions a frame must meet are
read from the app's state at that moment (the frame was composed from it).
"""

import time  # first: nothing is imported before the clock starts in first-frame mode

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
from pathlib import Path

SIZE = (120, 40)
HERE = Path(__file__).resolve().parent


def peak_rss_mb() -> float:
    """This process's peak resident set: ``VmHWM``, the high-water mark of its own memory
    map. Not ``ru_maxrss``: Linux carries that across exec, so a child spawned by a
    parent that had grown large (seeding a store) reported the parent's peak."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def rss_now_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def emit(obj) -> None:
    print(json.dumps(obj), flush=True)


class Frames:
    """Install on ``App``: every delivered frame calls ``on_frame(app, perf, wall)``."""

    def __init__(self) -> None:
        self.on_frame = None
        self.count = 0

    def install(self) -> None:
        from textual.app import App
        from textual._compositor import CompositorUpdate

        original = App._display
        frames = self

        def _display(app, screen, renderable):
            original(app, screen, renderable)
            if renderable is None or app._batch_count:
                return
            if isinstance(renderable, CompositorUpdate):
                renderable.render_segments(app.console)  # the bytes a terminal would get
            perf, wall = time.perf_counter(), time.time()
            frames.count += 1
            if frames.on_frame is not None:
                frames.on_frame(app, perf, wall)

        App._display = _display


# ----------------------------------------------------------------------------- first frame


def first_frame(kind: str, db: str | None) -> None:
    frames = Frames()
    frames.install()

    def done(app, perf, wall):
        frames.on_frame = None
        emit({"first_frame_at": wall})
        app.call_later(app.exit)

    frames.on_frame = done
    if kind == "bare":
        from textual.app import App
        from textual.widgets import Footer, Header, Static

        class Minimal(App):
            def compose(self):
                yield Header()
                yield Static("hello")
                yield Footer()

        Minimal().run(headless=True, size=SIZE)
        return
    # exactly the `agentdesk desk --db … --agent alice` command line through the console
    # script's entry point (agentdesk.entry.main), run headless; "desk-typer": the same
    # line parsed by Typer, to show what its parsing would add
    import agentdesk.entry as entry

    entry.run_app = lambda app_obj: app_obj.run(headless=True, size=SIZE) and 0
    if kind == "desk-typer":
        import agentdesk.cli as cli

        cli.app(["desk", "--db", db, "--agent", "alice"], standalone_mode=False)
    else:
        sys.argv = ["agentdesk", "desk", "--db", db, "--agent", "alice"]
        try:
            entry.main()
        except SystemExit as exc:
            if exc.code not in (0, None):
                raise


# ----------------------------------------------------------------------------- console


class Watch:
    """Waits for the first frame (after a moment) that meets a condition."""

    def __init__(self, frames: Frames) -> None:
        self.frames = frames
        self.pending: list[tuple[float, object, asyncio.Future]] = []
        frames.on_frame = self._frame

    def _frame(self, app, perf, wall) -> None:
        for entry in list(self.pending):
            after, cond, fut = entry
            if perf >= after and not fut.done():
                try:
                    ok = cond(app)
                except Exception:  # the screen is changing under us: not this frame
                    ok = False
                if ok:
                    fut.set_result((perf, wall))
                    self.pending.remove(entry)

    def expect(self, cond, after: float) -> asyncio.Future:
        """A future for the (perf, wall) time of the first frame at or after ``after``
        that meets ``cond`` (registered now, so a frame cannot slip by)."""
        fut = asyncio.get_running_loop().create_future()
        self.pending.append((after, cond, fut))
        return fut

    async def wait(self, fut: asyncio.Future, timeout: float = 30.0) -> tuple[float, float]:
        try:
            return await asyncio.wait_for(asyncio.shield(fut), timeout)
        finally:
            self.pending[:] = [e for e in self.pending if e[2] is not fut]

    async def until(self, cond, after: float, timeout: float = 30.0) -> tuple[float, float]:
        return await self.wait(self.expect(cond, after), timeout)


def _visible_loaded(view) -> bool:
    height = view.scrollable_content_region.height or view.size.height
    top = int(view.scroll_y)
    return all(view.row_at(i) is not None for i in range(top, min(top + height, view.row_count)))


def _time_calls(cls, name: str, into: list[float]) -> None:
    """Record how long each call of ``cls.name`` takes on the UI thread (ms)."""
    original = getattr(cls, name)

    def timed(self, *args, **kwargs):
        t = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        finally:
            into.append((time.perf_counter() - t) * 1000)

    setattr(cls, name, timed)


async def console(db: str, waiting: int, big: int, presses: int, wait_engine: bool = True) -> dict:
    from agentdesk.app import AgentDeskApp, StartOptions
    from agentdesk.config import Settings
    from agentdesk.screens.conversation import ConversationScreen
    from agentdesk.screens.queue import QueueScreen
    from agentdesk.widgets.banner import QueueBanner
    from agentdesk.widgets.queue_view import QueueView
    from agentdesk.widgets.transcript import Transcript

    if not wait_engine:  # attribution run: the console without wait quotes
        AgentDeskApp._wait_board = lambda self, desk: None
    # what the UI thread spends on the periodic and live work (must not grow with the queue)
    ticks: list[float] = []
    quote_requests: list[float] = []
    quotes_applied: list[float] = []
    deltas: list[float] = []
    _time_calls(QueueScreen, "_tick", ticks)
    _time_calls(QueueScreen, "_request_quotes", quote_requests)
    _time_calls(QueueScreen, "apply_quotes", quotes_applied)
    _time_calls(QueueScreen, "apply_delta", deltas)

    frames = Frames()
    frames.install()
    watch = Watch(frames)
    out: dict = {"waiting": waiting}
    writer = subprocess.Popen([sys.executable, str(HERE / "_ui_child.py"), "writer", "--db", db],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    loop = asyncio.get_running_loop()
    ready = await loop.run_in_executor(None, writer.stdout.readline)  # the writer has its imports done
    assert json.loads(ready).get("ready"), ready

    settings = Settings(agent="alice", db=db)
    app = AgentDeskApp(settings, StartOptions(db=db, agent="alice"))
    started = time.perf_counter()

    def queue_view(a):
        screen = a.screen
        return screen.query_one(QueueView) if isinstance(screen, QueueScreen) else None

    def populated(a) -> bool:
        view = queue_view(a)
        if view is None or not view.loaded or view.row_count != waiting:
            return False
        banner = a.screen.query_one(QueueBanner)
        return sum(n for n, _ in banner.stats.values()) == waiting and _visible_loaded(view)

    first_fut = loop.create_future()

    def first_frame_seen(a, perf, wall):
        if not first_fut.done():
            first_fut.set_result(perf)
        watch._frame(a, perf, wall)

    frames.on_frame = first_frame_seen
    async with app.run_test(headless=True, size=SIZE) as pilot:
        first_at = await asyncio.wait_for(first_fut, 30)
        pop_at, _ = await watch.until(populated, after=0.0, timeout=60)
        out["first_frame_in_process_ms"] = (first_at - started) * 1000
        out["populated_ms"] = (pop_at - first_at) * 1000
        out["rss_populated_mb"] = peak_rss_mb()
        view = queue_view(app)
        # steady state: the wait engine warmed and the first quotes on screen
        t = time.perf_counter()
        while wait_engine and not len(view.bounds) and time.perf_counter() - t < 30:
            await asyncio.sleep(0.05)
        out["quotes_after_populated_ms"] = (time.perf_counter() - pop_at) * 1000 if len(view.bounds) else None
        out["rss_quoted_mb"] = peak_rss_mb()
        out["rss_quoted_now_mb"] = rss_now_mb()
        await asyncio.sleep(0.3)

        async def press(key: str, cond) -> float:
            t0 = time.perf_counter()
            fut = watch.expect(cond, after=t0)
            await pilot.press(key)
            at, _ = await watch.wait(fut, timeout=10)
            return (at - t0) * 1000

        # cursor down: the frame with the cursor on the next row
        downs = []
        for _ in range(presses):
            target = view.cursor + 1
            downs.append(await press("down", lambda a, n=target: queue_view(a) is not None
                                     and queue_view(a).cursor == n))
            await asyncio.sleep(0.05)
        out["keypress_ms"] = statistics.median(downs)
        out["keypress_p90_ms"] = sorted(downs)[int(0.9 * (len(downs) - 1))]
        out["keypress_max_ms"] = max(downs)

        # page down: the frame with the cursor a page further and every row on it shown
        page = max(1, view.scrollable_content_region.height - 1)
        pages, pages_first = [], []
        for _ in range(max(5, presses // 2)):
            target = min(view.row_count - 1, view.cursor + page)
            t0 = time.perf_counter()
            moved = watch.expect(lambda a, n=target: queue_view(a).cursor == n, after=t0)
            shown = watch.expect(lambda a, n=target: queue_view(a).cursor == n and _visible_loaded(
                queue_view(a)), after=t0)
            await pilot.press("pagedown")
            first, _ = await watch.wait(moved)
            full, _ = await watch.wait(shown)
            pages_first.append((first - t0) * 1000)
            pages.append((full - t0) * 1000)
            await asyncio.sleep(0.05)
        out["pagedown_ms"] = statistics.median(pages)
        out["pagedown_first_paint_ms"] = statistics.median(pages_first)

        # jump to the end (rows there are read on demand)
        last = view.row_count - 1
        out["rss_paged_mb"] = peak_rss_mb()
        out["end_key_ms"] = await press("end", lambda a: queue_view(a).cursor == last
                                        and _visible_loaded(queue_view(a)))
        await asyncio.sleep(0.3)

        # a new arrival, written by another process: the frame with its row on screen
        # (the list follows the end) and its queue's count up by one in the banner
        arrivals = []
        for _ in range(5):
            banner = app.screen.query_one(QueueBanner)
            before = dict(banner.stats)
            writer.stdin.write("go\n")
            writer.stdin.flush()
            line = await loop.run_in_executor(None, writer.stdout.readline)
            info = json.loads(line)
            cid, qid = info["id"], info["queue_id"]

            def shown(a, cid=cid, qid=qid, before=before):
                v = queue_view(a)
                i = v.index_of(cid)
                if i is None or v.row_at(i) is None:
                    return False
                top = int(v.scroll_y)
                height = v.scrollable_content_region.height
                stats = a.screen.query_one(QueueBanner).stats
                return top <= i < top + height and stats.get(qid, (0,))[0] == before.get(qid, (0,))[0] + 1

            t_commit_perf = time.perf_counter() - (time.time() - info["committed_at"])
            try:
                _, wall = await watch.until(shown, after=t_commit_perf, timeout=10)
            except asyncio.TimeoutError:
                v = queue_view(app)
                raise RuntimeError(f"arrival {info} not shown: index {v.index_of(cid)}, top {int(v.scroll_y)}, "
                                   f"rows {v.row_count}") from None
            arrivals.append((wall - info["committed_at"]) * 1000)
            await asyncio.sleep(0.3)
        out["rss_arrivals_mb"] = peak_rss_mb()
        out["new_arrival_ms"] = statistics.median(arrivals)
        out["new_arrival_all_ms"] = arrivals

        # open the 1,000-message conversation: Enter to the frame showing its latest messages
        opens, alls = [], []
        for _ in range(5):
            view = queue_view(app)
            there = watch.expect(lambda a: queue_view(a) is not None and queue_view(a).cursor_key == big
                                 and _visible_loaded(queue_view(a)), after=time.perf_counter())
            view.move_to_key(big)
            await watch.wait(there)
            await asyncio.sleep(0.2)

            def opened(a):
                s = a.screen
                if not isinstance(s, ConversationScreen) or s.view is None:
                    return False
                tr = s.query_one(Transcript)
                return tr.message_count > 0 and tr.last_message_id == s.view.messages[-1].id and (
                    tr.is_vertical_scroll_end or tr.max_scroll_y == 0)

            def everything(a):
                s = a.screen
                return (isinstance(s, ConversationScreen) and s.view is not None
                        and s.query_one(Transcript).message_count == s.view.total_messages)

            t0 = time.perf_counter()
            first = watch.expect(opened, after=t0)
            complete = watch.expect(everything, after=t0)
            await pilot.press("enter")
            at, _ = await watch.wait(first)
            opens.append((at - t0) * 1000)
            at_all, _ = await watch.wait(complete)
            alls.append((at_all - t0) * 1000)
            out["conversation_messages"] = app.screen.view.total_messages
            await asyncio.sleep(0.5)
            back = watch.expect(lambda a: isinstance(a.screen, QueueScreen), after=time.perf_counter())
            await pilot.press("escape")
            await watch.wait(back)
            await asyncio.sleep(0.3)
        out["open_conversation_ms"] = statistics.median(opens)
        out["open_conversation_first_ms"] = opens[0]
        out["open_conversation_all_ms"] = opens
        out["open_conversation_complete_ms"] = statistics.median(alls)
        out["frames"] = frames.count
        for key, calls in (("tick", ticks), ("quote_request", quote_requests), ("apply_quotes", quotes_applied),
                           ("apply_delta", deltas)):
            out[f"ui_{key}_ms"] = statistics.median(calls) if calls else None
            out[f"ui_{key}_max_ms"] = max(calls) if calls else None
            out[f"ui_{key}_calls"] = len(calls)
    writer.stdin.close()
    writer.wait(timeout=30)
    out["peak_rss_mb"] = peak_rss_mb()
    out["rss_end_now_mb"] = rss_now_mb()
    return out


def writer(db: str) -> None:
    """Another process writing to the store: a new customer contact per line read."""
    import random

    from agentdesk.desk import Desk
    from agentdesk.store.db import Store

    store = Store.open(db)
    desk = Desk(store, tone_fn=None)
    rnd = random.Random(11)
    emit({"ready": True})
    n = 0
    for _line in sys.stdin:
        n += 1
        customer = desk.create_customer(f"Newcomer Number{n}", f"new{n}@example.com")
        cid = desk.arrive(customer.id, "billing", "chat",
                          rnd.choice(["Hello? Is anyone there?", "My card was declined twice today."]))
        emit({"id": cid, "queue_id": 1, "committed_at": time.time()})
    store.close()


# ----------------------------------------------------------------------------- baselines


COLUMNS = ["#", "wait", "queue", "chan", "customer", "first line"]


def queue_rows(db: str) -> list[tuple[str, ...]]:
    """The queue as text, the columns the console shows, in queue order."""
    from agentdesk.desk import Desk
    from agentdesk.store.db import Store
    from agentdesk.widgets.format import fmt_wait

    store = Store.open(db)
    try:
        desk = Desk(store, tone_fn=None)
        names = {q.id: q.name for q in desk.queues()}
        rows = desk.waiting()
    finally:
        store.close()
    now = time.time()
    pos: dict[int, int] = {}
    out = []
    for r in rows:
        pos[r.queue_id] = pos.get(r.queue_id, 0) + 1
        out.append((str(pos[r.queue_id]), fmt_wait(now - r.enqueued_at), names[r.queue_id], r.channel,
                    r.customer_name, r.preview))
    return out


def table(kind: str, db: str) -> dict:
    rows = queue_rows(db)
    n = len(rows)
    frames = Frames()
    frames.install()
    from textual.app import App

    result: dict = {"rows": n}
    state = {"t0": None}

    if kind == "datatable":
        from textual.widgets import DataTable

        class Table(App):
            async def on_ready(self):
                state["t0"] = time.perf_counter()
                table = DataTable(cursor_type="row")
                await self.mount(table)
                table.add_columns(*COLUMNS)
                table.add_rows(rows)

        def loaded(app) -> bool:
            return app.query(DataTable) and app.query_one(DataTable).row_count == n
    else:
        from textual_fastdatatable import ArrowBackend
        from textual_fastdatatable import DataTable as FastTable

        class Table(App):
            async def on_ready(self):
                state["t0"] = time.perf_counter()
                backend = ArrowBackend.from_records(rows, column_names=COLUMNS)
                await self.mount(FastTable(backend=backend, cursor_type="row"))

        def loaded(app) -> bool:
            return app.query_one(FastTable).row_count == n

    def on_frame(app, perf, wall):
        if state["t0"] is not None and "load_ms" not in result:
            try:
                ok = loaded(app)
            except Exception:
                ok = False
            if ok:
                result["load_ms"] = (perf - state["t0"]) * 1000
                result["rss_mb"] = peak_rss_mb()
                app.exit()

    frames.on_frame = on_frame
    Table().run(headless=True, size=SIZE)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode")
    parser.add_argument("kind", nargs="?")
    parser.add_argument("--db")
    parser.add_argument("--waiting", type=int, default=0)
    parser.add_argument("--big", type=int, default=0)
    parser.add_argument("--presses", type=int, default=40)
    parser.add_argument("--no-wait-engine", action="store_true")
    args = parser.parse_args()
    if args.mode == "first-frame":
        first_frame(args.kind, args.db)
    elif args.mode == "console":
        emit(asyncio.run(console(args.db, args.waiting, args.big, args.presses, not args.no_wait_engine)))
    elif args.mode == "table":
        emit(table(args.kind, args.db))
    elif args.mode == "writer":
        writer(args.db)
    else:
        raise SystemExit(f"unknown mode {args.mode}")


if __name__ == "__main__":
    os.environ.setdefault("TERM", "xterm-256color")
    main()
