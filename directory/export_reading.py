"""An export's rows, read in one ordered pass per table.

An export of the whole directory reads 100,000 services and their phones,
hours, languages, categories and locations. Each table is read by one query,
ordered as the export is written (organizations by name and id, services
within them), streamed with `.iterator()` and merged with the rows it belongs
to as they go: a fixed number of queries whatever the number of rows, and
memory for one organization at a time. Every query of one export sees the
same snapshot (`one_snapshot`), so the streams always line up.

Rows are tuples with the models' attribute names (namedtuples), their
related rows are where `exports.related()` finds prefetched ones
(`_export_<name>`), and they answer the few model methods exports call, so
the CSV columns, vCards and HSDS objects read them as they read model
instances. Ids are read as text (`Text`). Languages and categories, which
related rows point to, are read once per export.

Which rows are read is the caller's: public exports pass public
organizations and published services, and the columns decide, as for model
instances, which fields leave.
"""

import uuid
from collections import namedtuple
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import cache, cached_property

from django.db import connections, transaction
from django.db.models import CharField, Func
from django.utils import translation

from .listing_translations import ORGANIZATION_FIELDS as ORGANIZATION_TRANSLATED
from .listing_translations import SERVICE_FIELDS as SERVICE_TRANSLATED
from .models import (
    AreaType,
    Language,
    LanguageVia,
    LegalStatus,
    Location,
    Organization,
    OrganizationTranslation,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceLanguage,
    ServiceTranslation,
    TaxonomyTerm,
)

# Rows fetched per round trip, for each table.
FETCH = 2000


class Text(Func):
    """A UUID column as str(uuid) writes it, made by the database.

    psycopg2 would build a uuid.UUID for every id, which costs more than the
    rest of the row; SQLite stores the 32 hex digits, given their dashes here.
    """

    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="(%(expressions)s)::text", **extra)

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        groups = [f"substr({sql}, {start}, {size})" for start, size in UUID_GROUPS]
        return "lower(" + " || '-' || ".join(groups) + ")", list(params) * len(groups)


UUID_GROUPS = [(1, 8), (9, 4), (13, 4), (17, 4), (21, 12)]


@contextmanager
def one_snapshot(alias):
    """Let every query of an export see the same rows, however long it streams.

    On PostgreSQL, a REPEATABLE READ transaction (or the transaction the
    caller is already in), without JIT compilation: the planner's costs for
    a whole directory pass its threshold, and compiling takes longer than
    these scans and sorts. It writes nothing but its temporary tables
    (_ByPosition). SQLite needs nothing: statements open together on one
    connection share one read snapshot, and its transactions here
    (IMMEDIATE) would lock writers out.
    """
    connection = connections[alias]
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic(using=alias):
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            cursor.execute("SET LOCAL jit = off")
        yield


class _Labels:
    """A choice's label in the active language, as get_<field>_display() gives it."""

    def __init__(self, choices):
        self.choices = choices
        self.by_language = {}

    def __call__(self, value):
        language = translation.get_language()
        labels = self.by_language.get(language)
        if labels is None:
            labels = self.by_language[language] = {c.value: str(c.label) for c in self.choices}
        return labels.get(value, value)


_legal_status_label = _Labels(LegalStatus)
_area_type_label = _Labels(AreaType)
_via_label = _Labels(LanguageVia)

