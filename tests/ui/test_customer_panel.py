"""The customer panel's text: long subjects and outcomes stay in their column."""

from __future__ import annotations

from agentdesk.domain import ConversationView, CustomerInfo, PastContact
from agentdesk.widgets.customer_panel import TEXT_W, customer_content

NOW = 1_795_615_200.0


def view_with(*history: PastContact) -> ConversationView:
    customer = CustomerInfo(1, "Tunde Adebayo", "tunde@example.org", None, "standard", NOW - 400 * 86400)
    return ConversationView(1, 1, "billing", "chat", "What is this charge?", "waiting", 0, NOW, NOW, None, None,
                            0, None, None, None, None, customer, (), history)


def test_a_long_subject_and_outcome_wrap_under_their_date():
    past = PastContact(7, NOW - 3 * 86400, "chat", "technical",
                       "Camera offline while I'm away and the app keeps logging me out", "resolved", "workaround")
    lines = customer_content(view_with(past), NOW).plain.splitlines()
    at = next(i for i, line in enumerate(lines) if "technical" in line)
    entry = lines[at + 1:]
    assert all(len(line) <= TEXT_W for line in entry)
    assert all(line.startswith("  ") for line in entry), "every continuation stays indented"
    assert " ".join(" ".join(entry).split()).startswith("Camera offline while I'm away and the app keeps")
    assert any(line.lstrip().startswith("→ ") for line in entry) and entry[-1].strip() == "chat"


def test_a_short_entry_keeps_outcome_and_channel_on_one_line():
    past = PastContact(8, NOW - 86400, "phone", "orders", "Add an item", "resolved", "solved")
    lines = customer_content(view_with(past), NOW).plain.splitlines()
    assert lines[-2:] == ["  Add an item", "  → Solved · phone"]
