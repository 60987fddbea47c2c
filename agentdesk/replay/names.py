"""Word lists for the redaction heuristics, written for agentdesk (no third-party list).

* :data:`FIRST_NAMES` — given names common in the UK, Ireland, the US, continental
  Europe, South Asia, the Middle East, Africa, East Asia and Latin America. A
  capitalised word from this list is taken as a name anywhere in a message, unless
  it is also in :data:`AMBIGUOUS_NAMES`.
* :data:`AMBIGUOUS_NAMES` — given names that are also everyday words, months,
  places or brands ("Will", "May", "Grace", "Paris", "Jordan"). They count as names
  only next to a cue (a greeting, a sign-off, "my name is", a title, "spoke to" …).
* :data:`NOT_NAMES` — capitalised words that follow a greeting or sign-off but are
  not people ("Hi team", "Dear Customer Services", "Regards, The Billing Team").
* :data:`COMMON_WORDS` — frequent lower-case English words; a word after
  "password is" that is one of these is not a password ("my password is wrong").

All entries are lower case and without accents; look-ups fold case and accents
("Tomás" is looked up as "tomas").
"""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(w.casefold() for w in text.split())


FIRST_NAMES = _words(
    """
    aaron abby abdul abdullah abel abigail abraham ada adam adele adeola adil aditi aditya
    adrian adriana agata agnes agnieszka ahmad ahmed aidan aiden aileen ailsa aimee aisha
    aishwarya ajay akash akira akosua alan alana alastair albert alberto alec alejandra
    alejandro aleksandra alessandra alessandro alex alexander alexandra alexandre alexei
    alexis alfie alfred ali alice alicia alina alison alistair allan allison alma amal
    amanda amani amara amelia amina amir amit amra amy ana anastasia anders andre andrea
    andreas andrei andrew andy aneesh angela angelo angus anil anita anja ann anna anne
    anneliese annette annie anthony antoine anton antonio anya aoife arjun arnav arthur
    arturo asha ashley ashok astrid aurora ava axel ayesha ayo ayumi barbara barry bartosz
    basil beata beatrice beatriz becky belinda bella ben benedict benjamin bernadette bernard
    beth bethany betty beverley bianca bilal bjorn blessing bogdan boris brandon brenda
    brendan brian bridget britney bronwen bruce bruno bryony caitlin callum calum camila
    camille cara carl carla carlos carmen carol caroline carolyn casey catherine cecilia
    cedric celia charles charlie charlotte chen cheng chidi chiara chinedu chioma chloe
    chris christian christina christine christopher ciara ciaran cindy claire clara claude
    claudia colin conor connor constance craig cristina cynthia dalia damian damien dan
    dana daniel daniela danielle danny daria darius darren dave david davide dawid debbie
    deborah declan deepak deepika delia denis denise dennis derek desmond dev devon diana
    diane diego dilip dimitri dina dmitri dmitry dominic dominik donal donald donna doreen
    doris dorothy douglas duncan dylan eamon ebony ed eddie edgar edith edmund eduardo
    edward edwin eileen eilidh elaine eleanor elena eleni eli elias elif elijah elisa
    elisabeth eliza elizabeth ella ellen ellie eloise elsa emeka emil emilia emily emma
    emmanuel enrique enzo eoin eric erica erik erin ernest esme esther ethan eugene eva
    evan eve evelyn ewa fabian fahad faisal farah farid fatima fatma federico felipe
    felix fernando finley finn fiona florian francesca francesco francis francisco franz
    freddie frederick freya gabriel gabriela gabriele gareth gary gavin gemma geoffrey
    george georgina gerald gerard gianluca gillian gina giorgio giovanni giulia giuseppe
    gloria gordon graham greg gregory greta guillaume gunnar gustavo hamid hamza hana
    hannah hans harold harriet harry harvey hassan heather heidi helen helena helga henrik
    henry herbert hiroshi holger howard hugh hugo hussein ian ibrahim ifeoma ignacio igor
    imogen imran ines ingrid irene irina isaac isabel isabella isabelle isla ismail ivan
    ivana jack jackie jacob jacqueline jade jake jakub jamal james jamie jan jane janet
    janice jasmine jason javier jay jayden jean jeff jeffrey jennifer jenny jeremy jerome
    jessica jill jim jimmy jo joan joanna joanne joao jocelyn joe joel johan johann johanna
    john jon jonas jonathan jordi jorge jose josef joseph josephine josh joshua juan judith
    judy julia julian julie julien juliet julio justin kai kamal kamila karen karim karin
    karl karolina kasia kate katarzyna katherine kathleen kathryn katie katrin kayla keith
    kelly ken kenji kenneth kerry kevin khadija khalid kieran kim kirsty klaus kofi kristina
    krzysztof kumar kwame kyle lakshmi lara laura lauren lawrence leah leanne lee leila
    lena leo leon leonardo leslie liam lila lily linda lindsay lisa liz lola lorenzo
    lorraine louis louise luca lucas lucia lucy luis luisa luka lukas luke lydia lynn
    madeleine magdalena mahmoud maja malcolm malik manuel manuela marc marcel marcin marco
    marcus margaret margarita maria mariam marie marina mario marion marisa marissa marjorie
    markus marta martha martin martina mary maryam mateo matilda matteo matthew matthias
    maureen maurice max maxim maya megan mehmet mei melanie melissa mia michael michal
    michel michela michelle miguel mikael mike mila milan milena mina minh mohamed mohammad
    mohammed monica monika morgan moses muhammad murat mustafa nadia nadine naledi nancy
    naomi natalia natalie natasha nathan neha neil nelson niamh nicholas nick nicola nicole
    nikhil niklas nikolai nina noah noel nora norbert oksana ola olga olivia oliver olusegun
    omar oscar owen pablo padraig pamela paolo patricia patrick paul paula pauline pavel
    pedro penelope peter petra philip philippe pierre piotr pooja prakash pranav preeti
    priya priyanka rachel rafael rahul raj rajesh ramon rana raphael rashid raul ravi
    rebecca renata rhys ricardo richard rishi rita roberta roberto robert robin rodrigo
    roger rohan roland roman ronald rory rosa rosemary ross ruth ryan sabine sadia sahil
    salma salvatore sam samantha samir samuel sandeep sandra sanjay sara sarah sasha saul
    scott sean sebastian selin sergei sergio seun shabnam shane shanice sharon shauna
    sheila shira shirley shreya siddharth silvia simon simone sinead siobhan sofia sofie
    sonia sophia sophie stacey stanislav stefan stefano stella stephanie stephen steve
    steven stuart sujata sunil susan suzanne sven svetlana sylvia tamara tanya tara tariq
    tatiana ted teresa thabo thomas tiago tim timothy tina tobias tom tomas tomasz tony
    tracey tracy tristan tyler ulrich ursula valentina valeria vanessa varun vera veronica
    vicky victor vikram vincent vivek vladimir wanda wei wendy wilhelm william wojciech
    xavier xin yan yasmin yara yasmine yusuf yuki yvonne zainab zara zeynep zoe zofia
    zoltan mbali sipho themba lerato nkosi adaeze obinna ngozi tunde yetunde femi kemi
    abena kwabena yaw ama esi kojo akua wanjiru wambui kamau otieno achieng amara
    hiroko haruto sakura takeshi yuto haruka ren hyun minjun seojun jiwoo soyeon jisoo
    li ling jun hui ying xiaoming jing lan thi anh thanh duc linh ngoc huong tuan
    nguyen ravindra anand arun deepa divya gita kavya lalit manish meera mohan nisha
    parvati pradeep rekha sachin shanti suresh usha vijay yash zubair bushra nasreen
    rukhsana shazia tahir usman waqar zeeshan farhan faraz kashif nadeem rizwan saima
    ayaan aarav vihaan ishaan anaya diya myra sana hina javed kiran
    pierre-louis jean-pierre marie-claire jean-luc anne-marie
    daniele ilaria chiara federica giacomo jacopo lorenza mattia nicolo riccardo
    beatrix bettina dieter gerhard gisela hartmut heike jens jurgen kerstin manfred
    monique nathalie sebastien stephane sylvie thierry veronique yannick amelie
    joaquin lucia mercedes nuria paloma rocio santiago ximena alvaro inigo
    abbie alfie archie becca bex cathy danny debs dom ellie fran gabe georgie harri
    jen jess jonny kath katy lexi lizzie maggie matt meg mick mikey nat nicky pete
    phil rach rosie sal steph tash theo toby vic vinnie zac
    grainne sorcha orla roisin aine clodagh caoimhe niall cathal oisin seamus eilis
    """
)

