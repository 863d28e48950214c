"""The search index: what the public search reads instead of the listings.

One SearchEntry per public organization, one ServiceEntry per public service
and one OpeningInterval per weekly opening of a public service
(directory/models.py). A listing that is not public has no rows, so no
search, facet or typo correction can reveal it.

`refresh(ids)` rebuilds the rows of some organizations; every write path
reaches it through directory.indexing. `rebuild()` rebuilds everything in
batches (`manage.py rebuild_search_index`).

Tags are short codes, one vocabulary for filters and facet counts:

    c:<category code>   the service's categories and every parent above them
    l:<language code>   p:<population code>   fac:<detention facility id>
    fee:free            free; fee:sliding is free or on a sliding scale
    det  remote  always (open 24/7)  nationwide
    k:<kind code>       cr:doj  cr:attorney  cr:accredited   (the organization's)
    *                   every row, so one GROUP BY also counts the rows
"""

import json
from collections import defaultdict
from contextlib import contextmanager
from functools import cache
from types import SimpleNamespace
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q

from . import copy_insert, indexing, listing_translations, search, spelling
from .models import (
    AreaType,
    Fee,
    Location,
    OpeningInterval,
    Organization,
    Schedule,
    SearchEntry,
    Service,
    ServiceEntry,
    ServiceLanguage,
    Status,
    Visibility,
)

BATCH = 2000
# As migration 0012 made them (and Meta.indexes for the last two).
POSTGRES_INDEXES = [
    ("searchentry_document_gin", "directory_searchentry", "USING gin (document)"),
    ("searchentry_tags_gin", "directory_searchentry", "USING gin (tags)"),
    ("serviceentry_tags_gin", "directory_serviceentry", "USING gin (tags)"),
    (
        "openinginterval_when_idx",
        "directory_openinginterval",
        "(time_zone, weekday, starts)",
    ),
    (
        "openinginterval_until_idx",
        "directory_openinginterval",
        "(time_zone, weekday, ends)",
    ),
]
MINUTES_PER_DAY = 24 * 60


def _ancestors(code):
    parts = code.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def organization_tags(org):
    tags = {"*", *(f"k:{code}" for code in org.kinds)}
    if org.doj_recognized:
        tags.add("cr:doj")
    if org.attorneys_on_staff:
        tags.add("cr:attorney")
    if org.accredited_representatives_full or org.accredited_representatives_partial:
        tags.add("cr:accredited")
    return tags


def service_tags(service):
    tags = {f"c:{code}" for code, _name in service.terms for code in _ancestors(code)}
    tags.update(f"l:{code}" for code in service.languages)
    tags.update(f"p:{code}" for code in service.populations)
    if service.fee == Fee.FREE:
        tags.update(("fee:free", "fee:sliding"))
    elif service.fee == Fee.SLIDING_SCALE:
        tags.add("fee:sliding")
    if service.serves_detained:
        tags.add("det")
        tags.update(f"fac:{pk}" for pk in service.facilities)
    if service.remote_by_phone or service.remote_by_video:
        tags.add("remote")
    if service.open_24_7:
        tags.add("always")
    if service.area_type == AreaType.NATIONWIDE:
        tags.add("nationwide")
    return tags


