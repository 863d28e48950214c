"""The search vocabulary the directory ships with (directory/synonyms.py explains it).

What a frightened person types, in the words they use: English and Spanish
first, then the languages the listings serve most (Chinese, Korean,
Vietnamese, Tagalog, Arabic, Farsi, Russian, Portuguese, French, Haitian
Creole). Every language of fixtures/languages.json is named in English, in
Spanish and in its own script. Written by the project; the category codes are
fixtures/taxonomy.json's, the filters those of SearchSynonym.filters.

`load(model)` (migration 0014) adds each concept's row for each language
that the table does not have yet: it never changes or brings back a row a
curator edited or deleted... unless that row's concept and language are
missing, so delete words rather than whole rows to keep them out.
"""

# Never required to match: left out of a query unless nothing else was typed.
STOP_WORDS = {
    "en": (
        "a, an, the, and, or, of, for, in, on, at, to, with, by, from, my, me, i, we, our, "
        "is, are, am, be, can, do, does, who, where, what, how, that, this, there, some, "
        "any, near, nearby, around, close, closest, need, needs, want, looking, look, find, "
        "get, please, someone, somebody, people, person, help, services, service, speak, speaks, "
        "organization, organizations, place, places"
    ),
    "es": (
        "a, al, de, del, el, la, las, lo, los, un, una, unos, unas, y, e, o, u, en, con, "
        "para, por, que, mi, mis, me, yo, su, sus, tu, tus, nos, se, es, son, hay, donde, "
        "como, cual, quien, cerca, cercano, cercana, cercanos, necesito, necesita, "
        "necesitamos, busco, buscando, quiero, ayuda, ayudar, favor, alguien, servicio, "
        "servicios, organizacion, organizaciones, lugar, lugares, habla, hable, hablan, hablen"
    ),
    "tl": "ang, ng, sa, mga, ko, kailangan, tulong",
    "vi": "tôi, cần, giúp, của, và, cho",
}

