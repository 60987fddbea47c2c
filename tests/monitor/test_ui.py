"""The monitor app driven with Textual's Pilot: live updates from another connection,
drilling in, keys, help, palette, alerts, hostile text, and that nothing is written."""

from __future__ import annotations

from sqlalchemy import text

from agentdesk.config import Settings
from agentdesk.monitor_app import MonitorApp
from agentdesk.screens.monitor import AlertLogScreen, MonitorHelpScreen, WallboardScreen
from agentdesk.screens.monitor_conversation import MonitorConversationScreen
from agentdesk.screens.monitor_queue import MonitorQueueScreen
from agentdesk.widgets.monitor_boards import AgentBoard, EscalationBoard, QueueBoard
from agentdesk.widgets.monitor_chart import MonitorChart
from agentdesk.widgets.queue_view import QueueView
from agentdesk.widgets.transcript import Transcript
from tests.ui.helpers import screen_text
from tests.ui.helpers import wait_for as _wait_for


async def wait_for(pilot, predicate, timeout: float = 30.0, what: str = "condition") -> None:
    """Generous: the machine is shared, and these tests check behaviour, not speed."""
    await _wait_for(pilot, predicate, timeout=timeout, what=what)


def make_monitor(db_url: str, clock) -> MonitorApp:
    return MonitorApp(Settings(db=db_url), clock=clock, poll_interval=0.05)


async def ready(pilot) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: app.board is not None and app.board.figures_ready
                   and isinstance(app.screen, WallboardScreen) and app.screen.board is not None
                   and app.screen.board.figures_ready, what="the board with the day's figures")


def all_rows(store) -> dict[str, list]:
    with store.read() as conn:
        return {t: [tuple(r) for r in conn.execute(text(f"SELECT * FROM {t} ORDER BY 1"))]
                for t in ("agent", "queue", "agent_queue", "customer", "conversation", "message", "event")}


def line_with(app, needle: str) -> str:
    return next((line for line in screen_text(app).splitlines() if needle in line), "")


async def test_a_claim_by_another_console_appears_on_the_wallboard(db_url, clock, writer, floor):
    app = make_monitor(db_url, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        agents = app.screen.query_one(AgentBoard)
        queues = app.screen.query_one(QueueBoard)
        assert "Dave Lin" in line_with(app, "Dave Lin") and "away" in line_with(app, "Dave Lin")
        assert queues.get(floor.queues["orders"].id).waiting == 1
        # another connection: dave comes back and takes the hostile customer
        dave = floor.agents["dave"]
        writer.set_agent_status(dave.id, "available")
        clock.advance(2)
        writer.claim(dave.id, floor.hostile)
        await wait_for(pilot, lambda: agents.get(dave.id).conversation_id == floor.hostile, what="dave's claim")
        row = agents.get(dave.id)
        assert (row.state, row.customer) == ("busy", "Customer 25")
        await pilot.pause(0.05)
        line = line_with(app, "Dave Lin")
        assert "busy" in line and f"#{floor.hostile} Customer 25" in line
        assert queues.get(floor.queues["orders"].id).waiting == 0
        orders_line = next(ln for ln in screen_text(app).splitlines() if ln.lstrip("▲ ").startswith("orders "))
        assert orders_line.lstrip("▲ ").split()[1] == "0"  # orders, 0 waiting, longest —
        assert orders_line.lstrip("▲ ").split()[2] == "—"
        esc = app.screen.query_one(EscalationBoard)
        assert esc.get(floor.hostile).assignee == "Dave Lin"
        assert app.last_worker_error is None


async def test_drilling_into_an_escalation_watches_it_live(db_url, clock, writer, floor):
    app = make_monitor(db_url, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        await pilot.press("tab", "tab")
        esc = app.screen.query_one(EscalationBoard)
        assert app.focused is esc and esc.cursor_key == floor.hostile  # the most severe first
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, MonitorConversationScreen)
                       and app.screen.view is not None, what="the transcript")
        transcript = app.screen.query_one(Transcript)
        first = transcript.messages[0]
        assert "useless" in first.body
        assert transcript._items[0].highlights  # the evidence is highlighted
        assert "HOSTILE" in screen_text(app) and "READ-ONLY" in screen_text(app)
        clock.advance(4)
        writer.customer_message(floor.hostile, "Hello?? Anyone there?")
        await wait_for(pilot, lambda: transcript.message_count == 2, what="the new message")
        assert transcript.messages[-1].body == "Hello?? Anyone there?"
        await pilot.press("escape")
        assert isinstance(app.screen, WallboardScreen)
        assert app.focused is app.screen.query_one(EscalationBoard)


