"""Listings leaving the directory: CSV, Excel, vCard and the resource sheet.

The CSV columns are also the import format (docs/import-format.md): one row
per service and location, the organization's columns repeated, so a file
exported here imports back unchanged. Public exports are built from public
rows only, and no export, public or curator, carries a confidential street
address or coordinates, nor curator notes.
"""

import csv
import io
from dataclasses import dataclass
from itertools import chain, groupby
from operator import attrgetter

from django.db.models import Prefetch
from django.utils import timezone

from . import columns as registry
from . import export_reading, listing_translations
from .columns import LOCATION, ORGANIZATION, SERVICE
from .export_reading import CONTACTS, TABLE, TRANSLATED_TABLE  # noqa: F401 (callers pass)
from .models import (
    Location,
    Organization,
    OrganizationKind,
    OrganizationTranslation,
    Phone,
    PhoneType,
    PopulationServed,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceLanguage,
    ServiceTranslation,
    TaxonomyTerm,
)
from .phones import can_call_or_text, in_offer_order
from .text import control_character, printable

# Spreadsheet programs evaluate a cell that starts with one of these (OWASP
# "CSV injection"); a leading apostrophe makes it plain text.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
LIST_SEPARATOR = "; "
WEEKDAY_CODES = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
CHUNK_SIZE = 200


def related(obj, name):
    """A relation's rows: the list an export's prefetch left (`_export_<name>`), else a query.

    Prefetching into plain lists (Prefetch's to_attr) spares Django building
    a queryset for every row and relation, most of an export's time.
    """
    rows = getattr(obj, f"_export_{name}", None)
    return rows if rows is not None else getattr(obj, name).all()


def _into(lookup, queryset=None):
    return Prefetch(lookup, queryset=queryset, to_attr=f"_export_{lookup.rsplit('__', 1)[-1]}")


def neutralise(value):
    """Return a text cell that no spreadsheet will run as a formula."""
    if value and value.startswith(FORMULA_TRIGGERS):
        return f"'{value}"
    return value


def unneutralise(value):
    """Undo neutralise(), so a re-imported file keeps the original text."""
    if len(value) > 1 and value[0] == "'" and value[1:].startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value


def format_phone(phone):
    """Return "(213) 555-0100 x12 [hotline, 24h]": number, extension, flags."""
    text = phone.number
    if phone.extension:
        text += f" x{phone.extension}"
    flags = [phone.type] if phone.type != PhoneType.VOICE else []
    if phone.is_24_hours:
        flags.append("24h")
    if flags:
        text += f" [{', '.join(flags)}]"
    return text


_HOURS_MINUTES = {}


def hours_minutes(time):
    """Return a time as "09:30": formatted once per time of day, not once per row."""
    text = _HOURS_MINUTES.get(time)
    if text is None:
        text = _HOURS_MINUTES[time] = f"{time:%H:%M}"
    return text


def format_hours(schedules):
    return LIST_SEPARATOR.join(
        f"{WEEKDAY_CODES[s.weekday]} {hours_minutes(s.opens_at)}-{hours_minutes(s.closes_at)}"
        for s in schedules
    )


def _yes_no(value):
    return "yes" if value else "no"


def _codes(items):
    return LIST_SEPARATOR.join(sorted(item.code for item in items))


def _service_languages(service):
    parts = []
    for sl in sorted(related(service, "service_languages"), key=lambda sl: sl.language.code):
        parts.append(
            f"{sl.language.code} (interpreter)" if sl.via == "interpreter" else sl.language.code
        )
    return LIST_SEPARATOR.join(parts)


# A row is an organization's, a service's and a location's cells; a row
# without a service or a location has those cells blank.


@dataclass
class Column:
    name: str
    get: object  # callable(the row's `scope` object) -> str | int | float | None
    scope: str = ORGANIZATION


def _field(attr):
    return attrgetter(attr)


def _flag(attr):
    return lambda obj: _yes_no(getattr(obj, attr))


def _private(attr):
    """A location column left blank for a confidential location."""
    return lambda location: None if location.is_confidential else getattr(location, attr)