@cache
def zone_name(name):
    """A service's time zone, or the site's when it has none (or an unknown one)."""
    try:
        ZoneInfo(name or settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return settings.TIME_ZONE
    return name or settings.TIME_ZONE


def weekly_intervals(schedules):
    """Yield (weekday, starts, ends) in minutes of the week for (weekday, opens, closes) rows."""
    for weekday, opens_at, closes_at in schedules:
        starts = weekday * MINUTES_PER_DAY + opens_at.hour * 60 + opens_at.minute
        ends = weekday * MINUTES_PER_DAY + closes_at.hour * 60 + closes_at.minute
        if closes_at < opens_at:  # closes after midnight
            ends += MINUTES_PER_DAY
        yield weekday, starts, ends


# The listings are read as plain values, not model instances: building the
# index of 100,000 services is then a matter of seconds, not minutes.
_ORGANIZATION_FIELDS = [
    "pk", "name", "alternate_name", "description", "last_verified_on", "doj_recognized",
    "attorneys_on_staff", "accredited_representatives_full", "accredited_representatives_partial",
    "updated_at",
]  # fmt: skip
_SERVICE_FIELDS = [
    "pk", "organization_id", "name", "description", "fee", "serves_detained", "remote_by_phone",
    "remote_by_video", "open_24_7", "area_type", "time_zone", "updated_at",
]  # fmt: skip


def _grouped(rows):
    grouped = defaultdict(list)
    for key, *values in rows:
        grouped[key].append(values[0] if len(values) == 1 else tuple(values))
    return grouped


def _load(organization_ids):
    """The public organizations among these ids, with their public services, as namespaces."""
    organizations = [
        SimpleNamespace(**dict(zip(_ORGANIZATION_FIELDS, row, strict=True)))
        for row in Organization.objects.filter(
            pk__in=organization_ids, status=Status.PUBLISHED, visibility=Visibility.PUBLIC
        )
        .order_by()
        .values_list(*_ORGANIZATION_FIELDS)
    ]
    ids = [org.pk for org in organizations]
    kinds = _grouped(
        Organization.kinds.through.objects.filter(organization_id__in=ids).values_list(
            "organization_id", "organizationkind__code"
        )
    )
    places = _grouped(
        Location.objects.filter(organization_id__in=ids)
        .order_by("organization_id", "name", "city", "pk")
        .values_list("organization_id", "city", "state")
    )
    services = [
        SimpleNamespace(**dict(zip(_SERVICE_FIELDS, row, strict=True)))
        for row in Service.objects.filter(organization_id__in=ids, status=Status.PUBLISHED)
        # A service being deleted still exists while its hours and languages go.
        .exclude(pk__in=indexing.services_being_deleted())
        .order_by("organization_id", "name", "pk")
        .values_list(*_SERVICE_FIELDS)
    ]
    service_ids = [service.pk for service in services]
    per_service = {
        "terms": Service.taxonomy_terms.through.objects.filter(
            service_id__in=service_ids
        ).values_list("service_id", "taxonomyterm__code", "taxonomyterm__name"),
        "languages": ServiceLanguage.objects.filter(service_id__in=service_ids).values_list(
            "service_id", "language__code"
        ),
        "populations": Service.populations.through.objects.filter(
            service_id__in=service_ids
        ).values_list("service_id", "populationserved__code"),
        "facilities": Service.detention_facilities.through.objects.filter(
            service_id__in=service_ids
        ).values_list("service_id", "detentionfacility_id"),
        "schedules": Schedule.objects.filter(service_id__in=service_ids)
        .order_by("service_id", "weekday", "opens_at")
        .values_list("service_id", "weekday", "opens_at", "closes_at"),
    }
    per_service = {name: _grouped(rows) for name, rows in per_service.items()}
    services_of = defaultdict(list)
    for service in services:
        for name, values in per_service.items():
            setattr(service, name, values.get(service.pk, []))
        services_of[service.organization_id].append(service)
    # Curators' translations are searched too: a Korean word finds its Korean description.
    translated = listing_translations.search_words(ids, service_ids)
    for org in organizations:
        org.translated_names, org.translated_texts = translated.get(org.pk, ([], []))
        org.kinds = kinds.get(org.pk, [])
        org.places = [list(place) for place in places.get(org.pk, [])]
        org.services = services_of.get(org.pk, [])
    return organizations


def _build(organization_ids):
    """Return (entries, service entries, intervals) as rows for these organizations."""
    entries, service_entries, intervals = [], [], []
    for org in _load(organization_ids):
        own = organization_tags(org)
        tags = set(own)
        for service in org.services:
            mine = service_tags(service) | own
            tags |= mine
            modified = max(service.updated_at, org.updated_at)
            service_entries.append((service.pk, org.pk, sorted(mine), modified))
            zone = zone_name(service.time_zone)
            intervals.extend(
                (service.pk, org.pk, zone, weekday, starts, ends)
                for weekday, starts, ends in weekly_intervals(service.schedules)
            )
        parts = search.document_words(
            org.name,
            [org.alternate_name, *(s.name for s in org.services), *org.translated_names],
            [org.description, *(s.description for s in org.services), *org.translated_texts],
            {name for s in org.services for _code, name in s.terms},
        )
        text = " ".join(word for part in parts for word in part)
        entries.append(
            (org.pk, org.name, org.last_verified_on, sorted(tags), text, org.places, parts)
        )
    return entries, service_entries, intervals


_ENTRY_COLUMNS = "organization_id, name, last_verified_on, tags, text, places"
_SERVICE_COLUMNS = "service_id, organization_id, tags, last_modified"
_INTERVAL_COLUMNS = "service_id, organization_id, time_zone, weekday, starts, ends"


def _insert_by_copy(entries, service_entries, intervals):
    """PostgreSQL: the rows by COPY; the entries through a scratch table for their vectors."""
    with connection.cursor() as cursor:
        # Dropped at commit; refresh and rebuild always run in a transaction.
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS search_entry_load (organization_id uuid,"
            " name text, last_verified_on date, tags text[], text text, places jsonb,"
            " a text, b text, c text) ON COMMIT DROP"
        )
        copy_insert.copy_rows(
            "search_entry_load",
            [*_ENTRY_COLUMNS.split(", "), "a", "b", "c"],
            ((*row[:5], json.dumps(row[5]), *(" ".join(p) for p in row[6])) for row in entries),
        )
        cursor.execute(
            f"INSERT INTO directory_searchentry ({_ENTRY_COLUMNS}, document)"
            f" SELECT {_ENTRY_COLUMNS}, setweight(to_tsvector('simple', a), 'A')"
            " || setweight(to_tsvector('simple', b), 'B')"
            " || setweight(to_tsvector('simple', c), 'C') FROM search_entry_load"
        )
        cursor.execute("TRUNCATE search_entry_load")
    copy_insert.copy_rows("directory_serviceentry", _SERVICE_COLUMNS.split(", "), service_entries)
    copy_insert.copy_rows("directory_openinginterval", _INTERVAL_COLUMNS.split(", "), intervals)


def _insert(entries, service_entries, intervals):
    if connection.vendor == "postgresql":
        _insert_by_copy(entries, service_entries, intervals)
        return
    with connection.cursor() as cursor:
        # SQLite: uuids as the hex Django stores, tags as TagsField's JSON.
        cursor.executemany(
            f"INSERT INTO directory_searchentry ({_ENTRY_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s)",
            [
                (row[0].hex, row[1], row[2], json.dumps(row[3]), row[4], json.dumps(row[5]))
                for row in entries
            ],
        )
        cursor.executemany(
            f"INSERT INTO directory_serviceentry ({_SERVICE_COLUMNS}) VALUES (%s, %s, %s, %s)",
            [
                (s.hex, o.hex, json.dumps(tags), connection.ops.adapt_datetimefield_value(modified))
                for s, o, tags, modified in service_entries
            ],
        )
        cursor.executemany(
            f"INSERT INTO directory_openinginterval ({_INTERVAL_COLUMNS})"
            " VALUES (%s, %s, %s, %s, %s, %s)",
            [(s.hex, o.hex, *rest) for s, o, *rest in intervals],
        )


def _delete(organization_ids, service_ids):
    # By service too: a service moved here by a merge still has its old rows.
    moved = Q(service_id__in=service_ids)
    for model in (OpeningInterval, ServiceEntry):
        model.objects.filter(Q(organization_id__in=organization_ids) | moved).delete()
    SearchEntry.objects.filter(organization_id__in=organization_ids).delete()


def refresh(organization_ids):
    """Rebuild the index rows of these organizations (none left if they are not public)."""
    ids = list(set(organization_ids))
    if not ids:
        return
    with transaction.atomic():
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            entries, service_entries, intervals = _build(chunk)
            _delete(chunk, [row[0] for row in service_entries])
            _insert(entries, service_entries, intervals)
            # Words of listings that left keep until the next rebuild; the
            # search never shows a correction that finds nothing.
            spelling.add_words(row[4] for row in entries)


def rebuild(progress=None):
    """Rebuild the whole index; return the number of public organizations indexed."""
    done = 0
    with transaction.atomic():
        for model in (OpeningInterval, ServiceEntry, SearchEntry):
            model.objects.all().delete()
        # An index built once over all rows is much faster than one updated row by row.
        with _indexes_dropped():
            ids = list(Organization.objects.public().order_by("pk").values_list("pk", flat=True))
            for start in range(0, len(ids), BATCH):
                entries, service_entries, intervals = _build(ids[start : start + BATCH])
                _insert(entries, service_entries, intervals)
                done += len(entries)
                if progress:
                    progress(done, len(ids))
        spelling.rebuild()
    return done


def vacuum():
    """PostgreSQL: reclaim the rows a rebuild replaced, and give the planner fresh statistics.

    A rebuild deletes every row and writes it anew, so until autovacuum comes
    by, each search also reads as many dead rows (measured: 50,000 beside the
    50,000 live ones). VACUUM cannot run inside a transaction: inside one (a
    test) this does nothing.
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "VACUUM ANALYZE directory_searchentry, directory_serviceentry,"
            " directory_openinginterval, directory_word"
        )


@contextmanager
def _indexes_dropped():
    """On PostgreSQL, drop the index tables' GIN and time indexes, and make them again after."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        for name, _table, _how in POSTGRES_INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")
        yield
        # The foreign keys are checked at commit; an index cannot be built
        # over rows with checks pending, so check them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for name, table, how in POSTGRES_INDEXES:
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} {how}")
        for table in ("searchentry", "serviceentry", "openinginterval"):
            cursor.execute(f"ANALYZE directory_{table}")


def snapshot():
    """The whole stored index as comparable data: equal to a fresh rebuild's when current."""
    entries = SearchEntry.objects.order_by("pk").values_list(
        "organization_id", "name", "last_verified_on", "tags", "text", "places"
    )
    documents = []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT organization_id, document::text FROM directory_searchentry ORDER BY 1"
            )
            documents = cursor.fetchall()
    return {
        "entries": [(*row[:3], sorted(row[3]), *row[4:]) for row in entries],
        "documents": documents,
        "services": [
            (service, organization, sorted(tags), modified)
            for service, organization, tags, modified in ServiceEntry.objects.order_by(
                "pk"
            ).values_list("service_id", "organization_id", "tags", "last_modified")
        ],
        "intervals": sorted(
            OpeningInterval.objects.values_list(
                "service_id", "organization_id", "time_zone", "weekday", "starts", "ends"
            )
        ),
    }
