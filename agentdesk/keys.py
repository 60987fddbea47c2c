"""One registry of actions and their default keys.

Key maps are data: every binding in the app is built from :data:`ACTIONS`, each with a
stable ``id`` that a user can remap in the config file (``[keys] claim_next = "ctrl+n"``);
the footer, the help screen (``?``), the command palette and the README's key table all
come from here, so they cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Action:
    id: str  # binding id (remappable)
    key: str  # default key(s), comma-separated
    action: str  # Textual action name
    description: str  # short label (footer)
    help: str  # one line for the help screen and palette
    scope: str  # "app", "queue", "conversation", "composer", "monitor", "replay"
    show: bool = True  # shown in the footer
    priority: bool = False


ACTIONS: tuple[Action, ...] = (
    # --- everywhere
    Action("help", "question_mark,f1", "help", "Help", "Show every key and what it does", "app"),
    Action("toggle_available", "f2", "toggle_available", "Avail/Away",
           "Switch between available and away (an away agent cannot claim)", "app", priority=False),
    Action("quit", "ctrl+q", "quit", "Quit", "Quit agentdesk (you are set away)", "app", priority=True),
    # --- queue screen
    Action("claim_next", "n", "claim_next", "Claim next", "Claim the next conversation in queue order", "queue"),
    Action("claim_selected", "c", "claim_selected", "Claim", "Claim the conversation under the cursor", "queue"),
    Action("open_selected", "enter", "open_selected", "Open", "Open the conversation under the cursor (read only until claimed)", "queue"),
    Action("my_conversations", "m", "my_conversations", "Mine", "Jump to one of your open conversations", "queue"),
    Action("find_conversation", "slash", "find_conversation", "Go to #", "Open a conversation by number (e.g. to reopen it)", "queue"),
    Action("cursor_top", "home,g", "cursor_top", "Top", "Move to the first waiting conversation", "queue", show=False),
    Action("cursor_bottom", "end,G", "cursor_bottom", "Bottom", "Move to the last waiting conversation", "queue", show=False),
    # --- conversation screen (transcript focused)
    Action("back", "escape", "back", "Back", "Back to the queue (or leave the composer)", "conversation"),
    Action("claim", "c", "claim", "Claim", "Claim this conversation", "conversation"),
    Action("compose_reply", "r", "compose('reply')", "Reply", "Write a reply to the customer", "conversation"),
    Action("compose_note", "i", "compose('note')", "Note", "Write an internal note (never shown to the customer)", "conversation"),
    Action("hold", "h", "hold", "Hold", "Put the conversation on hold, with a reason", "conversation"),
    Action("resume", "u", "resume", "Resume", "Resume a conversation on hold", "conversation"),
    Action("transfer", "t", "transfer", "Transfer", "Transfer to another queue with a hand-off note", "conversation"),
    Action("resolve", "d", "resolve", "Resolve", "Resolve with a disposition", "conversation"),
    Action("reopen", "o", "reopen", "Reopen", "Reopen a resolved conversation and take it", "conversation"),
    Action("wait_update", "w", "wait_update", "Wait update",
           "Insert an honest wait-time update for the customer (waiting or on hold) into the composer",
           "conversation"),
    Action("use_suggestion_1", "1", "use_suggestion(0)", "Use 1", "Insert suggested script 1 into the composer (placeholders filled)", "conversation"),
    Action("use_suggestion_2", "2", "use_suggestion(1)", "Use 2", "Insert suggested script 2 into the composer", "conversation", show=False),
    Action("use_suggestion_3", "3", "use_suggestion(2)", "Use 3", "Insert suggested script 3 into the composer", "conversation", show=False),
    Action("dismiss_suggestions", "x", "dismiss_suggestions", "Dismiss", "Dismiss the suggestions for this customer turn", "conversation", show=False),
    Action("toggle_customer", "p", "toggle_customer", "Customer", "Show or hide the customer panel", "conversation"),
    # --- composer focused
    Action("send", "ctrl+s", "send", "Send", "Send the reply (or save the note)", "composer", priority=True),
    Action("switch_mode", "ctrl+t", "switch_mode", "Reply/Note", "Switch the composer between reply and internal note", "composer", priority=True),
    Action("leave_composer", "escape", "leave_composer", "Done typing", "Leave the composer (the draft is kept)", "composer", priority=True),
    # Function keys, not Alt+digit: terminals send Alt+1 as Esc 1, which Textual reads as
    # the character macOS types for Option+1 ("¡"); F5–F7 arrive intact, SSH included.
    Action("use_suggestion_1_typing", "f5", "use_suggestion(0)", "Use 1",
           "Insert suggested script 1 without leaving the composer (Esc then 1 does the same)", "composer",
           priority=True),
    Action("use_suggestion_2_typing", "f6", "use_suggestion(1)", "Use 2",
           "Insert suggested script 2 without leaving the composer", "composer", show=False, priority=True),
    Action("use_suggestion_3_typing", "f7", "use_suggestion(2)", "Use 3",
           "Insert suggested script 3 without leaving the composer", "composer", show=False, priority=True),
    # --- replay (agentdesk replay): session list, playback, role-play
    Action("pick_replay", "enter", "open_replay", "Replay", "Replay the session under the cursor", "replay_pick"),
    Action("pick_practice", "p", "open_practice", "Role-play", "Practise the session under the cursor: you answer, you are scored", "replay_pick"),
    Action("pick_close", "escape", "close", "Quit", "Leave replay", "replay_pick", show=False),
    Action("replay_play", "space", "toggle_play", "Play", "Play with the recorded timing × speed, or pause", "replay"),
    Action("replay_step_forward", "right,l", "step_forward", "Step", "Show the next turn", "replay"),
    Action("replay_step_back", "left,h", "step_back", "Back", "Step back: hide the last turn shown", "replay"),
    Action("replay_next_customer", "n", "next_customer", "Next cust", "Jump to the next customer turn", "replay"),
    Action("replay_annotate", "a", "annotate", "Annotate", "Write a trainer's note on the selected turn (saved with the session)", "replay"),
    Action("replay_faster", "plus,equals_sign", "faster", "Faster", "Play faster (0.5×, 1×, 2×, 4×, 8×, 16×)", "replay"),
    Action("replay_slower", "minus", "slower", "Slower", "Play slower", "replay", show=False),
    Action("replay_prev_customer", "N", "previous_customer", "Prev cust", "Jump back to the previous customer turn", "replay", show=False),
    Action("replay_first", "home", "first_turn", "First", "Back to the first turn", "replay", show=False),
    Action("replay_last", "end", "last_turn", "Last", "Show every turn to the end", "replay", show=False),
    Action("replay_roleplay", "r", "roleplay", "Role-play", "Practise this session: answer the customer yourself and be scored", "replay", show=False),
    Action("replay_switch_pane", "tab", "switch_pane", "Pane", "Switch between the turn list and the detail pane (then ↑/↓ and PgUp/PgDn scroll it)", "replay", show=False),
    Action("replay_back", "escape", "back", "Leave", "Back to the session list (or leave replay)", "replay", show=False),
    Action("practice_submit", "ctrl+s", "submit", "Submit", "Submit your reply; it is scored at once", "practice", priority=True),
    Action("practice_next", "n,enter", "next_turn", "Next turn", "Go on to the next customer turn (after your score)", "practice"),
    Action("practice_reply", "r", "reply", "Reply", "Back to your reply (focus the composer)", "practice", show=False),
    Action("practice_finish", "ctrl+f", "finish", "Finish", "End the role-play now and show the overall scorecard", "practice", priority=True),
    Action("practice_export", "e", "export_card", "Export", "Write the scorecard to a file (.md or .json)", "practice"),
    Action("practice_leave", "escape", "leave", "Leave", "Leave the composer (your draft is kept); on the final scorecard, go back", "practice", show=False, priority=True),
    # --- supervisor monitor (agentdesk monitor): read-only, nothing here changes anything
    Action("monitor_help", "question_mark,f1", "help", "Help", "Show every monitor key and what it does", "monitor_app"),
    Action("monitor_quit", "ctrl+q", "quit", "Quit", "Quit the monitor (it never changes anything)", "monitor_app", priority=True),
    Action("monitor_open", "enter", "open_selected", "Open", "Open what is under the cursor: a queue's waiting list, an agent's conversation, an escalation's transcript", "monitor"),
    Action("monitor_next_pane", "tab", "next_pane", "Pane", "Move between the queues, agents and escalations", "monitor", show=False),
    Action("monitor_find", "slash", "find_conversation", "Go to #", "Watch any conversation by number (read-only)", "monitor"),
    Action("monitor_chart_queue", "v", "chart_queue", "Chart", "Chart another queue (all queues, then each in turn)", "monitor"),
    Action("monitor_chart_span", "z", "chart_span", "Span", "Chart the last 1, 4 or 8 hours", "monitor"),
    Action("monitor_alerts", "a", "alerts", "Alerts", "List the alerts raised since the monitor started", "monitor"),
    Action("monitor_queue_open", "enter", "open_selected", "Watch", "Watch the conversation under the cursor (read-only)", "monitor_queue"),
    Action("monitor_queue_back", "escape", "back", "Back", "Back to the wallboard", "monitor_queue"),
    Action("monitor_queue_top", "home,g", "cursor_top", "Top", "Move to the first waiting conversation", "monitor_queue", show=False),
    Action("monitor_queue_bottom", "end,G", "cursor_bottom", "Bottom", "Move to the last waiting conversation", "monitor_queue", show=False),
    Action("monitor_conv_back", "escape", "back", "Back", "Back to where you came from", "monitor_conversation"),
    Action("monitor_conv_latest", "end", "latest", "Latest", "Jump to the latest message (new ones keep scrolling in)", "monitor_conversation"),
)

SCOPE_TITLES = {
    "app": "Everywhere",
    "queue": "Queue",
    "conversation": "Conversation",
    "composer": "Composer (while typing)",
    "monitor": "Monitor",
    "replay": "Replay",
    "replay_pick": "Replay: session list",
    "practice": "Role-play practice",
}


def actions_for(scope: str) -> list[Action]:
    return [a for a in ACTIONS if a.scope == scope]


def bindings_for(scope: str) -> list:
    """Textual ``Binding`` objects for a scope (imported lazily: keeps this module pure)."""
    from textual.binding import Binding

    return [
        Binding(a.key, a.action, a.description, show=a.show, id=a.id, tooltip=a.help, priority=a.priority)
        for a in actions_for(scope)
    ]


def register(*actions: Action) -> None:
    """Add actions for another screen (monitor, replay) to the registry."""
    global ACTIONS
    known = {(a.scope, a.id) for a in ACTIONS}
    ACTIONS = ACTIONS + tuple(a for a in actions if (a.scope, a.id) not in known)


def display_key(key: str) -> str:
    """The first key of a binding, as a person would write it."""
    first = key.split(",")[0]
    names = {"question_mark": "?", "slash": "/", "escape": "Esc", "enter": "Enter", "home": "Home",
             "end": "End", "pageup": "PgUp", "pagedown": "PgDn", "tab": "Tab", "plus": "+", "minus": "-",
             "equals_sign": "=", "left": "←", "right": "→", "space": "Space"}
    if first in names:
        return names[first]
    parts = first.split("+")
    return "+".join(p.capitalize() if len(p) > 1 else p for p in parts)


def validate_keymap(keymap: dict[str, str]) -> None:
    """Refuse unknown action ids in a user's key map (a typo would silently do nothing)."""
    from agentdesk.errors import ConfigError

    ids = {a.id for a in ACTIONS}
    for action_id in keymap:
        if action_id not in ids:
            raise ConfigError(
                f"[keys] {action_id!r} is not an action id; known ids: {', '.join(sorted(ids))}"
            )


def markdown_table() -> str:
    """The README's key table (a test keeps the README equal to this)."""
    where = {"app": "everywhere"}
    rows = ["| action id | key | where | what |", "| --- | --- | --- | --- |"]
    for a in ACTIONS:
        keys = ", ".join(f"`{display_key(k)}`" for k in a.key.split(","))
        rows.append(f"| `{a.id}` | {keys} | {where.get(a.scope, a.scope)} | {a.help} |")
    return "\n".join(rows)
