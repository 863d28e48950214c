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

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q

from . import search, spelling
from .models import (
    AreaType,
    Fee,
    OpeningInterval,
    Organization,
    SearchEntry,
    Service,
    ServiceEntry,
    Status,
    Visibility,
)

BATCH = 2000
MINUTES_PER_DAY = 24 * 60


def _ancestors(code):
    parts = code.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def organization_tags(organization):
    tags = {"*", *(f"k:{kind.code}" for kind in organization.kinds.all())}
    if organization.doj_recognized:
        tags.add("cr:doj")
    if organization.attorneys_on_staff:
        tags.add("cr:attorney")
    if (
        organization.accredited_representatives_full
        or organization.accredited_representatives_partial
    ):
        tags.add("cr:accredited")
    return tags


def service_tags(service):
    tags = {f"c:{code}" for term in service.taxonomy_terms.all() for code in _ancestors(term.code)}
    tags.update(f"l:{sl.language.code}" for sl in service.service_languages.all())
    tags.update(f"p:{population.code}" for population in service.populations.all())
    if service.fee == Fee.FREE:
        tags.update(("fee:free", "fee:sliding"))
    elif service.fee == Fee.SLIDING_SCALE:
        tags.add("fee:sliding")
    if service.serves_detained:
        tags.add("det")
        tags.update(f"fac:{facility.pk}" for facility in service.detention_facilities.all())
    if service.remote_by_phone or service.remote_by_video:
        tags.add("remote")
    if service.open_24_7:
        tags.add("always")
    if service.area_type == AreaType.NATIONWIDE:
        tags.add("nationwide")
    return tags


def zone_name(service):
    """The service's time zone, or the site's when it has none (or an unknown one)."""
    try:
        ZoneInfo(service.time_zone or settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return settings.TIME_ZONE
    return service.time_zone or settings.TIME_ZONE


def weekly_intervals(service):
    """Yield (weekday, starts, ends) in minutes of the week for the service's hours."""
    for row in service.schedules.all():
        starts = row.weekday * MINUTES_PER_DAY + row.opens_at.hour * 60 + row.opens_at.minute
        ends = row.weekday * MINUTES_PER_DAY + row.closes_at.hour * 60 + row.closes_at.minute
        if row.closes_at < row.opens_at:  # closes after midnight
            ends += MINUTES_PER_DAY
        yield row.weekday, starts, ends


def _public_organizations(ids):
    return (
        Organization.objects.filter(
            pk__in=ids, status=Status.PUBLISHED, visibility=Visibility.PUBLIC
        )
        .order_by()
        .prefetch_related("kinds", "locations")
    )


def _public_services(organization_ids):
    return (
        Service.objects.filter(organization_id__in=organization_ids, status=Status.PUBLISHED)
        .order_by("organization_id", "name", "pk")
        .prefetch_related(
            "taxonomy_terms",
            "service_languages__language",
            "populations",
            "detention_facilities",
            "schedules",
        )
    )


def _build(organization_ids):
    """Return (entries, service entries, intervals) for these organizations' public rows."""
    organizations = list(_public_organizations(organization_ids))
    services_of = {}
    for service in _public_services([o.pk for o in organizations]):
        services_of.setdefault(service.organization_id, []).append(service)
    entries, service_entries, intervals = [], [], []
    for organization in organizations:
        services = services_of.get(organization.pk, [])
        own = organization_tags(organization)
        tags = set(own)
        for service in services:
            mine = service_tags(service) | own
            tags |= mine
            service_entries.append(
                ServiceEntry(service=service, organization=organization, tags=mine)
            )
            zone = zone_name(service)
            intervals.extend(
                OpeningInterval(
                    service=service,
                    organization=organization,
                    time_zone=zone,
                    weekday=weekday,
                    starts=starts,
                    ends=ends,
                )
                for weekday, starts, ends in weekly_intervals(service)
            )
        parts = search.document_words(organization, services)
        entry = SearchEntry(
            organization=organization,
            name=organization.name,
            last_verified_on=organization.last_verified_on,
            tags=tags,
            text=" ".join(word for part in parts for word in part),
            places=[[loc.city, loc.state] for loc in organization.locations.all()],
        )
        entry.parts = parts
        entries.append(entry)
    return entries, service_entries, intervals


def _write(organization_ids, entries, service_entries, intervals):
    # By service too: a service moved here by a merge still has its old rows.
    moved = Q(service_id__in=[entry.service_id for entry in service_entries])
    for model in (OpeningInterval, ServiceEntry):
        model.objects.filter(Q(organization_id__in=organization_ids) | moved).delete()
    SearchEntry.objects.filter(organization_id__in=organization_ids).delete()
    SearchEntry.objects.bulk_create(entries, batch_size=BATCH)
    ServiceEntry.objects.bulk_create(service_entries, batch_size=BATCH)
    OpeningInterval.objects.bulk_create(intervals, batch_size=BATCH)
    if connection.vendor == "postgresql" and entries:
        _write_documents(entries)


def _write_documents(entries):
    """Set each entry's weighted vector, built by PostgreSQL from its three word lists."""
    from psycopg2.extras import execute_values

    with connection.cursor() as cursor:
        execute_values(
            cursor.cursor,  # the driver's own cursor: execute_values is psycopg2's
            "UPDATE directory_searchentry AS e SET document ="
            " setweight(to_tsvector('simple', v.a), 'A')"
            " || setweight(to_tsvector('simple', v.b), 'B')"
            " || setweight(to_tsvector('simple', v.c), 'C')"
            " FROM (VALUES %s) AS v(id, a, b, c) WHERE e.organization_id = v.id::uuid",
            [(str(e.organization_id), *(" ".join(part) for part in e.parts)) for e in entries],
            page_size=BATCH,
        )


def refresh(organization_ids):
    """Rebuild the index rows of these organizations (none left if they are not public)."""
    ids = list(set(organization_ids))
    if not ids:
        return
    with transaction.atomic():
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            entries, service_entries, intervals = _build(chunk)
            _write(chunk, entries, service_entries, intervals)
            # Words of listings that left keep until the next rebuild; the
            # search never shows a correction that finds nothing.
            spelling.add_words(entry.text for entry in entries)


def rebuild(progress=None):
    """Rebuild the whole index; return the number of public organizations indexed."""
    done = 0
    with transaction.atomic():
        for model in (OpeningInterval, ServiceEntry, SearchEntry):
            model.objects.all().delete()
        ids = list(Organization.objects.public().order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), BATCH):
            entries, service_entries, intervals = _build(ids[start : start + BATCH])
            SearchEntry.objects.bulk_create(entries, batch_size=BATCH)
            ServiceEntry.objects.bulk_create(service_entries, batch_size=BATCH)
            OpeningInterval.objects.bulk_create(intervals, batch_size=BATCH)
            if connection.vendor == "postgresql" and entries:
                _write_documents(entries)
            done += len(entries)
            if progress:
                progress(done, len(ids))
        spelling.rebuild()
    return done


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
            (service, organization, sorted(tags))
            for service, organization, tags in ServiceEntry.objects.order_by("pk").values_list(
                "service_id", "organization_id", "tags"
            )
        ],
        "intervals": sorted(
            OpeningInterval.objects.values_list(
                "service_id", "organization_id", "time_zone", "weekday", "starts", "ends"
            )
        ),
    }
