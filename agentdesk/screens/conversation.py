"""The conversation screen: transcript, customer panel, composer and every action.

Two focus zones, like a modal editor: with the transcript focused, single keys act
(r reply, i note, h hold, u resume, t transfer, d resolve, o reopen, c claim, w wait
update, 1–3 suggestions); in the composer you type, Ctrl+S sends and Esc leaves. The
footer shows only the actions that apply to the conversation's state.

A draft is never lost: a failed send keeps the text, and a retry of the same draft
reuses its client-generated message id, so it cannot be sent twice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Label, Static, TextArea

from agentdesk.domain import Claim, ConversationView, Status
from agentdesk.keys import bindings_for
from agentdesk.safetext import sanitize
from agentdesk.widgets.assist_panel import AssistPanel, DraftHints
from agentdesk.widgets.customer_panel import CustomerPanel
from agentdesk.widgets.format import channel_label, fmt_wait
from agentdesk.widgets.status import StatusBar
from agentdesk.widgets.transcript import Transcript

if TYPE_CHECKING:  # pragma: no cover
    from agentdesk.app import AgentDeskApp, Connected
    from agentdesk.domain import AgentInfo, MessageView
    from agentdesk.live import Delta

FIRST_PAGE = 200  # messages shown first; older ones load in the background


class Composer(TextArea):
    """The multi-line reply / note editor."""

    BINDINGS = bindings_for("composer")

    DEFAULT_CSS = """
    Composer { height: 6; border: round $panel-lighten-2; }
    Composer:focus { border: round $accent; }
    Composer.note { border: round $warning; }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(soft_wrap=True, tab_behavior="focus", **kwargs)
        self.mode = "reply"

    # Ctrl+S, Ctrl+T, Esc and F5–F7 are priority keys: the app runs them as soon as they
    # arrive, while characters typed just before may still be waiting in this widget's
    # queue (fast typing, input buffered over a slow SSH link). Each one therefore runs
    # from this widget's queue, after every key that came before it.

    def action_send(self) -> None:
        self.call_later(self.screen.action_send)  # type: ignore[attr-defined]

    def action_switch_mode(self) -> None:
        self.call_later(self.screen.action_switch_mode)  # type: ignore[attr-defined]

    def action_leave_composer(self) -> None:
        self.call_later(self.screen.query_one(Transcript).focus)

    def action_use_suggestion(self, index: int) -> None:
        self.call_later(self.screen.action_use_suggestion, index)  # type: ignore[attr-defined]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "use_suggestion":  # greyed out exactly when the screen's 1/2/3 are
            return self.screen.check_action(action, parameters)
        return super().check_action(action, parameters)


