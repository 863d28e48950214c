"""Generate a large, realistic directory fast: the data behind `make bench`.

Organizations in English and Spanish (with accents) about legal aid, asylum,
deportation defense, hotlines, know-your-rights and mental health; two
services each, with the seeded categories, languages, populations, fees,
hours in the services' own time zones (some overnight, some 24/7, some
holiday closures), locations around real ZIP code centroids across the US
(some confidential), and phones.

Rows are written with COPY on PostgreSQL and executemany on SQLite, so no
model is saved and no signal runs. Each location's search point is computed
with the app's own `geo.search_point`; the search index is built afterwards
by the app's own builder (`search_index.rebuild`, as `manage.py
rebuild_search_index` does), which the benchmark times.

Deterministic for a given seed and size. Needs Django set up and migrated.
"""

import io
import random
import uuid
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from functools import cache
from types import SimpleNamespace

# Bump when the generated data changes, so cached benchmark databases rebuild.
GENERATOR_VERSION = 2
SERVICES_PER_ORGANIZATION = 2
CHUNK = 5000
MARKER_TABLE = "benchmark_directory"

CITIES = [
    # (city, state, weight): half the listings cluster in these metros.
    ("Los Angeles", "CA", 10),
    ("New York", "NY", 8),
    ("Houston", "TX", 5),
    ("Chicago", "IL", 5),
    ("Miami", "FL", 4),
    ("San Diego", "CA", 3),
    ("Fresno", "CA", 2),
    ("San Jose", "CA", 2),
    ("Phoenix", "AZ", 3),
    ("Dallas", "TX", 3),
    ("El Paso", "TX", 2),
    ("Atlanta", "GA", 2),
    ("Seattle", "WA", 2),
    ("Denver", "CO", 2),
    ("Boston", "MA", 2),
    ("Newark", "NJ", 2),
    ("Washington", "DC", 2),
    ("Philadelphia", "PA", 1),
    ("Charlotte", "NC", 1),
    ("Honolulu", "HI", 1),
    ("Anchorage", "AK", 1),
    ("San Juan", "PR", 1),
]
# Services without a time zone of their own use the site's (settings.TIME_ZONE).
DEFAULT_ZONE = "America/New_York"