# What is read of each table: attribute -> column; "@column" is a UUID, read as text.
ORGANIZATION = {
    "id": "@id",
    "name": "name",
    "alternate_name": "alternate_name",
    "description": "description",
    "website": "website",
    "email": "email",
    "year_founded": "year_founded",
    "legal_status": "legal_status",
    "doj_recognized": "doj_recognized",
    "doj_recognition_expires_on": "doj_recognition_expires_on",
    "accredited_representatives_full": "accredited_representatives_full",
    "accredited_representatives_partial": "accredited_representatives_partial",
    "attorneys_on_staff": "attorneys_on_staff",
    "updated_at": "updated_at",
}
SERVICE = {
    "id": "@id",
    "organization_id": "@organization_id",
    "name": "name",
    "description": "description",
    "url": "url",
    "email": "email",
    "fee": "fee",
    "fee_note": "fee_note",
    "eligibility": "eligibility",
    "application_process": "application_process",
    "walk_in": "walk_in",
    "by_appointment": "by_appointment",
    "by_hotline": "by_hotline",
    "online": "online",
    "remote_by_phone": "remote_by_phone",
    "remote_by_video": "remote_by_video",
    "required_documents": "required_documents",
    "area_type": "area_type",
    "area_names": "area_names",
    "serves_detained": "serves_detained",
    "open_24_7": "open_24_7",
    "appointment_only": "appointment_only",
    "time_zone": "time_zone",
    "hours_note": "hours_note",
    "updated_at": "updated_at",
}
LOCATION = {
    "id": "@id",
    "organization_id": "@organization_id",
    "name": "name",
    "is_confidential": "is_confidential",
    "address_1": "address_1",
    "address_2": "address_2",
    "city": "city",
    "county": "county",
    "state": "state",
    "postal_code": "postal_code",
    "country": "country",
    "latitude": "latitude",
    "longitude": "longitude",
    "accessibility": "accessibility",
    "transit": "transit",
}
PHONE = {
    "id": "@id",
    "number": "number",
    "extension": "extension",
    "type": "type",
    "is_24_hours": "is_24_hours",
    "description": "description",
}
SCHEDULE = {
    "id": "@id",
    "service_at_location_id": "@service_at_location_id",
    "weekday": "weekday",
    "opens_at": "opens_at",
    "closes_at": "closes_at",
}

# The model methods exports call, for plain rows.
METHODS = {
    "organization": {"get_legal_status_display": lambda r: _legal_status_label(r.legal_status)},
    "service": {
        "get_area_type_display": lambda r: _area_type_label(r.area_type),
        "required_documents_list": Service.required_documents_list,
    },
    "service language": {"get_via_display": lambda r: _via_label(r.via)},
}


@cache
def row_class(kind, fields):
    """A namedtuple of these fields that can also carry an export's related rows."""
    base = namedtuple(f"Light{kind.title().replace(' ', '')}", fields)
    return type(base.__name__, (base,), METHODS.get(kind, {}))


def _through(path, table):
    """A table's columns read through a relation (location__city...)."""
    return {
        name: f"@{path}__{column[1:]}" if column.startswith("@") else f"{path}__{column}"
        for name, column in table.items()
    }


def _columns(table, fields):
    return [Text(table[f][1:]) if table[f].startswith("@") else table[f] for f in fields]


@dataclass(frozen=True)
class Reading:
    """What an export reads: which fields, and which related rows (named as exports.related)."""

    organization_fields: tuple
    service_fields: tuple
    location_fields: tuple = tuple(LOCATION)
    phone_fields: tuple = tuple(PHONE)
    organization_parts: tuple = ("kinds", "phones", "locations")
    service_parts: tuple = (
        "taxonomy_terms",
        "populations",
        "service_languages",
        "phones",
        "schedules",
        "service_at_locations",
    )


# The CSV and Excel columns (exports.PUBLIC_COLUMNS).
TABLE = Reading(
    tuple(f for f in ORGANIZATION if f != "updated_at"),
    tuple(f for f in SERVICE if f != "updated_at"),
)
# The same with the listings' translations, for translation columns (exports.translation_columns).
TRANSLATED_TABLE = replace(
    TABLE,
    organization_parts=(*TABLE.organization_parts, "translations"),
    service_parts=(*TABLE.service_parts, "translations"),
)
# vCards: names, phones, addresses, the services' names.
CONTACTS = Reading(
    ("id", "name", "email", "website"),
    ("id", "organization_id", "name"),
    ("is_confidential", "address_1", "address_2", "city", "state", "postal_code", "country"),
    ("number", "extension", "type", "is_24_hours"),
    organization_parts=("phones", "locations"),
    service_parts=("phones",),
)
# HSDS service objects (hsds.service_to_hsds) and their organization.
HSDS = Reading(
    ("id", "name", "alternate_name", "description", "email", "website", "year_founded")
    + ("legal_status", "updated_at"),
    tuple(SERVICE),
    organization_parts=("phones",),
    service_parts=(
        "taxonomy_terms",
        "service_languages",
        "phones",
        "schedules",
        "service_at_locations",
    ),
)

# The order services are written in, as paths from a service: the CSV's
# (organization by organization) and HSDS's (by organization name, so two
# organizations of one name have their services interleaved, as always).
BY_ORGANIZATION = ("organization__name", "organization__id", "name", "id")
BY_ORGANIZATION_NAME = ("organization__name", "name", "id")
ORGANIZATION_ORDER = ("name", "id")