NATIONALITIES = _words(
    """
    english british irish scottish welsh american canadian australian french german
    spanish italian dutch polish indian chinese japanese korean brazilian mexican
    portuguese swedish norwegian danish finnish greek turkish russian ukrainian
    nigerian kenyan african european asian muslim christian jewish hindu catholic
    """
)
"""Capitalised words that follow "I'm" and are not names ("I'm British")."""

AMBIGUOUS_NAMES = _words(
    """
    will mark may june april august bill grace hope faith joy rose ruby amber crystal
    dawn summer holly ivy iris jade hazel heather lily daisy violet jasmine pearl
    frank earl guy ray rich rob pat sue gene dean drew chase hunter cliff art bob
    miles max ford page reed hall young king long brown white green black
    price cook baker carter mason parker porter taylor turner walker wells banks
    lane wade warren norm herb sandy sunny sky stone penny dale glen glenn rocky
    victoria paris jordan sydney florence austin dallas georgia virginia carolina
    charlotte adelaide orlando phoenix chelsea brooklyn madison dakota lincoln
    israel india china kenya chad jersey tesla dell mercedes alexa siri marks spencer
    rose gold cherry apple amazon oracle sage river rain storm star angel
    patience constance prudence honor justice liberty harmony melody
    carol noel christian jean van von de la del le
    rick doug don dick sterling lance gale gay cash
    """
)
"""Given names that are ordinary words, months, places or brands: cue needed."""

