"""The fictional company behind the demo: what it sells, its queues, and the problems
customers bring to each queue.

Kestrel Home sells smart-home devices (cameras, doorbells, a thermostat, a hub …) and
two subscriptions, in the UK (pounds) and the US (dollars). Every text here is original
writing for agentdesk; ``{name}`` fields are filled by :mod:`agentdesk.demo.generate`.

Each *issue* ties one customer problem to everything a believable conversation about
it needs: past-contact subjects, the dispositions it usually ends with (weights), the
agent's clarifying question and the customer's answers, a diagnosis, a resolution line
per disposition, the internal note an agent leaves, and, for some, the hand-off to
another queue.
"""

from __future__ import annotations

COMPANY = "Kestrel Home"
SOCIAL_HANDLE = "@KestrelHelp"

# key: (name, price in GBP, price in USD)
PRODUCTS: dict[str, tuple[str, float, float]] = {
    "cam_in": ("Kestrel Cam Indoor", 49.99, 59.99),
    "cam_out": ("Kestrel Cam Outdoor", 99.99, 119.99),
    "flood": ("Kestrel Floodlight Cam", 179.00, 199.00),
    "bell2": ("Kestrel Doorbell 2", 89.99, 99.99),
    "bellpro": ("Kestrel Doorbell Pro", 149.99, 169.99),
    "hub": ("Kestrel Hub", 69.99, 79.99),
    "thermo": ("Kestrel Thermostat", 129.00, 149.00),
    "mesh": ("Kestrel Mesh Router 3-pack", 219.00, 249.00),
    "plug": ("Kestrel Smart Plug 4-pack", 39.99, 44.99),
    "speaker": ("Kestrel Speaker Mini", 34.99, 39.99),
    "smoke": ("Kestrel Smoke Alarm", 59.99, 64.99),
    "lock": ("Kestrel Smart Lock", 199.00, 229.00),
}

# (name, price in GBP, price in USD) — monthly unless the name says otherwise
PLANS: tuple[tuple[str, float, float], ...] = (
    ("Kestrel Plus", 4.99, 5.99),
    ("Kestrel Plus Annual", 49.99, 59.99),
    ("Kestrel Protect", 7.99, 8.99),
)

COURIERS: tuple[str, ...] = ("Parcelwise", "Swiftline", "Northgate Express")

ERROR_CODES: tuple[str, ...] = ("E-104", "E-215", "E-311", "E-402", "E-517", "E-630")

# name, title, how agents name the team to a customer, service-level target (s),
# service-level goal, skills, share of traffic, channel mix (chat, email, phone, social)
QUEUES: tuple[dict, ...] = (
    dict(
        name="billing",
        title="Billing & payments",
        team="billing",
        sl_target_s=60,
        sl_goal=0.80,
        skills=("billing", "payments"),
        weight=0.28,
        channels=dict(chat=0.45, email=0.30, phone=0.20, social=0.05),
    ),
    dict(
        name="technical",
        title="Technical support",
        team="technical support",
        sl_target_s=120,
        sl_goal=0.80,
        skills=("devices", "networking"),
        weight=0.34,
        channels=dict(chat=0.45, email=0.15, phone=0.30, social=0.10),
    ),
    dict(
        name="orders",
        title="Orders & delivery",
        team="orders",
        sl_target_s=60,
        sl_goal=0.80,
        skills=("orders", "delivery"),
        weight=0.26,
        channels=dict(chat=0.40, email=0.25, phone=0.15, social=0.20),
    ),
    dict(
        name="accounts",
        title="Accounts & cancellations",
        team="accounts",
        sl_target_s=90,
        sl_goal=0.85,
        skills=("accounts", "retention", "privacy"),
        weight=0.12,
        channels=dict(chat=0.40, email=0.30, phone=0.20, social=0.10),
    ),
)

_CAMS = ("cam_in", "cam_out", "flood", "bell2", "bellpro")

