"""Cue tables of the tone engine: written by hand from contact-centre practice.

Each table maps a tone to an ordered list of ``(pattern, weight, cue)`` entries.

- ``pattern`` is a regular expression written in lower case. It is matched against a
  lower-cased copy of the text of exactly the same length (character for character), so
  spans index the original text; the engine checks capitals on the original. Use only
  non-capturing groups ``(?:…)``: the engine wraps each entry in one capturing
  group to know which entry matched. Word boundaries are added around it.
- ``weight`` is the evidence the cue gives on its own: 1.0 is "clearly present"
  (a signal reaches level *medium* at 1.0, *high* at 2.0, *low* at 0.5).
- ``cue`` is the short label shown to the agent next to the highlighted words.

Within one tone, matches don't overlap and the earliest entry wins at a position,
so specific phrases are listed before the generic words they contain.

No entry was copied or mined from the MAIA-DQE corpus (evaluation only, CC BY-ND).
One list was *checked* against its train/val turns: ``SERVICE_TOPIC`` (see there and
docs/tone.md) gained a few generic words ("problem", "request", "chat", "find") after
support turns of that development set were found outside it.
"""

from __future__ import annotations

Cue = tuple[str, float, str]

_NT = r"(?:n[o']?t|n’t)"  # don't / dont / do not written many ways
# a negated verb phrase: "doesn't", "did not", "can't", "cannot", "won't", "never", "no longer"
_NOT = (r"(?:(?:do|does|did|is|are|was|were|has|have|had|ca|can|could|wo|will|would|should|must)"
        r"(?:n['’]?t| not)|cannot|not|never|no longer)")

_CONTACT_VERB = (r"(?:writ|wrote|call|contact|ask|explain|tell|told|email|e-mail|mail|phon|ring|rang|chat|"
                 r"messag|report|complain|sen[dt]|chas)\w*")