class _ByName:
    """Related rows lined up with their owners by the owners' own columns (any database).

    Each table's query joins its owners to sort by their names and repeats
    the export's search as a subquery.
    """

    def __init__(self, alias, organizations, services, service_order):
        self.alias = alias
        self.querysets = {"organization": organizations, "service": services}
        self.orders = {"organization": ORGANIZATION_ORDER, "service": service_order}

    def owners(self, kind):
        """The export's organizations or services, in the export's order."""
        return self.querysets[kind].order_by(*self.orders[kind])

    def arrange(self, queryset, path, kind, *own):
        """The rows of queryset whose `path` leads to the export's owners, in their order."""
        ids = self.querysets[kind].values("pk")
        order = [f"{path}__{field}" for field in self.orders[kind]]
        return queryset.filter(**{f"{path}__in": ids}).order_by(*order, *own)

    def close(self):
        pass


class _ByPosition:
    """On PostgreSQL: the export's organizations and services numbered once, in temporary tables.

    Each table's query then joins the numbers instead of repeating the
    search, and sorts by a number instead of by names: about half the
    database's time for an export.
    """

    def __init__(self, alias, organizations, services, service_order):
        self.alias = alias
        connection = connections[alias]
        # A caller's transaction may outlive the export; ours drops them at its end.
        self.drop = connection.in_atomic_block
        suffix = uuid.uuid4().hex[:16]
        self.tables = {"organization": f"export_o_{suffix}", "service": f"export_s_{suffix}"}
        o, s = self.tables["organization"], self.tables["service"]
        create = "CREATE TEMPORARY TABLE {} ON COMMIT DROP AS {}"
        service_sql, service_params = (
            services.order_by().values_list("id", "organization_id", "name").query.sql_with_params()
        )
        with connection.cursor() as cursor:
            if service_order == BY_ORGANIZATION:
                org_sql, org_params = (
                    organizations.order_by().values_list("id", "name").query.sql_with_params()
                )
                cursor.execute(
                    create.format(
                        o,
                        "SELECT e.id, row_number() OVER (ORDER BY e.name, e.id) AS position"
                        f" FROM ({org_sql}) e",
                    ),
                    org_params,
                )
                cursor.execute(
                    create.format(
                        s,
                        "SELECT e.id, row_number() OVER (ORDER BY n.position, e.name, e.id)"
                        f" AS position FROM ({service_sql}) e JOIN {o} n ON n.id = e.organization_id",
                    ),
                    service_params,
                )
            else:  # BY_ORGANIZATION_NAME; the organizations are the services'
                table = Organization._meta.db_table
                cursor.execute(
                    create.format(
                        s,
                        "SELECT e.id, e.organization_id, row_number() OVER"
                        " (ORDER BY g.name, e.name, e.id) AS position"
                        f" FROM ({service_sql}) e JOIN {table} g ON g.id = e.organization_id",
                    ),
                    service_params,
                )
                cursor.execute(
                    create.format(
                        o,
                        "SELECT g.id, row_number() OVER (ORDER BY g.name, g.id) AS position"
                        f" FROM {table} g WHERE g.id IN (SELECT organization_id FROM {s})",
                    ),
                )
            cursor.execute(f"ANALYZE {o}")
            cursor.execute(f"ANALYZE {s}")

    def owners(self, kind):
        model = Organization if kind == "organization" else Service
        return self.arrange(model.objects.using(self.alias), "id", kind)

    def arrange(self, queryset, path, kind, *own):
        table = self.tables[kind]
        column = _column(queryset.model, path)
        # A join the ordering below sets up (phone__...) is in the query by then.
        return queryset.extra(
            tables=[table], where=[f"{table}.id = {column}"], order_by=[f"{table}.position", *own]
        )

    def close(self):
        if self.drop:
            with connections[self.alias].cursor() as cursor:
                cursor.execute(f"DROP TABLE {', '.join(self.tables.values())}")


def _column(model, path):
    """The quoted table.column that `path` (a__b__field) ends at."""
    *hops, name = path.split("__")
    for hop in hops:
        model = model._meta.get_field(hop).related_model
    return f'"{model._meta.db_table}"."{model._meta.get_field(name).column}"'