PLACE_WORDS = ["Valley", "Bay Area", "Central Coast", "Inland", "Border", "Metro", "Eastside"]
EN_NAMES = [
    "{city} Immigrant Legal Aid Center",
    "{city} Asylum Defense Project",
    "Deportation Defense Collaborative of {city}",
    "{city} Immigrant Rights Coalition",
    "Know Your Rights Network {city}",
    "{city} Rapid Response Hotline",
    "{place} Immigrant Mental Health Alliance",
    "{place} Legal Services for Immigrants",
    "{city} Family Unity Project",
    "Immigrant Justice Clinic of {city}",
    "{place} Worker Center",
    "{city} Refugee and Asylum Support",
]
ES_NAMES = [
    "Centro de Ayuda Legal para Inmigrantes de {city}",
    "Defensa contra la Deportación {city}",
    "Clínica de Asilo de {city}",
    "Línea de Ayuda Inmigrante {city}",
    "Conozca Sus Derechos {place}",
    "Salud Mental Comunitaria {place}",
    "Asociación de Familias Migrantes de {city}",
    "Red de Acompañamiento Solidario {place}",
    "Proyecto de Justicia Migratoria {city}",
    "Casa del Migrante {city}",
]
# Rare: the "hambit" typo is meant to find these.
RARE_NAMES = ["Hanbit Korean Community Center of {city}", "Hanbit Immigrant Services {place}"]
EN_SENTENCES = [
    "We offer free legal consultations on asylum, deportation defense and DACA renewals.",
    "Our accredited representatives help with work permits, TPS and family petitions.",
    "A 24-hour hotline for families affected by immigration raids in {city}.",
    "Know-your-rights workshops in schools, churches and workplaces across the {place}.",
    "Culturally grounded counseling and support groups for survivors of trauma and violence.",
    "Attorneys represent detained immigrants in removal proceedings and bond hearings.",
    "We accompany people to immigration court and ICE check-ins.",
    "Mental health care for children and families separated at the border.",
    "Help with naturalization, citizenship classes and English as a second language.",
    "Community organizers defend workers against wage theft, regardless of status.",
    "Mutual aid: food, rent and transportation for newly arrived asylum seekers.",
    "Services in English, Spanish and indigenous languages such as Mixteco and Mam.",
    "Legal screenings to find out whether you qualify for U visas, T visas or VAWA.",
    "We never ask about immigration status and keep your information confidential.",
]
ES_SENTENCES = [
    "Ofrecemos consultas legales gratuitas sobre asilo, defensa contra la deportación y DACA.",
    "Nuestros representantes acreditados ayudan con permisos de trabajo, TPS y peticiones "
    "familiares.",
    "Línea de ayuda las 24 horas para familias afectadas por redadas en {city}.",
    "Talleres de «Conozca sus derechos» en escuelas, iglesias y lugares de trabajo.",
    "Atención psicológica y grupos de apoyo para sobrevivientes de violencia y trauma.",
    "Abogados representan a inmigrantes detenidos en audiencias de deportación y fianza.",
    "Acompañamos a las personas a la corte de inmigración y a sus citas con ICE.",
    "Salud mental para niños y familias separadas en la frontera.",
    "Ayuda con la ciudadanía, clases de inglés y preparación para el examen de naturalización.",
    "Organizamos a trabajadores contra el robo de salarios, sin importar su estatus migratorio.",
    "Ayuda mutua: comida, renta y transporte para solicitantes de asilo recién llegados.",
    "Atención en español, inglés y lenguas indígenas como mixteco, mam y k’iche’.",
    "Evaluaciones legales para saber si califica para una visa U, visa T o VAWA.",
    "Nunca preguntamos por su estatus migratorio y su información es confidencial.",
]
SERVICES = [
    # (English name, Spanish name, category codes)
    ("Free asylum consultations", "Consultas de asilo gratuitas", ["legal.asylum"]),
    ("Deportation defense", "Defensa contra la deportación", ["legal.removal-defense"]),
    ("Bond hearing help", "Ayuda con audiencias de fianza", ["legal.detention-bond"]),
    ("DACA renewals", "Renovación de DACA", ["legal.daca"]),
    ("TPS applications", "Solicitudes de TPS", ["legal.tps"]),
    ("Citizenship workshops", "Talleres de ciudadanía", ["legal.naturalization"]),
    ("Know-your-rights trainings", "Talleres «Conozca sus derechos»", ["know-your-rights"]),
    ("Family preparedness plans", "Planes de preparación familiar", ["know-your-rights"]),
    ("Rapid response hotline", "Línea de respuesta rápida", ["rapid-response.hotline"]),
    ("Court accompaniment", "Acompañamiento a la corte", ["accompaniment.court"]),
    ("Detention visitation", "Visitas a centros de detención", ["detention-support"]),
    ("Counseling for survivors", "Terapia para sobrevivientes", ["mental-health.counseling"]),
    ("Support groups", "Grupos de apoyo", ["mental-health.support-groups"]),
    ("Psychological evaluations", "Evaluaciones psicológicas", ["mental-health.evaluations"]),
    ("Food and rent assistance", "Ayuda con comida y renta", ["mutual-aid.food"]),
    ("Wage theft clinic", "Clínica contra el robo de salarios", ["worker-rights.wage-theft"]),
    ("English classes", "Clases de inglés", ["education.esl"]),
    ("Interpretation", "Interpretación", ["interpretation"]),
    ("Legal screenings", "Evaluaciones legales", ["legal.screenings"]),
    ("U visa and VAWA help", "Ayuda con visa U y VAWA", ["legal.u-t-visas-vawa"]),
]
LANGUAGES = ["es", "en", "zh", "vi", "ko", "tl", "ar", "ht", "pt", "fr", "ru", "mix", "mam"]
LANGUAGE_WEIGHTS = [60, 50, 8, 8, 6, 6, 5, 5, 4, 4, 3, 3, 2]
KINDS = ["legal", "community", "faith", "mental_health", "mutual_aid", "rapid_response", "worker"]
POPULATIONS = ["detained", "children", "families", "youth", "survivors", "asylum_seekers"]
HOLIDAYS = ["Thanksgiving", "Día de los Muertos", "New Year's Day", "Staff training"]


def _weekly(rng):
    """Return (open_24_7, [(weekday, opens, closes)]) for one service."""
    kind = rng.random()
    if kind < 0.05:
        return True, []
    if kind < 0.20:  # by appointment: no fixed hours
        return False, []
    if kind < 0.60:
        start = rng.choice([8, 9, 10])
        return False, [(d, clock(start), clock(start + 8)) for d in range(5)]
    if kind < 0.70:  # a lunch break
        return False, [(d, clock(9), clock(12)) for d in range(5)] + [
            (d, clock(13), clock(17)) for d in range(5)
        ]
    if kind < 0.80:
        return False, [(d, clock(8), clock(20)) for d in range(6)]
    if kind < 0.90:  # an evening hotline past midnight
        return False, [(d, clock(18), clock(2)) for d in range(7)]
    return False, [(d, clock(10), clock(15, 30)) for d in (5, 6)]