def _service_hours(service):
    return format_hours(
        s for s in related(service, "schedules") if s.service_at_location_id is None
    )


def _phones(obj):
    return LIST_SEPARATOR.join(format_phone(p) for p in related(obj, "phones"))


def _date(value):
    return value.isoformat() if value else None


def _verified_by(listing):
    return listing.verified_by.get_username() if listing.verified_by else None


# How a registry column's cell is read from its row's organization, service or location.
_LISTS = {
    "kinds": lambda org: _codes(related(org, "kinds")),
    "taxonomy_terms": lambda s: _codes(related(s, "taxonomy_terms")),
    "populations": lambda s: _codes(related(s, "populations")),
}
_BY_TYPE = {
    registry.ID: lambda c: lambda obj: str(obj.id),
    registry.BOOLEAN: lambda c: _flag(c.field),
    registry.DATE: lambda c: lambda obj: _date(getattr(obj, c.field)),
    registry.USER: lambda c: _verified_by,
    registry.CODES: lambda c: _LISTS[c.field],
    registry.PHONES: lambda c: _phones,
    registry.LANGUAGES: lambda c: _service_languages,
    registry.HOURS: lambda c: _service_hours,
}


def _getter(column):
    if column.private:
        return _private(column.field)
    if column.type in _BY_TYPE:
        return _BY_TYPE[column.type](column)
    return _field(column.field)


PUBLIC_COLUMNS = [Column(c.name, _getter(c), c.scope) for c in registry.PUBLIC]
# Only in the admin's exports (registry.CURATOR_ONLY).
CURATOR_COLUMNS = [Column(c.name, _getter(c), c.scope) for c in registry.CURATOR_ONLY]

PUBLIC_HEADER = [c.name for c in PUBLIC_COLUMNS]


def _translated(language, field):
    """A translation column's cell: the listing's text in that language, blank if none."""

    def get(listing):
        for translation in related(listing, "translations"):
            if translation.language == language:
                return getattr(translation, field) or None
        return None

    return get


def translation_columns(languages):
    """The `<column>@<language>` columns of these languages: organizations', then services'."""
    return [
        Column(listing_translations.column(original, language), _translated(language, f), scope)
        for scope, columns in (
            (ORGANIZATION, listing_translations.ORGANIZATION_COLUMNS),
            (SERVICE, listing_translations.SERVICE_COLUMNS),
        )
        for language in languages
        for f, original in columns.items()
    ]


def columns_for(curator, languages=()):
    """An export's columns; `languages` adds translation columns (only languages in use)."""
    columns = PUBLIC_COLUMNS + CURATOR_COLUMNS if curator else PUBLIC_COLUMNS
    return columns + translation_columns(languages) if languages else columns


def service_prefetches(phone_languages=False):
    """Everything an exported service shows, loaded per chunk, not per row."""
    phones = Phone.objects.order_by("type", "number", "id")
    if phone_languages:
        phones = phones.prefetch_related(_into("languages"))
    return [
        _into("taxonomy_terms", TaxonomyTerm.objects.all()),
        _into("populations", PopulationServed.objects.all()),
        _into(
            "service_languages", ServiceLanguage.objects.select_related("language").order_by("id")
        ),
        _into("phones", phones),
        _into("schedules", Schedule.objects.order_by("weekday", "opens_at", "id")),
        _into(
            "service_at_locations",
            ServiceAtLocation.objects.select_related("location").order_by(
                "location__city", "location__name", "location__id"
            ),
        ),
    ]