# (concept, what it stands for, {language: words}): each language's words mean
# the same as every other language's.
CONCEPTS = [
    (
        "lawyer",
        {"categories": "legal", "filters": "attorney, accredited"},
        {
            "en": (
                # Not "legal" alone: most legal listings say it already, and a
                # search for the commonest word must stay as fast (docs/search.md).
                "lawyer, attorney, legal aid, legal help, legal advice, legal services, "
                "legal representation, legal counsel, immigration lawyer, pro bono lawyer"
            ),
            "es": (
                "abogado, abogada, licenciado, licenciada, ayuda legal, asesoría legal, "
                "asesoria juridica, asistencia legal, servicios legales, representación legal, "
                "consulta legal, consejo legal, defensa legal, abogado de inmigración"
            ),
            "zh": "律师, 律師, 法律援助, 法律服务, 法律服務, 法律咨询, 法律諮詢",
            "ko": "변호사, 법률 상담, 법률 지원",
            "vi": "luật sư, trợ giúp pháp lý",
            "tl": "abugado, abogado",
            "ar": "محامي, محام, مساعدة قانونية",
            "fa": "وکیل",
            "ru": "адвокат, юрист",
            "pt": "advogado, advogada, assistência jurídica",
            "fr": "avocat, avocate, aide juridique",
            "ht": "avoka",
        },
    ),
    (
        # A notario is not a lawyer in the United States: whoever looks for one
        # needs an attorney or an accredited representative (who-can-help page).
        "notario",
        {"categories": "legal", "filters": "doj, attorney, accredited"},
        {"es": "notario, notaria, notario público", "en": "notary, notary public"},
    ),
    (
        "immigration",
        {},
        {
            "en": "immigration, immigrant, immigrants, migrant",
            "es": "inmigración, migración, inmigrante, migrante",
            "zh": "移民",
            "ko": "이민",
            "vi": "di trú, nhập cư",
            "tl": "imigrasyon",
            "ar": "هجرة, مهاجر",
            "ru": "иммиграция",
            "pt": "imigração, imigrante",
        },
    ),
    (
        "asylum",
        {"categories": "legal.asylum"},
        {
            "en": "asylum, asylee, asylum seeker, refugee, refugee status",
            "es": "asilo, asilado, asilada, solicitante de asilo, refugiado, refugiada, asilo político",
            "zh": "庇护, 庇護, 政治庇护, 政治庇護, 难民, 難民",
            "ko": "망명, 난민",
            "vi": "tị nạn",
            "ar": "لجوء, لاجئ",
            "fa": "پناهندگی, پناهنده",
            "ru": "убежище, беженец",
            "pt": "refugiado",
            "fr": "asile, réfugié",
            "ht": "azil",
        },
    ),
    (
        "deportation",
        {"categories": "legal.removal-defense"},
        {
            "en": (
                "deportation, deported, deport, removal, removal defense, deportation defense, "
                "immigration court, order of removal"
            ),
            "es": (
                "deportación, deportado, deportada, deportar, defensa contra la deportación, "
                "corte de inmigración, orden de deportación"
            ),
            "zh": "驱逐出境, 驅逐出境, 遣返",
            "ko": "추방",
            "vi": "trục xuất",
            "tl": "deportasyon",
            "ar": "ترحيل",
            "ru": "депортация",
            "pt": "deportação",
            "fr": "expulsion, déportation",
            "ht": "depòtasyon",
        },
    ),
    (
        "detention",
        {"categories": "detention-support", "filters": "detention"},
        {
            "en": "detention, detained, detention center, immigration jail",
            "es": "detención, detenido, detenida, centro de detención, encerrado, preso",
            "zh": "拘留, 拘押",
            "ko": "구금",
            "vi": "giam giữ",
            "ar": "احتجاز",
        },
    ),
    (
        "bond",
        {"categories": "legal.detention-bond, detention-support.bond-funds"},
        {
            "en": "bond, bail, bond hearing, bond fund",
            "es": "fianza, audiencia de fianza, fondo de fianza",
            "zh": "保释, 保釋",
            "ko": "보석금",
            "ar": "كفالة",
            "pt": "fiança",
        },
    ),
    (
        "ice",
        {"categories": "rapid-response, know-your-rights"},
        {
            "en": "ice, immigration and customs enforcement, immigration agents, immigration officers",
            "es": "migra, la migra, agentes de inmigración",
        },
    ),
    (
        "raid",
        {"categories": "rapid-response"},
        {
            "en": "raid, ice raid, checkpoint, arrest, arrested",
            "es": "redada, operativo, retén, punto de control, arresto, arrestado, arrestaron",
        },
    ),
    (
        "hotline",
        {"categories": "rapid-response"},
        {
            "en": ("hotline, helpline, rapid response, emergency line, crisis line"),
            "es": (
                "línea de ayuda, línea directa, línea de emergencia, línea de respuesta rápida, "
                "respuesta rápida, línea telefónica"
            ),
            "zh": "热线, 熱線",
            "ko": "핫라인, 긴급 전화",
            "vi": "đường dây nóng",
            "ar": "خط ساخن",
            "pt": "linha de ajuda",
        },
    ),
    (
        "free",
        {"filters": "free"},
        {
            "en": "free, no cost, free of charge, pro bono",
            "es": "gratis, gratuito, gratuita, sin costo, sin cargo, sin pagar",
            "zh": "免费, 免費",
            "ko": "무료",
            "vi": "miễn phí",
            "tl": "libre, walang bayad",
            "ar": "مجاني, مجانا",
            "ru": "бесплатно, бесплатный",
            "pt": "grátis",
            "fr": "gratuit, gratuite",
        },
    ),
    (
        "low-cost",
        {"filters": "sliding"},
        {
            "en": "low cost, sliding scale, affordable, cheap",
            "es": "bajo costo, económico, escala móvil, precio reducido, barato",
        },
    ),
    (
        "know-your-rights",
        {"categories": "know-your-rights"},
        {
            "en": "know your rights, rights, your rights, rights workshop, red card",
            "es": "conozca sus derechos, conoce tus derechos, derechos, sus derechos, tarjeta roja",
            "ko": "권리",
            "vi": "quyền",
        },
    ),
    (
        "family-plan",
        {"categories": "know-your-rights.family-preparedness"},
        {
            "en": "family preparedness, family plan, emergency plan, power of attorney, guardianship",
            "es": "plan familiar, plan de emergencia, poder notarial, tutela, custodia de mis hijos",
        },
    ),
    (
        "daca",
        {"categories": "legal.daca"},
        {
            "en": "daca, dreamer, deferred action",
            "es": "acción diferida, soñador, soñadora",
        },
    ),
    (
        "tps",
        {"categories": "legal.tps"},
        {
            "en": "tps, temporary protected status",
            "es": "estatus de protección temporal, estado de protección temporal",
        },
    ),
    (
        "crime-victim-visa",
        {"categories": "legal.u-t-visas-vawa"},
        {
            "en": "u visa, t visa, vawa, trafficking, crime victim, victim of a crime",
            "es": "visa u, visa t, trata de personas, víctima de un crimen, víctima de crimen",
        },
    ),
    (
        "survivors",
        {"categories": "legal.u-t-visas-vawa", "filters": "serves:survivors"},
        {
            "en": "survivor, domestic violence, abuse, sexual assault",
            "es": "sobreviviente, violencia doméstica, abuso, agresión sexual",
        },
    ),
    (
        "sijs",
        {"categories": "legal.sijs", "filters": "serves:children"},
        {
            "en": "sijs, special immigrant juvenile, unaccompanied minor, unaccompanied child",
            "es": "menor no acompañado, menores no acompañados, joven inmigrante especial",
        },
    ),
    (
        "family-petition",
        {"categories": "legal.family-petitions"},
        {
            "en": "family petition, family visa, family reunification, petition for my family",
            "es": "petición familiar, reunificación familiar, pedir a mi familia",
        },
    ),
    (
        "green-card",
        {"categories": "legal.adjustment"},
        {
            "en": (
                "green card, permanent residence, permanent resident, residency, "
                "adjustment of status"
            ),
            "es": (
                "tarjeta verde, mica, residencia, residencia permanente, residente permanente, "
                "ajuste de estatus, papeles, arreglar papeles"
            ),
        },
    ),
    (
        "citizenship",
        {"categories": "legal.naturalization, education.citizenship-classes"},
        {
            "en": "citizenship, naturalization, become a citizen, citizenship test",
            "es": "ciudadanía, naturalización, hacerme ciudadano, examen de ciudadanía",
            "zh": "入籍",
            "ko": "시민권",
            "vi": "quốc tịch",
        },
    ),
    (
        "work-permit",
        {"categories": "legal.work-permits"},
        {
            "en": "work permit, work authorization, employment authorization, ead",
            "es": "permiso de trabajo, autorización de empleo, permiso para trabajar",
        },
    ),
    (
        "records",
        {"categories": "legal.foia"},
        {
            "en": "foia, records request, immigration records",
            "es": "expediente, solicitud de expediente, expediente de inmigración",
        },
    ),
    (
        "screening",
        {"categories": "legal.screenings"},
        {
            "en": "legal screening, consultation, legal clinic, case review",
            "es": "consulta, evaluación legal, clínica legal, revisión de caso",
        },
    ),
    (
        "accompaniment",
        {"categories": "accompaniment"},
        {
            "en": "accompaniment, accompany, court accompaniment, check-in, ice check-in",
            "es": "acompañamiento, acompañar, acompañante, cita con ice",
        },
    ),
    (
        "sanctuary",
        {"categories": "sanctuary"},
        {
            "en": "sanctuary, sanctuary church, sanctuary congregation",
            "es": "santuario, iglesia santuario",
        },
    ),
    (
        "faith",
        {"filters": "kind:faith"},
        {
            "en": "church, congregation, faith, parish, synagogue, mosque, temple",
            "es": "iglesia, parroquia, congregación, mezquita, templo, sinagoga",
        },
    ),
    (
        "detention-visits",
        {"categories": "detention-support.visitation"},
        {"en": "visitation, detention visits", "es": "visitas, visita a detenidos"},
    ),
    (
        "release",
        {"categories": "detention-support.release"},
        {
            "en": "release, released from detention",
            "es": "liberación, liberado, liberada, salida de detención",
        },
    ),
    (
        "counseling",
        {"categories": "mental-health"},
        {
            "en": (
                "counseling, counselling, counselor, therapy, therapist, mental health, "
                "psychologist, trauma, emotional support, anxiety, depression"
            ),
            "es": (
                "consejería, terapia, terapeuta, salud mental, psicólogo, psicóloga, "
                "apoyo emocional, consejero, consejera, ansiedad, depresión"
            ),
            "zh": "心理咨询, 心理諮詢, 心理健康",
            "ko": "심리 상담, 정신 건강",
            "vi": "tư vấn tâm lý, sức khỏe tâm thần",
        },
    ),
    (
        "evaluation",
        {"categories": "mental-health.evaluations"},
        {"en": "psychological evaluation, psych evaluation", "es": "evaluación psicológica"},
    ),
    (
        "food",
        {"categories": "mutual-aid.food"},
        {
            "en": "food, groceries, food pantry, food bank, meals",
            "es": "comida, alimentos, despensa, banco de comida, banco de alimentos",
            "zh": "食物",
            "ko": "음식",
            "vi": "thực phẩm",
            "ar": "طعام",
        },
    ),
    (
        "housing",
        {"categories": "mutual-aid.housing"},
        {
            "en": "housing, shelter, rent, place to stay, homeless",
            "es": "vivienda, albergue, refugio, renta, alquiler, alojamiento, sin hogar",
        },
    ),
    (
        "cash",
        {"categories": "mutual-aid.cash"},
        {
            "en": "cash assistance, money, financial help, financial assistance",
            "es": "dinero, ayuda económica, ayuda financiera, asistencia económica",
        },
    ),
    (
        "transportation",
        {"categories": "mutual-aid.transportation"},
        {"en": "transportation, ride, bus fare", "es": "transporte, aventón, raite, pasaje"},
    ),
    (
        "supplies",
        {"categories": "mutual-aid.goods"},
        {"en": "clothes, clothing, diapers, supplies", "es": "ropa, pañales, artículos"},
    ),
    (
        "health",
        {"categories": "health"},
        {
            "en": "health care, doctor, clinic, medical",
            "es": "salud, médico, doctor, clínica, atención médica",
        },
    ),
    (
        "health-coverage",
        {"categories": "health.coverage"},
        {
            "en": "health insurance, medi-cal, medicaid",
            "es": "seguro médico, seguro de salud, medi-cal, medicaid",
        },
    ),
    (
        "english-classes",
        {"categories": "education.esl"},
        {
            "en": "english classes, esl, learn english, english lessons",
            "es": "clases de inglés, aprender inglés, inglés como segundo idioma",
        },
    ),
    (
        "worker-rights",
        {"categories": "worker-rights"},
        {
            "en": "worker rights, workers rights, labor rights, workplace, employer",
            "es": "derechos laborales, derechos del trabajador, trabajadores, patrón, empleador",
        },
    ),
    (
        "wage-theft",
        {"categories": "worker-rights.wage-theft"},
        {
            "en": "wage theft, unpaid wages, stolen wages, not paid, overtime",
            "es": "robo de salario, robo de sueldo, salario no pagado, no me pagaron, sueldo",
        },
    ),
    (
        "day-labor",
        {"categories": "worker-rights.day-labor"},
        {"en": "day laborer, day labor", "es": "jornalero, jornalera, centro de jornaleros"},
    ),
    (
        "youth",
        {"categories": "youth", "filters": "serves:youth"},
        {
            "en": "youth, young people, teen, teenager, student",
            "es": "jóvenes, joven, juventud, adolescente, estudiante",
        },
    ),
    (
        "children",
        {"filters": "serves:children"},
        {
            "en": "child, children, kids, minor, minors",
            "es": "niño, niños, niña, niñas, menor, menores, hijos",
        },
    ),
    (
        "lgbtq",
        {"filters": "serves:lgbtq"},
        {
            "en": "lgbtq, lgbt, lgbtqia, gay, lesbian, transgender, queer",
            "es": "lesbiana, transgénero",
        },
    ),
    (
        "elders",
        {"filters": "serves:elders"},
        {
            "en": "elderly, seniors, older adults",
            "es": "adultos mayores, personas mayores, ancianos, tercera edad",
        },
    ),
    (
        "interpretation",
        {"categories": "interpretation"},
        {
            "en": "interpreter, interpretation, translator, translation",
            "es": "intérprete, interpretación, traductor, traducción",
            "zh": "翻译, 翻譯",
            "ko": "통역, 번역",
            "vi": "thông dịch, phiên dịch",
        },
    ),
    (
        "remote",
        {"filters": "remote"},
        {
            "en": "video call, online, virtual, remote",
            "es": "videollamada, virtual, a distancia",
        },
    ),
    (
        "open-24h",
        {"filters": "24h"},
        {
            "en": "24 hours, 24/7, 24 hour, open 24 hours, around the clock",
            "es": "24 horas, las 24 horas, abierto 24 horas",
        },
    ),
    (
        "organizing",
        {"categories": "organizing"},
        {
            "en": "organizing, advocacy, activism",
            "es": "organización comunitaria, activismo, incidencia política",
        },
    ),
]

