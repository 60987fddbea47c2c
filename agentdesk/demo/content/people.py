"""Names for demo customers and agents, and the fictional contact details they get.

Names are grouped by the naming tradition they come from, so a generated person
usually has a first and last name that belong together (and sometimes not, as in
real life). Contact details use ranges reserved for fiction and documentation:
``example.com`` / ``.net`` / ``.org`` mail domains (RFC 2606), UK mobiles
``07700 900000``–``900999`` (Ofcom's drama range) and US ``555-0100``–``0199``.
"""

from __future__ import annotations

# tradition: (weight, first names, last names)
NAMES: dict[str, tuple[float, tuple[str, ...], tuple[str, ...]]] = {
    "english": (
        14,
        ("Oliver", "Amelia", "Harry", "Isla", "George", "Sophie", "Jack", "Emily",
         "Charlotte", "Tom", "Lucy", "Rebecca", "Ben", "Hannah", "Sam", "Joanne"),
        ("Smith", "Taylor", "Wilson", "Thomas", "Roberts", "Walker", "Wright",
         "Hughes", "Green", "Hall", "Wood", "Clarke", "Turner", "Cooper", "Ward"),
    ),
    "celtic": (
        6,
        ("Gareth", "Rhiannon", "Callum", "Eilidh", "Siobhan", "Ciarán", "Niamh",
         "Rhys", "Fiona", "Declan"),
        ("Jones", "Davies", "Morgan", "MacLeod", "Fraser", "Murphy", "O'Brien",
         "Byrne", "Kelly", "Doyle", "Lloyd", "McKenzie"),
    ),
    "american": (
        8,
        ("Tyler", "Madison", "Brandon", "Ashley", "Kayla", "Cody", "Megan", "Dylan",
         "Brittany", "Austin", "Shawn", "Crystal"),
        ("Johnson", "Miller", "Davis", "Anderson", "Jackson", "Harris", "Martin",
         "Moore", "White", "Parker", "Reed"),
    ),
    "south_asian": (
        12,
        ("Arjun", "Ananya", "Rahul", "Sunita", "Vikram", "Imran", "Farah", "Zainab",
         "Bilal", "Harpreet", "Gurpreet", "Rajesh", "Deepa", "Nasreen", "Tariq",
         "Sanjay", "Kavya", "Rohan", "Meera", "Amir"),
        ("Patel", "Sharma", "Singh", "Gupta", "Khan", "Ahmed", "Hussain",
         "Chowdhury", "Rahman", "Iyer", "Nair", "Reddy", "Kaur", "Mehta", "Desai",
         "Malik", "Qureshi", "Begum", "Bose", "Kapoor"),
    ),
    "chinese": (
        5,
        ("Wei", "Mei", "Jun", "Li Na", "Hao", "Xin", "Yan", "Jia"),
        ("Chen", "Wang", "Li", "Zhang", "Liu", "Huang", "Zhou", "Wu", "Lin", "Lam",
         "Wong", "Cheung"),
    ),
    "korean_japanese": (
        4,
        ("Ji-woo", "Min-jun", "Seo-yeon", "Hyun", "Haruto", "Yuki", "Sakura",
         "Kenji", "Aiko", "Ren"),
        ("Kim", "Park", "Lee", "Choi", "Jung", "Sato", "Suzuki", "Takahashi",
         "Tanaka", "Nakamura"),
    ),
    "southeast_asian": (
        4,
        ("Minh", "Linh", "Thanh", "Huong", "Duc", "Ramon", "Maricel", "Jasmine",
         "Rodel", "Lorna"),
        ("Nguyen", "Tran", "Le", "Pham", "Hoang", "Reyes", "Cruz", "Bautista",
         "Ocampo", "Villanueva", "Mendoza"),
    ),
    "west_african": (
        6,
        ("Chidi", "Ngozi", "Emeka", "Adaeze", "Oluwaseun", "Funmilayo", "Tunde",
         "Chiamaka", "Kwame", "Akosua", "Kofi", "Efua", "Yaw"),
        ("Okafor", "Adeyemi", "Okonkwo", "Eze", "Balogun", "Nwosu", "Adebayo",
         "Mensah", "Owusu", "Boateng", "Asante", "Osei", "Appiah"),
    ),
    "east_african": (
        4,
        ("Wanjiru", "Achieng", "Njeri", "Abdi", "Hodan", "Faisal", "Ayaan",
         "Abebe", "Meron", "Selam", "Dawit", "Tigist"),
        ("Kamau", "Otieno", "Mwangi", "Ochieng", "Kiptoo", "Warsame", "Jama",
         "Mohamed", "Tesfaye", "Bekele", "Haile", "Girma"),
    ),
    "hispanic": (
        9,
        ("Sofía", "Mateo", "Valentina", "Santiago", "Camila", "Lucía", "Alejandro",
         "Ximena", "Javier", "Carmen", "Luis", "Marisol", "José", "Gabriela"),
        ("García", "Rodríguez", "Martínez", "Hernández", "López", "González",
         "Pérez", "Sánchez", "Ramírez", "Torres", "Flores", "Rivera", "Morales",
         "Ortiz"),
    ),
    "lusophone": (
        2,
        ("João", "Beatriz", "Thiago", "Larissa", "Rafael"),
        ("Silva", "Oliveira", "Souza", "Costa", "Pereira", "Ferreira"),
    ),
    "central_european": (
        5,
        ("Łukasz", "Agnieszka", "Katarzyna", "Piotr", "Magdalena", "Krzysztof",
         "Zofia", "Marek", "Lukas", "Anna", "Jonas", "Lena"),
        ("Nowak", "Wójcik", "Kowalczyk", "Mazur", "Krawczyk", "Zając", "Wróbel",
         "Dudek", "Müller", "Schmidt", "Fischer", "Becker"),
    ),
    "nordic_dutch": (
        2,
        ("Sven", "Ingrid", "Lars", "Freya", "Pieter", "Sanne"),
        ("Jansen", "de Vries", "Andersson", "Johansson", "Larsen", "Nilsson"),
    ),
    "mediterranean": (
        5,
        ("Giulia", "Marco", "Francesca", "Luca", "Chiara", "Alessandro", "Elena",
         "Dimitris", "Eleni", "Nikos", "Katerina", "Yannis"),
        ("Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Ricci",
         "Greco", "Papadopoulos", "Georgiou", "Nikolaidis", "Christodoulou"),
    ),
    "turkish": (
        2,
        ("Emre", "Elif", "Mehmet", "Zeynep", "Burak", "Ayşe"),
        ("Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Aydın", "Öztürk"),
    ),
    "arabic_persian": (
        5,
        ("Omar", "Layla", "Yusuf", "Mariam", "Karim", "Nour", "Rania", "Samir",
         "Huda", "Dariush", "Shirin", "Reza", "Leila", "Arash", "Niloufar"),
        ("Haddad", "Khalil", "Mansour", "Nasser", "Saleh", "Aziz", "Hamdan",
         "Farouk", "Darwish", "Hosseini", "Rahimi", "Tehrani", "Karimi", "Moradi"),
    ),
    "caribbean": (
        3,
        ("Marlon", "Shanice", "Delroy", "Keisha", "Jermaine", "Tamika"),
        ("Campbell", "Brown", "Williams", "Grant", "Francis", "Thompson", "Bailey"),
    ),
    "jewish": (
        2,
        ("Noa", "Eitan", "Miriam", "Ari", "Rachel", "Daniel"),
        ("Cohen", "Levy", "Friedman", "Goldberg", "Katz", "Rosen"),
    ),
}

