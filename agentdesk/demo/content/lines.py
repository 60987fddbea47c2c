"""Lines that are not tied to one issue: what waiting customers write, what agents say
at each step, customers' later turns, and the wrapping around an email. Original
writing; ``{name}`` fields are filled by the generator.
"""

from __future__ import annotations

# --------------------------------------------------------------------------------------
# Follow-ups from a customer who is still waiting: (tones, level, channel, text).
# Level 1 comes after a first stretch of waiting, 2 after several minutes, 3 after a long
# wait; the same customer gets sharper as the wait grows. Phone "follow-ups" are notes
# written by the phone system, since a caller on hold cannot type.
FOLLOW_UPS: tuple[tuple[str, int, str, str], ...] = (
    # polite customers: calm, grateful
    ("calm grateful", 1, "chat", "hello? just checking this is still open"),
    ("calm grateful", 1, "chat", "Hi, is anyone there? No rush, just making sure I'm in the right place."),
    ("calm grateful", 1, "chat", "still here :)"),
    ("calm grateful", 2, "chat", "Still waiting — is there a queue at the moment?"),
    ("calm grateful", 2, "chat", "hi again, been about {minutes} minutes now. happy to wait but could someone tell me roughly how long?"),
    ("calm grateful", 2, "chat", "Sorry to nudge, is someone able to pick this up soon?"),
    ("calm grateful", 3, "chat", "I've been waiting {minutes} minutes now. I do need to leave soon — should I try again later instead?"),
    ("calm grateful", 3, "chat", "ok, this is taking a while. is there a problem on your end?"),
    ("calm grateful", 3, "chat", "Is there a better time to contact you? I've been here over {minutes} minutes."),
    # confused
    ("confused", 1, "chat", "sorry, did my message go through?"),
    ("confused", 1, "chat", "do i need to press something to join the queue?"),
    ("confused", 2, "chat", "hello? not sure if this chat is working, it just says waiting"),
    ("confused", 2, "chat", "Should I have emailed instead? I'm not sure anyone can see this."),
    ("confused", 3, "chat", "is this chat even open? it's been {minutes} minutes and I don't know if I'm still in line"),
    ("confused", 3, "chat", "sorry, I'm confused — is this an automatic chat or will a person reply?"),
    ("confused", 3, "chat", "I'll leave this open, but if there's somewhere else I should be asking, please say"),
    # anxious
    ("anxious", 1, "chat", "please, is anyone there? I really need help with this"),
    ("anxious", 1, "chat", "hello? sorry, it's quite urgent"),
    ("anxious", 2, "chat", "still waiting... I'm getting really worried now"),
    ("anxious", 2, "chat", "Please could someone answer soon, I don't know what to do"),
    ("anxious", 3, "chat", "it's been {minutes} minutes and nobody has replied. Is there a phone number I can ring instead? Please"),
    ("anxious", 3, "chat", "I'm still here. Please don't close this, I really need someone"),
    ("anxious", 3, "chat", "I'm really starting to panic now. Is anyone going to answer today?"),
    # frustrated
    ("frustrated", 1, "chat", "hello??"),
    ("frustrated", 1, "chat", "still waiting..."),
    ("frustrated", 2, "chat", "seriously, {minutes} minutes and not even an acknowledgement"),
    ("frustrated", 2, "chat", "is anyone actually working today"),
    ("frustrated", 2, "chat", "This is why I hate contacting you. Still waiting."),
    ("frustrated", 3, "chat", "{minutes} minutes. I've got better things to do than stare at this window"),
    ("frustrated", 3, "chat", "right, I'll give it five more minutes and then I'm making a complaint"),
    ("frustrated", 3, "chat", "Still nothing. Do you actually have anyone working on chat?"),
    # angry
    ("angry", 1, "chat", "ANYONE???"),
    ("angry", 1, "chat", "Hello?! Is this a joke?"),
    ("angry", 2, "chat", "unbelievable. {minutes} minutes and nothing"),
    ("angry", 2, "chat", "You clearly don't care about your customers."),
    ("angry", 3, "chat", "{minutes} MINUTES. I want a manager when someone finally turns up"),
    ("angry", 3, "chat", "This wait is a disgrace. I'm screenshotting this for my complaint."),
    ("angry", 3, "chat", "Absolutely ridiculous. Every review I write about you will mention this wait."),
    # abusive
    ("abusive", 1, "chat", "wake up you lazy lot"),
    ("abusive", 2, "chat", "are you all asleep or just useless"),
    ("abusive", 2, "chat", "answer me you clowns"),
    ("abusive", 3, "chat", "{minutes} minutes. pathetic. absolutely pathetic. bunch of idiots"),
    ("abusive", 3, "chat", "i'll keep typing until one of you morons answers"),
    ("abusive", 3, "chat", "you're a joke. every last one of you. ANSWER"),
    # email
    ("calm grateful", 2, "email", "Hello,\n\nJust following up on my message below — could someone get back to me when they can?\n\nThanks,\n{first}"),
    ("confused anxious", 2, "email", "Hi,\n\nSorry to send another email, I wasn't sure the first one reached you. Could you confirm you've received it?\n\nThanks,\n{first}"),
    ("frustrated angry", 2, "email", "Hello,\n\nI'm still waiting for a reply to the email below. Please respond today.\n\n{name}"),
    ("abusive", 2, "email", "Is anyone going to bother reading my emails or are you too busy doing nothing?\n\n{first}"),
    # social
    ("calm grateful", 1, "social", "@KestrelHelp hi, just sent you a DM — could someone have a look when you get a sec?"),
    ("confused anxious", 1, "social", "@KestrelHelp sorry to tag again, did you see my message? still need help"),
    ("frustrated angry", 2, "social", "@KestrelHelp still no reply. {minutes} minutes after you told everyone to DM you. Great."),
    ("abusive", 2, "social", "@KestrelHelp answer me you bunch of cowards"),
    # phone: written by the phone system
    ("calm grateful confused", 2, "phone", "IVR: caller chose to keep holding rather than take a callback ({minutes} min so far)."),
    ("anxious", 2, "phone", "Caller still holding ({minutes} min); selected 'urgent' in the IVR menu."),
    ("frustrated angry", 2, "phone", "Caller has been holding {minutes} min and pressed 0 twice; callback offer declined."),
    ("abusive angry", 3, "phone", "Caller on hold {minutes} min; shouted 'agent' at the IVR three times."),
)