FRUSTRATION: list[Cue] = [
    # "contact again": the customer has asked or told us before (the script for it takes
    # ownership: "you shouldn't have to explain this twice"); "repetition": the problem
    # or the effort repeats ("crashed again", "every time", "already tried")
    (rf"(?:second|2nd|third|3rd|fourth|4th|fifth|5th|sixth|tenth|umpteenth|nth|several|multiple|many|\d+|two|three|four|five|six|ten) times? (?:that |now |today |this week )?(?:i'?m |i am |i have |i'?ve |i )?(?:been |already )?{_CONTACT_VERB}",
     1.4, "contact again"),
    (rf"{_CONTACT_VERB} (?:you |to you |in |about (?:it|this) |this |it )?(?:now )?for the (?:second|third|fourth|fifth|umpteenth|nth|hundredth|millionth|\d+(?:st|nd|rd|th)) time",
     1.5, "contact again"),
    (r"(?:second|2nd|third|3rd|fourth|4th|fifth|5th|sixth|tenth|umpteenth|nth|several|multiple|many|\d+|two|three|four|five|six|ten) times?(?: (?:now|already|today|this week|this month))?",
     1.4, "repetition"),
    (r"for the (?:second|third|fourth|fifth|umpteenth|nth|last|hundredth|millionth|\d+(?:st|nd|rd|th)) time", 1.5, "repetition"),
    (r"how many (?:more )?times", 1.6, "contact again"),
    (r"(?:asked|called|phoned|rung|rang|emailed|e-mailed|mailed|written|wrote|messaged|chatted|complained|reported|explained|sent (?:it|them|this|that|the \w+|my \w+)) (?:you |in |about (?:it|this) )?twice", 1.3, "contact again"),
    (r"(?:yet|once) again", 1.2, "repetition"),
    (r"over and over(?: again)?", 1.3, "repetition"),
    (r"again and again", 1.3, "repetition"),
    (r"every (?:single )?time", 0.9, "repetition"),
    (r"as i(?:'ve| have)?(?: already)? (?:said|told you|explained|mentioned|wrote)", 1.4, "contact again"),
    (r"(?:i(?: have|'ve)? )?already (?:told|explained|said|sent|called|written|wrote|contacted|asked|provided|given|gave)", 1.2, "contact again"),
    (r"(?:i(?: have|'ve)? )?already (?:tried|done|did)", 1.2, "repetition"),
    (r"(?:i )?keep(?:s)? (?:saying|telling|asking|sending|being told|calling|writing)", 1.1, "contact again"),
    (r"(?:i )?keep(?:s)? (?:getting|happening|failing|crashing|coming back|receiving)", 1.1, "repetition"),
    (r"(?:this|it) (?:happened|happens) again", 1.3, "repetition"),
    (r"(?:same|this) (?:problem|issue|error|thing) (?:again|still|every time|keeps)", 1.3, "repetition"),
    (r"again", 0.6, "repetition"),
    # still / already: the problem outlasts the promise
    (rf"still (?:{_NOT}|no|nothing|waiting|broken|the same|hasn'?t|haven'?t|isn'?t|doesn'?t|can'?t|cannot|unable|without|missing|stuck|getting|charged|blocked|locked)\w*", 1.3, "still"),
    (r"still", 0.5, "still"),
    (r"already", 0.4, "already"),
    # nobody answers
    (r"(?:nobody|no one|no-one|none of you|no body)(?:'s)? (?:(?:has|have|had|ever|even|will|is|was|bothered to|cares?|could|can|seems to) )*(?:answer|repl|respond|call|contact|get back|got back|come back|came back|help|care|listen|read|fix|explain|tell|told|know)\w*",
     1.6, "no answer"),
    (r"(?:no|never (?:got|received|had) (?:an?|any)) (?:answer|response|reply|feedback|call ?back|callback|update|news|reaction)(?:s)?(?: (?:at all|yet|whatsoever))?", 1.3, "no answer"),
    (r"(?:never|haven'?t|have not|hasn'?t|has not|didn'?t|did not) (?:got|get|gotten|received|receive|heard|hear) (?:back|anything|any(?:thing)? (?:back|answer|response|reply)|a (?:reply|response|call|answer))", 1.4, "no answer"),
    (r"(?:ignored|ignoring me|left on read|(?:you|they) (?:never|don'?t) (?:answer|reply|respond|call back))", 1.4, "no answer"),
    (rf"{_NOT} (?:yet |even |ever )?(?:got|get|gotten|received?|heard|had) (?:back|anything|any \w+|an? (?:answer|reply|response|call|callback|e-?mail|confirmation|update|message|reaction|feedback))",
     1.3, "no answer"),
    (r"(?:nobody|no one|no-one) (?:reacts|reacted|is reacting|does anything|did anything|takes care|took care|feels responsible)", 1.4, "no answer"),
    # failure: it does not work / did not arrive
    (r"(?:nothing|none of (?:it|them|this)) (?:works?|working|worked|happened|has happened|changed|has changed|helps?|helped)", 1.5, "failure"),
    (rf"(?:{_NOT}|unable to|impossible to|stopped|fails? to|failed to|failing to) (?:(?:even|yet|really|seem to|be able to|get it to|manage to|\w+) ){{0,2}}?(?:work|working|works|worked|function|functions|functioning|load|loading|log ?in|sign ?in|connect|access|open|pay|use|download|install|activate|update|reach|get through|find|see|withdraw|transfer|deposit|verify|register|change|complete|finish|order|book|enter|go through|show up|appear|receive|get|arrive|come)\b",
     1.1, "failure"),
    (rf"(?:{_NOT}|still not) (?:yet )?(?:been )?(?:arrived?|received|delivered|refunded|credited|shipped|fixed|solved|resolved|answered|processed|returned|reimbursed|activated|sent|cancell?ed|done|paid|appeared|reflected|updated|corrected|repaired|replaced|released|unblocked|approved)",
     1.2, "failure"),
    (r"(?:doesn'?t|does not|didn'?t|did not) help", 1.1, "failure"),
    (r"(?:has|have|had|it'?s|it has) (?:completely |totally )?(?:broken|broke|ruined|bricked|wiped|killed|messed up) (?:my|the|our|all|every)|(?:was|were) working (?:perfectly |fine |ok |okay |great )?(?:before|until)|used to work (?:fine|perfectly)?|worked (?:perfectly |fine )?(?:before|until)",
     1.0, "failure"),
    (r"locked out|(?:i'?m|i am|we'?re|we are|got|been|was|were) (?:still )?locked", 1.0, "failure"),
    (r"(?:it(?:'s| is| was) )?(?:not possible|impossible) to", 1.0, "failure"),
    (rf"{_NOT} (?:yet )?(?:changed|moved|progressed|been updated|been touched|been looked at)", 0.9, "failure"),
    (r"i (?:would like|want|wish|need) to (?:complain|file a complaint|make a complaint|lodge a complaint|submit a complaint)|formal complaint", 1.0, "complaint"),
    # an ultimatum is frustration as well as churn risk ("fix it or I'm leaving")
    (r"(?:sort|fix|solve|resolve) (?:it|this|that)(?: out)?(?: \w+){0,3} or (?:else )?(?:i'?m|i am|i'?ll|i will|we'?re|we'?ll|we will)",
     1.0, "ultimatum"),
    (r"(?:speak|talk|pass me|put me through|transfer me) (?:to|with) (?:a|an|your|the) (?:manager|supervisor|superior|human|real person|person in charge|someone (?:in charge|responsible|competent))|(?:i want|i need|i demand|get me) (?:a|your|the) (?:manager|supervisor|superior)", 1.2, "escalation request"),
    (r"(?:is|are|was|still|keeps?|got|been) (?:broken|down|blocked|locked|suspended|frozen|stuck|crashing|crashed|missing|lost|wrong|damaged|defective|faulty)", 1.0, "failure"),
    (r"(?:wrong|incorrect|damaged|defective|faulty|broken|missing|double|duplicate) (?:item|product|order|package|parcel|charge|amount|bill|invoice|size|address|delivery|part|payment)s?", 1.0, "failure"),
    (r"(?:charged|billed|debited) (?:me )?(?:twice|double|again|two times|too much|wrongly|incorrectly)", 1.3, "failure"),
    (r"(?:error|crash)(?:es|ed|ing|s)?", 0.5, "failure"),
    (r"no (?:internet|connection|signal|service|power|electricity|network|phone line|dial tone|tv|water|heating|hot water|access)", 1.0, "failure"),
    (r"(?:i'?ve|i have|i'?ve got|i got) (?:got )?(?:better|more important) things to do|(?:i )?(?:don'?t|do not) have all day|(?:i )?(?:haven'?t|have not) got all day|(?:i'?m|i am) not (?:going to |gonna )?(?:sit|wait|hang about|hang around|sit around)(?: here| around| on hold)? all day|(?:do|did) you think i(?:'ve| have)? (?:got )?nothing better to do|my time is (?:precious|valuable|worth|money)|some of us have (?:jobs|work|lives|a life)",
     2.0, "impatience"),
    (r"(?:is|are) (?:there )?(?:anyone|anybody|someone|somebody|you)(?: there)? (?:actually|even|ever|still) (?:working|there|awake|alive|listening|reading|going to (?:answer|reply))|do you (?:actually|even) have (?:anyone|anybody|someone|staff)|are you (?:all )?(?:asleep|sleeping|on strike|on (?:a )?(?:tea )?break)",
     1.6, "no answer"),
    # waiting long
    (r"(?:been )?waiting (?:for )?(?:over |more than |almost |nearly |about )?(?:an? |\d+ |two |three |four |five |several |many )?(?:days?|weeks?|months?|hours?|ages|forever|an eternity|so long|too long|long enough)", 1.4, "long wait"),
    (r"(?:still|been|keep|kept) waiting", 1.3, "long wait"),
    (r"(?:for|since|in|over|after) (?:over |more than |almost |nearly )?(?:\d+|two|three|four|five|six|several|many) (?:days|weeks|months)", 0.8, "long wait"),
    (r"(?:for|since) (?:days|weeks|months|ages|forever)", 1.0, "long wait"),
    (r"(?:days|weeks|months) (?:already|now|and (?:still|nothing))|already (?:\d+|two|three|four|five|several) (?:days|weeks|months)", 0.7, "long wait"),
    (r"(?:still |am |i'?m |been )?waiting for (?:an? |the |my |your )?(?:answer|reply|response|solution|refund|callback|call back|feedback|decision|update)", 0.8, "long wait"),
    (r"(?:takes?|taking|took) (?:so|too|very|this|that) long", 1.2, "long wait"),
    (r"(?:how|why) (?:much )?long(?:er)?", 0.8, "long wait"),
    (r"on hold for|(?:been )?on hold (?:for )?(?:over |nearly |almost |about )?(?:\d+|an?|two|three|four|five|ten|fifteen|twenty|thirty|forty|forty-five|fifty|sixty) (?:minutes|mins|hours?)", 1.2, "long wait"),
    # promises broken
    (r"(?:you|they|your (?:colleague|agent|team|support)) (?:promised|said|told me|assured me)", 1.0, "broken promise"),
    (r"i was (?:told|promised|assured)", 1.0, "broken promise"),
    (r"(?:was|were|is|are) supposed to", 0.9, "broken promise"),
    (r"should(?: have|'ve) (?:been|arrived|received|come|gotten)", 0.8, "broken promise"),
    # emotion words
    (r"frustrat\w*", 1.5, "emotion word"),
    (r"annoy\w*|irritat\w*|exasperat\w*", 1.3, "emotion word"),
    (r"disappoint\w*|let ?down", 1.3, "emotion word"),
    (r"fed up|sick (?:and tired |to death )?of|tired of|had enough|enough is enough|at my wits'? end", 1.6, "emotion word"),
    (r"unacceptable|not acceptable|inacceptable|ridiculous|absurd|unbelievable|incredible|outrageous|a joke|a farce|pathetic|shameful|a disgrace|terrible|horrible|awful|appalling|dreadful|worst|useless|hopeless|waste of (?:my )?(?:time|money)|wasted (?:my )?(?:time|money|hours|days)",
     1.3, "emotion word"),
    (rf"(?:un|dis)(?:satisfied|happy)|{_NOT} (?:(?:very|at all|really|too|that|so|been|be|being|feel|feeling|at all) )*(?:happy|satisfied|pleased|ok|okay|good|great|helpful|useful|acceptable|fair|right|normal|professional|clear)",
     1.2, "negated positive"),
    (r"poor (?:service|support|quality|communication|experience)|bad (?:service|support|experience|quality)|no (?:help|support|service)", 1.2, "emotion word"),
    (r"what (?:is|'s) going on|what the (?:hell|heck)|seriously|come on|are you (?:kidding|serious|joking)|you (?:must|have got to|gotta) be (?:kidding|joking)", 1.1, "exasperation"),
    (r"why (?:is|isn'?t|does|doesn'?t|do|don'?t|can'?t|won'?t|hasn'?t|haven'?t|am i|is it so|on earth)", 0.5, "why"),
    (r"(?:unfortunately|sadly|again no)", 0.4, "regret"),
    (r"(?:problem|issue|complaint|complain)\w*", 0.35, "problem"),
    (r"sigh|ugh+|argh+|grr+|smh|omg", 0.9, "exasperation"),
    # how customers writing in German or Portuguese sound after machine translation
    # ("Frechheit", "Zumutung", "falta de respeito", "descaso", "não aguento mais" …)
    (r"(?:a |what a |such a )?(?:lack of (?:respect|consideration|professionalism|information)|disrespect\w*|neglect\w*|disregard|runaround|impertinen\w*|impudent|impudence|cheek(?:y)?|audacity|brazen|insolen\w*|imposition|unreasonable|nonsense|mess|lousy|shoddy|sloppy|clowning|mockery)",
     1.2, "emotion word"),
    (r"(?:so far|until now|till now|up to now|to this day|still|and) nothing|and nothing happen\w*|without (?:any )?(?:solution|answer|response|reply|reaction|success)|no solution|no reaction|no feedback|nothing (?:is|was|has been) (?:done|solved|resolved)",
     1.3, "no answer"),
    (r"(?:i )?can'?t (?:take|stand|bear) (?:it|this)(?: any ?more| any longer)?|i'?m (?:so |really )?(?:tired|exhausted|desperate)|i give up|it can'?t be (?:true|right|that)|(?:that|this) can'?t be (?:true|right)|that'?s not (?:possible|normal|okay|ok)|this is not (?:possible|normal|okay|ok)",
     1.3, "exasperation"),
    (r"(?:i )?want my money back|give me my money back|return my money", 1.1, "failure"),
    (r"(?:delay(?:ed|s)?|late|overdue|too late|(?:hasn'?t|has not|haven'?t|have not) (?:heard|had) (?:anything|back))", 0.7, "long wait"),
]

