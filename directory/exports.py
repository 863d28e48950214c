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

from django.db.models import F, Prefetch
from django.utils import timezone

from .models import (
    Location,
    Organization,
    OrganizationKind,
    Phone,
    PhoneType,
    PopulationServed,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceLanguage,
    TaxonomyTerm,
)
from .phones import in_offer_order
from .text import printable

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


def format_hours(schedules):
    return LIST_SEPARATOR.join(
        f"{WEEKDAY_CODES[s.weekday]} {s.opens_at:%H:%M}-{s.closes_at:%H:%M}" for s in schedules
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


@dataclass
class Column:
    name: str
    get: object  # callable(org, service, location) -> str | int | float | None
    numeric: bool = False


def _org(attr):
    return lambda org, service, location: getattr(org, attr)


def _svc(attr):
    return lambda org, service, location: getattr(service, attr) if service else None


def _svc_flag(attr):
    return lambda org, service, location: _yes_no(getattr(service, attr)) if service else None


def _loc(attr, private=False):
    """A location column; private ones are blank for confidential locations."""

    def get(org, service, location):
        if location is None or (private and location.is_confidential):
            return None
        return getattr(location, attr)

    return get


def _service_hours(service):
    return format_hours(
        s for s in related(service, "schedules") if s.service_at_location_id is None
    )


def _svc_with(func):
    return lambda org, service, location: func(service) if service else None


PUBLIC_COLUMNS = [
    Column("organization_id", lambda org, s, loc: str(org.id)),
    Column("organization_name", _org("name")),
    Column("organization_alternate_name", _org("alternate_name")),
    Column("organization_description", _org("description")),
    Column("organization_website", _org("website")),
    Column("organization_email", _org("email")),
    Column("organization_kinds", lambda org, s, loc: _codes(related(org, "kinds"))),
    Column(
        "organization_phones",
        lambda org, s, loc: LIST_SEPARATOR.join(format_phone(p) for p in related(org, "phones")),
    ),
    Column("year_founded", _org("year_founded"), numeric=True),
    Column("legal_status", _org("legal_status")),
    Column("doj_recognized", lambda org, s, loc: _yes_no(org.doj_recognized)),
    Column(
        "doj_recognition_expires_on",
        lambda org, s, loc: (
            org.doj_recognition_expires_on and org.doj_recognition_expires_on.isoformat()
        ),
    ),
    Column(
        "accredited_representatives_full", _org("accredited_representatives_full"), numeric=True
    ),
    Column(
        "accredited_representatives_partial",
        _org("accredited_representatives_partial"),
        numeric=True,
    ),
    Column("attorneys_on_staff", _org("attorneys_on_staff"), numeric=True),
    Column("service_id", lambda org, s, loc: str(s.id) if s else None),
    Column("service_name", _svc("name")),
    Column("service_description", _svc("description")),
    Column("service_url", _svc("url")),
    Column("service_email", _svc("email")),
    Column("categories", _svc_with(lambda s: _codes(related(s, "taxonomy_terms")))),
    Column("fee", _svc("fee")),
    Column("fee_note", _svc("fee_note")),
    Column("eligibility", _svc("eligibility")),
    Column("populations", _svc_with(lambda s: _codes(related(s, "populations")))),
    Column("languages", _svc_with(_service_languages)),
    Column("application_process", _svc("application_process")),
    Column("walk_in", _svc_flag("walk_in")),
    Column("by_appointment", _svc_flag("by_appointment")),
    Column("by_hotline", _svc_flag("by_hotline")),
    Column("online", _svc_flag("online")),
    Column("remote_by_phone", _svc_flag("remote_by_phone")),
    Column("remote_by_video", _svc_flag("remote_by_video")),
    Column("required_documents", _svc("required_documents")),
    Column("area_type", _svc("area_type")),
    Column("area_names", _svc("area_names")),
    Column("serves_detained", _svc_flag("serves_detained")),
    Column("open_24_7", _svc_flag("open_24_7")),
    Column("appointment_only", _svc_flag("appointment_only")),
    Column("time_zone", _svc("time_zone")),
    Column("hours", _svc_with(_service_hours)),
    Column(
        "service_phones",
        _svc_with(lambda s: LIST_SEPARATOR.join(format_phone(p) for p in related(s, "phones"))),
    ),
    Column("location_id", lambda org, s, loc: str(loc.id) if loc else None),
    Column("location_name", _loc("name", private=True)),
    Column(
        "confidential_address", lambda org, s, loc: _yes_no(loc.is_confidential) if loc else None
    ),
    Column("address_1", _loc("address_1", private=True)),
    Column("address_2", _loc("address_2", private=True)),
    Column("city", _loc("city")),
    Column("county", _loc("county")),
    Column("state", _loc("state")),
    Column("postal_code", _loc("postal_code", private=True)),
    Column("country", _loc("country")),
    Column("latitude", _loc("latitude", private=True), numeric=True),
    Column("longitude", _loc("longitude", private=True), numeric=True),
    Column("accessibility", _loc("accessibility", private=True)),
    Column("transit", _loc("transit", private=True)),
]


def _verified_by(listing):
    return listing.verified_by.get_username() if listing and listing.verified_by else None


def _date(value):
    return value.isoformat() if value else None


# Only in the admin's exports: what a curator needs for outreach and
# verification. Curator notes are never exported.
CURATOR_COLUMNS = [
    Column("organization_status", _org("status")),
    Column("organization_last_verified_on", lambda org, s, loc: _date(org.last_verified_on)),
    Column("organization_verified_by", lambda org, s, loc: _verified_by(org)),
    Column("service_status", _svc("status")),
    Column(
        "service_last_verified_on", lambda org, s, loc: _date(s.last_verified_on) if s else None
    ),
    Column("service_verified_by", lambda org, s, loc: _verified_by(s)),
]

PUBLIC_HEADER = [c.name for c in PUBLIC_COLUMNS]


def columns_for(curator):
    return PUBLIC_COLUMNS + CURATOR_COLUMNS if curator else PUBLIC_COLUMNS


def service_prefetches(phone_languages=False):
    """Everything an exported service shows, loaded per chunk, not per row."""
    phones = Phone.objects.order_by("type", "number", "id")
    if phone_languages:
        phones = phones.prefetch_related(_into("languages"))
    return [
        _into("taxonomy_terms", TaxonomyTerm.objects.all()),
        _into("populations", PopulationServed.objects.all()),
        _into("service_languages", ServiceLanguage.objects.select_related("language")),
        _into("phones", phones),
        _into("schedules", Schedule.objects.order_by("weekday", "opens_at", "id")),
        _into(
            "service_at_locations",
            ServiceAtLocation.objects.select_related("location").order_by(
                "location__city", "location__name", "location__id"
            ),
        ),
    ]


def organizations_for_export(organizations, services, curator=False):
    """Return organizations ordered for export, with their exported services loaded.

    `services` limits which services are exported (public ones for the
    public). Ordering is by name, then id, so exporting the same data twice
    gives the same bytes.
    """
    service_qs = services.order_by("name", "id").prefetch_related(*service_prefetches())
    if curator:
        service_qs = service_qs.select_related("verified_by")
    qs = organizations.order_by("name", "id").prefetch_related(
        _into("kinds", OrganizationKind.objects.all()),
        _into("phones", Phone.objects.order_by("type", "number", "id")),
        _into("locations", Location.objects.order_by("city", "name", "id")),
        Prefetch("services", queryset=service_qs, to_attr="exported_services"),
    )
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


def rows(organizations, curator=False, services_only=False):
    """Yield the header, then one list of typed cells per row.

    With services_only, organizations contribute only their exported
    services' rows (for an export of chosen services).
    """
    columns = columns_for(curator)
    yield [c.name for c in columns]
    for org in organizations:
        for service, location in organization_rows(org, services_only):
            yield [c.get(org, service, location) for c in columns]


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


class _Echo:
    def write(self, value):
        return value


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


def _csv_lines(row_iter):
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    first = True
    for row in row_iter:
        line = writer.writerow([_text_cell(v) for v in row]).encode()
        if first:
            line = "\ufeff".encode() + line
            first = False
        yield line


def csv_chunks(row_iter):
    """Yield the CSV as UTF-8 with a BOM, in pieces (for streaming)."""
    return pieces(_csv_lines(row_iter))


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
    value = printable(value).replace("\r\n", "\n").replace("\r", "\n")
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace(",", "\\,").replace(";", "\\;")


VCARD_PHONE_TYPES = {
    "voice": "WORK,VOICE",
    "hotline": "WORK,VOICE",
    "text": "CELL,TEXT",
    "fax": "FAX",
}


def vcard(org):
    """Return one vCard 3.0 for an organization (public details only)."""
    lines = ["BEGIN:VCARD", "VERSION:3.0"]
    lines.append(f"FN:{_vcard_escape(org.name)}")
    lines.append(f"ORG:{_vcard_escape(org.name)}")
    phones = list(related(org, "phones")) + [
        p for s in org.exported_services for p in related(s, "phones")
    ]
    for phone in phones:
        number = phone.number + (f" x{phone.extension}" if phone.extension else "")
        lines.append(f"TEL;TYPE={VCARD_PHONE_TYPES[phone.type]}:{_vcard_escape(number)}")
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


def public_organizations(organizations, services=None, light=False):
    """Export-ready public organizations with their public (or the given) services.

    `light` gives plain rows (light_organizations) for the CSV, Excel and
    vCard columns, which need nothing of the models but their fields.
    """
    services = Service.objects.published() if services is None else services.published()
    if light:
        return light_organizations(organizations.public(), services)
    return organizations_for_export(organizations.public(), services)


ORGANIZATION_FIELDS = [
    "id",
    "name",
    "alternate_name",
    "description",
    "website",
    "email",
    "year_founded",
    "legal_status",
    "doj_recognized",
    "doj_recognition_expires_on",
    "accredited_representatives_full",
    "accredited_representatives_partial",
    "attorneys_on_staff",
]
SERVICE_FIELDS = [
    "id",
    "organization_id",
    "name",
    "description",
    "url",
    "email",
    "fee",
    "fee_note",
    "eligibility",
    "application_process",
    "walk_in",
    "by_appointment",
    "by_hotline",
    "online",
    "remote_by_phone",
    "remote_by_video",
    "required_documents",
    "area_type",
    "area_names",
    "serves_detained",
    "open_24_7",
    "appointment_only",
    "time_zone",
]
LOCATION_FIELDS = [
    "id",
    "organization_id",
    "name",
    "is_confidential",
    "address_1",
    "address_2",
    "city",
    "county",
    "state",
    "postal_code",
    "country",
    "latitude",
    "longitude",
    "accessibility",
    "transit",
]
PHONE_FIELDS = ["organization_id", "service_id", "number", "extension", "type", "is_24_hours"]


# Organizations a chunk of light rows holds: plain rows are small, and fewer
# chunks mean fewer queries.
LIGHT_CHUNK_SIZE = 500


class _Row:
    """A row read with values(): attributes like a model instance's, no more."""

    def __init__(self, values):
        self.__dict__.update(values)


def _grouped(queryset, key, make=_Row):
    groups = {}
    for values in queryset:
        groups.setdefault(values[key], []).append(make(values))
    return groups


def light_organizations(organizations, services):
    """Organizations as public_organizations orders them, read as plain rows chunk by chunk.

    What organizations_for_export loads, with values() instead of model
    instances (a third of the time of an export of everything); the same
    columns, so the same privacy rules, apply to them.
    """
    ids = organizations.order_by("name", "id").values_list("id", flat=True)
    chunk = []
    for pk in ids.iterator(chunk_size=LIGHT_CHUNK_SIZE):
        chunk.append(pk)
        if len(chunk) == LIGHT_CHUNK_SIZE:
            yield from _light_chunk(chunk, services)
            chunk = []
    if chunk:
        yield from _light_chunk(chunk, services)


def _light_chunk(ids, services):
    orgs = {
        v["id"]: _Row(v)
        for v in Organization.objects.filter(pk__in=ids).values(*ORGANIZATION_FIELDS)
    }
    kinds = _grouped(
        Organization.kinds.through.objects.filter(organization_id__in=ids).values(
            "organization_id", code=F("organizationkind__code")
        ),
        "organization_id",
    )
    phones = Phone.objects.order_by("type", "number", "id").values(*PHONE_FIELDS)
    org_phones = _grouped(phones.filter(organization_id__in=ids), "organization_id")
    locations = _grouped(
        Location.objects.filter(organization_id__in=ids)
        .order_by("city", "name", "id")
        .values(*LOCATION_FIELDS),
        "organization_id",
    )
    service_rows = list(
        services.filter(organization_id__in=ids).order_by("name", "id").values(*SERVICE_FIELDS)
    )
    sids = [v["id"] for v in service_rows]
    by_service = {
        "taxonomy_terms": _grouped(
            Service.taxonomy_terms.through.objects.filter(service_id__in=sids).values(
                "service_id", code=F("taxonomyterm__code")
            ),
            "service_id",
        ),
        "populations": _grouped(
            Service.populations.through.objects.filter(service_id__in=sids).values(
                "service_id", code=F("populationserved__code")
            ),
            "service_id",
        ),
        "service_languages": _grouped(
            ServiceLanguage.objects.filter(service_id__in=sids).values(
                "service_id", "via", code=F("language__code")
            ),
            "service_id",
            lambda v: _Row({"via": v["via"], "language": _Row({"code": v["code"]})}),
        ),
        "phones": _grouped(phones.filter(service_id__in=sids), "service_id"),
        "schedules": _grouped(
            Schedule.objects.filter(service_id__in=sids)
            .order_by("weekday", "opens_at", "id")
            .values("service_id", "service_at_location_id", "weekday", "opens_at", "closes_at"),
            "service_id",
        ),
    }
    location_rows = {loc.id: loc for rows in locations.values() for loc in rows}
    sals = _grouped(
        ServiceAtLocation.objects.filter(service_id__in=sids)
        .order_by("location__city", "location__name", "location__id")
        .values("service_id", "location_id"),
        "service_id",
    )
    for org in orgs.values():
        org._export_kinds = kinds.get(org.id, [])
        org._export_phones = org_phones.get(org.id, [])
        org._export_locations = locations.get(org.id, [])
        org.exported_services = []
    for values in service_rows:
        service = _Row(values)
        for name, groups in by_service.items():
            setattr(service, f"_export_{name}", groups.get(service.id, []))
        service._export_service_at_locations = [
            _Row({"location_id": sal.location_id, "location": _location(location_rows, sal)})
            for sal in sals.get(service.id, [])
        ]
        orgs[service.organization_id].exported_services.append(service)
    for pk in ids:
        yield orgs[pk]


def _location(known, sal):
    """A service's location; another organization's (never made here, but allowed) is read."""
    if sal.location_id not in known:
        values = Location.objects.filter(pk=sal.location_id).values(*LOCATION_FIELDS).first()
        known[sal.location_id] = _Row(values)
    return known[sal.location_id]


def search(data):
    """Return (organizations, their matching services) for public search GET parameters.

    The same FilterSet as the /search/ page, so an export holds what the
    page lists.
    """
    from .filters import DirectoryFilter

    filterset = DirectoryFilter(data, queryset=Organization.objects.public())
    return filterset.qs, filterset.services


# ---------------------------------------------------------------- resource sheet

# A handout is one or two printed pages; past this the sheet asks for a
# narrower search instead of printing a booklet.
SHEET_LIMIT = 20


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