# --------------------------------------------------------------------------------------
# Agent lines. {first} is the customer's first name, {agent} the agent's first name,
# {team} a queue's team name, {prev_agent} the colleague who handed over.

AGENT_GREETINGS: dict[str, tuple[str, ...]] = {
    "chat": (
        "Hi {first}, thanks for getting in touch. I'm {agent}, and I'll be looking after this for you.",
        "Hello {first}, {agent} here from Kestrel Home. Thanks for waiting — let's get this sorted.",
        "Thanks for your patience, {first}. My name's {agent} and I've picked up your conversation.",
        "Hi {first}, it's {agent} from the support team. I've got your message open in front of me.",
        "Hi {first}, {agent} here. Thanks for reaching out, and sorry for the wait.",
    ),
    # only for customers who wrote calmly, in confusion or with thanks
    "chat_warm": (
        "Hi {first}! I'm {agent}. Sorry to keep you waiting; I've read through your message.",
        "Good to hear from you, {first}. I'm {agent}, and I've got everything you wrote in front of me.",
        "Hello {first}, I'm {agent}. Thank you for the detail in your message, it really helps.",
    ),
    "email": (
        "Thank you for your email, and sorry it's taken us a little while to reply.",
        "Thanks for getting in touch with Kestrel Home — I've read your message and I'm looking after it now.",
        "Thank you for writing to us, and for explaining everything so clearly.",
        "Thanks for your message. I've looked through your account so I have the full picture.",
    ),
    "phone": (
        "Thanks for holding, you're through to {agent} at Kestrel Home. I've got the notes from the menu, so let's pick it up from there.",
        "Hello, you're speaking with {agent}. Sorry about the wait on the line; I've got your details up now.",
        "Hi, it's {agent} from Kestrel Home. I can see what you told the menu, so we'll go straight into it.",
    ),
    "social": (
        "Hi {first}, sorry to hear that! Could you send us a DM with your order number or account email so we can take a look?",
        "We're sorry about this, {first}. We've sent you a DM — reply there and we'll get it sorted.",
        "Thanks for flagging this, {first}. Please DM us the email on your account and we'll look into it straight away.",
    ),
}

# After a transfer, the next agent shows they have the context.
AGENT_AFTER_TRANSFER: tuple[str, ...] = (
    "I'm {agent} from the {team} team, {first}. {prev_agent} has passed on the full story, so there's no need to explain it again.",
    "{agent} here — I've read {prev_agent}'s notes, {first}, and I can take it from here.",
    "Thanks for waiting while we passed this over, {first}. I'm {agent}, and I've got everything {prev_agent} wrote down.",
)