ISSUES: tuple[dict, ...] = (
    # ------------------------------------------------------------------ billing
    dict(
        key="double_charge",
        queue="billing",
        label="Charged twice",
        amount="plan",
        products=(),
        subjects=(
            "Duplicate subscription payment",
            "Charged twice for {plan}",
            "Two payments taken on {date}",
        ),
        dispositions=dict(refund=6, solved=2, info_provided=2),
        clarify=(
            "Could you tell me the last four digits of the card that was charged, and roughly when the two payments went out?",
            "Are both payments showing as completed, or is one of them still marked as pending on your statement?",
        ),
        answers=(
            "card ending {last4}, both went out on {date}",
            "One says pending and one has gone through I think. It's the card ending {last4}.",
        ),
        diagnosis=(
            "I can see both payment attempts from {date} — the renewal was retried after a timeout at your bank, which is why there are two.",
        ),
        resolutions=dict(
            refund="I've refunded the duplicate payment of {amount} to the card ending {last4}. Your reference is {ref}. Banks usually show it within 3–5 working days, sometimes sooner.",
            info_provided="The second payment is only a pending authorisation, not a charge: it was never taken, so your bank will release it on its own, normally within 5 working days. If it's still there after that, reply here with reference {ref} and I'll chase it.",
            solved="Only one of the two payments actually went through; I've voided the other on our side, so it will drop off your statement. Nothing else for you to do.",
        ),
        note="Two payment attempts for the {date} renewal in the gateway (retry after a bank timeout).",
        handoff=None,
    ),
    dict(
        key="refund_missing",
        queue="billing",
        label="Refund not received",
        amount="product",
        products=(),
        subjects=(
            "Refund not showing for order {order}",
            "Where is my refund?",
            "Chasing refund promised on {date}",
        ),
        dispositions=dict(info_provided=4, escalated=2, refund=2, follow_up=2),
        clarify=(
            "Could you confirm the order number, and whether the refund was for a return or for a cancelled order?",
            "Do you happen to have the date the return was collected or dropped off?",
        ),
        answers=(
            "order {order}, it was a return. dropped it at the post office on {date}",
            "It was a cancelled order, {order}. I was told the money would be back within a week and that was on {date}.",
        ),
        diagnosis=(
            "Thanks — I've got the order up with its full refund history, so I can tell you exactly where things stand.",
        ),
        resolutions=dict(
            refund="The refund was held back by an inspection check that should have cleared on its own and didn't. I've released the {amount} now. It goes back to the original payment method and normally appears within 3–5 working days. Quote {ref} if your bank asks.",
            info_provided="The refund of {amount} was sent on {date}, reference {ref}. Some banks take up to 10 working days to show it; if it hasn't appeared by then, your bank can trace it with that reference.",
            escalated="I've passed this to our payments team with everything you've told me, reference {ref}. They'll email you within 2 working days, and you won't need to explain it again.",
            follow_up="The warehouse hasn't scanned your return in yet. I've set myself a reminder to check again on {eta} and I'll message you either way.",
        ),
        note="Refund for {order} checked against the warehouse log and the payment gateway.",
        handoff=None,
    ),
    dict(
        key="unexpected_charge",
        queue="billing",
        label="Charge not recognised",
        amount="plan",
        products=(),
        subjects=(
            "Price increase on {plan}",
            "Don't recognise a charge of {amount2}",
            "Why has my bill gone up?",
        ),
        dispositions=dict(info_provided=5, refund=2, solved=2),
        clarify=(
            "Could you tell me the amount and the date of the charge, and the email address on the account if it's different from this one?",
            "Is this on your {plan} subscription, or a separate payment?",
        ),
        answers=(
            "{amount2} on {date}. same email as this one",
            "I think it's the {plan} one? I thought it was {amount} a month",
        ),
        diagnosis=(
            "I've found it. The charge of {amount2} is your {plan} renewal: the price changed at your renewal date, and the notice went to your email a month beforehand — it may well have landed in a spam folder.",
        ),
        resolutions=dict(
            info_provided="So the charge itself is correct, but I understand it came as a surprise. You can switch plans or cancel at any time from Account › Subscription, with no fee.",
            refund="As you didn't get the chance to decide before it renewed, I've refunded this month's renewal in full as a goodwill gesture — reference {ref}. Your plan carries on unless you choose to change it.",
            solved="I've moved you back to the monthly plan at {amount}, starting today. You'll see the adjustment on your next bill.",
        ),
        note="Customer unaware of the price change at renewal; notice email was sent but probably filtered. Explained and offered a plan change.",
        handoff=(
            "accounts",
            "Customer doesn't recognise the {plan} charges and thinks someone else may be using the account. Billing side explained; please check the account's logins and linked devices with them.",
            "solved",
        ),
    ),
    dict(
        key="payment_failed",
        queue="billing",
        label="Payment failed",
        amount="plan",
        products=(),
        subjects=(
            "Card declined on renewal",
            "Can't update payment details",
            "Payment failed warning",
        ),
        dispositions=dict(solved=6, workaround=2, info_provided=2),
        clarify=(
            "When you try to update the card, do you see an error message? If so, what does it say?",
            "Is the card that failed still valid, or has it expired or been replaced by your bank?",
        ),
        answers=(
            "it says 'payment method could not be verified' and then nothing happens",
            "My bank sent me a new card last month, the old one ending {last4} was cancelled.",
        ),
        diagnosis=(
            "I can see the failed renewal and the attempts to add a card since. The renewal tried the card ending {last4}, which your bank no longer accepts, and the new card is being turned down because the billing postcode on the account doesn't match it.",
        ),
        resolutions=dict(
            solved="I've cleared the failed attempt and your service carries on without interruption. Now the new card is saved, the payment will be retried automatically within 24 hours.",
            workaround="While we look into the form error, you can add the card from the app (Account › Payment) instead of the website — that route works. Your service won't be paused in the meantime.",
            info_provided="Nothing is lost: your plan stays active for a 14-day grace period while you update the card, and your cameras keep recording throughout.",
        ),
        note="Renewal failed on card ending {last4}; a postcode mismatch was blocking the new card.",
        handoff=None,
    ),
    dict(
        key="invoice_request",
        queue="billing",
        label="Invoice or receipt",
        amount="product",
        products=(),
        subjects=(
            "VAT invoice request",
            "Receipt needed for {order}",
            "Company name on invoice",
        ),
        dispositions=dict(solved=7, info_provided=3),
        clarify=(
            "Which order or payment do you need the invoice for, and should it show a company name or a VAT number?",
        ),
        answers=(
            "order {order} please, company name is on the account",
            "It's for the {plan} payments since January, and yes, it needs our VAT number on it.",
        ),
        diagnosis=(
            "Thanks — I've got the order up. Invoices with a company name are produced separately, which is why the standard receipt didn't include it.",
        ),
        resolutions=dict(
            solved="I've emailed the invoice for {order} to the address on your account, showing the company details you gave me. There's a copy under Account › Orders as well.",
            info_provided="You can download an invoice for any payment from Account › Billing › Invoices; there's a field there to add a company name and VAT number before you download it.",
        ),
        note="Invoice with company details requested for {order}.",
        handoff=None,
    ),
    dict(
        key="charged_after_cancel",
        queue="billing",
        label="Charged after cancelling",
        amount="plan",
        products=(),
        subjects=(
            "Charged after I cancelled",
            "{plan} renewed despite cancellation",
            "Refund for unwanted renewal",
        ),
        dispositions=dict(refund=7, info_provided=2, escalated=1),
        clarify=(
            "Do you remember roughly when you cancelled, and whether you did it in the app or on the website?",
            "Did you receive a cancellation confirmation email at the time?",
        ),
        answers=(
            "in the app around {date}. i never got an email though",
            "I cancelled on the website and got a confirmation, I can forward it if that helps.",
        ),
        diagnosis=(
            "I've found your cancellation request from {date} and the renewal that followed it, so I can see exactly what happened.",
        ),
        resolutions=dict(
            refund="The last confirmation step of the cancellation didn't go through — a known problem with an older version of the app — so the plan renewed. I've completed the cancellation and refunded the {amount} renewal, reference {ref}; a confirmation email is on its way.",
            info_provided="Your cancellation did go through, and this charge covers the final month you'd already started — the plan ends on {eta} and there will be no further payments.",
            escalated="A refund of this size needs approval from our billing specialists, so I've sent it over with all the details, reference {ref}. They'll reply within 2 working days.",
        ),
        note="Checked the cancellation request from {date} against the renewal that followed.",
        handoff=(
            "accounts",
            "Customer cancelled {plan} on {date} but the cancellation never completed (old app version). Renewal refund agreed on billing side; please finish the cancellation and confirm by email.",
            "solved",
        ),
    ),
    # ---------------------------------------------------------------- technical
    dict(
        key="camera_offline",
        queue="technical",
        label="Camera offline",
        amount="product",
        products=_CAMS,
        subjects=(
            "{product} keeps going offline",
            "Camera won't reconnect to wifi",
            "No live view from {product}",
        ),
        dispositions=dict(solved=4, workaround=3, replacement=2, escalated=1),
        clarify=(
            "What does the light on the front of the {product} do at the moment — solid blue, flashing, or off?",
            "Roughly how far is the {product} from your router, and has anything changed with your wifi recently, like a new router or password?",
        ),
        answers=(
            "flashing orange. it's about 10 metres from the router, through two walls",
            "We got a new router from our broadband company last week, now you mention it. Same network name though.",
        ),
        diagnosis=(
            "Thanks, that narrows it down. The {product} has lost its connection to your wifi and isn't managing to rejoin on its own — usually a weak signal or a change on the router side, like a new password or a 5 GHz-only band.",
        ),
        resolutions=dict(
            solved="Reconnecting it through the app (Device › Settings › Wi-Fi) has done it — I can see the {product} online and streaming from here.",
            workaround="For now, turning on the 2.4 GHz band on your router keeps the {product} connected. Our engineers are adding proper 5 GHz support in a future update.",
            replacement="From what you've described and the device's own logs, the unit itself is faulty. It's under warranty, so I've arranged a replacement {product}, reference {ref}.",
            escalated="I've passed the device logs to our engineering team with reference {ref}. They'll be in touch within 2 working days, and you won't need to repeat any of the steps we've tried.",
        ),
        note="{product} offline; went through signal strength and router settings with the customer.",
        handoff=(
            "orders",
            "{product} drops offline even next to the router after a factory reset and re-join — unit faulty, in warranty. Customer agreed to a replacement; please arrange dispatch. Order {order}.",
            "replacement",
        ),
    ),
    dict(
        key="app_login",
        queue="technical",
        label="Can't log in to the app",
        amount="plan",
        products=(),
        subjects=(
            "Can't log in to the Kestrel app",
            "Verification code never arrives",
            "App logs me out constantly",
        ),
        dispositions=dict(solved=7, workaround=2, escalated=1),
        clarify=(
            "Are you getting an error message when you log in, or does the verification code simply not arrive?",
            "Which phone are you using, and have you updated the app in the last few days?",
        ),
        answers=(
            "the code never comes. ive tried like 5 times",
            "It's an Android phone, a Pixel. I updated the app yesterday and that's when it started.",
        ),
        diagnosis=(
            "Thanks — I can see the failed attempts, and the verification codes have been going to an old mobile number on the account, which is why they never reach you.",
        ),
        resolutions=dict(
            solved="I've updated the mobile number and sent a fresh code — you should be able to log in now. All the devices you'd set up are still there.",
            workaround="Until the code problem is fixed, choose 'email me a code instead' on the login screen; that route is working normally.",
            escalated="Your account needs a manual identity check before I can change the login details, so I've passed it to our security team, reference {ref}. They'll email you today.",
        ),
        note="Verification codes were going to an old mobile number on the account.",
        handoff=None,
    ),
    dict(
        key="hub_setup",
        queue="technical",
        label="Setup or pairing problem",
        amount="product",
        products=("hub", "plug", "smoke", "lock", "mesh", "speaker"),
        subjects=(
            "{product} setup fails",
            "Can't pair {product} with the hub",
            "Stuck on 'searching for devices'",
        ),
        dispositions=dict(solved=5, workaround=2, replacement=1, follow_up=2),
        clarify=(
            "Which step of the setup does it stop at, and do you see a message on the screen?",
            "Is your phone connected to the same wifi network the {product} is going on?",
        ),
        answers=(
            "it gets to 'searching for devices' and just spins forever",
            "Yes same wifi. It says 'device not found' after about a minute",
        ),
        diagnosis=(
            "That usually means the {product} has left pairing mode — it only stays discoverable for two minutes after it powers on — or the phone is on a guest network that hides devices from each other.",
        ),
        resolutions=dict(
            solved="There it is — the {product} is paired and showing online. Nice work getting through all that.",
            workaround="If it happens again, add it with the QR code on the back (Add device › Scan code); that skips the search step completely.",
            replacement="As the {product} never shows up even after a reset, I'm treating it as faulty and sending a replacement, reference {ref}.",
            follow_up="Let's try again once you're home with the {product} next to the hub. I've booked a callback for {eta}; if it works before then, just reply here and I'll cancel it.",
        ),
        note="{product} pairing: discoverable window expired or phone on a guest network.",
        handoff=None,
    ),
    dict(
        key="firmware_update",
        queue="technical",
        label="Problem after an update",
        amount="product",
        products=("bell2", "bellpro", "thermo", "hub", "mesh", "cam_out"),
        subjects=(
            "{product} stuck updating",
            "Problems since the latest update",
            "Update failed with error {code}",
        ),
        dispositions=dict(workaround=4, escalated=3, solved=2, follow_up=1),
        clarify=(
            "What version number does the app show for the {product} under Device › About, and when did the problem start?",
            "Is the {product} showing an error code anywhere?",
        ),
        answers=(
            "It shows version 4.2.1 and it started the morning after the update",
            "error {code} in the app, the light is just solid white",
        ),
        diagnosis=(
            "Thanks. The latest version has a known fault on some {product} units when the update is interrupted partway through, which leaves it in the state you're seeing. It isn't anything you did.",
        ),
        resolutions=dict(
            workaround="Holding the reset button for 20 seconds rolls it back to the previous version, which is stable. It won't update again until the fixed version is out.",
            escalated="I've added your {product} to the engineering ticket for this fault, reference {ref}, with its logs attached. You'll get an email as soon as the fix is released.",
            solved="The update has now completed properly and the {product} is back online — I can see it reporting normally.",
            follow_up="The fixed update is due in the next few days. I'll check your {product} on {eta} and message you to confirm it's installed.",
        ),
        note="{product} update interrupted, error {code}. Known issue with the latest version.",
        handoff=None,
    ),
    dict(
        key="thermostat",
        queue="technical",
        label="Heating or schedule problem",
        amount="product",
        products=("thermo",),
        subjects=(
            "Heating not following schedule",
            "Thermostat shows wrong temperature",
            "Boiler won't come on with thermostat",
        ),
        dispositions=dict(solved=5, info_provided=2, workaround=2, follow_up=1),
        clarify=(
            "Is the schedule being ignored completely, or is it coming on at the wrong times — an hour early or late, for example?",
            "Does the thermostat show 'Eco' or 'Away' at the top of the screen?",
        ),
        answers=(
            "exactly an hour late every morning. since the clocks changed",
            "It comes on late, and sometimes the screen says Away even though we're definitely home!",
        ),
        diagnosis=(
            "Thanks — I've pulled up the thermostat's log, and I can see where the schedule and what actually happened part ways.",
        ),
        resolutions=dict(
            solved="The time zone setting was left behind when the clocks changed, so everything ran an hour out. I've corrected it, and it should come on at the right time tomorrow morning.",
            info_provided="It's the automatic Away mode: if location access is off on one phone, the thermostat thinks the house is empty. You can switch Away off under Thermostat › Presence, or give the app location access on each phone.",
            workaround="Until the fix reaches your thermostat, switching the schedule off and on again under Thermostat › Schedule makes it pick up the right times.",
            follow_up="Let's see how it behaves overnight. I'll check the thermostat's log on {eta} and get back to you.",
        ),
        note="Thermostat log checked: scheduled times against actual heating times.",
        handoff=None,
    ),
    dict(
        key="doorbell_battery",
        queue="technical",
        label="Battery drains quickly",
        amount="product",
        products=("bell2", "bellpro", "cam_out"),
        subjects=(
            "{product} battery drains in days",
            "Battery not charging",
            "Battery life much worse than advertised",
        ),
        dispositions=dict(info_provided=3, workaround=3, replacement=3, solved=1),
        clarify=(
            "How many days does a full charge last now, and roughly how many motion alerts do you get a day?",
            "Is the {product} facing a road or a path with lots of people or cars passing?",
        ),
        answers=(
            "about 4 days. we get loads of alerts, the bins and the bus go past",
            "It faces the street, yes. A full charge lasts under a week.",
        ),
        diagnosis=(
            "Thanks. Battery life depends mostly on how often the {product} wakes up, so I've checked its event log and the battery's health.",
        ),
        resolutions=dict(
            info_provided="The battery itself is healthy; it's the motion alerts that drain it, and a busy street can mean hundreds a day. Drawing a motion zone that leaves out the pavement, and turning sensitivity down to medium, usually brings a charge back up to a few weeks.",
            workaround="Switching the {product} to scheduled alerts overnight, or wiring it to your existing doorbell transformer, will stop the battery running down.",
            replacement="The logs show the battery losing charge even with no alerts at all, which means it's faulty. I've arranged a replacement {product}, reference {ref}.",
            solved="Your {product} was stuck retrying a failed upload every few minutes; I've cleared that, and the drain should stop straight away.",
        ),
        note="{product} battery drain: event log and battery health checked.",
        handoff=None,
    ),
    dict(
        key="device_fault",
        queue="technical",
        label="Device faulty or not responding",
        amount="product",
        products=("lock", "smoke", "speaker", "plug"),
        subjects=(
            "{product} not responding",
            "{product} keeps beeping",
            "{product} stopped working",
        ),
        dispositions=dict(replacement=4, solved=3, info_provided=1, escalated=1, workaround=1),
        clarify=(
            "When did the {product} stop working, and did anything happen just before — a power cut, a battery change, anything like that?",
            "Does the {product} show any lights at all when you press its button?",
        ),
        answers=(
            "We had a power cut on {date}, and it's been acting strangely ever since.",
            "it just died yesterday, no lights at all",
        ),
        diagnosis=(
            "Thanks, that helps. A power cut or a flat backup battery can leave the {product} stuck in a start-up loop; it needs a proper reset rather than a restart.",
        ),
        resolutions=dict(
            replacement="As it won't respond even after a reset, the {product} is faulty. It's under warranty, so I've sent a replacement, reference {ref}, with a free return label for the old one.",
            solved="That's done it — the reset has cleared the fault and the {product} is back online.",
            info_provided="The {product} is in its recovery mode. Unplugging it, or taking the battery out, for a full minute clears it — the light should go white and then green.",
            escalated="I'd like our product specialists to look at this properly, so I've sent it to them with the details, reference {ref}. They'll contact you within 2 working days.",
            workaround="For now, a full power reset brings the {product} back whenever it drops out; the permanent fix is in the next update.",
        ),
        note="{product} unresponsive; went through the reset steps with the customer.",
        handoff=(
            "orders",
            "{product} completely dead after a full reset, no lights; in warranty. Replacement agreed with the customer — please arrange dispatch and a return label. Order {order}.",
            "replacement",
        ),
    ),
    # ------------------------------------------------------------------- orders
    dict(
        key="late_delivery",
        queue="orders",
        label="Late delivery",
        amount="product",
        products=(),
        subjects=(
            "Order {order} not delivered yet",
            "Where is my {product}?",
            "Delivery date missed",
        ),
        dispositions=dict(info_provided=5, follow_up=2, escalated=2, solved=1),
        clarify=(
            "Could you confirm the order number and the delivery postcode or ZIP, so I can check the tracking?",
            "Has the tracking page shown any update since it was dispatched?",
        ),
        answers=(
            "{order}, it was meant to come on {date}",
            "The order is {order}. Tracking hasn't changed in days.",
        ),
        diagnosis=(
            "I've checked with {courier}: your parcel was held up at their depot after a sorting delay.",
        ),
        resolutions=dict(
            info_provided="It's moving again, out for delivery and due on {eta}. I've emailed you the live tracking link so you can follow it.",
            follow_up="I've asked {courier} for an update and set a reminder to check back on {eta}. If it hasn't reached you by then, I'll send a replacement at no cost.",
            escalated="I've opened an investigation with {courier}, reference {ref}. They take up to 2 working days to reply, and I'll let you know the outcome either way.",
            solved="I've upgraded the delivery to next-day at no charge, so it will arrive on {eta}.",
        ),
        note="Parcel held up at the {courier} depot after a sorting delay.",
        handoff=None,
    ),
    dict(
        key="damaged_item",
        queue="orders",
        label="Arrived damaged",
        amount="product",
        products=(),
        subjects=(
            "{product} arrived damaged",
            "Broken item in order {order}",
            "Cracked {product}",
        ),
        dispositions=dict(replacement=6, refund=3, escalated=1),
        clarify=(
            "I'm sorry it arrived like that. Could you send a photo of the damage, and of the outer box if you still have it?",
            "Is it only the packaging that's damaged, or the {product} itself?",
        ),
        answers=(
            "sent two photos just now. box was crushed on one corner",
            "The {product} itself — the casing is cracked right across the front.",
        ),
        diagnosis=(
            "Thanks for the photos — that's clearly damage in transit, and not something you should have to put up with.",
        ),
        resolutions=dict(
            replacement="I've sent a replacement {product} on next-day delivery, reference {ref}. The courier will collect the damaged one at the same time, so there's nothing to post back.",
            refund="I've refunded {amount} to your original payment method, reference {ref}. There's no need to return the damaged one; please recycle it.",
            escalated="As this is the second damaged delivery, I've asked our warehouse team to look at how it's being packed, reference {ref}. A replacement is already on its way.",
        ),
        note="Transit damage confirmed by the customer's photos.",
        handoff=(
            "billing",
            "Damaged {product} on {order}; photos on file. Customer would rather have a refund than a replacement — please process a refund of {amount}.",
            "refund",
        ),
    ),
    dict(
        key="wrong_item",
        queue="orders",
        label="Wrong or missing item",
        amount="product",
        products=(),
        subjects=(
            "Wrong item sent on {order}",
            "Missing part in my order",
            "Received someone else's order",
        ),
        dispositions=dict(replacement=7, refund=2, follow_up=1),
        clarify=(
            "What did you receive, and what should have been in the box? The label on the outer box has a product code that would help too.",
        ),
        answers=(
            "ordered the {product} but the box has a totally different device in it",
            "The {product} came without the mounting bracket and the charging cable.",
        ),
        diagnosis=(
            "Thanks — I can see it was picked incorrectly at our warehouse. I'm sorry for the extra hassle.",
        ),
        resolutions=dict(
            replacement="I've dispatched the correct {product} today, reference {ref}. Please keep the wrong item until the courier collects it when they deliver.",
            refund="As you'd rather not wait, I've refunded {amount} to your original payment method, reference {ref}. A returns label for the wrong item is on its way.",
            follow_up="The missing parts are coming separately from our supplier; I'll confirm the dispatch date by {eta}.",
        ),
        note="Mis-pick at the warehouse on {order}.",
        handoff=None,
    ),
    dict(
        key="return_request",
        queue="orders",
        label="Return",
        amount="product",
        products=(),
        subjects=(
            "Return for {product}",
            "How do I send back my order?",
            "Return label not working",
        ),
        dispositions=dict(info_provided=5, solved=3, refund=2),
        clarify=(
            "Is the {product} unused, or has it been set up? Either is fine for a return within 30 days; it just changes which label you need.",
        ),
        answers=(
            "it's been set up but i've taken it off the account",
            "Unused, still in the box. Bought it on {date}.",
        ),
        diagnosis=(
            "That's well within the 30-day window, so there's no problem returning it.",
        ),
        resolutions=dict(
            info_provided="Go to Account › Orders › {order} › Return, choose a reason, and you'll get a free label or a QR code for a drop-off point. The refund follows once the warehouse receives it.",
            solved="I've created the return for you and emailed the label. {courier} can collect it, or you can drop it at any of their points.",
            refund="As it's faulty rather than unwanted, I've refunded {amount} straight away, reference {ref} — please send it back with the label when you can.",
        ),
        note="Return requested within the 30-day window.",
        handoff=None,
    ),
    dict(
        key="change_order",
        queue="orders",
        label="Change or cancel an order",
        amount="product",
        products=(),
        subjects=(
            "Change delivery address for {order}",
            "Cancel order {order}",
            "Add an item to my order",
        ),
        dispositions=dict(solved=5, info_provided=3, workaround=2),
        clarify=(
            "Could you confirm the order number and what you'd like to change?",
        ),
        answers=(
            "{order}. need it sent to my work address instead",
            "It's {order} — I ordered the wrong colour and want to cancel before it ships.",
        ),
        diagnosis=(
            "I've got the order up — let me check how far it's got through the warehouse.",
        ),
        resolutions=dict(
            solved="It hadn't left the warehouse yet, so I've updated it and you'll get a confirmation email. Delivery is still expected on {eta}.",
            info_provided="As it's already with {courier}, I can't change it from here, but you can redirect it from their tracking page using the link in your dispatch email.",
            workaround="It has already shipped, so the quickest route is to refuse the delivery — it comes straight back to us and the refund is automatic.",
        ),
        note="Change requested on {order}.",
        handoff=None,
    ),
    dict(
        key="missing_parcel",
        queue="orders",
        label="Delivered but not received",
        amount="product",
        products=(),
        subjects=(
            "Parcel marked delivered but not here",
            "Missing parcel for {order}",
            "Courier says delivered, nothing arrived",
        ),
        dispositions=dict(escalated=3, replacement=3, follow_up=2, refund=2),
        clarify=(
            "That's stressful, I know. Could you check with neighbours and any safe place, and tell me whether there's a photo on the tracking page?",
        ),
        answers=(
            "already asked next door and checked the bins. the photo shows a door that isn't mine",
            "There's no photo at all, and nobody nearby has it.",
        ),
        diagnosis=(
            "The location on the delivery scan is several streets from your address, so it looks as though the driver delivered it to the wrong house.",
        ),
        resolutions=dict(
            escalated="I've raised a lost-parcel claim with {courier}, reference {ref}. They have 48 hours to find it; if they can't, I'll send a replacement straight away.",
            replacement="I'm not going to make you wait for the courier's investigation — a replacement {product} is on its way on next-day delivery, reference {ref}.",
            follow_up="{courier} are asking the driver now. I'll contact you on {eta} with what they say, whether or not it has turned up.",
            refund="I've refunded {amount} in full, reference {ref}. If the parcel turns up later, just let us know and we'll collect it.",
        ),
        note="Delivery scan location about three streets from the address; likely misdelivered.",
        handoff=(
            "billing",
            "Parcel for {order} misdelivered (scan location wrong); customer doesn't want a replacement. Please refund {amount}. Courier claim already raised, ref {ref}.",
            "refund",
        ),
    ),
    # ----------------------------------------------------------------- accounts
    dict(
        key="cancel_subscription",
        queue="accounts",
        label="Cancel subscription",
        amount="plan",
        products=(),
        subjects=(
            "Cancel my {plan}",
            "Please close my subscription",
            "How do I stop {plan}?",
        ),
        dispositions=dict(solved=6, info_provided=2, refund=2),
        clarify=(
            "I can help with that. Before I do, is there anything that's made you want to cancel? If it's something I can fix I'm happy to try — if not, no problem at all.",
        ),
        answers=(
            "just not using it enough to justify it tbh",
            "Money's tight at the moment, that's all. I'd just like it cancelled please.",
        ),
        diagnosis=(
            "That's completely fair. Your recorded clips stay available until the end of the period you've paid for.",
        ),
        resolutions=dict(
            solved="Your {plan} is cancelled; it stays active until {eta} and there'll be no further payments. A confirmation email is on its way.",
            info_provided="You can cancel any time under Account › Subscription › Cancel; it takes effect at the end of the current period and you'll get an email to confirm.",
            refund="I've cancelled it and refunded the unused part of your plan — {amount}, reference {ref}.",
        ),
        note="Cancellation requested (not using it enough / budget); retention offer made and declined.",
        handoff=(
            "billing",
            "Customer cancelled {plan} mid-term and is asking for a pro-rata refund of the unused months. Cancellation is done; please review the refund.",
            "refund",
        ),
    ),
    dict(
        key="update_details",
        queue="accounts",
        label="Update account details",
        amount="plan",
        products=(),
        subjects=(
            "Change email address on account",
            "Update my name after marriage",
            "New address for my account",
        ),
        dispositions=dict(solved=8, info_provided=2),
        clarify=(
            "For security, could you confirm the postcode or ZIP on the account and the last four digits of the card you pay with?",
        ),
        answers=(
            "card ending {last4}, postcode is the old one, we've just moved",
            "Sure — the card ends {last4}.",
        ),
        diagnosis=(
            "Thanks, that matches what I have, so I can make the change.",
        ),
        resolutions=dict(
            solved="All updated. You'll get an email at both the old and the new address confirming the change, so nobody can do this behind your back.",
            info_provided="You can change this yourself under Account › Profile; the change needs a code sent to the new email address to confirm it's yours.",
        ),
        note="ID verified against card ending {last4}.",
        handoff=None,
    ),
    dict(
        key="account_security",
        queue="accounts",
        label="Account security concern",
        amount="plan",
        products=(),
        subjects=(
            "Unknown login on my account",
            "Think my account was hacked",
            "Password reset email I didn't ask for",
        ),
        dispositions=dict(solved=5, escalated=3, follow_up=2),
        clarify=(
            "I'd like to help secure this quickly. Can you still log in, and do you see any devices or shared users that you don't recognise?",
        ),
        answers=(
            "i can still log in. there's a user called 'guest2' that i never added",
            "I got a login alert from a city I've never been to, at 3am on {date}.",
        ),
        diagnosis=(
            "Thank you. The login used a password that appears in a data breach from another website, so someone tried it here as well.",
        ),
        resolutions=dict(
            solved="I've signed out every session, removed the unknown user and set the account to ask for a new password at your next login. I'd also recommend turning on two-step verification under Account › Security.",
            escalated="I've locked the account to stop any further access and passed it to our security team, reference {ref}. They'll contact you within a few hours to restore access safely.",
            follow_up="I'll review the login activity again on {eta} to make sure nothing else has happened, and let you know.",
        ),
        note="Credential-stuffing login from an unknown location.",
        handoff=(
            "technical",
            "Unknown user removed, sessions revoked and password reset. The customer's cameras show offline since the reset — please help them re-link the devices.",
            "solved",
        ),
    ),
    dict(
        key="data_request",
        queue="accounts",
        label="Data or privacy request",
        amount="plan",
        products=(),
        subjects=(
            "Delete my account and data",
            "Request a copy of my data",
            "How long do you keep my videos?",
        ),
        dispositions=dict(info_provided=5, escalated=3, solved=2),
        clarify=(
            "Would you like to delete the account completely, or download a copy of your data first?",
        ),
        answers=(
            "delete everything please. including the video clips",
            "A copy first, then delete it, if that's possible.",
        ),
        diagnosis=(
            "I can do that for you. A copy, if you'd like one, includes your clips, device history and account details; deletion is permanent once it's done.",
        ),
        resolutions=dict(
            info_provided="You can request both under Account › Privacy. The download link arrives within 48 hours, and deletion completes within 30 days; clips are deleted straight away.",
            escalated="I've sent this to our privacy team as a formal request, reference {ref}. They'll confirm by email and complete it within one month, as the law requires.",
            solved="Your data export is ready and the link is in your inbox. Once you've downloaded it, reply here and I'll start the deletion.",
        ),
        note="Data request: export and/or deletion.",
        handoff=None,
    ),
    dict(
        key="move_home",
        queue="accounts",
        label="Moving home",
        amount="product",
        products=("bell2", "bellpro", "thermo", "cam_out", "flood"),
        subjects=(
            "Moving house — what to do with devices",
            "Remove previous owner's devices",
            "Transfer account to new owner",
        ),
        dispositions=dict(info_provided=5, solved=5),
        clarify=(
            "Are the devices staying in the property for the new owners, or coming with you?",
        ),
        answers=(
            "the doorbell and thermostat are staying, the cameras come with us",
            "We've moved in and the previous owners' doorbell is still on their account.",
        ),
        diagnosis=(
            "In that case the devices that are staying need to come off the old account, so the new owners can add them to theirs.",
        ),
        resolutions=dict(
            info_provided="For each device that's staying, go to Device › Settings › Remove device; that resets it ready for the new owner. The ones coming with you just need adding again at the new address.",
            solved="I've released the {product} from the previous account after checking your proof of address, so you can now add it in the app as if it were new.",
        ),
        note="Moving home: devices staying with the property.",
        handoff=(
            "technical",
            "Customer has moved home; the previous owner's {product} has been released. Please help them add it to their own account.",
            "solved",
        ),
    ),
)