@contextmanager
def _lineup(alias, organizations, services, service_order):
    """How related rows are lined up with their owners: _ByPosition where it can be, else _ByName."""
    connection = connections[alias]
    lineup = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_is_in_recovery()")  # a replica: no temporary tables
            if not cursor.fetchone()[0]:
                lineup = _ByPosition(alias, organizations, services, service_order)
    lineup = lineup or _ByName(alias, organizations, services, service_order)
    yield lineup
    lineup.close()  # not after an error, which may have broken the transaction


class _Stream:
    """One ordered query's rows, taken an owner at a time (each row starts with its owner's id)."""

    def __init__(self, queryset, make):
        self._rows = queryset.iterator(chunk_size=FETCH)
        self._make = make
        self._head = next(self._rows, None)

    def take(self, owner):
        found = []
        head = self._head
        while head is not None and head[0] == owner:
            found.append(self._make(head))
            head = next(self._rows, None)
        self._head = head
        return found


# A namedtuple from a row's values, without the generated __new__'s argument handling.
_new = tuple.__new__


def _rest(cls):
    """Make cls of a stream row, without its leading owner id."""
    return lambda row: _new(cls, row[1:])


class _Vocabulary:
    """Languages and categories, which related rows point to: read once per export."""

    def __init__(self, alias):
        self.alias = alias

    @cached_property
    def languages(self):
        make = row_class("language", ("id", "code", "name"))
        rows = Language.objects.using(self.alias).values_list("pk", "code", "name")
        return {row[0]: _new(make, row) for row in rows}

    @cached_property
    def terms(self):
        fields = ("id", "code", "name", "description", "parent_id", "taxonomy", "term_uri")
        make = row_class("term", fields)
        rows = TaxonomyTerm.objects.using(self.alias).values_list(
            Text("id"), *fields[1:4], Text("parent_id"), *fields[5:]
        )
        return {row[0]: _new(make, row) for row in rows}


def _phone_stream(lineup, fields, path, kind):
    phones = lineup.arrange(
        Phone.objects.using(lineup.alias), path, kind, "type", "number", "id"
    ).values_list(Text(f"{path}_id"), *_columns(PHONE, fields))
    return _Stream(phones, _rest(row_class("phone", fields)))


def _phone_language_stream(lineup, vocabulary, path, kind):
    """The languages of the phones _phone_stream reads with the same path, phone by phone."""
    rows = lineup.arrange(
        Phone.languages.through.objects.using(lineup.alias),
        f"phone__{path}",
        kind,
        "phone__type",
        "phone__number",
        "phone__id",
        "language__name",
        "language__id",
    ).values_list(Text("phone_id"), "language_id")
    languages = vocabulary.languages
    return _Stream(rows, lambda row: languages[row[1]])


TRANSLATIONS = {
    "organization": (OrganizationTranslation, ("language", *ORGANIZATION_TRANSLATED)),
    "service": (ServiceTranslation, ("language", *SERVICE_TRANSLATED)),
}


def _translation_stream(lineup, kind, language=None):
    """An organization's or a service's translations, by language (or only into `language`)."""
    model, fields = TRANSLATIONS[kind]
    queryset = model.objects.using(lineup.alias)
    if language:
        queryset = queryset.filter(language=language)
    rows = lineup.arrange(queryset, kind, kind, "language").values_list(Text(f"{kind}_id"), *fields)
    return _Stream(rows, _rest(row_class(f"{kind} translation", fields)))


def _organization_streams(lineup, vocabulary, reading):
    """{part: stream} of an organization's own related rows, lined up with the organizations."""
    alias, parts, streams = lineup.alias, reading.organization_parts, {}
    if "kinds" in parts:
        kinds = lineup.arrange(
            Organization.kinds.through.objects.using(alias),
            "organization",
            "organization",
            "organizationkind__code",
        ).values_list(Text("organization_id"), "organizationkind__code")
        streams["kinds"] = _Stream(kinds, _rest(row_class("code", ("code",))))
    if "phones" in parts:
        streams["phones"] = _phone_stream(
            lineup, reading.phone_fields, "organization", "organization"
        )
    if "locations" in parts:
        locations = lineup.arrange(
            Location.objects.using(alias), "organization", "organization", "city", "name", "id"
        ).values_list(Text("organization_id"), *_columns(LOCATION, reading.location_fields))
        make = row_class("location", reading.location_fields)
        streams["locations"] = _Stream(locations, _rest(make))
    if "translations" in parts:
        streams["translations"] = _translation_stream(lineup, "organization")
    return streams