NOT_NAMES = _words(
    """
    i i'm im i've ive i'd i'll you your we our us they them there here all everyone
    everybody anyone someone team teams support service services customer customers care
    billing sales accounts account help helpdesk desk department dept office staff guys
    folks friend friends sir madam mam maam ma'am gentlemen ladies colleagues again
    again, agent agents manager managers admin administrator the a an and or but so
    to from for with on in at by of thanks thank thx cheers regards best kind warm many
    yours sincerely faithfully truly please hello hi hey dear good morning afternoon
    evening night day today tomorrow yesterday monday tuesday wednesday thursday friday
    saturday sunday january february march july september october november december
    mr mrs ms miss mx dr prof it this that these those what who why how when where
    yes no ok okay sorry quick just still also ps p.s. re fw fwd urgent update
    company ltd limited inc llc plc gmbh group co corp bank store shop app website
    acme everything nothing something anything order orders refund delivery parcel
    ticket case complaint complaints question questions issue problem problems
    mum mom dad my me mine he she his her him hers
    """
)
"""Capitalised words that are not people, when they follow a greeting or sign-off."""

COMMON_WORDS = _words(
    """
    a about above after again against all almost already also always am an and any
    are aren't around as at away back bad be because been before being below between
    both broken but by can can't cannot case changed changing check checked correct
    could couldn't definitely did didn't different do does doesn't doing done don't
    down during each easy either else empty enough entered even ever every exactly
    expired fails failing fine first for forgotten from gone good has hasn't have
    haven't having he her here hers him his how i if in incorrect into invalid is
    isn't it it's its just known last least less like locked long longer lost many
    me mine missing more most much must my myself need needed never new next no not
    nothing now of off ok okay old on once one only or other our out over own please
    really reset right same saved say says secure see set short simple since so some
    something still strong such sure than that the their them then there these they
    this those through too twice under until up us used using very was wasn't we
    weak were weren't what when where which while who why will with without won't
    working works would wouldn't wrong yes yet you your yours rejected accepted
    required requirement requirements rules policy field box characters character
    letters numbers symbols length change update updated fixed field protected
    manager reminder hint recovery requests request expiring expiry format
    """
)
"""Frequent lower-case words: "my password is wrong" names no password."""