# Profanity, written out or masked ("f***", "f*cking", "sh*t", "a**hole"): the same
# patterns serve anger (profanity about a thing) and abuse (profanity at the agent).
_MASK = r"[\*#@%$!]"
_FUCK = (rf"(?:fuck|fck|fuk|f{_MASK}+(?:c?k)?|f{_MASK}ck|fu{_MASK}+k?|feck|effing|eff|frigging|friggin)")
_FUCKING = (rf"(?:fuck(?:ing|in'?|en)|fck(?:ing|in)|fkn|fking|f{_MASK}+(?:c?k)?(?:ing|in'?|en)|"
            rf"f{_MASK}ck(?:ing|in)|fu{_MASK}+k?(?:ing|in)|effing|frigging|friggin)")
_SHIT = rf"(?:shit|sh{_MASK}+t?|s{_MASK}{{2,}}t?|sh1t|shite|sh{_MASK}te)"

ANGER: list[Cue] = [
    (r"angry|furious|livid|outraged|enraged|infuriat\w*|fuming|pissed(?: off)?|mad (?:at|about)|seething|raging|irate|incandescent|apoplectic|beyond (?:angry|upset|annoyed)|(?:makes|make|made) my blood boil|my blood (?:is )?boiling|lost my temper",
     1.6, "emotion word"),
    (r"disgust\w*|disgrace\w*|scandal\w*|outrage\w*|appall?(?:ed|ing)|shame on you|shameful|atrocious|deplorable|despicable|shocking (?:service|customer service|support|treatment|behaviou?r|way to treat)|diabolical|unacceptable|not acceptable|inacceptable|beyond a joke|in the strongest (?:possible )?terms|strongly object|deeply (?:offended|insulted)",
     1.4, "outrage"),
    (r"rip[- ]?off|(?<!is this a )(?<!is it a )(?<!is that a )(?<!of those )(?<!phishing )scam\w*|fraud(?:ulent|sters?)?|theft|thie(?:f|ves)|(?<!someone )(?<!somebody )(?<!burglars )(?<!thieves )(?<!a thief )(?:steal\w*|stole)|(?<!i was )(?<!we were )(?<!i got )(?<!we got )(?<!been )robbed|robbery|cheat\w*|swindl\w*|con artists?|crooks|cowboys|sharks|daylight robbery", 1.4, "accusation"),
    (r"liars?|lying to (?:me|us|your customers)|you lied|lied to me|blatant lie", 1.4, "accusation"),
    (r"incompeten\w*|unprofessional|amateurs?|clueless", 1.3, "accusation"),
    (r"how dare (?:you|they|your \w+|anyone)|(?:don'?t|do not) you (?:dare|ever dare)|enough is enough|i demand|demand (?:a|an|my|to)", 1.3, "demand"),
    # calling the company to account: "I want to know what you're doing about it"
    (r"what (?:are you|you are|you're|are you going to|you are going to|you're going to|do you intend to|you intend to|do you plan to|you plan to|will you|you will) (?:do|doing) about (?:it|this|that)",
     1.0, "demand"),
    (r"i (?:expect|insist on|require)(?: nothing less than)? (?:an? |my |the |to receive (?:an? )?|written |full |immediate |a full |an immediate )+(?:\w+ )?(?:refund|apology|explanation|answer|response|reply|confirmation|compensation|call|callback)",
     0.8, "demand"),
    (r"i want (?:this|it) escalated|escalate (?:this|it) (?:now|immediately|right now)|i want (?:answers|an explanation|someone (?:held )?(?:accountable|responsible))|(?:no more|spare me (?:the|your)|i don'?t want (?:your|any more|another|any)) (?:excuses|apolog\w+|sorry|scripts?|platitudes)|(?:don'?t|do not) (?:you )?(?:give|tell|send) me (?:that|another|the same|any more)",
     0.8, "demand"),
    (r"(?:you|your (?:company|firm|lot|people|staff)|this company)(?: people| lot| guys)? (?:clearly |obviously |just |really |simply |evidently )?(?:don'?t|do not|couldn'?t|could not) (?:give a (?:damn|toss|monkey'?s|shit|fuck)|care)(?: less)?(?: (?:about|for) (?:your |the |its )?(?:customers|me|us|people|anyone))?|(?:you'?ve|you have|you) (?:completely |totally |absolutely )?(?:ruined|wrecked|destroyed) (?:my|our)|(?:the )?(?:last|final) straw|who do you think you are|(?:you'?ve|you have) got (?:some|a) (?:nerve|cheek)|the (?:nerve|cheek|audacity) of (?:you|it|this|your \w+)|fob(?:bed|bing)? (?:me |us )?off|so-called (?:support|service|customer service|help|helpline|experts?|engineers?|technicians?|team|agents?|professionals?)|who (?:on earth|the hell|the heck|in their right mind) (?:signed off|approved|thought|decided|came up|designed|hired)",
     1.2, "contempt"),
    # being taken for a fool
    (r"taking the (?:piss|mick(?:ey)?)|(?:are you|you'?re) having a laugh|take me for (?:a fool|an idiot|a mug)|(?:do you|you must) think (?:i'?m|i am) (?:stupid|an idiot|a fool|thick|a mug|born yesterday)|treat(?:s|ed|ing)? (?:me|us|(?:your |its |our )?(?:loyal |paying |long-standing |existing |elderly )?(?:customers|people)) like (?:idiots|fools|dirt|mugs|a mug|an idiot|a fool|children|rubbish|garbage|criminals)|mugged off|what(?:'s| is) wrong with (?:you|your (?:company|people|staff)|this company|you people)|i'?ve had it (?:with you|up to here)",
     1.2, "contempt"),
    (r"(?:this|that|it|your \w+|this company|the whole thing) (?:is|was) (?:an? )?(?:absolute |total |complete |utter |bloody |f\*+ing |fucking )?(?:disgrace|shambles|farce|scandal|circus|clown show)",
     1.1, "verdict"),
    # how a call note or an email says it
    (r"(?:caller|customer)(?: was| is| became| got| sounded| remained)?(?: (?:very|extremely|quite|really|increasingly))? (?:angry|irate|furious|livid|aggressive|hostile|heated|confrontational|agitated)|raised (?:their|his|her) voice|(?:caller|customer) (?:demanded|is demanding|was demanding|insisted)|(?:express|register|voice|convey) my (?:\w+ )?(?:anger|outrage|disgust|dissatisfaction|displeasure|fury)",
     1.4, "reported anger"),
    (r"(?:is )?this is how you treat (?:me|us|your (?:\w+ )?customers|people)|is this how you treat|(?:this is|is this|that'?s) (?:all )?the thanks (?:i|we) get|(?:your|these|more|the same|same old|pathetic|lame|feeble) excuses|(?:i'?ve|i have) never been so (?:badly treated|insulted|rudely treated)|(?:feel|felt) (?:completely |totally )?insulted|(?:i'?m|i am) (?:just )?not (?:having|accepting|putting up with) (?:this|it|that)|i (?:refuse|won'?t|will not|am not going) to (?:pay|accept|put up with|tolerate)(?: (?:a penny|a single penny|another penny|anything|this|that|it))?",
     1.2, "contempt"),
    (r"(?:sort|fix) (?:it|this|that) (?:out )?(?:now|immediately|right now|at once)|(?:refund|pay|reimburse) me (?:now|immediately|today|right now|at once)|(?:don'?t|do not) (?:you )?(?:dare )?(?:put me on hold|transfer me|hang up on me|fob me off)",
     0.8, "demand"),
    (r"#(?:shame\w*|disgrace\w*|boycott\w*|avoid\w*|scam\w*|rip-?off|fraud\w*|angry|furious|outraged|worst\w*|neveragain|notgoodenough|\w*fail)",
     0.7, "hashtag"),
    # warning other customers off
    (r"(?:avoid|stay (?:well )?away from|steer clear of|boycott) (?:this|these|that|those|the|your) (?:\w+ )?(?:company|firm|shop|store|lot|people|crowd|outfit|business|brand|app|service|product)s?(?: like the plague)?|(?:do not|don'?t|never) (?:ever )?(?:buy|order|shop)(?: anything)? (?:from|with|at) (?:these|this|them|those)(?: \w+)?",
     1.2, "warning others"),
    # a one-line verdict: "Unbelievable." "Absolute joke." "What a shambles!"
    (r"(?:^|(?<=[.!?…]\s)|(?<=[.!?…]\s\s)|(?<=\n))(?:(?:(?:just|simply|truly|absolutely|bloody|what an?|such an?|this is|that'?s|it'?s|an?) )?(?:(?:absolute|total|complete|utter|bloody|f\*+ing|fucking) )?(?:unbelievable|unreal|shocking|disgraceful|disgusting|appalling|atrocious|diabolical|ridiculous|pathetic|outrageous|unacceptable|useless|insane|madness|criminal|disgrace|shambles|farce|circus|clown show|embarrassing)|(?:(?:what|such|this is|that'?s|it'?s) )?(?:an? (?:(?:absolute|total|complete|utter|bloody|sick) )?|(?:absolute|total|complete|utter|bloody|sick) )joke)(?=\s*(?:[.!?…]|$))|is (?:this|that|it) (?:some (?:kind|sort) of |supposed to be )?an? (?:joke|wind-?up)|(?:is|was) an? (?:sick|bad|cruel|complete|total|absolute|utter) joke|(?:you|you people|you lot|you guys) are (?:unbelievable|incredible|something else|beyond belief|beyond a joke|ridiculous)|(?:the )?worst (?:company|service|customer service|support|experience|firm|business)(?: (?:ever|i'?ve ever (?:dealt with|used|had)|in the world|on earth|going))?",
     1.1, "verdict"),
    # rhetorical contempt
    (r"what (?:exactly |the hell |on earth |even )?(?:am i|are we|do i|do we) (?:even )?(?:paying|pay) (?:you )?for|why (?:am i|are we|do i|do we) (?:even )?(?:paying|pay) (?:you|for this)",
     1.0, "contempt"),
    (r"(?:this|that|your|such|utter|absolute|complete|total|a load of|piece of) (?:\w+ )?(?:junk|rubbish|garbage|tat)(?! (?:bin|bins|bag|bags|collection|disposal|can|truck|day|mail|folder|e-?mail|filter|box|drawer))",
     0.8, "contempt"),
    (r"(?:should|ought to|needs? to|deserves? to) (?:be|get) (?:fired|sacked|struck off|shut down|locked up)|heads (?:should|must|need to|will) roll", 1.2, "wants someone fired"),
    (r"how (?:is|was) (?:this|that|it) (?:even )?(?:possible|allowed|legal|acceptable)|how (?:does|did|can|could) (?:this|that|it|something like this|this sort of thing) (?:even |still )?happen",
     0.8, "indignation"),
    (rf"(?:fuck|fck|fuk|shit)\w*|{_FUCKING}|{_FUCK}(?:ed|s|er|ers)?|{_SHIT}(?:ty|e|s)?|goddamn\w*|bullshit|bullsh{_MASK}+t|crap(?:py)?|damn(?:ed|it)?|bloody|hell|bitch(?:ing)?|piss(?:ed|ing)?|b{_MASK}+(?:stard|tch|loody)s?|bollocks|arse|a{_MASK}{{2,}}(?:hole)?",
     1.0, "profanity"),
    (rf"wtf|ffs|fml|wt{_MASK}", 1.2, "profanity"),
]