def _service_streams(lineup, vocabulary, reading, locations_joined):
    """{part: stream} of a service's related rows, lined up with the services.

    Service-at-location rows carry their location when locations_joined;
    otherwise (location_id, ...) rows, which _attach_locations completes.
    """
    alias, parts, streams = lineup.alias, reading.service_parts, {}

    def arrange(queryset, *own):
        return lineup.arrange(queryset.using(alias), "service", "service", *own)

    if "taxonomy_terms" in parts:
        terms = arrange(Service.taxonomy_terms.through.objects, "taxonomyterm__code").values_list(
            Text("service_id"), Text("taxonomyterm_id")
        )
        by_id = vocabulary.terms
        streams["taxonomy_terms"] = _Stream(terms, lambda row: by_id[row[1]])
    if "populations" in parts:
        populations = arrange(
            Service.populations.through.objects, "populationserved__code"
        ).values_list(Text("service_id"), "populationserved__code")
        streams["populations"] = _Stream(populations, _rest(row_class("code", ("code",))))
    if "service_languages" in parts:
        spoken = arrange(ServiceLanguage.objects, "id").values_list(
            Text("service_id"), "language_id", "via"
        )
        languages = vocabulary.languages
        make = row_class("service language", ("via", "language"))
        streams["service_languages"] = _Stream(
            spoken, lambda row: _new(make, (row[2], languages[row[1]]))
        )
    if "phones" in parts:
        streams["phones"] = _phone_stream(lineup, reading.phone_fields, "service", "service")
    if "schedules" in parts:
        schedules = arrange(Schedule.objects, "weekday", "opens_at", "id").values_list(
            Text("service_id"), *_columns(SCHEDULE, SCHEDULE)
        )
        streams["schedules"] = _Stream(schedules, _rest(row_class("schedule", tuple(SCHEDULE))))
    if "service_at_locations" in parts:
        sals = arrange(
            ServiceAtLocation.objects, "location__city", "location__name", "location__id"
        )
        sal = row_class("service at location", ("id", "location_id", "description", "location"))
        if locations_joined:
            location = row_class("location", tuple(LOCATION))
            sals = sals.values_list(
                Text("service_id"),
                Text("id"),
                Text("location_id"),
                "description",
                *_columns(_through("location", LOCATION), LOCATION),
            )
            streams["service_at_locations"] = _Stream(
                sals, lambda row: _new(sal, (row[1], row[2], row[3], _new(location, row[4:])))
            )
        else:
            sals = sals.values_list(
                Text("service_id"), Text("id"), Text("location_id"), "description"
            )
            streams["service_at_locations"] = _Stream(sals, lambda row: row[1:])
    if "translations" in parts:
        streams["translations"] = _translation_stream(lineup, "service")
    return streams


def _attach(row, streams, key):
    """Set row._export_<part> to its rows from each part's stream (as exports.related reads)."""
    for name, stream in streams.items():
        row.__dict__[f"_export_{name}"] = stream.take(key)


def _attach_locations(alias, fields, organization, services):
    """Give service-at-location rows their location: the organization's own, else read.

    A service of one organization at another's location is never made here
    (imports and the admin keep them together), but the schema allows it.
    """
    known = {location.id: location for location in organization._export_locations}
    make = row_class("service at location", ("id", "location_id", "description", "location"))
    for service in services:
        sals = []
        for pk, location_id, description in service._export_service_at_locations:
            if location_id not in known:
                values = (
                    Location.objects.using(alias)
                    .filter(pk=location_id)
                    .values_list(*_columns(LOCATION, fields))
                    .get()
                )
                known[location_id] = _new(row_class("location", fields), values)
            sals.append(make(pk, location_id, description, known[location_id]))
        service._export_service_at_locations = sals


def organizations(organizations, services, reading=TABLE):
    """Yield organizations as plain rows, by name and id, with their `exported_services`.

    What exports.organizations_for_export gives as model instances: the
    `services` of each (by name and id), and the related rows `reading`
    names, in the same orders.
    """
    alias = organizations.db
    organizations = organizations.using(alias)
    services = services.using(alias).filter(organization__in=organizations.values("pk"))
    with one_snapshot(alias), _lineup(alias, organizations, services, BY_ORGANIZATION) as lineup:
        yield from _organizations(lineup, reading)