def organizations_for_export(organizations, services, curator=False, translations=False):
    """Return organizations ordered for export, with their exported services loaded.

    `services` limits which services are exported (public ones for the
    public); `translations` loads the listings' translations too (for
    translation columns). Ordering is by name, then id, so exporting the same data twice
    gives the same bytes.
    """
    service_qs = services.order_by("name", "id").prefetch_related(*service_prefetches())
    if translations:
        service_qs = service_qs.prefetch_related(
            _into("translations", ServiceTranslation.objects.all())
        )
    if curator:
        service_qs = service_qs.select_related("verified_by")
    qs = organizations.order_by("name", "id").prefetch_related(
        _into("kinds", OrganizationKind.objects.all()),
        _into("phones", Phone.objects.order_by("type", "number", "id")),
        _into("locations", Location.objects.order_by("city", "name", "id")),
        Prefetch("services", queryset=service_qs, to_attr="exported_services"),
    )
    if translations:
        qs = qs.prefetch_related(_into("translations", OrganizationTranslation.objects.all()))
    if curator:
        qs = qs.select_related("verified_by")
    return qs.iterator(chunk_size=CHUNK_SIZE)


def organization_rows(org, services_only=False):
    """Yield (service, location) pairs: the rows of one organization.

    Every service gives one row per location (one empty-location row if it
    has none); locations no exported service uses get a row of their own,
    and an organization with nothing else still gets one row.
    """
    used = set()
    for service in org.exported_services:
        sals = list(related(service, "service_at_locations"))
        if not sals:
            yield service, None
        for sal in sals:
            used.add(sal.location_id)
            yield service, sal.location
    if services_only:
        return
    spare = [loc for loc in related(org, "locations") if loc.id not in used]
    for location in spare:
        yield None, location
    if not org.exported_services and not spare:
        yield None, None


def _table(organizations, columns, services_only, make):
    """Yield each row as its parts: one per run of consecutive columns of one scope.

    A part is make(getters, obj) for the run's organization, service or
    location (make(getters, None) when the row has none), made once per
    object however many rows repeat it.
    """
    runs = [(scope, [c.get for c in run]) for scope, run in groupby(columns, attrgetter("scope"))]
    blanks = [make(gets, None) for _, gets in runs]
    for org in organizations:
        made = {}
        for service, location in organization_rows(org, services_only):
            objects = {ORGANIZATION: org, SERVICE: service, LOCATION: location}
            parts = []
            for index, (scope, gets) in enumerate(runs):
                obj = objects[scope]
                if obj is None:
                    parts.append(blanks[index])
                    continue
                key = (index, obj.id)
                part = made.get(key)
                if part is None:
                    part = made[key] = make(gets, obj)
                parts.append(part)
            yield parts


def _typed_cells(gets, obj):
    return [None] * len(gets) if obj is None else [get(obj) for get in gets]


def rows(organizations, curator=False, services_only=False, languages=()):
    """Yield the header, then one list of typed cells per row.

    With services_only, organizations contribute only their exported
    services' rows (for an export of chosen services). `languages` adds
    their translation columns (columns_for).
    """
    columns = columns_for(curator, languages)
    yield [c.name for c in columns]
    for parts in _table(organizations, columns, services_only, _typed_cells):
        yield [cell for part in parts for cell in part]


def _text_cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return _yes_no(value)
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, float) else str(value)
    # Stored text may predate the input check (directory/text.py); a control
    # character would make openpyxl refuse the whole workbook.
    return neutralise(printable(str(value)))


# First characters that need _text_cell's care in a CSV cell: a formula's,
# or a control character, which could hide one.
_CSV_CAREFUL_START = frozenset(FORMULA_TRIGGERS) | frozenset(
    c for c in map(chr, [*range(0xA0), *range(0xD800, 0xE000)]) if control_character(c)
)


def _csv_cell(value):
    """_text_cell for a CSV cell, leaving control characters to _text_pieces.

    _text_pieces drops them from each piece at once (their removal changes
    no quoting), which is only the same as dropping them per cell when the
    cell does not start with one.
    """
    if value.__class__ is str:
        return _text_cell(value) if value and value[0] in _CSV_CAREFUL_START else value
    return _text_cell(value)


# Streamed responses are written in pieces of about this many bytes: one
# write per row would cost more than building the row.
PIECE = 64 * 1024


def pieces(parts):
    """Join small byte strings into pieces of about PIECE bytes."""
    buffer, size = [], 0
    for part in parts:
        buffer.append(part)
        size += len(part)
        if size >= PIECE:
            yield b"".join(buffer)
            buffer, size = [], 0
    if buffer:
        yield b"".join(buffer)