# Abuse: insults, contempt and threats aimed at the agent, the staff or the company:
# second person ("you idiot", "are you thick?", "you lot are useless", "your staff are
# clueless"), name-calling in the plural ("clowns", "parasites"), profanity thrown at them
# ("f*** you", "f*** your update"), contempt ("a human with a working brain", "my dog could
# do your job"), ill wishes and threats to the agent ("you should be fired", "don't you
# dare"). Not abuse: profanity about a thing ("this f***ing parcel": anger), an insult
# about oneself ("sorry to be a pain", "I feel so stupid"), one reported from someone
# else ("they said I was an idiot for buying it"), or disclaimed ("I'm not calling you
# stupid"): tone.py checks the last two.

def _plural(words: str) -> str:
    out = []
    for w in words.split():
        if w.endswith(("ch", "sh", "ss", "x")):
            out.append(f"{w}(?:es)?")
        elif w.endswith("f"):
            out.append(f"{w[:-1]}(?:f|ves)")
        else:
            out.append(f"{w}s?")
    return "|".join(out)


# insulting nouns (singular; plurals are made by ``_plural``)
_INSULT_NOUNS = (
    "idiot moron imbecile cretin halfwit half-wit dimwit nitwit numpty muppet clown buffoon dunce "
    "parasite leech bloodsucker vulture scumbag lowlife loser bastard asshole arsehole dickhead "
    "prick jerk twat wanker tosser pillock plonker bellend knobhead douchebag bitch retard "
    "dumbass jobsworth crook cowboy liar thief monkey donkey coward"
)
_NOUN = rf"(?:{_plural(_INSULT_NOUNS)}|scum|trash|garbage|a waste of (?:space|oxygen|air|skin|time|money)|waste of (?:space|oxygen|air|skin)|piece of (?:{_SHIT}|crap|garbage|trash|work|junk)|pieces of (?:{_SHIT}|crap|garbage|trash|work|junk)|excuse for an? (?:company|business|human|person|service|agent))"
# insulting adjectives (said of a person or a group)
_ADJ = (r"(?:stupid|dumb|thick|dense|daft|dim|dozy|brainless|brain[- ]?dead|clueless|gormless|witless|half-witted|useless|"
        r"thick as (?:mince|two short planks|a brick|a plank|custard|pig ?shit)|hopeless|incompetent|inept|pathetic|lazy|bone idle|worthless|spineless|greedy|ignorant|moronic|idiotic|retarded|"
        r"shameless|disgusting|a joke|a disgrace|an embarrassment|a shambles|a laughing stock)")
# what may stand between the subject and the insult: "you lot are all just a bunch of"
_MODS = (rf"(?: (?:all|just|an?|such an?|so|really|too|that|completely|totally|absolutely|utterly|genuinely|seriously|"
         rf"actually|literally|even|the|one|a bunch of|bunch of|a load of|a pack of|a shower of|(?:the )?most|being|"
         rf"{_FUCKING}|fucking|bloody|damn|proper|complete|total|absolute|utter|right|clearly|obviously|simply))")
# attributive: "you *lazy* lot", "*incompetent* idiots"; and plain intensifiers
_BAD = (r"(?:stupid|useless|lazy|pathetic|incompetent|greedy|brainless|clueless|thick|dozy|worthless|spineless|"
        r"shameless|dumb|idle|ignorant|inept|gormless|thieving|lying|creepy|money-grabbing|money-grubbing)")
_STRONG = rf"(?:absolute|utter|complete|total|bloody|fucking|{_FUCKING})"
# the agent, the staff or the company as a subject
_YOU = r"(?:you|u|ya|y'?all)(?: (?:lot|people|guys|all|two|lads|idiots|clowns))?"
_STAFF = (r"your (?:\w+ )?(?:company|firm|lot|staff|agents?|people|team|support(?: staff| team)?|customer service(?: team)?|"
          r"colleagues?|engineers?|technicians?|developers?|managers?|management|employees?|workers?|call cent(?:re|er)|drivers?|couriers?)")