async def test_agent_and_queue_drill_in(db_url, clock, writer, floor):
    app = make_monitor(db_url, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        queues = app.screen.query_one(QueueBoard)
        assert app.focused is queues and queues.cursor_key == floor.queues["billing"].id
        await pilot.press("down", "enter")  # tech's waiting list
        await wait_for(pilot, lambda: isinstance(app.screen, MonitorQueueScreen)
                       and app.screen.query_one(QueueView).loaded, what="the waiting list")
        view = app.screen.query_one(QueueView)
        tech = floor.queues["tech"].id
        assert [r.id for r in view.rows] == [r.id for r in writer.waiting([tech])]
        cust = writer.create_customer("Nina Park", "nina@example.com")
        clock.advance(1)
        new = writer.arrive(cust.id, "tech", "email", "My camera will not pair.")
        await wait_for(pilot, lambda: view.get(new) is not None, what="the new arrival")
        assert "waiting in tech: 2" in screen_text(app)
        assert "≤max" not in screen_text(app), "the monitor has no wait quotes: no empty column for them"
        assert "Nina Park" in screen_text(app)
        view.move_to_key(new)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, MonitorConversationScreen)
                       and app.screen.view is not None)
        assert app.screen.view.id == new
        await pilot.press("escape", "escape")
        assert isinstance(app.screen, WallboardScreen)
        # an agent's row opens their conversation
        await pilot.press("tab")
        agents = app.screen.query_one(AgentBoard)
        agents.move_to_key(floor.agents["bob"].id)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, MonitorConversationScreen)
                       and app.screen.view is not None)
        assert app.screen.view.id == floor.open["bob"] and app.screen.view.status == "on_hold"
        await pilot.press("escape")
        # the "all" row has no waiting list; an agent without a conversation says so
        agents.move_to_key(floor.agents["erin"].id)
        await pilot.press("enter")
        assert isinstance(app.screen, WallboardScreen)


async def test_go_to_any_conversation_by_number(db_url, clock, writer, floor):
    app = make_monitor(db_url, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        await pilot.press("slash", *str(floor.open["carol"]), "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, MonitorConversationScreen)
                       and app.screen.view is not None)
        assert app.screen.view.status == "wrap_up" and "wrap up" in screen_text(app)
        await pilot.press("escape", "slash", "9", "9", "9", "9", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, WallboardScreen)
                       and any("no conversation #9999" in n.message for n in app._notifications))