class _Echo:
    def write(self, value):
        return value


# writerow() returns what write() does: the line.
_csv_line = csv.writer(_Echo(), lineterminator="\r\n").writerow


def _csv_segment(cells):
    """Some consecutive cells of a row, quoted as csv.writer quotes them in the whole row.

    Quoting is per cell, so a row is its segments joined by commas; only a
    row of one empty cell is written differently ('""'), so a segment of one
    empty cell is made here.
    """
    if len(cells) == 1 and not cells[0]:
        return ""
    return _csv_line(cells)[:-2]


def _csv_cells(gets, obj):
    if obj is None:
        return _csv_segment([""] * len(gets))
    return _csv_segment([_csv_cell(get(obj)) for get in gets])


def _text_pieces(lines):
    """Join text lines into pieces of about PIECE characters, without control characters, in UTF-8.

    Dropping control characters from a whole piece is what _text_cell does
    per cell (see _csv_cell), at a fraction of the cost.
    """
    buffer, size = [], 0
    for line in lines:
        buffer.append(line)
        size += len(line)
        if size >= PIECE:
            yield printable("".join(buffer)).encode()
            buffer, size = [], 0
    if buffer:
        yield printable("".join(buffer)).encode()


def csv_chunks(row_iter):
    """Yield rows (the header first) as CSV: UTF-8 with a BOM, in pieces (for streaming)."""
    lines = (_csv_line([_csv_cell(v) for v in row]) for row in row_iter)
    return _text_pieces(chain(["\ufeff"], lines))


def csv_export(organizations, curator=False, services_only=False, languages=()):
    """The CSV of export-ready organizations: csv_chunks(rows(...))'s bytes, made faster.

    Each organization's, service's and location's cells are turned into CSV
    text once (_table), however many rows repeat them, and joined per row.
    """
    columns = columns_for(curator, languages)
    header = _csv_line([c.name for c in columns])
    lines = (
        ",".join(parts) + "\r\n"
        for parts in _table(organizations, columns, services_only, _csv_cells)
    )
    return _text_pieces(chain(["\ufeff", header], lines))