ABUSE: list[Cue] = [
    (rf"(?:{_FUCK}|screw|sod|damn) (?:you|u|off|yourself|yourselves|your \w+|(?:this|that) (?:company|firm|place|shop|lot|outfit))", 2.2, "profanity at the agent"),
    (r"shut (?:up|the (?:fuck|hell) up|your (?:mouth|face|trap))|go to hell|piss off|get lost|bugger off|drop dead|stfu|kys|go (?:and )?(?:die|rot)", 2.2, "insult"),
    # "you are useless", "you're all clowns", "are you thick?", "your staff are clueless"
    (rf"(?:you(?:'re|’re| are| r| were)|youre|ur|(?:are|r) you|{_YOU} (?:are|r|were)|{_STAFF} (?:are|is|were))(?: (?:all|lot|people|guys))?{_MODS}{{0,4}} (?:{_ADJ}|{_NOUN})(?: {_NOUN})?",
     2.2, "insult"),
    (r"(?:are|r) (?:you|u)(?: (?:all|lot|people|guys))?(?: (?:even|just|really|completely|totally|actually|stone|f\*+ing|fucking|bloody)){0,3} (?:deaf|blind|slow|thick|dense|stupid|simple|daft|dim)",
     2.0, "insult"),
    (rf"(?:are|r) (?:you|u)(?: (?:all|lot|people|guys))?(?: [\w'’]+){{1,3}} or (?:just |simply |really |plain |completely )?(?:{_ADJ}|{_NOUN}|deaf|blind|thick)",
     2.0, "insult"),
    (r"too busy (?:doing nothing|sitting on your \w+|drinking (?:tea|coffee)|chatting|on your (?:break|phones?)|scratching your \w+)|sitting on your (?:arse|ass|backside|bum|hands)|twiddling your thumbs",
     1.2, "contempt"),
    # "you parasite", "you lazy lot", "you absolute clowns", "you useless bunch"
    (rf"(?:you|u|ya)(?: {_STRONG}){{0,2}} (?:{_NOUN})(?![\w'’-])|(?:you|u|ya)(?: {_STRONG}){{0,2}} {_BAD}(?: {_BAD})? (?:{_NOUN}|lot|bunch|shower|people|guys|lot of \w+|bunch of \w+)(?![\w'’-])|(?:you|u|ya)(?: {_STRONG}){{0,2}} (?:bunch|load|pack|shower|lot) of (?:{_BAD} )?(?:{_NOUN})",
     2.0, "insult"),
    (rf"(?:{_ADJ}|{_NOUN}),? (?:(?:the )?(?:every|each) (?:single |last )?one of you|the (?:whole )?(?:lot|bunch|pair) of you|all of you|the (?:whole )?lot of them)", 2.0, "insult"),
    (rf"{_ADJ} and so (?:are|is) (?:you|your \w+)(?: (?:all|lot|people|guys))?|(?:junk|rubbish|garbage|trash|crap|{_SHIT}) and so (?:are|is) (?:you|your \w+)(?: (?:all|lot|people|guys))?", 2.0, "insult"),
    (r"(?:stupid|dumb|useless|lazy|incompetent|brainless|clueless|pathetic|worthless|thick) (?:bot|robot|machine|agents?|person|woman|man|girl|guy|boy|staff|people|employees?|workers?|sods|gits|lot)", 1.8, "insult"),
    (rf"{_ADJ} (?:agents?|staff|people|company|support|bots?|robots?|employees?|workers?)", 1.6, "insult"),
    (r"(?:you|u) (?:people |lot |guys )?(?:suck|are a joke|are useless|are hopeless|make me sick)", 1.8, "insult"),
    # name-calling in the plural: aimed at the company and its staff
    (rf"(?:(?:{_BAD}|{_STRONG}|spying) ){{0,3}}"
     r"(?:idiots|morons|imbeciles|cretins|halfwits|dimwits|nitwits|numpties|muppets|clowns|buffoons|monkeys|cowards|parasites|leeches|bloodsuckers|vultures|scumbags|lowlifes|bastards|assholes|arseholes|dickheads|pricks|twats|wankers|tossers|incompetents|jobsworths)",
     1.6, "insult"),
    # a sarcastic vocative: "Hey genius", "thanks, Einstein"
    (r"(?:hey|hi|listen|look|oi|well done|nice one|good job|great job|thanks|cheers|ok|okay|right|yes|no|sure),? (?:genius|geniuses|einstein|sherlock|smart ?(?:ass|arse)|bright spark|clever clogs|rocket scientist)",
     1.2, "sarcastic insult"),
    # contempt for the agent's intelligence or work
    (r"(?:someone|somebody|a human|a person|anyone|anybody|one of you|an agent|a manager)(?: (?:there|here|(?:in|at) (?:your|the|this) \w+))? with (?:half )?an? (?:working |functioning |functional )?(?:brain|brain cell)|(?:with|have|has|got|use) (?:any |some |a few |two |half a )?(?:brains?|brain cells?)(?! (?:tumou?r|injury|surgery|scan))|use your (?:brain|head|eyes)|engage (?:your )?brain",
     1.2, "contempt"),
    (r"(?:my|a|any|an?) (?:dog|cat|goldfish|hamster|monkey|chimp|toddler|child|kid|baby|granny|grandma|nan|\w+[- ]year[- ]old) (?:could|can|would) (?:do (?:your|this|a better) job|do it better|run (?:this|your) (?:company|business|place) better)",
     1.6, "contempt"),
    (r"(?:can(?:'?t| ?not)? you|do you|does anyone there|can anyone there) (?:even |not )?(?:read|understand (?:plain )?english|speak english)\?|learn (?:to|how to) read|do you (?:even )?know how to (?:read|do your job)|(?:just )?do your (?:\w+ )?job(?: for once| properly)?|learn (?:to|how to) do your job",
     1.2, "contempt"),
    # ill wishes and threats to the agent
    (rf"(?:you|u|{_YOU}|whoever (?:is )?(?:reading|reads|answering|handling) this)(?: all)?,? (?:should|ought to|needs? to|deserve to|deserves to) (?:be|get) (?:fired|sacked|shot|locked up|ashamed(?: of (?:yourself|yourselves))?)|(?:fired|sacked) and so should (?:you|whoever (?:is )?(?:reading|reads|answering|handling) this)",
     1.6, "threat to the agent"),
    (r"(?:get|have) you (?:fired|sacked)|(?:get|have) your (?:job|badge)|(?:you'?ll|you will|you'?re going to) lose your job|i know where you (?:live|work)|you'?ll (?:regret|pay for) (?:this|it)|watch your back",
     2.0, "threat to the agent"),
    (r"(?:hope|wish) (?:you|your (?:\w+ )?(?:company|firm|business|lot|staff|people))(?: all| lot| people| guys)? (?:go bust|go under|go out of business|go bankrupt|rot|burn|die|choke|get fired|get sacked|lose your jobs?|get what you deserve|suffer)",
     1.8, "ill wish"),
    (r"(?:don'?t|do not) you (?:dare|ever dare)", 1.2, "threat to the agent"),
    # abuse reported in call notes ("Caller swore at the agent", "called staff 'brainless'")
    (r"(?:swore|swearing|sworn|cursed|cursing|shouted|shouting|yelled|yelling|screamed|screaming|spat|hurled abuse|directed abuse|was abusive|became abusive|got abusive) (?:abuse )?at (?:the |our |an? )?(?:agent|advisor|adviser|staff|operator|rep|representative|colleague|call handler|support staff|team member|engineer)s?"
     rf"|called (?:the |our |an? )?(?:agent|advisor|adviser|staff|support staff|operator|rep|representative|colleague|team|support|call handler)s? (?:an? )?['\"‘“]?(?:{_ADJ}|{_NOUN})"
     r"|(?:caller|customer) (?:was |became |got |turned |kept |started |continued )?(?:being )?(?:verbally )?(?:abusive|threatening|shouting and swearing|swearing and shouting|swearing|hurling abuse)",
     1.6, "reported abuse"),
]

# Abuse said of "they" that counts only when the same sentence first names the company's
# people ("Do your warehouse staff pack with their feet, or are they just thick?"):
# tone.py looks for ``STAFF_REFERENCE`` before the match.
STAFF_REFERENCE = (r"(?:your|the company'?s|kestrel'?s) (?:\w+ )?(?:staff|people|team|agents?|advisors?|advisers?|employees?|"
                   r"workers?|drivers?|couriers?|engineers?|technicians?|developers?|packers?|managers?|management|"
                   r"colleagues?|support|call cent(?:re|er)|warehouse)|you (?:lot|people|guys)")
ABUSE_OF_STAFF: list[Cue] = [
    (rf"(?:are|were) they{_MODS}{{0,4}} (?:{_ADJ}|{_NOUN}|deaf|blind)|they(?:'re|’re| are| were){_MODS}{{0,4}} (?:{_ADJ}|{_NOUN})",
     1.6, "insult"),
]