class _Table:
    """Rows for one model's table: defaults filled once, converted for the database."""

    def __init__(self, model, connection, now):
        self.connection = connection
        self.native_uuid = connection.vendor == "postgresql"
        self.table = model._meta.db_table
        self.fields = [
            f
            for f in model._meta.concrete_fields
            # Auto-increment keys are left to the database.
            if not (f.primary_key and f.get_internal_type() in ("AutoField", "BigAutoField"))
        ]
        self.by_attname = {f.attname: f for f in self.fields}
        self.base = {}
        for f in self.fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value = now
            elif f.has_default() and not callable(f.default):
                value = f.default
            elif f.null:
                value = None
            else:
                value = "" if f.empty_strings_allowed else None
            self.base[f.attname] = self._prep(f, value)
        self.rows = []

    def _prep(self, field, value):
        # Plain values need no conversion; asking the field each time is slow.
        if value is None or isinstance(value, (str, bool, int, float)):
            return value
        if isinstance(value, uuid.UUID):
            return str(value) if self.native_uuid else value.hex
        if isinstance(value, (date, clock)) and not isinstance(value, datetime):
            return value.isoformat()
        return field.get_db_prep_save(value, self.connection)

    def add(self, **values):
        row = dict(self.base)
        for name, value in values.items():
            row[name] = self._prep(self.by_attname[name], value)
        self.rows.append([row[f.attname] for f in self.fields])

    def write(self, cursor):
        if not self.rows:
            return
        columns = ", ".join(self.connection.ops.quote_name(f.column) for f in self.fields)
        if self.connection.vendor == "postgresql":
            cursor.copy_expert(f"COPY {self.table} ({columns}) FROM STDIN", _copy_text(self.rows))
        else:
            marks = ", ".join(["%s"] * len(self.fields))
            cursor.executemany(f"INSERT INTO {self.table} ({columns}) VALUES ({marks})", self.rows)
        self.rows = []


def _copy_field(value):
    if value is None:
        return "\\N"
    text = str(value)
    if not any(ch in text for ch in "\\\t\n\r"):
        return text
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _copy_text(rows):
    """Rows in COPY's text format: tab-separated, \\N for NULL."""
    return io.StringIO("".join("\t".join(map(_copy_field, row)) + "\n" for row in rows))


@cache
def _zip_points():
    import zipcodes

    rows = [
        (row["zip_code"], row["city"], row["state"], float(row["lat"]), float(row["long"]),
         row["timezone"] or DEFAULT_ZONE)
        for row in zipcodes.list_all()
        if row["lat"] and float(row["lat"]) and row["zip_code_type"] == "STANDARD"
    ]  # fmt: skip
    by_city = {}
    for row in rows:
        by_city.setdefault((row[1].casefold(), row[2]), []).append(row)
    return rows, by_city


def load_vocabularies():
    """The seeded languages, categories and detention facilities, loaded if missing."""
    from django.core.management import call_command

    from directory.models import DetentionFacility, Language, TaxonomyTerm

    if not TaxonomyTerm.objects.exists():
        call_command("loaddata", "taxonomy", verbosity=0)
    if not Language.objects.exists():
        call_command("loaddata", "languages", verbosity=0)
    if not DetentionFacility.objects.exists():
        call_command("loaddata", "detention_facilities", verbosity=0)


