"""Suggestions: ranking from signals and state, reasons, used ids, and filling."""

from __future__ import annotations

import pytest

from agentdesk.scripts.loader import default_library
from agentdesk.scripts.suggestions import ConversationState, fill, fill_slots, suggest, unfilled_slots
from agentdesk.scripts.tone import ToneContext, analyze


def run(text, state=ConversationState(), used=()):
    result = analyze(text, ToneContext(waited_s=state.waited_s, repeat_contacts=state.repeat_contacts))
    return suggest(result, state, default_library(), used_ids=used)


def test_long_wait_apologises_for_the_wait_first():
    out = run("Hi, is anyone there? I need to update my card.", ConversationState(waited_s=20 * 60))
    assert out[0].script_id == "apo.wait-honest"
    assert out[0].reason.startswith("waited 20 min: apologise for the wait")
    # how long checking with a colleague takes is the agent's estimate, not a wait quote
    assert "{time_estimate}" in out[0].text and "{wait_bound}" not in out[0].text


def test_only_a_wait_is_quoted_as_a_wait():
    # {wait_bound} is an honest quote of a wait; scripts about how long something takes
    # ("you'll see the change within …") leave the estimate to the agent
    lib = default_library()
    for script in lib:
        if "wait_bound" in script.placeholders:
            assert "long_wait" in script.situations, script.id
    assert {"cls.urgent-done", "asr.urgent-priority", "esc.specialist-warm"} <= {
        s.id for s in lib if "time_estimate" in s.placeholders}


def test_repeat_contact_takes_ownership():
    out = run("My internet is down again.", ConversationState(repeat_contacts=2))
    lib = default_library()
    owning = [s for s in out if s.step == "acknowledge" and "repeat_contact" in lib.get(s.script_id).situations]
    assert owning and owning[0].reason == "contact #3 about this: take ownership, no repeating"


def test_a_problem_that_came_back_is_not_the_customer_repeating_themselves():
    # "again" is about the problem: nothing says they told us before, so no "you
    # shouldn't have to repeat yourself"
    ids = [s.script_id for s in run("smoke alarm going off at 3am again, no smoke anywhere, how do i stop it??")]
    assert "ack.repeat-ownership" not in ids
    out = run("This is the third time I'm writing to you about the same invoice.")
    assert out[0].script_id == "ack.repeat-ownership"
    assert out[0].reason.startswith("has been in touch before (“third time I'm writing”)")


def test_a_promise_apology_waits_for_a_broken_promise():
    ids = [s.script_id for s in run("My order arrived with the box badly dented and the lens cracked.")]
    assert "apo.broken-promise" not in ids
    ids = [s.script_id for s in run("You promised me a callback yesterday and nobody called. It still doesn't work.")]
    assert "apo.broken-promise" in ids


def test_confused_gets_step_by_step():
    out = run("I don't understand which button I should press")
    assert out[0].step == "explain"
    assert "explain step by step" in out[0].reason


def test_abuse_gets_a_boundary_then_escalating_ones():
    first = run("You are a useless idiot")
    assert first[0].script_id == "bnd.language"
    again = run("You are a useless idiot", ConversationState(hostile_turns=1))
    assert again[0].script_id == "bnd.second-warning"
    third = run("You are a useless idiot", ConversationState(hostile_turns=2))
    assert third[0].script_id == "bnd.end-chat"
    assert "bnd.end-chat" not in [s.script_id for s in first]


def test_churn_gets_options():
    out = run("I want to cancel my contract and go to a competitor")
    assert out[0].step == "options"
    assert "churn risk" in out[0].reason


WORRIED_DOORBELL = ("hello, I'm worried, the doorbell updated itself last night and now it's completely "
                   "dead, and we've had break-ins on our road this month... is it broken?")


def test_a_script_for_a_particular_worry_waits_for_that_worry():
    # "Your money and your account are safe" and "Let's secure your account first"
    # answer a worry about money or an account, not a dead doorbell
    ids = [s.script_id for s in run(WORRIED_DOORBELL)]
    assert ids and not {"asr.money-safe", "asr.security-steps"} & set(ids)
    ids = [s.script_id for s in run("Someone used my card, is my money safe?")]
    assert ids[0] == "asr.money-safe"
    assert "asr.security-steps" in [s.script_id for s in run("I think my account was hacked!")] + \
        [s.script_id for s in run("I think my account was hacked!", used=("asr.money-safe",))]


def test_a_stolen_parcel_is_not_answered_with_your_money_is_safe():
    ids = [s.script_id for s in run("Caller thinks their parcel was stolen from the doorstep. Worried "
                                    "because their address is on the label.")]
    assert ids and "asr.money-safe" not in ids
    assert run("Someone stole my wallet with my card in it")[0].script_id == "asr.money-safe"


def test_churn_options_fit_what_the_customer_wants_to_leave():
    # a refund demand is not a cancellation, and only a chargeback threat gets the
    # chargeback alternative
    refund = [s.script_id for s in run("I want a refund, this is ridiculous")]
    assert not {"opt.before-cancel", "opt.pause-downgrade"} & set(refund)
    assert "opt.before-cancel" in [s.script_id for s in run("Cancel my subscription please.")]
    assert "opt.chargeback-alt" not in [s.script_id for s in run("I'll post this on Twitter")]
    assert "opt.chargeback-alt" in [s.script_id for s in run("I will call my bank for a chargeback")]