THREAT: list[Cue] = [
    (r"(?:my |a |get a |contact (?:my |a )?|call (?:my |a )?|speak to (?:my |a )?)(?:lawyer|attorney|solicitor|legal team|legal counsel|legal department)s?", 2.2, "legal"),
    (r"(?:legal|court) (?:action|proceedings|steps|measures|case)|take (?:you|this|it) to court|see you in court|small claims|sue|suing|lawsuit|class action|litigation",
     2.2, "legal"),
    (r"lawyers?|attorneys?|solicitors?", 1.4, "legal"),
    (r"(?:ombudsman|regulator|trading standards|consumer (?:protection|rights|association|agency|council|authority|advice)|better business bureau|bbb|ftc|cfpb|ofcom|ofgem|financial conduct authority|data protection (?:authority|officer)|police)",
     1.6, "legal"),
    (r"report (?:you|this|your company|it) to|(?:i'?m|i am|i will|i'?ll|i'?m going to) (?:be )?report(?:ing)? (?:you|your (?:company|firm|business))", 1.8, "legal"),
    # consumer bodies customers name in Brazil, Portugal and Germany
    (r"procon|reclame aqui|reclameaqui|consumidor\.gov(?:\.br)?|anatel|livro de reclama\w+|complaints? book|verbraucherzentrale|consumer (?:advice )?(?:cent(?:re|er)|office)|schlichtungsstelle|arbitration (?:board|body)",
     1.6, "legal"),
    (r"(?:post|share|write|put|tell|tweet|publish|expose)\w* (?:(?:this|it|about (?:this|it|you|your company)|everything|everyone|the world|my experience) )?(?:on|to|in|about) (?:twitter|x|facebook|instagram|tiktok|reddit|youtube|linkedin|social media|the internet|online|trustpilot|yelp|google|the press|the news|the media)",
     2.0, "publicity"),
    (r"(?:bad|negative|terrible|1[- ]star|one[- ]star|zero[- ]star|honest) reviews?|review (?:you|this|your)|go(?:ing)? public|the press|journalists?|newspapers?|tell (?:all )?(?:everyone|everybody|all my friends)|everyone will know|social media|trustpilot|yelp",
     1.6, "publicity"),
    (r"charge ?backs?|(?:dispute|reverse|contest|block|cancel) (?:the |this |that |my |your )?(?:charge|payment|transaction|debit|direct debit)s?|(?:call|contact|phone|tell|ask) (?:my|the) (?:bank|credit card (?:company|issuer|provider)|card issuer)|(?:paypal|credit card|bank) (?:claim|dispute)|file a (?:claim|dispute)",
     2.0, "chargeback"),
]

_PLAN = r"(?:subscription|account|contract|membership|plan|service|policy|line|agreement|everything|all)"
_I_DID = r"(?:i|we|i'?ve|i have|we'?ve|we have|i had|had)"

CHURN: list[Cue] = [
    # "I cancelled it" is done: the customer is not asking to cancel (a script offering
    # to cancel or to pause would be tone-deaf there), though it weighs the same
    (rf"(?:{_I_DID} )?(?:already )?cancell?ed (?:my |the |our |your |this )?{_PLAN}", 2.0, "already cancelled"),
    (rf"cancel\w* (?:my |the |our |your |this )?{_PLAN}", 2.0, "cancel"),
    (r"(?:close|terminate|end|delete|quit) (?:my |the |our )?(?:account|contract|subscription|membership|plan|relationship|business with you)", 2.0, "cancel"),
    (r"(?:switch|switching|move|moving|go|going|change|changing|leave|leaving|migrate|migrating) (?:\w+ )?(?:to (?:(?:another|a different|a new|a better)(?: (?:provider|company|bank|supplier|operator|network|service|shop|store|brand))?|your competitor|the competition|one of your competitors)|provider|company|bank|supplier|elsewhere|somewhere else|competitor)",
     2.0, "switch"),
    # "moving to a flat", "move to the next step": moving is only churn towards another
    # provider (the pattern above); switching to anything named is
    (r"(?:switch|switching|switched) (?:to|over to) \w+", 1.2, "switch"),
    (r"(?:take|taking) my (?:business|money|custom) (?:elsewhere|somewhere else)|go elsewhere|look(?:ing)? elsewhere|find (?:another|a different|a new|a better) (?:provider|company|supplier|bank|shop|store|service)",
     2.0, "switch"),
    (r"competitors?|the competition|other (?:provider|company|supplier)s?", 1.4, "competitor"),
    (r"(?:never|not) (?:going to |gonna |will )?(?:order|buy|shop|use|book|fly|come back|purchase|recommend)\w* (?:(?:from|with|at) )?(?:you|your \w+|here|this \w+)? ?(?:again|anymore|ever again)",
     2.0, "leaving"),
    (r"(?:i'?m|i am|we'?re|we are) (?:done|finished|through) with (?:you|your|this)|last time i|you(?:'ve| have) lost (?:a|me as a) customer|lost a customer|former customer|ex-customer|(?:won'?t|will not|not going to|don'?t want to) renew|unsubscrib\w*",
     1.8, "leaving"),
    (r"(?:refund|money back)(?: and| or)? (?:close|cancel|leave|goodbye)", 1.6, "leaving"),
    # an ultimatum: "if this isn't fixed today I'm cancelling", "fix it or I'm leaving"
    (r"(?:if (?:this|it|that|you) (?:is ?n[o']?t|isn'?t|doesn'?t|does not|don'?t|do not|can'?t|cannot|won'?t|will not|aren'?t|are not)\b[^.!?\n]{0,60}?|or (?:else )?)(?:i'?m|i am|i'?ll|i will|we'?re|we'?ll|we will) (?:\w+ )?(?:cancel\w*|leav\w*|switch\w*|go(?:ing)? elsewhere|clos\w* my account|tak\w* my business)",
     1.6, "ultimatum"),
    (rf"(?:{_I_DID}|already)(?: already)? cancell?ed|cancell?ed (?:it|this|that|(?:my|the|our) @?\w+)(?: (?:subscription|plan|contract|order|account|membership))? (?:already|today|yesterday|this (?:morning|week|month)|last (?:night|week|month)|(?:a|\d+|two|three|four|five|six) (?:\w+ )?(?:ago|days|weeks|months|month|week))",
     0.7, "already cancelled"),
    # a decision made: no retention offers, please ("I just want it cancelled", "I don't
    # want a discount"); the script for it cancels without a sales pitch
    (r"(?:i )?(?:just|only|simply) want (?:it|this|that|my \w+|the \w+) (?:cancell?ed|canceled|closed|gone|stopped|ended)|(?:just|simply|please just) cancel (?:it|this|that|my \w+)|(?:i )?(?:don'?t|do not) want (?:a|any|your|another) (?:discount|offer|deal|free month|free trial|options?|alternatives?|sales pitch)|no (?:more )?(?:offers|discounts|deals|sales pitch)",
     0.7, "firm cancel"),
    (r"cancel\w*", 0.7, "cancel"),
    # asking for the money back is a low churn signal; asking *when* an agreed refund
    # arrives ("when will I get my refund?", "I haven't seen the refund yet") is not
    (r"(?:want|like|demand|expect|need|request|requesting|asking for|ask for|claim|claiming) (?:a |an |my |the )?(?:full |immediate |complete )?refund|(?:get|have) an? (?:full )?refund|(?:full|immediate|complete) refund|(?:want|give me|demand|expect) my money back|my money back (?:now|immediately|please)|reimburse me",
     0.5, "refund"),
]

_VALUABLES = r"(?:card|cards|wallet|purse|identity|details|password|pin|phone|bank details|login|account|credit card|debit card)"
_THIEF = r"(?:someone|somebody|thieves|burglars|a thief|a pickpocket)"