def _organizations(lineup, reading):
    vocabulary = _Vocabulary(lineup.alias)
    org_streams = _organization_streams(lineup, vocabulary, reading)
    service_stream = _Stream(
        lineup.owners("service").values_list(
            Text("organization_id"), *_columns(SERVICE, reading.service_fields)
        ),
        _rest(row_class("service", reading.service_fields)),
    )
    service_streams = _service_streams(lineup, vocabulary, reading, locations_joined=False)
    make = row_class("organization", reading.organization_fields)
    rows = (
        lineup.owners("organization")
        .values_list(*_columns(ORGANIZATION, reading.organization_fields))
        .iterator(chunk_size=FETCH)
    )
    for values in rows:
        organization = _new(make, values)
        _attach(organization, org_streams, organization.id)
        exported = service_stream.take(organization.id)
        for service in exported:
            _attach(service, service_streams, service.id)
        if "service_at_locations" in service_streams:
            _attach_locations(lineup.alias, reading.location_fields, organization, exported)
        organization.exported_services = exported
        yield organization


def hsds_services(services, language=None):
    """Yield services as plain rows, as HSDS exports them, each with its `organization`.

    Services by organization name, their own name and id; with what
    hsds.service_to_hsds reads of them (HSDS's `reading`), phones' languages
    included. With a `language`, each service and organization also carries
    its translation into it, if any (`_export_translations`, a list of at most one).
    """
    alias = services.db
    services = services.using(alias)
    organizations = Organization.objects.using(alias).filter(
        pk__in=services.values("organization_id")
    )
    with (
        one_snapshot(alias),
        _lineup(alias, organizations, services, BY_ORGANIZATION_NAME) as lineup,
    ):
        yield from _hsds_services(lineup, HSDS, language)


def _hsds_services(lineup, reading, language=None):
    vocabulary = _Vocabulary(lineup.alias)
    streams = _service_streams(lineup, vocabulary, reading, locations_joined=True)
    if language:
        streams["translations"] = _translation_stream(lineup, "service", language)
    phone_languages = _phone_language_stream(lineup, vocabulary, "service", "service")
    owners = _Owners(_owning_organizations(lineup, vocabulary, reading, language))
    make = row_class("service", reading.service_fields)
    rows = (
        lineup.owners("service")
        .values_list(*_columns(SERVICE, reading.service_fields))
        .iterator(chunk_size=FETCH)
    )
    for values in rows:
        service = _new(make, values)
        _attach(service, streams, service.id)
        for phone in service._export_phones:
            phone._export_languages = phone_languages.take(phone.id)
        service.organization = owners.get(service.organization_id)
        yield service


def _owning_organizations(lineup, vocabulary, reading, language=None):
    """The services' organizations, by name and id, with their phones and the phones' languages."""
    streams = _organization_streams(lineup, vocabulary, reading)
    if language:
        streams["translations"] = _translation_stream(lineup, "organization", language)
    phone_languages = _phone_language_stream(lineup, vocabulary, "organization", "organization")
    make = row_class("organization", reading.organization_fields)
    rows = (
        lineup.owners("organization")
        .values_list(*_columns(ORGANIZATION, reading.organization_fields))
        .iterator(chunk_size=FETCH)
    )
    for values in rows:
        organization = _new(make, values)
        _attach(organization, streams, organization.id)
        for phone in organization._export_phones:
            phone._export_languages = phone_languages.take(phone.id)
        yield organization


class _Owners:
    """Organizations by id, read as services in organization-name order ask for them.

    Services come by organization name, so once a service of a later name
    comes, the organizations of the earlier one are done: only those of one
    name are held.
    """

    def __init__(self, organizations):
        self._rows = organizations
        self._next = next(self._rows, None)
        self._group = {}

    def get(self, pk):
        while pk not in self._group:
            if self._next is None:
                raise LookupError(f"organization {pk} is not among the export's")
            name = self._next.name
            self._group = {}
            while self._next is not None and self._next.name == name:
                self._group[self._next.id] = self._next
                self._next = next(self._rows, None)
        return self._group[pk]