def test_a_customer_who_already_cancelled_is_not_offered_to_cancel():
    text = ("I CANCELLED. I have the email to prove it. You have taken £4.99 from my account "
            "without permission and I want it back TODAY")
    r = analyze(text)
    churn = r.signal("churn_risk")
    assert churn is not None and "already cancelled" in [e.cue for e in churn.evidence]
    assert "cancel" not in [e.cue for e in churn.evidence]
    ids = [s.script_id for s in suggest(r, library=default_library())]
    assert ids and not {"opt.before-cancel", "opt.pause-downgrade"} & set(ids)


@pytest.mark.parametrize("text", [
    "thanks so much for yesterday, the hub is working perfectly! just one more thing, how do I add a second camera?",
    "Caller grateful for the free upgrade to next-day last time. Asks whether the same can be done for order 123.",
])
def test_thanks_with_a_new_request_is_not_the_end_of_the_conversation(text):
    out = run(text)
    assert [s.step for s in out] == ["acknowledge"]
    assert out[0].script_id == "ack.light" and out[0].reason.endswith("and a new request: thank them, then help")


def test_thanks_alone_closes():
    assert run("Thank you, it works now!")[0].step == "close"


def test_checking_understanding_comes_after_an_explanation():
    text = "I don't understand which of the two apps I need"
    assert "exp.check-understanding" not in [s.script_id for s in run(text)]
    out = run(text, ConversationState(agent_replies=1))
    reasons = {s.script_id: s.reason for s in out}
    assert reasons.get("exp.check-understanding") == "still unsure after your reply: check that your explanation landed"


def test_a_replacement_is_offered_for_a_faulty_thing_not_for_a_billing_mistake():
    assert "opt.refund-or-replace" in [s.script_id for s in run("The camera arrived broken, I want my money back")]
    billing = run("I cancelled the plan back in the summer and I've still been charged 4.99 this month")
    assert billing and "opt.refund-or-replace" not in [s.script_id for s in billing]


def test_a_customer_who_has_decided_to_cancel_gets_no_more_offers():
    out = run("look, I don't want a discount, I don't want a free month, I just want it cancelled. That's all.")
    assert out[0].script_id == "opt.cancel-now"
    assert out[0].reason == "“I don't want a discount”: they have decided: cancel it, no more offers"
    assert [s for s in out[1:] if s.step == "options"] == []
    # asking to cancel without having decided still gets the options first
    assert run("Cancel my subscription please, it's too expensive")[0].script_id == "opt.before-cancel"


def test_a_cancellation_already_made_is_not_answered_with_options():
    out = run("Cancelled my plan today, lovely people, just don't need it now we've moved. Do I get to keep the clips?")
    assert [s for s in out if s.step == "options"] == []


def test_every_cue_a_script_names_is_one_the_engine_gives():
    from agentdesk.demo.corpus import load
    from agentdesk.scripts.tone import cue_labels

    known = cue_labels()
    assert {c for s in default_library() for c in s.cues} <= known
    seen = {e.cue for o in load().openers for sig in analyze(o.body).signals for e in sig.evidence}
    assert seen <= known, seen - known
    assert len(seen) > 30


def test_threat_is_acknowledged_and_escalation_offered():
    out = run("I'm going to take you to court over this")
    steps = [s.step for s in out]
    assert steps[0] == "acknowledge" and "escalate" in steps


def test_calm_gets_at_most_a_light_acknowledgement():
    out = run("Hello, I'd like to change my delivery address.")
    assert len(out) <= 1
    assert all(s.step == "acknowledge" for s in out)
    assert out and "light acknowledgement" in out[0].reason


def test_gratitude_closes():
    out = run("Thank you so much, it works now!")
    assert out[0].step == "close"


def test_top_three_with_varied_steps_and_reasons():
    out = run("This is the third time I'm asking and it still doesn't work!!",
              ConversationState(waited_s=600, repeat_contacts=1))
    assert len(out) == 3
    assert len({s.step for s in out}) == 3
    for s in out:
        assert s.reason and "\n" not in s.reason
        assert s.score > 0
    assert [s.score for s in out] == sorted((s.score for s in out), reverse=True)


def test_used_scripts_are_not_offered_again():
    state = ConversationState(waited_s=20 * 60)
    first = run("Where is my order? Nothing has arrived.", state)
    used = [s.script_id for s in first]
    second = run("Where is my order? Nothing has arrived.", state, used=used)
    assert second and not set(used) & {s.script_id for s in second}


def test_fill_puts_cursor_on_next_step():
    lib = default_library()
    text, cursor = fill(lib.get("apo.repeat-contact"), {"customer_first_name": "Ana"})
    assert text.endswith("I'm taking ownership of it now: {next_step}")
    assert text[cursor:] == "{next_step}"


def test_fill_all_values_cursor_at_end():
    lib = default_library()
    text, cursor = fill(lib.get("apo.wait-honest"), {"customer_first_name": "Ana", "time_estimate": "10 minutes"})
    assert "Ana" in text and "10 minutes" in text and "{" not in text
    assert cursor == len(text)


def test_fill_prefers_next_step_over_earlier_slots():
    f = fill_slots("Hello {customer_first_name}, next: {next_step}.", {})
    assert f.text[f.cursor:].startswith("{next_step}")
    assert [u[2] for u in f.unfilled] == ["customer_first_name", "next_step"]
    assert unfilled_slots(f.text) == list(f.unfilled)


def test_fill_values_are_flattened_to_one_line():
    text, _ = fill("Hi {customer_first_name}", {"customer_first_name": "Ana\nMaria"})
    assert text == "Hi Ana Maria"


def test_fill_empty_value_stays_a_slot():
    text, cursor = fill("Next: {next_step}. Bye {agent_name}", {"next_step": "", "agent_name": "Bo"})
    assert text == "Next: {next_step}. Bye Bo" and cursor == 6