ANXIETY: list[Cue] = [
    (r"worried|worrying|worries|anxious|nervous|scared|afraid|frightened|terrified|panic\w*|stressed|stressful|stressing|desperate|distraught|uneasy|concerned|concerning|alarmed",
     1.4, "emotion word"),
    (r"(?:i'?m |i am )?(?:really |so |very )?(?:upset|in tears|crying|losing sleep|can'?t sleep)", 1.2, "distress"),
    (r"what (?:should|do|can) (?:i|we) do|don'?t know what (?:to do|else to do)|(?:i|we) (?:really )?need (?:this|it|help|the money)|please,? (?:please|help|i beg)|i beg you|help me,? please|please help",
     1.1, "plea"),
    # a stolen card or password is a worry about money and accounts ("security": "your
    # money is safe" answers it); a stolen parcel is not ("theft", the same weight)
    (rf"(?:(?:my |the |our )?{_VALUABLES}s? (?:was |were |has been |have been |got |being )?stolen)|stolen (?:card|identity|details|password|phone|wallet|login|account)s?",
     1.3, "security"),
    (r"(?:hacked|compromised|unauthori[sz]ed|suspicious|identity theft|someone (?:else )?(?:used|accessed|logged))\w*", 1.3, "security"),
    (rf"{_THIEF} stole (?:my|our) (?:{_VALUABLES}|bag|handbag)",
     1.3, "security"),
    (rf"stolen|{_THIEF} stole", 1.3, "theft"),
    (r"(?:is|are|will) my (?:money|data|account|card|details|information|funds|savings|package|order) (?:safe|secure|ok|okay|lost|gone)|lost (?:all )?my (?:money|data|savings|files|photos|funds)",
     1.3, "security"),
    (r"what if|what happens (?:if|to|now)|will i (?:lose|be charged|get)|am i going to|(?:have|did) i (?:done|do) (?:something|anything) wrong|am i in trouble", 0.9, "worry"),
    (r"(?:being|been) used by someone|someone (?:else )?(?:is |has been |might be |could be )?using my|is (?:this|it|that) (?:a |one of those )?(?:scam|phishing|fake|genuine|legit|real)(?: \w+)?\?|phishing",
     1.2, "security"),
    (r"is (?:it|this|that) (?:still |even )?safe(?: to (?:use|open|keep|charge|install|plug in|leave))?|(?:could|might|will|can) (?:it|this) (?:catch fire|explode|overheat|burn|electrocute)|fire (?:risk|hazard)|(?:it'?s|is it|it is) dangerous",
     1.2, "safety"),
    (r"(?:can'?t|cannot|unable to) (?:afford|pay (?:my )?(?:rent|bills))|(?:my )?rent|overdraft|overdrawn|bills? to pay|medication|hospital|funeral|my (?:child|kids|baby|mother|father|wife|husband) (?:is|needs)|money is (?:really |very |so |a bit )?tight|(?:was |am |i'?m |i was )counting on (?:it|this|that|the)|(?:she|he)(?:'s| is) (?:\d{2}|elderly|disabled|vulnerable|pregnant|unwell|poorly|on (?:her|his) own)|(?:she|he|we|i|they|my \w+) (?:really |completely |totally )?(?:relies|rely|depends|depend) on (?:it|this|that|the|them|my|her|his)|(?:it'?s|we'?re|she'?s|he'?s|the house is) (?:freezing|so cold)",
     1.0, "stakes"),
]

CONFUSION: list[Cue] = [
    (r"confus\w*|puzzled|baffled|perplexed|bewildered", 1.5, "emotion word"),
    (rf"(?:i |I )?(?:do|does|did)?(?:{_NT}| not) (?:really )?(?:understand|get (?:it|this|what|why|how|which|where|whether|if)|follow|know (?:what|how|why|where|which|if|whether))", 1.3, "not understanding"),
    (r"(?:i |I )?(?:do|did)?n'?t understand|(?:don'?t|doesn'?t|does not|do not) make (?:any )?sense|makes no sense|not clear|unclear|no idea (?:what|how|why|where|which|who|if|whether)|not sure (?:what|how|why|where|which|who|when|if|whether|i understand)",
     1.3, "not understanding"),
    (r"what (?:does|do) (?:that|this|it|you) mean|what do you mean|meaning\?|what is (?:a|an|the) \w+\?|i'?m (?:lost|confused)|lost here", 1.3, "question"),
    (r"how (?:do|can|should|am) i (?:supposed to )?|where (?:do|can|should) i (?:find|see|get|click|go|enter)|which (?:one|button|option|form|link|page|number)|(?:can|could) you explain|explain (?:again|to me|how|what|why)|step by step|walk me through",
     0.7, "question"),
    (r"huh|eh\?|what\?+", 0.9, "question"),
    (r"(?:i )?(?:don'?t|do not|can'?t|cannot) remember (?:setting|doing|changing|making|signing|agreeing|ordering|turning|which|what|if|whether|how)", 0.9, "not understanding"),
    (r"(?:or|and) is it an? \w+ thing|is (?:this|it|that) the (?:right|correct) (?:one|item|model|app|number|address|place|size|version)|(?:work|worked|gone through|happened|been done) or not|or have i been sent|have i been sent the wrong",
     0.8, "question"),
]

URGENCY: list[Cue] = [
    (r"urgent\w*|emergency|asap|a\.s\.a\.p\.?|time[- ]sensitive|critical", 1.6, "urgent"),
    (r"(?:right|straight) (?:now|away)|immediately|at once|as soon as possible|without delay|this (?:minute|second)|no later than|before (?:tonight|tomorrow|monday|tuesday|wednesday|thursday|friday|saturday|sunday|the weekend|end of (?:the )?day)|by (?:tonight|tomorrow|today|end of (?:the )?day|eod|noon|this afternoon|this evening|monday|tuesday|wednesday|thursday|friday)",
     1.2, "deadline"),
    (r"deadline|(?:my )?flight (?:is|leaves)|leaving (?:tomorrow|tonight|today)|(?:i|we) need (?:it|this|them|the \w+) (?:today|now|tomorrow|urgently|asap|by (?:tonight|tomorrow|today|noon|the weekend|\w+day))|can'?t wait (?:any ?longer|anymore|until)|hurry|quickly",
     1.0, "deadline"),
    (r"today", 0.4, "deadline"),
]

GRATITUDE: list[Cue] = [
    (r"thank(?:s| you)(?: (?:so|very) much| a lot| a million| again| kindly| heaps| loads)?(?: for (?:(?:all )?(?:your|the) )?(?:help|patience|support|time|quick (?:reply|response|help)|assistance|understanding|explaining|sorting|fixing|everything))?",
     1.2, "thanks"),
    (r"thx|thnx|ty|tysm|cheers|much obliged|many thanks|much appreciated|appreciate (?:it|that|this|your|the)|appreciated|grateful|thankful",
     1.2, "thanks"),
    (r"(?:you'?(?:re|ve) been|you are|that was|this is|that'?s) (?:(?:so|very|really|super|extremely|incredibly) )?(?:helpful|amazing|wonderful|great|fantastic|brilliant|a star|a lifesaver|the best|kind|perfect)",
     1.2, "praise"),
    (r"(?:great|excellent|fantastic|brilliant|amazing|perfect|wonderful|awesome|quick|fast|friendly) (?:service|help|support|job|work|response)", 1.0, "praise"),
    (r"(?:been|were|was) (?:so |really |very |absolutely |super |just |always )?(?:brilliant|lovely|amazing|fantastic|wonderful|excellent|superb|a star|a lifesaver|a credit to \w+)|(?:really |very |so |hugely )?impressed|shout ?out to|kudos|hats off to|top marks|(?:i|we) (?:really |just |absolutely )?(?:love|loved|adore) (?:the|my|your|our|it|this)|painless|hassle-free|(?:very )?complimentary|thanked (?:us|you|the agent|the team|staff)|(?:years|months) of (?:good|great|excellent) service|good service",
     1.0, "praise"),
    (r"(?:that|it|this|everything) (?:works|worked|is working|is fixed|is solved)(?: now)?|problem solved|all sorted|sorted now|perfect|awesome|wonderful|great news|lifesaver",
     0.8, "relief"),
]