# Letters that Unicode decomposition does not turn into ASCII, for e-mail addresses.
TRANSLITERATE = {"ł": "l", "Ł": "L", "ı": "i", "ø": "o", "æ": "ae", "ß": "ss", "đ": "d"}

EMAIL_DOMAINS: tuple[tuple[str, float], ...] = (
    ("example.com", 5),
    ("example.net", 3),
    ("example.org", 2),
    ("mail.example.com", 2),
    ("inbox.example.net", 1),
)

# US area codes combined with the fictional 555-01xx exchange.
US_AREA_CODES: tuple[str, ...] = (
    "212", "312", "415", "503", "617", "702", "713", "206", "404", "720", "615", "303",
)

# Simulated colleagues: (login name, display name, queues they staff, pace)
# pace < 1 works faster than the floor average, > 1 slower.
AGENTS: tuple[tuple[str, str, tuple[str, ...], float], ...] = (
    ("priya.raman", "Priya Raman", ("billing", "accounts"), 0.9),
    ("marcus.bell", "Marcus Bell", ("technical",), 1.1),
    ("aisha.okafor", "Aisha Okafor", ("orders", "billing"), 1.0),
    ("tomasz.nowicki", "Tomasz Nowicki", ("technical", "orders"), 0.95),
    ("hannah.kim", "Hannah Kim", ("technical", "accounts"), 1.05),
    ("diego.alvarez", "Diego Álvarez", ("orders",), 0.85),
    ("fatima.haddad", "Fatima Haddad", ("billing", "accounts", "orders"), 1.0),
    ("liam.osullivan", "Liam O'Sullivan", ("technical", "billing"), 1.2),
)