def generate(organizations, seed=10, prefix="", progress=None):
    """Add `organizations` published organizations with 2 public services each.

    `prefix` keeps slugs unique when adding to a database that already has
    listings (tests). Returns the number of organizations written.
    """
    from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
    from django.utils.text import slugify

    from directory import geo
    from directory.models import (
        Closure,
        DetentionFacility,
        Language,
        Location,
        Organization,
        OrganizationKind,
        Phone,
        PopulationServed,
        Schedule,
        Service,
        ServiceAtLocation,
        ServiceLanguage,
        TaxonomyTerm,
    )

    load_vocabularies()
    rng = random.Random(f"{seed}{prefix}")
    now = datetime(2025, 1, 6, 12, tzinfo=UTC)
    today = date.today()
    terms = {t.code: t for t in TaxonomyTerm.objects.all()}
    languages = {lang.code: lang.pk for lang in Language.objects.filter(code__in=LANGUAGES)}
    language_codes = [c for c in LANGUAGES if c in languages]
    language_weights = [
        w for c, w in zip(LANGUAGES, LANGUAGE_WEIGHTS, strict=True) if c in languages
    ]
    kinds = {k.code: k.pk for k in OrganizationKind.objects.all()}
    populations = {p.code: p.pk for p in PopulationServed.objects.all()}
    facilities = list(DetentionFacility.objects.values_list("pk", flat=True))
    zips, zips_by_city = _zip_points()
    metro = [zips_by_city[(c.casefold(), s)] for c, s, _w in CITIES]
    metro_weights = [w for _c, _s, w in CITIES]

    def table(model):
        # The wrapper itself, not the proxy: attribute reads through it are slow.
        return _Table(model, connections[DEFAULT_DB_ALIAS], now)

    def key():
        return uuid.UUID(int=rng.getrandbits(128), version=4)

    def place():
        if rng.random() < 0.5:
            zip_code, city, state, lat, lon, zone = rng.choice(rng.choices(metro, metro_weights)[0])
        else:
            zip_code, city, state, lat, lon, zone = rng.choice(zips)
        jitter = rng.uniform(-0.02, 0.02), rng.uniform(-0.02, 0.02)
        return zip_code, city, state, lat + jitter[0], lon + jitter[1], zone

    def phone_number():
        return f"({rng.randint(201, 989)}) 555-{rng.randint(0, 9999):04d}"

    written = 0
    for first in range(0, organizations, CHUNK):
        orgs, services, locations, at_locations = (
            table(Organization),
            table(Service),
            table(Location),
            table(ServiceAtLocation),
        )
        schedules, closures, phones, service_languages = (
            table(Schedule),
            table(Closure),
            table(Phone),
            table(ServiceLanguage),
        )
        service_terms = table(Service.taxonomy_terms.through)
        service_populations = table(Service.populations.through)
        service_facilities = table(Service.detention_facilities.through)
        org_kinds = table(Organization.kinds.through)
        documents = []
        for n in range(first, min(first + CHUNK, organizations)):
            org_id = key()
            zip_code, city, state, lat, lon, zone = place()
            spanish = rng.random() < 0.35
            label = rng.choice(PLACE_WORDS)
            pattern = (
                rng.choice(RARE_NAMES)
                if rng.random() < 0.002
                else rng.choice(ES_NAMES if spanish else EN_NAMES)
            )
            name = pattern.format(city=city, place=label)
            sentences = rng.sample(ES_SENTENCES if spanish else EN_SENTENCES, rng.randint(3, 6))
            if rng.random() < 0.3:  # bilingual listings say it twice
                sentences += rng.sample(EN_SENTENCES if spanish else ES_SENTENCES, 2)
            description = " ".join(s.format(city=city, place=label) for s in sentences)
            doj = rng.random() < 0.1
            alternate_name = rng.choice(["", "", "", "ILAC", "CALI", "Centro Legal"])
            orgs.add(
                id=org_id,
                name=name,
                slug=f"{prefix}{slugify(name)[:150]}-{n}",
                alternate_name=alternate_name,
                description=description,
                website=f"https://org{n}.example.org/",
                email=f"info@org{n}.example.org" if rng.random() < 0.7 else "",
                status="published",
                last_verified_on=today - timedelta(days=rng.randint(0, 900)),
                doj_recognized=doj,
                doj_recognition_expires_on=today + timedelta(days=rng.randint(30, 900))
                if doj
                else None,
                accredited_representatives_full=rng.randint(1, 4) if doj else 0,
                attorneys_on_staff=rng.choice([0, 0, 1, 2, 5]),
            )
            for code in rng.sample(KINDS, rng.randint(1, 2)):
                org_kinds.add(organization_id=org_id, organizationkind_id=kinds[code])
            phones.add(id=key(), organization_id=org_id, number=phone_number(), type="voice")
            if rng.random() < 0.2:
                phones.add(
                    id=key(),
                    organization_id=org_id,
                    number=phone_number(),
                    type="hotline",
                    is_24_hours=True,
                    description="Línea de ayuda" if spanish else "Hotline",
                )
            org_locations = []
            for i in range(2 if rng.random() < 0.2 else 1):
                if i:  # a second office, anywhere
                    zip_code, city, state, lat, lon, _zone = place()
                location = SimpleNamespace(
                    is_confidential=rng.random() < 0.05,
                    city=city,
                    state=state,
                    postal_code=zip_code,
                    latitude=round(lat, 5),
                    longitude=round(lon, 5),
                )
                search_lat, search_lon = geo.search_point(location) or (None, None)
                location_id = key()
                org_locations.append(location_id)
                locations.add(
                    id=location_id,
                    organization_id=org_id,
                    name="Oficina principal" if spanish else "Main office",
                    address_1=f"{rng.randint(1, 9999)} {rng.choice(['Main', 'Oak', 'César Chávez'])} "
                    + rng.choice(["St", "Ave", "Blvd"]),
                    city=city,
                    state=state,
                    postal_code=zip_code,
                    latitude=location.latitude,
                    longitude=location.longitude,
                    is_confidential=location.is_confidential,
                    search_latitude=search_lat,
                    search_longitude=search_lon,
                )
            for english, spanish_name, codes in rng.sample(SERVICES, SERVICES_PER_ORGANIZATION):
                service_id = key()
                service_name = spanish_name if spanish else english
                service_description = " ".join(
                    s.format(city=city, place=label)
                    for s in rng.sample(ES_SENTENCES if spanish else EN_SENTENCES, 2)
                )
                open_24_7, hours = _weekly(rng)
                remote_phone = rng.random() < 0.3
                detained = rng.random() < 0.1
                services.add(
                    id=service_id,
                    organization_id=org_id,
                    name=service_name,
                    description=service_description,
                    status="published",
                    fee=rng.choices(["free", "sliding", "paid"], [60, 25, 15])[0],
                    walk_in=rng.random() < 0.3,
                    by_appointment=rng.random() < 0.6,
                    by_hotline=rng.random() < 0.15,
                    remote_by_phone=remote_phone,
                    remote_by_video=rng.random() < 0.15,
                    area_type=rng.choices(["local", "state", "nationwide"], [80, 15, 5])[0],
                    serves_detained=detained,
                    open_24_7=open_24_7,
                    appointment_only=not open_24_7 and not hours,
                    time_zone="" if rng.random() < 0.3 else zone,
                    last_verified_on=today - timedelta(days=rng.randint(0, 900)),
                )
                service_terms_here = [terms[c] for c in codes if c in terms]
                if rng.random() < 0.5:
                    service_terms_here.append(terms[rng.choice(list(terms))])
                for term in {t.pk: t for t in service_terms_here}.values():
                    service_terms.add(service_id=service_id, taxonomyterm_id=term.pk)
                spoken = set(rng.choices(language_codes, language_weights, k=rng.randint(1, 3)))
                for code in spoken:
                    service_languages.add(
                        service_id=service_id,
                        language_id=languages[code],
                        via="interpreter" if rng.random() < 0.2 else "staff",
                    )
                for code in rng.sample(POPULATIONS, rng.randint(0, 2)):
                    service_populations.add(
                        service_id=service_id, populationserved_id=populations[code]
                    )
                if detained and facilities:
                    service_facilities.add(
                        service_id=service_id, detentionfacility_id=rng.choice(facilities)
                    )
                if rng.random() < 0.8:
                    at_locations.add(
                        id=key(), service_id=service_id, location_id=rng.choice(org_locations)
                    )
                for weekday, opens, closes in hours:
                    schedules.add(
                        id=key(), service_id=service_id, weekday=weekday, opens_at=opens,
                        closes_at=closes,
                    )  # fmt: skip
                if hours and rng.random() < 0.2:
                    for offset in rng.sample(range(-3, 30), rng.randint(1, 3)):
                        closures.add(
                            service_id=service_id,
                            date=today + timedelta(days=offset),
                            note=rng.choice(HOLIDAYS),
                        )
                if rng.random() < 0.1:
                    phones.add(id=key(), service_id=service_id, number=phone_number(), type="text")
            documents.append(org_id)
        with transaction.atomic(), connection.cursor() as cursor:
            for rows in (
                orgs, org_kinds, locations, services, phones, service_terms, service_languages,
                service_populations, service_facilities, at_locations, schedules, closures,
            ):  # fmt: skip
                rows.write(cursor)
        written += len(documents)
        if progress:
            progress(written)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return written


def _column(table, attname):
    return [f.attname for f in table.fields].index(attname)


def is_benchmark_database():
    from django.db import connection

    with connection.cursor() as cursor:
        return MARKER_TABLE in connection.introspection.table_names(cursor)


def built_size():
    """Return the organizations count of a complete build at this version, else None."""
    from django.db import connection

    with connection.cursor() as cursor:
        if MARKER_TABLE not in connection.introspection.table_names(cursor):
            return None
        cursor.execute(f"SELECT version, organizations FROM {MARKER_TABLE}")
        row = cursor.fetchone()
    return row[1] if row and row[0] == GENERATOR_VERSION else None


def mark_built(organizations):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (version integer, organizations integer)"
        )
        cursor.execute(f"DELETE FROM {MARKER_TABLE}")
        cursor.execute(
            f"INSERT INTO {MARKER_TABLE} VALUES (%s, %s)", [GENERATOR_VERSION, organizations]
        )