# When a customer comes back on a resolved conversation.
AGENT_AFTER_REOPEN: tuple[str, ...] = (
    "I'm sorry it's come back, {first}. I've got the history from last time, so let's look at what's different.",
    "Thanks for letting us know, {first} — I've reopened your conversation and I'm picking it up now.",
    "{agent} here, {first} — sorry this is still causing trouble. I've read the earlier messages.",
)

# Acknowledgement for the customer's feeling, before getting to work.
AGENT_ACKNOWLEDGE: dict[str, tuple[str, ...]] = {
    "frustrated": (
        "I understand how frustrating it is to have to chase this — that's not how it should work, and I'm sorry.",
        "You've clearly been patient with this already, and I'm sorry it still isn't sorted.",
        "I can see why you're fed up; let's get it resolved now.",
    ),
    "angry": (
        "I'm sorry — you're right to be annoyed, and I'd feel the same. I'm going to take ownership of this until it's fixed.",
        "Thank you for telling me straight. I want to fix this properly, so let me check a couple of details.",
        "I hear you. That shouldn't have happened, and I'll make sure it's put right.",
    ),
    "anxious": (
        "Please don't worry — this is something we can sort out together, and I'll stay with you until it is.",
        "I understand this is worrying. Let me check straight away so we know exactly where things stand.",
    ),
    "confused": (
        "No problem at all — it isn't the clearest, and I'm happy to walk you through it step by step.",
        "Good question. Let me explain it in plain terms.",
    ),
    "abusive": (
        "I do want to help you with this, and I will. I'd ask that we keep the conversation respectful so I can focus on fixing it.",
        "I understand you're very upset, and I'm going to help. I can't continue if the messages stay abusive, so let's focus on getting this solved.",
    ),
    "grateful": (
        "Thank you, that's lovely to hear — I'll pass it on to the team.",
        "That's kind of you to say. Now, let's sort out your question.",
    ),
}

# The last line when abuse continues after a boundary.
AGENT_END_ABUSE: tuple[str, ...] = (
    "I'm going to end this conversation now because the language has continued. You're welcome to contact us again and we'll help with the issue.",
    "I've asked for the conversation to stay respectful and it hasn't, so I'm closing it here. If you get back in touch, we'll still help with the problem itself.",
)

AGENT_HOLD: tuple[str, ...] = (
    "Could you bear with me for two or three minutes while I check this on our side? I'll be right back.",
    "I'm going to put you on a short hold while I check with a colleague — it should be no more than five minutes.",
    "Thanks — give me a moment to look at the logs. I'll be back within a few minutes.",
    "I need to check something with another team. I'll put you on hold for up to five minutes and update you as soon as I have an answer.",
    "Bear with me while I pull up the history on this — just a couple of minutes.",
    "I'm checking this now. If it takes longer than five minutes I'll come back and tell you where I've got to.",
)

# Internal hold reasons (what the console records), per queue.
HOLD_REASONS: dict[str, tuple[str, ...]] = {
    "billing": ("Checking with the payments team", "Looking up the payment gateway record", "Waiting for refund approval"),
    "technical": ("Waiting for device logs", "Consulting a senior engineer", "Customer restarting the device"),
    "orders": ("Checking courier tracking", "Asking the warehouse", "Checking stock for a replacement"),
    "accounts": ("Verifying identity documents", "Checking with the security team", "Looking at login history"),
}

AGENT_RESUME: tuple[str, ...] = (
    "Thanks for holding, {first}.",
    "Thanks for waiting — I've got an answer.",
    "I'm back, sorry that took a little while.",
    "Thank you for bearing with me.",
)

AGENT_TRANSFER: tuple[str, ...] = (
    "I'm going to pass you to our {team} team, who can take this the rest of the way. They'll see everything we've covered, so you won't need to repeat yourself.",
    "This needs our {team} colleagues to finish off. I've written up where we've got to for them, and they'll pick it up shortly.",
    "I'm handing this over to the {team} team now — they can approve what's needed. Thanks for your patience with the handover.",
)