def write_xlsx(row_iter, output):
    """Write rows to an .xlsx file (openpyxl's write-only mode: constant memory)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("listings")
    for row in row_iter:
        sheet.append(
            [
                v if isinstance(v, int | float) and not isinstance(v, bool) else _text_cell(v)
                for v in row
            ]
        )
    workbook.save(output)


def xlsx_bytes(row_iter):
    buffer = io.BytesIO()
    write_xlsx(row_iter, buffer)
    return buffer.getvalue()


def _vcard_escape(value):
    if not value.isprintable():  # a control character or a line break (most text has neither)
        value = printable(value).replace("\r\n", "\n").replace("\r", "\n")
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace(",", "\\,").replace(";", "\\;")


# Only numbers a person can call or text (phones.can_call_or_text): a contact
# app would offer a fax as a number to call.
VCARD_PHONE_TYPES = {
    "voice": "WORK,VOICE",
    "hotline": "WORK,VOICE",
    "text": "CELL,TEXT",
}


def _vcard_label(phone):
    """What a number is, as contact apps show it beside the number (Apple's X-ABLabel)."""
    from django.utils.translation import gettext

    parts = [str(PhoneType(phone.type).label)]
    if phone.is_24_hours:
        parts.append(gettext("24 hours"))
    return ", ".join(parts)


def vcard(org):
    """Return one vCard 3.0 for an organization (public details only)."""
    lines = ["BEGIN:VCARD", "VERSION:3.0"]
    lines.append(f"FN:{_vcard_escape(org.name)}")
    lines.append(f"ORG:{_vcard_escape(org.name)}")
    phones = list(related(org, "phones")) + [
        p for s in org.exported_services for p in related(s, "phones")
    ]
    callable_phones = (phone for phone in phones if can_call_or_text(phone))
    for item, phone in enumerate(callable_phones, start=1):
        number = phone.number + (f" x{phone.extension}" if phone.extension else "")
        tel = f"TEL;TYPE={VCARD_PHONE_TYPES[phone.type]}:{_vcard_escape(number)}"
        lines.append(f"item{item}.{tel}")
        lines.append(f"item{item}.X-ABLabel:{_vcard_escape(_vcard_label(phone))}")
    if org.email:
        lines.append(f"EMAIL;TYPE=INTERNET:{_vcard_escape(org.email)}")
    if org.website:
        lines.append(f"URL:{_vcard_escape(org.website)}")
    for location in related(org, "locations"):
        if location.is_confidential:
            continue
        street = ", ".join(filter(None, [location.address_1, location.address_2]))
        parts = [
            "",
            "",
            street,
            location.city,
            location.state,
            location.postal_code,
            location.country,
        ]
        lines.append("ADR;TYPE=WORK:" + ";".join(_vcard_escape(p) for p in parts))
    services = [s.name for s in org.exported_services]
    if services:
        lines.append(f"NOTE:{_vcard_escape(LIST_SEPARATOR.join(services))}")
    lines.append("END:VCARD")
    return "\r\n".join(lines) + "\r\n"


def vcard_chunks(organizations):
    return pieces(vcard(org).encode() for org in organizations)


# An Excel workbook is written whole before it is sent; past this many
# services that takes longer than a download should wait for its first byte,
# so the public export asks for a narrower search or the CSV instead.
EXCEL_LIMIT = 10_000


def exported_services_count(organizations, services):
    return services.published().filter(organization__in=organizations.values("pk")).count()


def excel_limit_message(count):
    from django.utils.translation import gettext

    return gettext(
        "This search has %(count)s services, more than an Excel file of the directory holds "
        "(%(limit)s). Narrow the search, or download the CSV, which has no limit."
    ) % {"count": f"{count:,}", "limit": f"{EXCEL_LIMIT:,}"}


def export_filename(extension):
    return f"directory-{timezone.localdate():%Y-%m-%d}.{extension}"


def public_organizations(organizations, services=None, reading=None):
    """Export-ready public organizations with their public (or the given) services.

    With a `reading` (TABLE for the CSV and Excel columns, TRANSLATED_TABLE
    for them with translation columns, CONTACTS for vCards), plain rows read
    in one pass per table (export_reading); without, model instances (the
    resource sheet).
    """
    services = Service.objects.published() if services is None else services.published()
    if reading is not None:
        return export_reading.organizations(organizations.public(), services, reading)
    return organizations_for_export(organizations.public(), services)


def table_reading(languages):
    """What export_reading reads for the CSV and Excel columns, with these translations."""
    return TRANSLATED_TABLE if languages else TABLE


def public_languages(organizations, services=None):
    """The languages the public listings of an export have translations in (their columns)."""
    organizations = organizations.public()
    services = Service.objects.published() if services is None else services.published()
    return listing_translations.used_languages(
        organizations, services.filter(organization__in=organizations.values("pk"))
    )


def search_filter(data):
    """Return the public search's DirectoryFilter for these GET parameters, as the page runs it.

    The same FilterSet as the /search/ page, and the same second try: a typo
    correction that finds nothing gives way to the words as typed (views.search).
    """
    from .filters import DirectoryFilter

    filterset = DirectoryFilter(data, queryset=Organization.objects.public())
    filterset.qs  # noqa: B018 (runs the filters: entries, services and notices)
    if filterset.corrected and not filterset.entries.exists():
        filterset.search_as_typed()
    return filterset


def search(data):
    """Return (organizations, their matching services) for public search GET parameters.

    What the /search/ page lists (search_filter), as querysets.
    """
    filterset = search_filter(data)
    organizations = filterset.queryset.filter(pk__in=filterset.entries.values("organization_id"))
    return organizations, filterset.services


# ---------------------------------------------------------------- resource sheet

# A handout is one or two printed pages; past this the sheet asks for a
# narrower search instead of printing a booklet.
SHEET_LIMIT = 20
# And at most this many upcoming events of its organizations, when asked for (?events=1).
SHEET_EVENTS = 6


@dataclass
class SheetEntry:
    organization: object
    service: object
    phones: list
    place: str
    languages: list
    hours: str
    free: bool


def hours_summary(service):
    """Return the usual hours compactly, e.g. "Mon–Fri 9:00–17:00; Sat 10:00–14:00"."""
    from django.utils.dates import WEEKDAYS_ABBR
    from django.utils.translation import gettext

    if service.open_24_7:
        return gettext("Open 24 hours")
    by_day = {}
    for s in related(service, "schedules"):
        if s.service_at_location_id is None:
            by_day.setdefault(s.weekday, []).append(f"{s.opens_at:%H:%M}–{s.closes_at:%H:%M}")
    runs = []  # [first day, last day, hours text]
    for day in sorted(by_day):
        text = ", ".join(by_day[day])
        if runs and runs[-1][1] == day - 1 and runs[-1][2] == text:
            runs[-1][1] = day
        else:
            runs.append([day, day, text])
    parts = []
    for first, last, text in runs:
        days = str(WEEKDAYS_ABBR[first])
        if last != first:
            days += f"–{WEEKDAYS_ABBR[last]}"
        parts.append(f"{days} {text}")
    if not parts and service.appointment_only:
        return gettext("By appointment")
    return "; ".join(parts)


def _category(service):
    """The service's broadest category, for grouping a sheet."""
    terms = sorted(related(service, "taxonomy_terms"), key=lambda t: (t.depth, t.code))
    if not terms:
        return None
    top = terms[0].code.split(".")[0]
    return next((t for t in terms if t.code == top), terms[0])


def resource_sheet(organizations, limit=SHEET_LIMIT):
    """Return ([(category name, [SheetEntry])], truncated) for export-ready organizations."""
    from django.utils.translation import gettext

    groups = {}
    count = 0
    truncated = False
    for org in organizations:
        for service in org.exported_services:
            if count == limit:
                truncated = True
                break
            count += 1
            locations = [sal.location for sal in related(service, "service_at_locations")]
            location = next(iter(locations or related(org, "locations")), None)
            entry = SheetEntry(
                organization=org,
                service=service,
                phones=in_offer_order(related(service, "phones"))
                or in_offer_order(related(org, "phones"))[:2],
                place=", ".join(location.public_address_lines) if location else "",
                languages=[sl.language for sl in related(service, "service_languages")],
                hours=hours_summary(service),
                free=service.fee == "free",
            )
            category = _category(service)
            key = category.code if category else "~"
            name = category.display_name if category else gettext("Other help")
            groups.setdefault(key, (name, []))[1].append(entry)
        if truncated:
            break
    return [groups[key] for key in sorted(groups)], truncated


EVENT_HEADER = [
    "title",
    "organization",
    "type",
    "next_date",
    "start_time",
    "end_time",
    "time_zone",
    "repeats",
    "place",
    "online",
    "online_link",
    "languages",
    "free",
    "cost",
    "how_to_register",
    "registration_page",
    "accessibility",
    "page",
]


def event_rows(events, absolute_url):
    """Rows (the header first) of public events for outreach: public fields only.

    `events` carry their `upcoming` dates (events.with_next_dates); the next
    date is the first not cancelled. A confidential place is its city.
    """
    from .calendars import place_text
    from .events import repeat_description

    yield EVENT_HEADER
    for event in events:
        nxt = next((o for o in event.upcoming if not o.cancelled), None)
        yield [
            event.title,
            event.organization.name,
            event.get_event_type_display(),
            nxt.date.isoformat() if nxt else "",
            hours_minutes(event.start_time),
            hours_minutes(event.end_time),
            event.time_zone,
            repeat_description(event),
            place_text(event),
            event.online,
            event.online_url,
            LIST_SEPARATOR.join(language.code for language in event.languages.all()),
            event.is_free,
            event.fee_note,
            event.registration,
            event.registration_url,
            event.accessibility,
            absolute_url(event.get_absolute_url()),
        ]
