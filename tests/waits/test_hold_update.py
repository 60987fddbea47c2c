"""The customer-facing update for a conversation on hold: honest about what is known."""

from agentdesk.waits import hold_update


def test_hold_update_with_a_bound_rounds_up():
    text = hold_update("Priya", "Checking with the payments team", 61)
    assert text == ("Thanks for holding, Priya. I'm still checking with the payments team. "
                    "I'll be back with you within 2 minutes.")


def test_hold_update_with_one_minute_is_singular():
    assert hold_update("Tom", "asking a supervisor", 45).endswith("within 1 minute.")


def test_hold_update_without_a_bound_makes_no_promise():
    text = hold_update("Tom", None, None)
    assert "minute" not in text and "as soon as I have news" in text