# Hand-off notes for when an issue has no note of its own. {label}: the issue.
GENERIC_HANDOFFS: tuple[str, ...] = (
    "{label}. I've verified the account and gone through the basics with {first}; this needs the {team} team to finish. Customer has been told they won't need to repeat anything.",
    "Passing over: {label}. Everything discussed is in the transcript above. {first} would prefer to carry on in this conversation rather than by phone.",
    "{label} — outside what I can action here. ID checked, order {order} confirmed. Please pick up with {first}.",
)

AGENT_CLOSING: tuple[str, ...] = (
    "Is there anything else I can help with today?",
    "Glad we got there. Thanks for your patience, {first} — have a good rest of your day.",
    "Thanks for getting in touch, {first}. If anything changes, just reply to this message and it'll come back to us.",
    "You're welcome! Take care, {first}.",
    "Happy to help. I'll close this conversation now, but you can reopen it by replying at any time.",
    "Thanks again for your patience today.",
    "All sorted then. Have a lovely rest of your week, {first}.",
    "Thank you for bearing with us, and sorry again for the trouble this caused.",
)

AGENT_NUDGE: tuple[str, ...] = (
    "Just checking in, {first} — are you still there?",
    "Hi {first}, I haven't heard back for a few minutes. Are you still with me?",
)

AGENT_NO_RESPONSE: tuple[str, ...] = (
    "I haven't heard back for a while, so I'll close this conversation for now. If you still need help, just reply and it'll reopen.",
    "As it's gone quiet I'll close this for now, {first}. Everything we've covered is saved, so you can pick up where we left off.",
)

AGENT_DUPLICATE: tuple[str, ...] = (
    "I can see this is already being handled in your other conversation with us, so I'll close this one to keep everything in one place. You'll get updates there.",
    "Thanks, {first} — a colleague is already working on this in your earlier conversation, so I'll merge it there and close this copy.",
)

# Used when the conversation's issue is unknown (e.g. created outside the demo).
GENERIC_CLARIFY: dict[str, tuple[str, ...]] = {
    "billing": ("Could you tell me which payment you're asking about? The date and amount would be perfect.",),
    "technical": ("Which device is this about, and when did you first notice the problem?",),
    "orders": ("Could you give me the order number? It starts with KH and is in your confirmation email.",),
    "accounts": ("For security, could you confirm the postcode or ZIP registered on the account?",),
}

GENERIC_DIAGNOSIS: tuple[str, ...] = (
    "Thanks, that's everything I need. I've found the problem on our side.",
    "Thank you. I've looked into it and I can see what happened.",
)

GENERIC_RESOLUTIONS: dict[str, str] = {
    "solved": "That's all sorted now. You shouldn't need to do anything else, but reply here if anything looks odd.",
    "workaround": "There's a way round this for now: I've set things up so it works while our team fixes the underlying problem.",
    "info_provided": "I've emailed you the details we talked about, so you have them in writing.",
    "refund": "I've issued a refund of {amount}, reference {ref}. It normally shows within 3–5 working days.",
    "replacement": "I've arranged a replacement, reference {ref}; you'll get a dispatch email with tracking shortly.",
    "escalated": "I've passed this to the specialist team with all the details, reference {ref}, and they'll contact you within 2 working days.",
    "follow_up": "I'll follow this up myself and get back to you by {eta}.",
}

# --------------------------------------------------------------------------------------
# Customer turns after the opener.

CUSTOMER_GENERIC_ANSWERS: tuple[str, ...] = (
    "Yes — it started on {date} and it's been the same since.",
    "not sure exactly, maybe a week ago?",
    "The card on the account ends {last4}, if that helps.",
    "it's order {order}",
)

CUSTOMER_THANKS: tuple[str, ...] = (
    "brilliant, thank you!",
    "Perfect, that's all I needed. Thanks for your help.",
    "ok great thanks",
    "That's really helpful, thank you {agent}.",
    "thank you so much, you've been really patient with me",
    "Great, appreciate it.",
    "Cheers, that's sorted then.",
    "ah that makes sense now. thanks!",
    "Thanks. I'll keep an eye out for it.",
    "Thank you — much better than I expected, honestly.",
)

CUSTOMER_GRUDGING: tuple[str, ...] = (
    "fine. thanks.",
    "OK. I hope it actually happens this time.",
    "Right. Well, I'll wait and see.",
    "ok whatever, as long as its sorted",
)

CUSTOMER_AFTER_HOLD_NOTICE: tuple[str, ...] = (
    "ok sure",
    "No problem, I'll wait.",
    "take your time",
    "Okay, thanks for letting me know.",
)