async def test_help_palette_and_footer_list_the_monitor_keys(db_url, clock, floor):
    app = make_monitor(db_url, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await wait_for(pilot, lambda: "Open" in screen_text(app).splitlines()[-1], what="the footer")
        footer = screen_text(app).splitlines()[-1]
        for label in ("Open", "Go to #", "Chart", "Span", "Alerts", "Quit", "Help"):
            assert label in footer, footer
        commands = {c.title for c in app.get_system_commands(app.screen)}
        assert {"Open", "Go to #", "Chart", "Span", "Alerts", "Pane"} <= commands
        assert "Claim next" not in commands
        await pilot.press("question_mark")
        assert isinstance(app.screen, MonitorHelpScreen)
        text_ = str(app.screen.query_one("#help-text").render())
        assert "Monitor: wallboard" in text_ and "Watch any conversation by number" in text_
        assert "Claim next" not in text_  # the agent console's keys are not the monitor's
        await pilot.press("escape")
        await pilot.press("a")
        assert isinstance(app.screen, AlertLogScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, WallboardScreen)


async def test_chart_keys_switch_queue_and_span(db_url, clock, floor):
    app = make_monitor(db_url, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        chart = app.screen.query_one(MonitorChart)
        assert chart.title == "all queues" and chart.span_s == 4 * 3600
        assert chart.depth[-1] == 3  # waiting now, every queue
        await pilot.press("v")
        assert chart.title == "billing" and chart.goal == 0.8
        await pilot.press("v", "v")
        assert chart.title == "orders" and chart.goal == 0.9
        await pilot.press("v", "z")
        assert chart.title == "all queues" and chart.span_s == 8 * 3600
        await pilot.press("z")
        assert chart.span_s == 3600 and len(chart.sl) == 60
        assert "last 1h" in screen_text(app)


async def test_a_customer_turning_hostile_is_announced(db_url, clock, writer, floor):
    app = make_monitor(db_url, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        calm = floor.waiting[0]
        writer.customer_message(calm, "You are useless.")
        await wait_for(pilot, lambda: any("turned hostile" in n.message for n in app._notifications),
                       what="the notification")
        assert "ALERT" in line_with(app, "ALERT") and f"#{calm}" in line_with(app, "ALERT")
        await pilot.press("a")
        assert isinstance(app.screen, AlertLogScreen)
        log_text = str(app.screen.query_one("Static").render())
        assert f"#{calm} Customer 23 (billing) turned hostile" in log_text


async def test_hostile_names_are_shown_inert(db_url, clock, writer, floor):
    cust = writer.create_customer("[@click=app.quit]Mallory[/] \x1b[2J", "m@example.com")
    cid = writer.arrive(cust.id, "billing", "chat", "[b]useless[/b] \x1b]0;pwned\x07 [/] oops [")
    app = make_monitor(db_url, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        esc = app.screen.query_one(EscalationBoard)
        assert esc.get(cid) is not None
        line = line_with(app, f"#{cid} ")
        assert "[@click=app.qui…" in line  # the name, cut to its column, literally
        await pilot.click(EscalationBoard)  # clicking the name runs nothing
        esc.move_to_key(cid)
        esc.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, MonitorConversationScreen)
                       and app.screen.view is not None)
        shown = screen_text(app)
        assert "[@click=app.quit]Mallory[/] ␛[2J" in shown
        assert "[b]useless[/b] ␛]0;pwned␇ [/] oops [" in shown
        assert app.is_running and app.last_worker_error is None


async def test_watching_writes_nothing(db_url, clock, writer, floor):
    before = all_rows(writer.store)
    app = make_monitor(db_url, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        await pilot.press("enter")  # billing's waiting list
        await wait_for(pilot, lambda: isinstance(app.screen, MonitorQueueScreen)
                       and app.screen.query_one(QueueView).loaded)
        await pilot.press("enter")  # watch its first conversation
        await wait_for(pilot, lambda: isinstance(app.screen, MonitorConversationScreen)
                       and app.screen.view is not None)
        await pilot.press("escape", "escape", "tab", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, MonitorConversationScreen)
                       and app.screen.view is not None)
        await pilot.press("escape", "v", "z", "a", "escape", "question_mark", "escape")
        await pilot.pause(0.3)
    assert all_rows(writer.store) == before


async def test_the_role_warning_shows_only_when_the_role_can_write(db_url, clock, floor):
    app = make_monitor(db_url, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        warning = app.screen.query_one("#mon-warning")
        if "://" in db_url:  # the test server's role is a superuser
            assert warning.has_class("shown")
            assert "can write (it is a superuser)" in screen_text(app).replace("\n", " ")
        else:
            assert not warning.has_class("shown") and warning.size.height == 0


async def test_a_missing_database_ends_with_one_line(tmp_path, clock):
    app = make_monitor(str(tmp_path / "nope.db"), clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.error_message is not None, what="the error")
    assert "no database at" in app.error_message and app.error_code == 3


async def test_who_waits_shows_before_the_days_figures_are_read(db_url, clock, floor, monkeypatch):
    """The first board (waiting lines, agents, escalations) does not wait for the day's
    events: the figures show "…" until they are read."""
    import threading

    from agentdesk.monitor import Monitor

    gate = threading.Event()
    original = Monitor.load_figures

    def slow_figures(self):
        gate.wait(10)
        return original(self)

    monkeypatch.setattr(Monitor, "load_figures", slow_figures)
    app = make_monitor(db_url, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        try:
            await wait_for(pilot, lambda: app.board is not None and isinstance(app.screen, WallboardScreen)
                           and app.screen.board is not None, what="the first board")
            await pilot.pause(0.05)
            assert not app.board.figures_ready
            billing = line_with(app, "billing").lstrip("▲ ").split()
            assert billing[:3] == ["billing", "1", "4m10s"] and set(billing[3:]) == {"…"}  # figures to come
            assert "reading the last hours…" in screen_text(app) and "SL today …" in screen_text(app)
            assert app.screen.query_one(EscalationBoard).get(floor.hostile) is not None
        finally:
            gate.set()
        await ready(pilot)
        assert "…" not in line_with(app, "billing") and "reading the last hours" not in screen_text(app)


async def test_a_burst_of_hostile_customers_is_one_notification(db_url, clock, floor):
    from dataclasses import replace

    from agentdesk.monitor import Alert
    from agentdesk.monitor_app import BoardMessage

    app = make_monitor(db_url, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        before = len(app._notifications)
        burst = tuple(Alert(clock.now, "hostile", f"#{i} turned hostile", 1, i) for i in range(1, 5))
        app.post_message(BoardMessage(replace(app.board, new_alerts=burst, escalation_upserts=(),
                                              escalations_full=False)))
        await wait_for(pilot, lambda: len(app._notifications) > before, what="the notification")
        await pilot.pause(0.05)
        new = list(app._notifications)[before:]
        assert [n.message for n in new] == ["4 customers turned hostile: #1, #2, #3, #4 (a: alerts)"]
        assert [a.text for a in app.alert_log[-4:]] == [a.text for a in burst]