# (language codes, {language of the words: its names}): names of the languages
# services are offered in, in English, in Spanish, and in their own script.
LANGUAGE_NAMES = [
    ("en", {"en": "english", "es": "inglés"}),
    ("es", {"en": "spanish, spanish speaking", "es": "español, castellano, hispanohablante"}),
    ("zh, yue", {"en": "chinese", "es": "chino", "zh": "中文, 华语, 華語, 汉语, 漢語"}),
    ("zh", {"en": "mandarin", "es": "mandarín", "zh": "普通话, 普通話, 国语, 國語"}),
    ("yue", {"en": "cantonese", "es": "cantonés", "zh": "粵語, 粤语, 广东话, 廣東話"}),
    (
        "ko",
        {
            "en": "korean",
            "es": "coreano",
            "ko": "한국어, 한국말, 한글",
            "zh": "韓語, 韩语, 韓國語, 韩国语",
            "ja": "韓国語",
        },
    ),
    ("vi", {"en": "vietnamese", "es": "vietnamita", "vi": "tiếng việt, tiếng việt nam"}),
    ("tl", {"en": "tagalog, filipino", "es": "tagalo", "tl": "wikang tagalog, pilipino"}),
    ("hy", {"en": "armenian", "es": "armenio", "hy": "հայերեն"}),
    ("fa", {"en": "farsi, persian", "es": "persa", "fa": "فارسی"}),
    ("ar", {"en": "arabic", "es": "árabe", "ar": "العربية, عربي"}),
    ("ru", {"en": "russian", "es": "ruso", "ru": "русский"}),
    ("uk", {"en": "ukrainian", "es": "ucraniano", "uk": "українська"}),
    (
        "ht",
        {
            "en": "haitian creole, haitian, creole",
            "es": "criollo haitiano",
            "ht": "kreyòl, kreyòl ayisyen",
        },
    ),
    ("pt", {"en": "portuguese", "es": "portugués", "pt": "português"}),
    ("fr", {"en": "french", "es": "francés", "fr": "français"}),
    ("hi", {"en": "hindi", "hi": "हिन्दी, हिंदी"}),
    ("pa", {"en": "punjabi", "es": "panyabí", "pa": "ਪੰਜਾਬੀ"}),
    ("bn", {"en": "bengali, bangla", "es": "bengalí", "bn": "বাংলা"}),
    ("ja", {"en": "japanese", "es": "japonés", "ja": "日本語"}),
    ("km", {"en": "khmer, cambodian", "es": "jemer, camboyano", "km": "ភាសាខ្មែរ, ខ្មែរ"}),
    ("th", {"en": "thai", "es": "tailandés", "th": "ภาษาไทย, ไทย"}),
    ("so", {"en": "somali", "es": "somalí", "so": "soomaali"}),
    ("am", {"en": "amharic", "es": "amárico", "am": "አማርኛ"}),
    ("ti", {"en": "tigrinya", "es": "tigriña", "ti": "ትግርኛ"}),
    ("mam", {"en": "mam, mam maya", "es": "maya mam", "mam": "qyol mam"}),
    ("quc", {"en": "k'iche', kiche, quiche", "es": "quiché"}),
    ("kjb", {"en": "q'anjob'al, kanjobal, qanjobal", "es": "kanjobal"}),
    ("mix", {"en": "mixtec", "es": "mixteco", "mix": "tu'un savi"}),
    ("zap", {"en": "zapotec", "es": "zapoteco"}),
    (
        "mam, quc, kjb, mix, zap",
        {
            "en": "indigenous languages, mayan languages",
            "es": "lenguas indígenas, idiomas indígenas, lenguas mayas",
        },
    ),
    ("ne", {"en": "nepali", "es": "nepalí", "ne": "नेपाली"}),
    ("ur", {"en": "urdu", "ur": "اردو"}),
    ("ps", {"en": "pashto", "es": "pastún", "ps": "پښتو"}),
    ("prs", {"en": "dari", "prs": "دری"}),
    (
        "ase",
        {
            "en": "american sign language, asl, sign language",
            "es": "lenguaje de señas, lengua de señas, lenguaje de señas americano",
        },
    ),
]


def rows():
    """Every default row, as SearchSynonym field values."""
    for language, words in STOP_WORDS.items():
        yield {"concept": "stop-words", "language": language, "words": words, "is_stop_words": True}
    for concept, stands_for, by_language in CONCEPTS:
        for language, words in by_language.items():
            yield {"concept": concept, "language": language, "words": words, **stands_for}
    for codes, by_language in LANGUAGE_NAMES:
        concept = "language-" + codes.replace(", ", "-")
        for language, words in by_language.items():
            yield {"concept": concept, "language": language, "words": words, "languages": codes}


def load(model):
    """Add the default rows whose concept and language the table lacks; return how many."""
    have = set(model.objects.values_list("concept", "language"))
    new = [model(**row) for row in rows() if (row["concept"], row["language"]) not in have]
    model.objects.bulk_create(new)
    return len(new)