CUSTOMER_ON_TRANSFER: tuple[str, ...] = (
    "fine, as long as I don't have to explain it all again",
    "ok, thank you",
    "Alright. How long will that take?",
)

CUSTOMER_REOPEN: dict[str, tuple[str, ...]] = {
    "*": (
        "sorry to come back but it's still not fixed",
        "I was told this was sorted but nothing has changed.",
    ),
    "billing": (
        "The refund still hasn't shown up, and it's been longer than you said it would take.",
        "I've been charged again this month, exactly like before.",
    ),
    "technical": (
        "Hi, this has started happening again — same problem as before.",
        "The {product} is doing exactly the same thing again.",
        "reopening this, the fix only lasted a day",
        "Hello again. I did what you suggested, but it's gone back to how it was.",
    ),
    "orders": (
        "Still nothing has arrived, and the tracking hasn't moved since we spoke.",
        "The replacement has exactly the same problem as the first one.",
    ),
    "accounts": (
        "I've had another one of those emails, so it doesn't look fixed.",
        "my account still shows the old details",
    ),
}

# What an agent's internal note adds about the outcome, by disposition.
NOTE_OUTCOMES: dict[str, str] = {
    "solved": "Fixed on this contact.",
    "workaround": "Workaround given; permanent fix pending.",
    "info_provided": "Explained; nothing to action.",
    "refund": "Refunded {amount}, ref {ref}.",
    "replacement": "Replacement sent, ref {ref}.",
    "escalated": "Escalated, ref {ref}.",
    "follow_up": "Follow-up set for {eta}.",
}

# An abusive customer's reply to a boundary: carrying on, or calming down.
CUSTOMER_ABUSE_CONTINUES: tuple[str, ...] = (
    "don't lecture me, just do your job",
    "I'll talk however I like, you're paid to listen",
    "oh get lost, you're no help at all",
)

CUSTOMER_ABUSE_CALMS: tuple[str, ...] = (
    "fine. sorry. it's just been a really long week",
    "ok. I'm just fed up, it's not you personally",
)

# Social conversations move to private messages after the public reply.
CUSTOMER_SOCIAL_DM: tuple[str, ...] = (
    "DMing you now. Account email is the one on my profile.",
    "sent. it's under my name",
    "Have done — thanks for the quick reply.",
)

# --------------------------------------------------------------------------------------
# Email wrapping. Customer greetings and sign-offs: (tones allowed or "*", text).
EMAIL_GREETINGS: tuple[tuple[str, str], ...] = (
    ("*", "Hi,"),
    ("*", "Hello,"),
    ("calm confused anxious grateful frustrated", "Hi there,"),
    ("calm confused anxious grateful", "Dear Kestrel team,"),
    ("calm confused anxious grateful", "Good morning,"),
    ("calm confused grateful frustrated", "Hello Kestrel Home,"),
    ("angry frustrated abusive", "To whom it may concern,"),
    ("calm grateful", "Hiya,"),
    ("calm confused anxious angry", "Dear Sir or Madam,"),
    ("calm grateful frustrated", "Hey,"),
)

EMAIL_SIGNOFFS: tuple[tuple[str, str], ...] = (
    ("calm confused anxious grateful frustrated", "Thanks,\n{first}"),
    ("*", "Kind regards,\n{name}"),
    ("calm confused grateful", "Best,\n{first}"),
    ("calm grateful", "Cheers,\n{first}"),
    ("calm confused anxious grateful", "Many thanks,\n{name}"),
    ("*", "Regards,\n{name}"),
    ("calm confused anxious grateful", "Thanks in advance,\n{first}"),
    ("calm confused anxious grateful", "Thank you,\n{name}"),
    ("angry frustrated abusive", "{name}"),
    ("*", "{first}\n\nSent from my phone"),
)

# A customer's reply by email: a short sign-off under the text.
EMAIL_REPLY_SIGNOFFS: tuple[str, ...] = (
    "Thanks again,\n{first}",
    "- {first}",
    "Best regards,\n{name}",
)

# Agent email: opening and closing around the body.
AGENT_EMAIL_OPENINGS: tuple[str, ...] = ("Hi {first},", "Hello {first},", "Dear {first},")
AGENT_EMAIL_CLOSINGS: tuple[str, ...] = (
    "Kind regards,\n{agent}\nKestrel Home Customer Care",
    "Best wishes,\n{agent}\nKestrel Home Support",
    "Thanks,\n{agent}\nKestrel Home Customer Care",
)
