"""What the replay and role-play screens say about a turn, as Textual ``Content``.

Pure builders (no widget state) plus :class:`DetailPane`, a scrollable pane that shows
one of them. Every piece of recorded or typed text is passed through
:func:`agentdesk.safetext.sanitize` and put into ``Content`` literally, so markup in a
customer's message is shown, never run, and control characters are shown as symbols.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from agentdesk.domain import EventKind
from agentdesk.replay.timeline import Turn, TurnKind
from agentdesk.safetext import sanitize
from agentdesk.widgets.replay_turns import fmt_offset, who
from agentdesk.widgets.transcript import highlight_spans

if TYPE_CHECKING:  # pragma: no cover
    from agentdesk.replay.scoring import Scorecard, TurnScore
    from agentdesk.sessions import PracticeTurn, SuggestionView, TurnInsight, WaitView

LEVEL_STYLES = {
    "hostile": "bold reverse $error",
    "upset": "bold $error",
    "concerned": "bold $warning",
    "calm": "bold $success",
}
EVIDENCE_STYLE = "bold underline on $error 25%"
MARKS = {"pass": ("✓", "bold $success"), "fail": ("✗", "bold $error"), "na": ("–", "$text-muted")}
SHORT = {
    "acknowledge": "feeling", "apology": "apology", "no_inflaming": "no inflaming",
    "expectation": "expectation", "plain_language": "plain words", "response_time": "time",
}


def _dur(seconds: float | None) -> str:
    from agentdesk.sessions import fmt_duration

    return fmt_duration(seconds)


def literal(text: object, style: str = "", *, single_line: bool = False) -> Content:
    """Untrusted text as inert content."""
    clean = sanitize(text, single_line=single_line)
    return Content.styled(clean, style) if style else Content(clean)


def highlighted(text: str, spans: Iterable[tuple[int, int]], style: str = EVIDENCE_STYLE) -> Content:
    """``text`` (sanitised) with the spans (offsets into the original) highlighted."""
    clean, mapped = highlight_spans(text, list(spans))
    content = Content(clean)
    for start, end in mapped:
        content = content.stylize(style, start, end)
    return content


def indented(content: Content, prefix: str = "  ") -> Content:
    lines = content.split("\n")
    return Content("\n").join(Content.assemble(Content(prefix), line) for line in lines)


def heading(text: str) -> Content:
    return Content.styled(text, "bold $accent")


def level_badge(level: str | None) -> Content:
    if not level:
        return Content.styled("unknown", "$text-muted")
    return Content.styled(f" {level.upper()} ", LEVEL_STYLES.get(level, "bold"))


def wait_line(wait: "WaitView") -> Content:
    share = f" for {wait.share:.0%} of customers" if wait.share else ""
    parts = [
        Content.styled("Wait  ", "bold"),
        Content(f"quoted about {_dur(wait.expected_s)}, at most {_dur(wait.upper_s)}{share}"),
    ]
    if wait.settled:
        verb = "waited" if wait.answered is not False else "left after"
        parts.append(Content(f" · {verb} {_dur(wait.waited_s)} · "))
        if wait.within_bound:
            parts.append(Content.styled("✓ within the bound", "bold $success"))
        else:
            parts.append(Content.styled(f"✗ {_dur(wait.waited_s - wait.upper_s)} over the bound", "bold $error"))
    else:
        parts.append(Content(f" · waiting {_dur(wait.waited_s)} so far"))
        if not wait.within_bound:
            parts.append(Content.styled(" (already over the bound)", "bold $error"))
    return Content.assemble(*parts)


def suggestion_lines(suggestions: Sequence["SuggestionView"], *, limit_text: int | None = None) -> list[Content]:
    lines: list[Content] = []
    for i, s in enumerate(suggestions, start=1):
        lines.append(Content.assemble(
            Content.styled(f" {i} ", "bold reverse $accent"),
            Content.styled(f" {sanitize(s.title, single_line=True)}", "bold"),
            Content.styled(f" · {sanitize(s.reason, single_line=True)}", "$text-muted"),
        ))
        text = sanitize(s.text, single_line=True)
        if limit_text and len(text) > limit_text:
            text = text[: limit_text - 1] + "…"
        lines.append(Content.styled(f"    {text}", "italic"))
    return lines


def score_summary(score: "TurnScore") -> Content:
    """``8/10 (80 %)  ✓ feeling ✗ expectation …`` in one line."""
    pct = "n/a" if score.percent is None else f"{score.percent:g} %"
    parts = [Content.styled(f"{score.points:g}/{score.max_points:g} ({pct})", "bold")]
    for c in score.criteria:
        mark, style = MARKS[c.verdict.value]
        parts.append(Content.styled(f"  {mark} {SHORT[c.criterion.value]}", style))
    return Content.assemble(*parts)


def criteria_lines(score: "TurnScore") -> list[Content]:
    lines = []
    for c in score.criteria:
        mark, style = MARKS[c.verdict.value]
        pts = "n/a" if c.verdict.value == "na" else f"{c.points:g}/{c.max_points:g}"
        lines.append(Content.assemble(
            Content.styled(f" {mark} ", style),
            Content.styled(f"{c.title:<26}", "bold"),
            Content.styled(f"{pts:>5}  ", "$text-muted"),
            literal(c.explanation, single_line=True),
        ))
    return lines


def recorded_suggestions(turn: Turn) -> Content | None:
    if not turn.suggestions:
        return None
    words = {EventKind.SUGGESTION_SHOWN: "shown", EventKind.SUGGESTION_USED: "used",
             EventKind.SUGGESTION_DISMISSED: "dismissed"}
    parts = []
    for e in turn.suggestions:
        script = e.data.get("script") or ", ".join(str(x) for x in e.data.get("script_ids") or ()) or "a script"
        parts.append(f"{words.get(e.kind, e.kind)} {script}")
    return Content.assemble(Content.styled("At the time  ", "bold"),
                            literal("; ".join(parts), "$text-muted", single_line=True))


def annotation_lines(turn: Turn) -> list[Content]:
    if not turn.annotations:
        return []
    lines = [heading(f"Trainer's notes ({len(turn.annotations)})")]
    for a in turn.annotations:
        by = a.data.get("by")
        lines.append(Content.assemble(
            Content.styled(" ✎ ", "bold $accent"),
            Content.styled(f"{sanitize(by, single_line=True)}: ", "bold") if by else Content(""),
            literal(a.body or ""),
        ))
    return lines


def turn_content(turn: Turn, *, total: int, insight: "TurnInsight | None" = None, analysing: bool = False,
                 wait: "WaitView | None" = None, compressed: bool = False,
                 answered_by: Turn | None = None) -> Content:
    """The detail pane for one turn: its text, and at a customer turn the tone now (with
    the evidence highlighted in the text), the suggestions the engine makes now, what
    the agent answered and how it scores, and the wait against the quote."""
    role = {TurnKind.CUSTOMER: "customer", TurnKind.AGENT: "agent", TurnKind.SYSTEM: "system",
            TurnKind.NOTE: "internal note", TurnKind.EVENT: "event"}[turn.kind]
    head = [Content.styled(f"Turn {turn.index + 1} of {total}", "bold"),
            Content.styled(f" · {fmt_offset(turn.offset_s)}", "$text-muted")]
    if compressed:
        head.append(Content.styled(f" · {_dur(turn.gap_s)} after the last turn", "$text-muted"))
    if turn.kind is not TurnKind.EVENT:
        head.append(Content.assemble(Content(" · "), Content.styled(who(turn), "bold"),
                                     Content.styled(f" ({role})", "$text-muted")))
    lines: list[Content] = [Content.assemble(*head)]
    if turn.kind is TurnKind.EVENT:
        lines.append(literal(turn.label))
    else:
        body = turn.text or ""
        spans = insight.tone.evidence if insight is not None else ()
        lines.append(highlighted(body, spans) if spans else literal(body))
    if turn.kind is TurnKind.CUSTOMER:
        lines.append(Content(""))
        if insight is None:
            lines.append(Content.styled("Analysing the turn with the tone and script engines…" if analysing
                                        else "Not analysed yet.", "italic $text-muted"))
        else:
            tone = insight.tone
            signals = ", ".join(f"{label} ({lvl})" for label, lvl in tone.signals) or "no signal"
            recorded = insight.recorded_tone or "none"
            lines.append(Content.assemble(
                Content.styled("Tone now  ", "bold"), level_badge(tone.level), Content(f"  {signals}"),
                Content.styled(f"  · recorded at the time: {recorded}", "$text-muted"),
            ))
            evidence = []
            for s, e, _tone in tone.spans:
                w = sanitize((turn.text or "")[s:e], single_line=True)
                if w and w not in evidence:
                    evidence.append(w)
            extra = list(tone.notes)
            if evidence or extra:
                because = ", ".join(f"“{w}”" for w in evidence[:6])
                lines.append(Content.styled(
                    "  because: " + "; ".join(x for x in [because, *extra] if x), "$text-muted"))
            if wait is not None:
                lines.append(wait_line(wait))
            if insight.suggestions:
                lines.append(heading("Suggestions the assistant makes now"))
                lines.extend(suggestion_lines(insight.suggestions))
            else:
                lines.append(Content.styled("No suggestion: nothing in this turn calls for a script.",
                                            "$text-muted"))
            rec = recorded_suggestions(turn)
            if rec is not None:
                lines.append(rec)
            ans = insight.answer
            if ans is not None:
                agent = sanitize(ans.agent or "the agent", single_line=True)
                lines.append(heading(f"What {agent} answered" + (
                    f", {_dur(ans.response_s)} later" if ans.response_s is not None else "")))
                lines.append(indented(literal(ans.text)))
                if ans.score is not None:
                    lines.append(Content.assemble(Content.styled("  Scorecard ", "bold"), score_summary(ans.score)))
            else:
                lines.append(Content.styled("No agent reply follows this turn in the recording.", "$text-muted"))
    elif turn.kind is TurnKind.AGENT and turn.response_s is not None and turn.answers is not None:
        lines.append(Content.styled(
            f"Answers turn {turn.answers + 1}, {_dur(turn.response_s)} after the customer wrote "
            "(or after the claim).", "$text-muted"))
    if wait is not None and turn.kind is not TurnKind.CUSTOMER and (
            turn.wait is not None or turn.event.kind == EventKind.WAIT_QUOTED):
        lines.append(wait_line(wait))
    elif wait is not None and turn.kind is TurnKind.CUSTOMER and insight is None:
        lines.append(wait_line(wait))
    lines.extend(annotation_lines(turn))
    return Content("\n").join(lines)


def practice_result(turn: "PracticeTurn", number: int, total: int, *, last: bool) -> Content:
    """After a role-play reply: the turn's scorecard, then the reference reply and the
    suggestions."""
    s = turn.score
    pct = "n/a" if s.percent is None else f"{s.percent:g} %"
    timing = "" if s.response_s is None else f" in {_dur(s.response_s)} (target {_dur(s.target_s)})"
    tone = s.tone or "unknown"
    lines = [
        Content.assemble(Content.styled(f"Turn {number} of {total} — {s.points:g} / {s.max_points:g} points ({pct})",
                                        "bold"),
                         Content.styled(f"   customer tone: {tone}", "$text-muted")),
        *criteria_lines(s),
        heading(f"Your reply{timing}"),
        indented(literal(turn.reply)),
        heading("What the agent answered"),
        indented(literal(turn.prompt.reference)),
    ]
    if turn.suggestions:
        lines.append(heading("Suggestions the assistant makes here"))
        lines.extend(suggestion_lines(turn.suggestions))
    lines.append(Content(""))
    lines.append(Content.styled("Press n for the overall scorecard." if last else "Press n for the next turn.",
                                "bold $accent"))
    return Content("\n").join(lines)


def card_content(card: "Scorecard", *, exported: str | None = None) -> Content:
    """The overall role-play scorecard."""
    pct = "n/a" if card.percent is None else f"{card.percent:g} %"
    title = sanitize(card.title or card.session_id, single_line=True)
    lines = [Content.styled(f"Role-play scorecard — {title}", "bold $accent")]
    who_ = f"Trainee: {sanitize(card.trainee, single_line=True)} · " if card.trainee else ""
    if not card.turns:
        lines.append(Content.styled(f"{who_}No turn was answered.", "$text-muted"))
    else:
        lines.append(Content.assemble(
            Content(f"{who_}{len(card.turns)} turn(s) · "),
            Content.styled(f"{card.points:g} / {card.max_points:g} points ({pct})", "bold")))
        lines.append(Content(""))
        lines.append(Content.styled(f" {'criterion':<27}{'pass':>5}{'fail':>5}{'n/a':>5}{'points':>9}", "bold"))
        from agentdesk.replay.scoring import TITLES

        for crit, row in card.summary().items():
            pts = f"{row['points']:g}/{row['max_points']:g}"
            style = "$error" if row["fail"] else ""
            lines.append(Content.styled(
                f" {TITLES[crit]:<27}{row['pass']:>5}{row['fail']:>5}{row['na']:>5}{pts:>9}", style))
        lines.append(Content(""))
        per_turn = "  ".join(f"{i}: {t.percent:g} %" if t.percent is not None else f"{i}: n/a"
                             for i, t in enumerate(card.turns, start=1))
        lines.append(Content.assemble(Content.styled("By turn  ", "bold"), Content(per_turn)))
    lines.append(Content.styled(f"Rules: {card.rules}", "$text-muted"))
    if exported:
        lines.append(Content.assemble(Content.styled("Written to ", "bold $success"), literal(exported)))
    lines.append(Content(""))
    lines.append(Content.styled("e: export the card (.md or .json) · Esc: back · Ctrl+Q: quit", "$text-muted"))
    return Content("\n").join(lines)


class DetailPane(VerticalScroll, can_focus=True):
    """A scrollable pane showing one ``Content``."""

    DEFAULT_CSS = """
    DetailPane { height: 1fr; background: $surface; padding: 0 1; border-top: hkey $panel-lighten-2; }
    DetailPane:focus { border-top: hkey $accent; }
    DetailPane > Static { width: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.content = Content("")

    def compose(self) -> ComposeResult:
        yield Static(self.content, classes="detail-body")

    def show(self, content: Content, *, keep_scroll: bool = False) -> None:
        self.content = content
        self.query_one(".detail-body", Static).update(content)
        if not keep_scroll:
            self.scroll_home(animate=False)

    @property
    def plain(self) -> str:
        """The text shown (for tests and screen readers)."""
        return self.content.plain