class ConversationScreen(Screen[None]):
    BINDINGS = bindings_for("conversation")
    ACTION_SCOPES = ("conversation", "composer")
    AUTO_FOCUS = "Transcript"

    app: "AgentDeskApp"

    def __init__(self, conversation_id: int, *, claim: Claim | None = None,
                 preloaded: "tuple[ConversationView, Claim | None] | None" = None) -> None:
        """``preloaded``: the conversation (latest messages) and this agent's claim, read
        before the screen was pushed, so its first frame already shows them."""
        super().__init__()
        self.conversation_id = conversation_id
        self.claim = claim
        self._preloaded = preloaded
        self.view: ConversationView | None = None
        self._pending: tuple[str, str, str] | None = None  # (mode, text, client id) of an unsent draft
        self._focus_composer = claim is not None  # just claimed: start typing at once
        self.assist = None  # agentdesk.assist.Assist for the current customer turn
        self._draft_timer = None
        self._shown_turn: int | None = None
        self._update_quote = None  # the wait quote behind an update being written

    # ------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield StatusBar(clock=self.app.clock, id="status")
        yield Static(Content.styled(f"#{self.conversation_id} loading…", "italic"), id="conv-header")
        yield Static("", id="handoff")
        with Horizontal(id="conv-body"):
            with Vertical(id="conv-main"):
                yield Transcript(clock=self.app.clock, id="transcript")
                yield AssistPanel(id="assist")
                yield Label("", id="composer-label")
                yield Composer(id="composer")
                yield DraftHints(id="draft-hints")
            yield CustomerPanel(clock=self.app.clock, id="customer")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(StatusBar).agent = self.app.agent
        self.query_one("#handoff").display = False
        self.query_one(Composer).display = False
        self.query_one("#composer-label").display = False
        if self.size.width and self.size.width < 90:
            self.query_one(CustomerPanel).display = False
        self.set_interval(1.0, self._tick)
        if self._preloaded is not None:
            view, claim = self._preloaded
            self._preloaded = None
            self._show(view, claim)
        else:
            self._load()

    def _tick(self) -> None:
        self.query_one(StatusBar).refresh()
        if self.view is not None and self.view.status == Status.WAITING:
            self._render_header()

    # ------------------------------------------------------------ state helpers

    @property
    def mine(self) -> bool:
        v = self.view
        return (
            v is not None and self.claim is not None and self.app.agent is not None
            and v.assignee_id == self.app.agent.id and v.claim_version == self.claim.version
            and v.status in (Status.ACTIVE, Status.ON_HOLD, Status.WRAP_UP)
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        v = self.view
        if v is None:
            return action in ("back", "toggle_customer")
        status = v.status
        if action == "claim":
            return status == Status.WAITING
        if action in ("compose", "transfer", "resolve"):
            return self.mine
        if action == "hold":
            return self.mine and status == Status.ACTIVE
        if action == "resume":
            return self.mine and status == Status.ON_HOLD
        if action == "reopen":
            return status in (Status.RESOLVED, Status.ABANDONED)
        if action == "wait_update":
            return status == Status.WAITING or (self.mine and status == Status.ON_HOLD)
        if action == "use_suggestion":
            return self.mine and self.assist is not None and bool(self.assist.suggestions)
        if action == "dismiss_suggestions":
            return self.assist is not None and bool(self.assist.suggestions)
        return True

    # ------------------------------------------------------------ loading

    @work(thread=True, exclusive=True, group="conv-load", exit_on_error=False)
    def _load(self) -> None:
        from agentdesk.errors import AgentdeskError

        desk, agent = self.app.desk, self.app.agent
        if desk is None:
            return
        try:
            view = desk.conversation(self.conversation_id, message_limit=FIRST_PAGE)
            claim = self.claim
            if claim is None and agent is not None and view.assignee_id == agent.id:
                claim = desk.current_claim(agent.id, self.conversation_id)
        except AgentdeskError as exc:
            self.app.call_from_thread(self._load_failed, str(exc))
            return
        # The transcript goes on screen first; older messages, tone, evidence and
        # suggestions are worked out after that frame (see _after_first_paint).
        self.app.call_from_thread(self._show, view, claim)

    def _after_first_paint(self, view: ConversationView) -> None:
        """Background work for a conversation just shown: started only once its first
        frame is on screen, so it does not compete with that frame for the interpreter."""
        if view.total_messages > len(view.messages) and view.messages:
            self._load_earlier(view.messages[0].id)
        self._load_assist(view)

    # (a description: Textual would otherwise repr() the whole conversation view)
    @work(thread=True, exclusive=True, group="conv-assist", exit_on_error=False,
          description="tone, evidence and suggestions")
    def _load_assist(self, view: ConversationView) -> None:
        from agentdesk.errors import AgentdeskError

        try:
            helper = self._assist(view)
        except AgentdeskError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="warning")
            return
        self.app.call_from_thread(self._apply_assist, helper)

    def _assist(self, view: ConversationView):
        """Tone, evidence and suggestions (called in worker threads)."""
        from agentdesk.assist import assist

        agent = self.app.agent
        return assist(self.app.desk, view, agent_name=agent.display_name if agent else "", now=self.app.clock(),
                      wait_bound=self._wait_bound(view))

    def _wait_bound(self, view: ConversationView) -> str | None:
        """What a script's ``{wait_bound}`` honestly means here: for a customer on hold,
        the hold length that held for the quote coverage of recent holds on this queue
        (the same figure as the wait update, ``w``); otherwise nothing is waited for, and
        the placeholder is left for the agent."""
        waits = self.app.waits
        if view.status != Status.ON_HOLD or waits is None:
            return None
        from agentdesk.waits import bound_words

        bound = waits.hold_bound(view.queue_id)
        return bound_words(bound) if bound is not None else None

    def _load_failed(self, message: str) -> None:
        self.notify(message, severity="error")
        if self.view is None:
            self.app.pop_screen()

    def _show(self, view: ConversationView, claim: Claim | None, helper=None) -> None:
        first = self.view is None
        self.view = view
        self.claim = claim
        transcript = self.query_one(Transcript)
        if first:
            transcript.set_messages(view.messages, earlier=view.total_messages - len(view.messages))
            self.call_after_refresh(self._after_first_paint, view)
        if helper is not None:
            self._apply_assist(helper, render=False)
        self.query_one(CustomerPanel).show(view)
        self._render_header()
        handoff = self.query_one("#handoff", Static)
        if view.handoff_note and view.status in (Status.WAITING, Status.ACTIVE, Status.ON_HOLD):
            handoff.update(Content.assemble(
                Content.styled("Hand-off note: ", "bold"), Content(sanitize(view.handoff_note))))
            handoff.display = True
        else:
            handoff.display = False
        composer = self.query_one(Composer)
        # Keep a draft in view when ownership is lost: never hide what the agent typed.
        keep = self.mine or bool(composer.text.strip()) or composer.has_focus
        composer.display = keep
        self.query_one("#composer-label").display = keep
        self._render_composer_label()
        if self.mine and self._focus_composer:
            self._focus_composer = False
            composer.focus()
        elif not self.mine and composer.has_focus:
            self.query_one(Transcript).focus()
        self.refresh_bindings()

    def _apply_assist(self, helper, *, render: bool = True) -> None:
        """Tone, evidence highlights and suggestions for the current customer turn."""
        view = self.view
        if view is None:
            return
        current = self.assist
        if current is not None and (helper.turn_message_id or 0) < (current.turn_message_id or 0):
            return  # a newer turn's help is already shown (a live update overtook the first load)
        self.assist = helper
        self._render_header()
        self.query_one(Transcript).set_highlights(helper.highlights)
        live = view.status not in (Status.RESOLVED, Status.ABANDONED)
        self.query_one(AssistPanel).show(helper if live else None)
        if live and helper.suggestions and helper.turn_message_id != self._shown_turn:
            self._shown_turn = helper.turn_message_id  # once per customer turn in this console
            self._record_suggestion("shown", None)
        if render:
            self.refresh_bindings()

    @work(thread=True, exclusive=True, group="conv-earlier", exit_on_error=False)
    def _load_earlier(self, before_id: int | None) -> None:
        from agentdesk.errors import AgentdeskError

        if before_id is None:
            return
        transcript = self.query_one(Transcript)
        try:
            older = self.app.desk.messages(self.conversation_id, before_id=before_id)
        except AgentdeskError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        laid_out = transcript.lay_out(older)  # sanitise and wrap here, not on the UI thread
        self.app.call_from_thread(transcript.prepend, older, earlier=0, laid_out=laid_out)

    def _render_header(self) -> None:
        v = self.view
        if v is None:
            return
        now = self.app.clock()
        status = v.status.replace("_", " ")
        if v.status == Status.WAITING:
            status += f" {fmt_wait(now - v.enqueued_at)}"
        elif v.status == Status.ON_HOLD and v.hold_reason:
            status += f" ({sanitize(v.hold_reason, single_line=True)})"
        elif v.status == Status.RESOLVED and v.disposition:
            status += f" ({v.disposition})"
        owner = ""
        if v.assignee_name and v.status in (Status.ACTIVE, Status.ON_HOLD, Status.WRAP_UP):
            owner = "you" if self.mine else sanitize(v.assignee_name, single_line=True)
        parts = [
            Content.styled(f"#{v.id} ", "bold"),
            Content(sanitize(v.subject, single_line=True) or "(no subject)"),
            Content.styled(f"  {v.queue_name} · {channel_label(v.channel)} · ", "$text-muted"),
            Content.styled(status, "bold $warning" if v.status in (Status.WAITING, Status.ON_HOLD) else "bold"),
        ]
        if owner:
            parts.append(Content.styled(f" · {owner}", "$text-muted"))
        tone = self.assist.level if self.assist is not None and self.assist.level else v.tone
        if tone in ("upset", "hostile"):
            parts.append(Content.styled(f"  {tone.upper()}", "bold reverse $error"))
        elif tone == "concerned":
            parts.append(Content.styled("  concerned", "bold $warning"))
        if self.view and not self.mine and v.status == Status.WAITING:
            parts.append(Content.styled("  — press c to claim", "italic $text-muted"))
        elif v.assignee_id and not self.mine and v.status in (Status.ACTIVE, Status.ON_HOLD):
            parts.append(Content.styled("  — read only", "italic $text-muted"))
        self.query_one("#conv-header", Static).update(Content.assemble(*parts))

    def _render_composer_label(self) -> None:
        composer = self.query_one(Composer)
        label = self.query_one("#composer-label", Label)
        if composer.mode == "update":
            composer.remove_class("note")
            label.update(Content.styled("Update to the waiting customer (they keep their place) · Ctrl+S: send · "
                                        "Esc: leave", "bold $success"))
        elif not self.mine and self.view is not None:
            composer.add_class("note")
            label.update(Content.styled("Not yours any more — your draft is kept; copy it or press Esc",
                                        "bold $error"))
        elif composer.mode == "note":
            composer.add_class("note")
            label.update(Content.styled("Internal note (the customer never sees it) · Ctrl+T: reply · Ctrl+S: save",
                                        "bold $warning"))
        else:
            composer.remove_class("note")
            label.update(Content.styled("Reply to the customer · Ctrl+T: note · Ctrl+S: send · Esc: leave", "$text-muted"))

    # ------------------------------------------------------------ live updates

    def handle_connected(self, message: "Connected") -> None:
        self._load()

    def apply_delta(self, delta: "Delta") -> None:
        if self.conversation_id in delta.conversation_ids:
            self._refresh_live()

    def agent_changed(self, agent: "AgentInfo") -> None:
        self.query_one(StatusBar).agent = agent

    @work(thread=True, exclusive=True, group="conv-live", exit_on_error=False)
    def _refresh_live(self) -> None:
        from agentdesk.errors import AgentdeskError

        desk = self.app.desk
        transcript = self.query_one(Transcript)
        if self.view is None:
            return  # the first load is still running; it brings everything
        try:
            view = desk.conversation(self.conversation_id, message_limit=0)
            new = desk.messages(self.conversation_id, after_id=transcript.last_message_id or 0)
            helper = None
            shown = self.view
            # a new customer turn, or a hold begun or ended (what {wait_bound} means changes)
            if any(m.kind == "customer" for m in new) or (shown is not None and view.status != shown.status):
                helper = self._assist(desk.conversation(self.conversation_id, message_limit=FIRST_PAGE))
        except AgentdeskError:
            return
        self.app.call_from_thread(self._apply_live, view, new, helper)

    def _apply_live(self, view: ConversationView, new: list["MessageView"], helper=None) -> None:
        was_mine = self.mine
        self.query_one(Transcript).append(new)
        self._show(view, self.claim, helper)
        if was_mine and not self.mine and view.status in (Status.ACTIVE, Status.ON_HOLD, Status.WAITING):
            self.notify(f"#{view.id} is no longer yours; your draft is kept.", severity="warning")

    # ------------------------------------------------------------ actions

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_toggle_customer(self) -> None:
        panel = self.query_one(CustomerPanel)
        panel.display = not panel.display

    def action_claim(self) -> None:
        self._run("claim")

    def action_compose(self, mode: str) -> None:
        composer = self.query_one(Composer)
        composer.mode = mode
        self._render_composer_label()
        composer.focus()

    def action_switch_mode(self) -> None:
        composer = self.query_one(Composer)
        if composer.mode == "update":
            return
        composer.mode = "note" if composer.mode == "reply" else "reply"
        self._render_composer_label()

    def action_send(self) -> None:
        composer = self.query_one(Composer)
        text = composer.text.strip()
        if not text:
            self.notify("Nothing to send yet.", timeout=2)
            return
        from agentdesk.desk import new_client_id

        mode = composer.mode
        if self._pending and self._pending[0] == mode and self._pending[1] == text:
            client_id = self._pending[2]  # retrying the same draft: same id, no duplicate
        else:
            client_id = new_client_id()
        self._pending = (mode, text, client_id)
        self._run(mode, text=text, client_id=client_id)

    def action_hold(self) -> None:
        from agentdesk.screens.modals import HoldDialog

        self.app.push_screen(HoldDialog(), lambda reason: reason and self._run("hold", reason=reason))

    def action_resume(self) -> None:
        self._run("resume")

    def action_transfer(self) -> None:
        from agentdesk.screens.modals import TransferDialog, TransferRequest

        if self.view is None:
            return

        def done(req: TransferRequest | None) -> None:
            if req is not None:
                self._run("transfer", queue_id=req.queue_id, note=req.note)

        self.app.push_screen(TransferDialog(list(self.app.queues.values()), self.view.queue_id), done)

    def action_resolve(self) -> None:
        from agentdesk.screens.modals import ResolveDialog, ResolveRequest

        def done(req: ResolveRequest | None) -> None:
            if req is not None:
                self._run("resolve", disposition=req.disposition, note=req.note)

        self.app.push_screen(ResolveDialog(), done)

    def action_reopen(self) -> None:
        self._run("reopen")

    def action_wait_update(self) -> None:
        """Put an honest, editable update for the customer into the composer: the wait
        quote for a waiting conversation, the usual hold length for one on hold."""
        v = self.view
        if v is None:
            return
        waits = self.app.waits
        composer = self.query_one(Composer)
        if v.status == Status.WAITING:
            quote = waits.quote_for(v.id) if waits is not None else None
            if quote is None:
                self.notify("No wait quote for this conversation yet; try again in a few seconds.", timeout=3)
                return
            from agentdesk.queueing import customer_update
            from agentdesk.waits import CHANNEL_NOUNS

            # the handle time is the queue's, over all its channels, named after the
            # usual one ("chats are taking about 8 minutes"): for a customer on another
            # channel (an email in a chat-heavy queue) say "requests", not "chats"
            own = CHANNEL_NOUNS.get(v.channel)
            body = customer_update(quote, noun=None if own == quote.inputs.get("noun") else "request")
            self._update_quote = quote
            composer.mode = "update"
        else:
            from agentdesk.assist import first_name
            from agentdesk.waits import hold_update

            bound = waits.hold_bound(v.queue_id) if waits is not None else None
            body = hold_update(first_name(v.customer.name), v.hold_reason, bound)
            composer.mode = "reply"
        existing = composer.text.rstrip()
        composer.load_text((existing + "\n" if existing else "") + body)
        composer.move_cursor(composer.document.end)
        composer.display = True
        self.query_one("#composer-label").display = True
        self._render_composer_label()
        composer.focus()

    def action_use_suggestion(self, index: int) -> None:
        helper = self.assist
        if helper is None or index >= len(helper.suggestions):
            self.notify("No suggestion with that number.", timeout=2)
            return
        if not self.mine:
            self.notify("Claim the conversation first (c).", timeout=2)
            return
        from agentdesk.scripts.suggestions import fill_slots

        suggestion = helper.suggestions[index]
        filled = fill_slots(suggestion.template, helper.fill_values)
        composer = self.query_one(Composer)
        composer.mode = "reply"
        self._render_composer_label()
        existing = composer.text.rstrip()
        prefix = existing + ("\n" if existing else "")
        composer.load_text(prefix + filled.text)
        doc = composer.document
        if filled.unfilled:
            start, end, _name = filled.unfilled[0]
            composer.selection = type(composer.selection)(
                doc.get_location_from_index(len(prefix) + start), doc.get_location_from_index(len(prefix) + end))
        else:
            composer.move_cursor(doc.get_location_from_index(len(prefix) + filled.cursor))
        composer.focus()
        self._record_suggestion("used", suggestion.script_id)

    def action_dismiss_suggestions(self) -> None:
        if self.assist is None or not self.assist.suggestions:
            return
        self._record_suggestion("dismissed", None)
        self.query_one(AssistPanel).show(None)

    @work(thread=True, group="assist-events", exit_on_error=False)
    def _record_suggestion(self, what: str, script_id: str | None) -> None:
        from agentdesk.assist import record_dismissed, record_shown, record_used
        from agentdesk.errors import AgentdeskError

        agent, helper = self.app.agent, self.assist
        if agent is None or helper is None:
            return
        try:
            if what == "shown":
                record_shown(self.app.desk, self.conversation_id, agent.id, helper)
            elif what == "used":
                record_used(self.app.desk, self.conversation_id, agent.id, helper, script_id or "")
            else:
                record_dismissed(self.app.desk, self.conversation_id, agent.id, helper)
        except AgentdeskError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="warning")

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        if isinstance(event.text_area, Composer):
            if self._draft_timer is not None:
                self._draft_timer.stop()
            self._draft_timer = self.set_timer(0.15, self._check_draft)

    def _check_draft(self) -> None:
        from agentdesk.scripts.draft import check_draft

        composer = self.query_one(Composer)
        hints = check_draft(composer.text) if composer.mode == "reply" else []
        self.query_one(DraftHints).show(hints)

    # ------------------------------------------------------------ doing it

    @work(thread=True, exclusive=True, group="conv-action", exit_on_error=False)
    def _run(self, verb: str, **kw: Any) -> None:
        from agentdesk.errors import AgentdeskError, StaleClaim

        desk, agent = self.app.desk, self.app.agent
        if desk is None or agent is None:
            return
        try:
            result = self._do(desk, agent.id, verb, **kw)
        except StaleClaim as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", timeout=6)
            self.app.call_from_thread(self._reload_after_loss)
            return
        except AgentdeskError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="warning", timeout=5)
            return
        self.app.call_from_thread(self._done, verb, result, kw)

    def _do(self, desk: Any, agent_id: int, verb: str, **kw: Any) -> Any:
        cid = self.conversation_id
        if verb == "claim":
            return desk.claim(agent_id, cid)
        if verb == "update":
            mid = desk.queue_update(agent_id, cid, kw["text"], client_id=kw["client_id"])
            quote = self._update_quote
            if quote is not None:
                from agentdesk.waits import record_update

                record_update(desk, agent_id, cid, quote)
            return mid
        if verb == "reopen":
            return desk.reopen(agent_id, cid)
        claim = self.claim
        if claim is None:
            from agentdesk.errors import Conflict

            raise Conflict(f"you have not claimed #{cid}; press c to claim it first")
        if verb == "reply":
            return desk.reply(claim, kw["text"], client_id=kw["client_id"])
        if verb == "note":
            return desk.note(claim, kw["text"], client_id=kw["client_id"])
        if verb == "hold":
            return desk.hold(claim, kw["reason"])
        if verb == "resume":
            return desk.resume(claim)
        if verb == "transfer":
            return desk.transfer(claim, kw["queue_id"], kw["note"])
        if verb == "resolve":
            return desk.resolve(claim, kw["disposition"], kw.get("note") or None)
        raise ValueError(verb)

    def _done(self, verb: str, result: Any, kw: dict[str, Any]) -> None:
        if verb in ("claim", "reopen"):
            self.claim = result
            self.notify(f"#{self.conversation_id} is yours.", timeout=2)
        elif verb in ("reply", "note", "update"):
            composer = self.query_one(Composer)
            if self._pending and composer.text.strip() == self._pending[1]:
                composer.clear()
            self._pending = None
            if verb == "note":
                self.notify("Note saved.", timeout=2)
            if verb == "update":
                composer.mode = "reply"
                self._update_quote = None
                self.notify("Update sent; the customer keeps their place in the queue.", timeout=3)
                self.query_one(Transcript).focus()
        elif verb == "hold":
            self.notify("On hold.", timeout=2)
        elif verb == "resume":
            self.notify("Resumed.", timeout=2)
        elif verb == "transfer":
            queue = self.app.queues.get(kw["queue_id"])
            self.notify(f"#{self.conversation_id} transferred to {queue.title if queue else 'queue'}.", timeout=3)
            self.app.pop_screen()
            return
        elif verb == "resolve":
            self.notify(f"#{self.conversation_id} resolved ({kw['disposition']}).", timeout=3)
            self.app.pop_screen()
            return
        if verb in ("claim", "reopen"):
            self._focus_composer = True
        self._refresh_live()

    def _reload_after_loss(self) -> None:
        self._refresh_live()


__all__ = ["Composer", "ConversationScreen"]