# What a customer-support message is about. The support scorer (agentdesk.scripts.model)
# learned from support messages only; it is consulted when the message or the
# conversation so far names one of these (an order, an account, a payment, an app, a
# delivery, buying, paying, something that doesn't open or load …), and otherwise the
# general scorer alone speaks. A common list of consumer services, written by hand.
SERVICE_TOPIC = (
    r"accounts?|orders?|ordered|cards?|payments?|invoices?|bills?|billing|refunds?|subscriptions?|"
    r"plans?|contracts?|tariffs?|apps?|application|website|site|web ?page|links?|e-?mails?|passwords?|"
    r"log ?in|login|sign ?in|codes?|sms|devices?|phones?|mobile|smartphone|computer|laptop|pc|tablet|"
    r"screen|router|modem|internet|wi-?fi|wlan|network|signal|line|connection|tv|program|software|"
    r"update|version|books?|e-?books?|readers?|e-?readers?|library|maps?|gps|watch|deliver(?:y|ies)|"
    r"parcels?|packages?|shipping|tracking|courier|stores?|shops?|products?|items?|purchases?|"
    r"bank|transfer|credits?|debit|atm|booking|reservation|flight|tickets?|gym|membership|"
    r"vouchers?|coupons?|discount|receipt|licen[cs]es?|activation|customer service|support|"
    r"technician|warranty|repair|meter|electricity|insurance|policy|printer|files?|"
    r"download\w*|upload\w*|install\w*|sync\w*|bought|paid|charged|refunded|"
    r"service|chats?|requests?|errors?|problems?|documents?|forms?|complaints?|supervisor|manager|"
    r"attendants?|agents?"
)
# ... or a thing that fails to work, said with a negation ("it doesn't open", "I can't log
# in", "nothing appears"): the usual first words of a support request.
SERVICE_FAILURE = (
    r"(?:\w+n['’]?t|not|no longer|cannot|unable to|never|nothing|n|nao|não)"
    r"(?:\s+(?:\w+))?\s+(?:work|works|working|worked|open|opens|opening|opened|load|loads|loading|"
    r"loaded|appear|appears|appearing|appeared|arrive|arrives|arrived|connect|connects|connecting|"
    r"access|enter|log|sign|pay|buy|download|install|activate|start|turn|charge|charges|print|play|find|"
    r"receive|received|recogni[sz]e|accept|accepts|accepted|function|happen|happens|happened|"
    # left untranslated: Portuguese and German
    r"funciona|consigo|abre|carrega|aparece|chegou|entra|funktioniert|geht|öffnet|lädt)"
    r"|(?:funktioniert|geht|klappt|öffnet|lädt|kommt)\s+(?:\w+\s+)?(?:nicht|nie)"
)

# Positive words that, after a negator, become frustration ("not happy", "not helpful").
NEGATABLE_POSITIVE = r"happy|satisfied|pleased|helpful|good|great|ok|okay|acceptable|fair|right|normal|professional|nice|friendly|fine|impressed|amused"

NEGATORS = frozenset(
    "not no never n't nt without hardly barely neither nor none nothing nobody cannot cant dont doesnt didnt isnt arent wasnt werent wont wouldnt shouldnt couldnt havent hasnt hadnt".split()
)

INTENSIFIERS = {
    "very": 1.4, "so": 1.4, "really": 1.4, "extremely": 1.7, "absolutely": 1.6, "totally": 1.5,
    "completely": 1.5, "utterly": 1.7, "incredibly": 1.6, "super": 1.4, "seriously": 1.4,
    "beyond": 1.6, "such": 1.3, "truly": 1.4, "highly": 1.4, "deeply": 1.5, "terribly": 1.5,
    "fucking": 1.8, "bloody": 1.5, "damn": 1.5, "too": 1.3, "most": 1.3, "quite": 1.2,
    "ever": 1.2, "insanely": 1.7, "massively": 1.6, "hugely": 1.5,
}
DOWNTONERS = {
    "bit": 0.6, "slightly": 0.6, "little": 0.7, "somewhat": 0.7, "kinda": 0.7, "kind": 0.8,
    "sort": 0.8, "fairly": 0.8, "mildly": 0.6, "rather": 0.9, "abit": 0.6,
}

# Words that look like shouting but are names of things.
ACRONYMS = frozenset(
    "OK OKAY ID PIN SMS URL FAQ ASAP PDF API IBAN BIC VAT TV PC DHL UPS USPS FEDEX GPS USB SIM IMEI "
    "EU UK US USA BBB FTC NHS CEO HR IT IP VPN WIFI DSL LTE 4G 5G APP IOS AM PM EUR USD GBP CHF BRL "
    "NAME NUMBER EMAIL URL ADDRESS ORG PRS_ORG DATE TIME QR CVV CVC PO ETA FYI PS NB OTP 2FA MFA TOS "
    "LOL CSV XML JSON HTML HTTP HTTPS WWW COM ATM IBAN SWIFT ABN RMA SKU UPC EAN DVD CD RAM SSD HDD".split()
)

# Emoji and emoticons: (pattern, tone, weight, cue). Matched without word boundaries.
EMOJI: list[tuple[str, str, float, str]] = [
    ("[\U0001F621\U0001F92C\U0001F620\U0001F47F\U0001F4A2\U0001F5EF]", "anger", 1.3, "angry emoji"),
    ("\U0001F595", "abuse", 2.0, "rude gesture"),
    ("[\U0001F624\U0001F612\U0001F644\U0001F611\U0001F610\U0001F926\U0001F937\U0001F62B\U0001F629]", "frustration", 1.0, "exasperated emoji"),
    ("[\U0001F622\U0001F62D\U0001F61E\U0001F614\U0001F61F\U0001F641\u2639\U0001F494\U0001F615]", "frustration", 0.7, "sad emoji"),
    ("[\U0001F630\U0001F628\U0001F631\U0001F625\U0001F97A\U0001F62C\U0001F633\U0001F613]", "anxiety", 1.2, "anxious emoji"),
    ("[\U0001F914\u2753\u2754\U0001F928\U0001F635]", "confusion", 0.9, "puzzled emoji"),
    ("[\u23F0\u231B\u23F3\U0001F6A8\u203C\u26A0]", "urgency", 0.9, "alarm emoji"),
    ("[\U0001F64F\U0001F60A\U0001F642\U0001F44D\u2764\U0001F496\U0001F970\U0001F60D\U0001F917\U0001F600\U0001F603\U0001F604\U0001F601\U0001F44F\U0001F49A\U0001F499\U0001F31F\u2B50]",
     "gratitude", 0.8, "warm emoji"),
    (r"(?<![\w:])(?:>:\(|:-?@|>:-?\(|D:<)", "anger", 1.2, "angry emoticon"),
    (r"(?<![\w:])(?::-?\(+|:'\(|;-?\(|:-?/(?![/\w])|:-?\\|-_-|:-?\|)", "frustration", 0.7, "sad emoticon"),
    (r"(?<![\w:])(?::-?\)+|:-?D\b|;-?\)|<3)", "gratitude", 0.6, "warm emoticon"),
]

# Sarcasm: phrases that say the opposite of what they mean.
SARCASM_STRONG = [
    r"yeah,? right|yea,? right|thanks for nothing|cheers for nothing|(?:this is|is this|that'?s) (?:all )?the thanks (?:i|we) get|thanks a lot for nothing|big (?:thanks|help),? not|"
    r"(?:oh|wow),? (?:great|wonderful|perfect|fantastic|brilliant|lovely|nice|super|thanks|amazing|awesome|just what i needed)|"
    r"(?:just|simply|really|truly) (?:great|perfect|wonderful|brilliant|fantastic|lovely|marvell?ous|what i needed)|"
    r"(?:great|good|nice|fantastic|brilliant|excellent|amazing|stellar|wonderful) (?:job|work|service|going)(?:,| guys| team| there| as always)|"
    r"so (?:helpful|useful|reliable)(?: as always)?|(?:love|loving) (?:how|that|the way)|what a (?:surprise|shock)|how (?:convenient|lovely|nice|wonderful)|"
    r"thanks,? (?:i guess|for (?:the|your) (?:wonderful|great|amazing|brilliant|stellar|fantastic) (?:service|help|support))|as always|/s\b|obviously|clearly you",
]
# Positive openers that are sarcastic when the message also carries a failure cue.
SARCASM_OPENERS = r"(?:great|wonderful|perfect|fantastic|brilliant|lovely|amazing|awesome|super|terrific|marvell?ous|excellent|splendid|nice|cool|thanks|thank you|wow)"
