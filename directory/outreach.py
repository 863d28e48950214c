"""Exports an organizer uses as they are: one row per organization, in the screen's order.

The data export (directory/exports.py) is the import format: one row per
service and location, codes, sorted by name. These are for people: a mail
merge, a flyer, a phone bank. One row per organization (or per phone, for the
call list), in the order and with the filters of the results page
(`in_screen_order`, which the printable sheet reads too), readable words in
the request's language, and only what the public pages show: public
organizations and their matching public services (DirectoryFilter), a
confidential location's city and never its street (Location.public_address_lines),
its distance only as the band the results page shows (distance_label), and
no fax as a number to call (directory/phones.py).
"""

from dataclasses import dataclass
from datetime import date
from itertools import islice

from django.conf import settings
from django.db.models import Prefetch, prefetch_related_objects
from django.utils import formats, translation
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from . import exports, geo, phones
from .export_reading import one_snapshot
from .models import Fee, LanguageVia, PhoneType, ServiceAtLocation, ServiceLanguage
from .templatetags.distances import distance_label
from .text import printable

# Organizations loaded per round of queries: a fixed number of queries for
# each this many, whatever the number of rows.
CHUNK_SIZE = 500
_FEE_ORDER = {value: position for position, value in enumerate(Fee.values)}
SEPARATOR = "; "

NOTARIO_WARNING = _(
    "Only a lawyer or a DOJ-accredited representative may give you immigration legal advice. "
    "Never pay a “notario” for legal help."
)
CONFIDENTIAL_NOTE = _(
    "Some organizations keep their address confidential to protect the people they serve: "
    "the file gives only their city. Call them for directions."
)


# ---------------------------------------------------------------- the screen's organizations


def in_screen_order(filterset, chunk_size=CHUNK_SIZE):
    """Yield the search's organizations as the results page lists them, each loaded for outreach.

    The order is the results page's (DirectoryFilter.entries: relevance,
    distance, name or verification), and each organization carries what its
    result card reads: `distance` and `distance_is_approximate` from the
    search entry, `matching_services` (also as `exported_services`, which
    exports.resource_sheet reads) with their categories, languages, hours and
    locations, its own locations, and the phones of both (phones.attach_phones).
    A fixed number of queries per `chunk_size` organizations.
    """
    entries = filterset.entries.select_related("organization").defer("document", "text")
    rows = entries.iterator(chunk_size=chunk_size)
    with one_snapshot(entries.db):
        while chunk := list(islice(rows, chunk_size)):
            yield from _loaded(chunk, filterset)


def _loaded(entries, filterset):
    organizations = []
    for entry in entries:
        organization = entry.organization
        organization.distance = getattr(entry, "distance", None)
        organization.distance_is_approximate = getattr(entry, "distance_is_approximate", False)
        organizations.append(organization)
    services = filterset.services_of([o.pk for o in organizations]).order_by("name", "id")
    prefetch_related_objects(
        organizations,
        Prefetch(
            "services",
            queryset=services.prefetch_related(
                "taxonomy_terms",
                Prefetch(
                    "service_languages",
                    queryset=ServiceLanguage.objects.select_related("language").order_by(
                        "language__name", "id"
                    ),
                ),
                "schedules",
                Prefetch(
                    "service_at_locations",
                    queryset=ServiceAtLocation.objects.select_related("location").order_by(
                        "location__city", "location__name", "location__id"
                    ),
                ),
            ),
            to_attr="matching_services",
        ),
        "locations",
    )
    matching = [s for o in organizations for s in o.matching_services]
    phones.attach_phones(organizations, matching)
    for organization in organizations:
        organization.exported_services = organization.matching_services
    return organizations


# ---------------------------------------------------------------- what a row says


def _unique(items):
    return list(dict.fromkeys(item for item in items if item))


def _categories(org):
    terms = sorted(
        {t.pk: t for s in org.matching_services for t in s.taxonomy_terms.all()}.values(),
        key=lambda t: t.code,
    )
    return SEPARATOR.join(t.display_name for t in terms)


def _language_name(service_language):
    name = gettext(service_language.language.name)
    if service_language.via == LanguageVia.INTERPRETER:
        return gettext("%(language)s (through an interpreter)") % {"language": name}
    return name


def _languages(services):
    return SEPARATOR.join(
        _unique(_language_name(sl) for s in services for sl in s.service_languages.all())
    )


def _fees(org):
    fees = sorted({s.fee for s in org.matching_services if s.fee in _FEE_ORDER}, key=_FEE_ORDER.get)
    notes = _unique(s.fee_note for s in org.matching_services)
    return SEPARATOR.join([str(Fee(fee).label) for fee in fees] + notes)


def _location(org, point):
    """The location a row shows: the nearest to the place searched, else a matching service's."""
    locations = list(org.locations.all())
    if point:
        placed = [loc for loc in locations if loc.search_latitude is not None]
        if placed:
            return min(
                placed,
                key=lambda loc: geo.haversine(point, (loc.search_latitude, loc.search_longitude)),
            )
    used = [sal.location for s in org.matching_services for sal in s.service_at_locations.all()]
    return next(iter(used or locations), None)


def _address(location):
    """The street lines, or "address on request" for a confidential location (its city stays)."""
    if location is None:
        return ""
    if location.is_confidential:
        return gettext("Address on request")
    return ", ".join(location.public_address_lines)


def _number(phone):
    if phone is None:
        return ""
    if phone.extension:
        return f"{phone.number} {gettext('ext. %(ext)s') % {'ext': phone.extension}}"
    return phone.number


def _what_number(phone, services_by_id):
    """What a number is, in words: "Hotline, 24 hours, Intake line (Asylum clinic)"."""
    if phone is None:
        return ""
    parts = [str(PhoneType(phone.type).label)]
    if phone.is_24_hours:
        parts.append(gettext("24 hours"))
    if phone.description:
        parts.append(phone.description)
    text = ", ".join(parts)
    service = services_by_id.get(phone.service_id)
    if service is not None:
        text += f" ({service.name})"
    return text


def _all_phones(org):
    """The matching services' phones, then the organization's own, best first; each number once."""
    found, seen = [], set()
    service_phones = [p for s in org.matching_services for p in s.phones.all()]
    for phone in phones.in_offer_order(service_phones) + phones.in_offer_order(org.phones.all()):
        key = (phone.number, phone.extension)
        if key not in seen:
            seen.add(key)
            found.append(phone)
    return found


def _first_of_type(org, phone_type):
    return next((p for p in _all_phones(org) if p.type == phone_type), None)


def _hours(services):
    """The services' usual hours in words; each service named when they differ."""
    summaries = [(s.name, exports.hours_summary(s)) for s in services]
    distinct = _unique(text for _name, text in summaries)
    if len(distinct) <= 1:
        return distinct[0] if distinct else ""
    return SEPARATOR.join(f"{name}: {text}" for name, text in summaries if text)


def _date(value):
    return formats.date_format(value, "DATE_FORMAT")


def _recognition(org):
    if not org.doj_recognized:
        return ""
    expires = org.doj_recognition_expires_on
    if not org.recognition_is_current:
        return gettext("DOJ recognition expired on %(date)s") % {"date": _date(expires)}
    if expires:
        return gettext("Recognized by the DOJ until %(date)s") % {"date": _date(expires)}
    return gettext("Recognized by the DOJ")


def _representatives(org):
    parts = []
    if org.accredited_representatives_full:
        count = org.accredited_representatives_full
        parts.append(
            ngettext(
                "%(count)s representative with full accreditation",
                "%(count)s representatives with full accreditation",
                count,
            )
            % {"count": count}
        )
    if org.accredited_representatives_partial:
        count = org.accredited_representatives_partial
        parts.append(
            ngettext(
                "%(count)s representative with partial accreditation",
                "%(count)s representatives with partial accreditation",
                count,
            )
            % {"count": count}
        )
    return SEPARATOR.join(parts)


@dataclass
class Row:
    """What one organization's row reads, worked out once for all its columns."""

    organization: object
    location: object
    best_phone: object
    services_by_id: dict
    page: str


def _row(org, point, site):
    return Row(
        organization=org,
        location=_location(org, point),
        best_phone=phones.best_number(org, org.matching_services),
        services_by_id={s.pk: s for s in org.matching_services},
        page=site + org.get_absolute_url(),
    )


# ---------------------------------------------------------------- the columns

TEXT, WRAPPED, PHONE, DATE, NUMBER, LINK = "text", "wrapped", "phone", "date", "number", "link"


@dataclass
class Column:
    """One column of an outreach file: its header, its cell, its Excel width and kind."""

    header: object  # a lazy translation: read in the request's language
    get: object  # callable(Row) -> str | int | date | None
    width: int = 20
    kind: str = TEXT


def _locality(attr):
    return lambda row: getattr(row.location, attr) if row.location else ""


OUTREACH_COLUMNS = [
    Column(_("Organization"), lambda r: r.organization.name, 34, WRAPPED),
    Column(
        _("Services"),
        lambda r: SEPARATOR.join(s.name for s in r.organization.matching_services),
        36,
        WRAPPED,
    ),
    Column(_("What they offer"), lambda r: _categories(r.organization), 36, WRAPPED),
    Column(_("Languages"), lambda r: _languages(r.organization.matching_services), 26, WRAPPED),
    Column(_("Cost"), lambda r: _fees(r.organization), 18, WRAPPED),
    Column(_("Address"), lambda r: _address(r.location), 34, WRAPPED),
    Column(_("City"), _locality("city"), 18),
    Column(_("State"), _locality("state"), 8),
    # A confidential location's ZIP code is as private as its street.
    Column(
        _("ZIP code"),
        lambda r: "" if not r.location or r.location.is_confidential else r.location.postal_code,
        10,
        PHONE,
    ),
    Column(_("Distance"), lambda r: distance_label(r.organization), 24, WRAPPED),
    Column(_("Phone to call"), lambda r: _number(r.best_phone), 20, PHONE),
    Column(
        _("About this number"),
        lambda r: _what_number(r.best_phone, r.services_by_id),
        30,
        WRAPPED,
    ),
    Column(
        _("Hotline"),
        lambda r: _number(_first_of_type(r.organization, PhoneType.HOTLINE)),
        20,
        PHONE,
    ),
    Column(
        _("Text (SMS)"),
        lambda r: _number(_first_of_type(r.organization, PhoneType.TEXT)),
        20,
        PHONE,
    ),
    Column(
        _("Email"),
        lambda r: (
            r.organization.email
            or next((s.email for s in r.organization.matching_services if s.email), "")
        ),
        30,
    ),
    Column(
        _("Website"),
        lambda r: (
            r.organization.website
            or next((s.url for s in r.organization.matching_services if s.url), "")
        ),
        34,
        LINK,
    ),
    Column(_("Hours"), lambda r: _hours(r.organization.matching_services), 34, WRAPPED),
    Column(_("DOJ recognition"), lambda r: _recognition(r.organization), 30, WRAPPED),
    Column(
        _("DOJ-accredited representatives"),
        lambda r: _representatives(r.organization),
        30,
        WRAPPED,
    ),
    Column(
        _("Attorneys on staff"), lambda r: r.organization.attorneys_on_staff or None, 12, NUMBER
    ),
    Column(_("Last verified"), lambda r: r.organization.last_verified_on, 14, DATE),
    Column(_("Listing page"), lambda r: r.page, 44, LINK),
]


def outreach_rows(organizations, site, point=None):
    """Yield the header, then one row of cells per organization.

    `site` is "https://host" (the listing pages' addresses), `point` the
    (lat, lon) searched near, if any.
    """
    yield [str(c.header) for c in OUTREACH_COLUMNS]
    for org in organizations:
        row = _row(org, point, site)
        yield [c.get(row) for c in OUTREACH_COLUMNS]


# ---------------------------------------------------------------- the call list


@dataclass
class Call:
    organization: object
    phone: object
    services_by_id: dict
    page: str


def _who_answers(call):
    service = call.services_by_id.get(call.phone.service_id)
    return service.name if service is not None else call.organization.name


def _call_hours(call):
    if call.phone.is_24_hours:
        return gettext("24 hours")
    service = call.services_by_id.get(call.phone.service_id)
    return _hours([service] if service is not None else call.organization.matching_services)


def _call_languages(call):
    own = call.phone.languages.all()
    if own:
        return SEPARATOR.join(gettext(language.name) for language in own)
    service = call.services_by_id.get(call.phone.service_id)
    return _languages([service] if service is not None else call.organization.matching_services)


CALL_COLUMNS = [
    Column(_("Organization"), lambda c: c.organization.name, 34, WRAPPED),
    Column(_("Who answers"), _who_answers, 34, WRAPPED),
    Column(_("Number"), lambda c: _number(c.phone), 20, PHONE),
    Column(_("About this number"), lambda c: _what_number(c.phone, {}), 30, WRAPPED),
    Column(_("Hours"), _call_hours, 34, WRAPPED),
    Column(_("Languages"), _call_languages, 26, WRAPPED),
    Column(_("Distance"), lambda c: distance_label(c.organization), 24, WRAPPED),
    Column(_("Listing page"), lambda c: c.page, 44, LINK),
]


def call_rows(organizations, site):
    """Yield the header, then one row per number a person can call (never a fax or text line)."""
    yield [str(c.header) for c in CALL_COLUMNS]
    for org in organizations:
        services_by_id = {s.pk: s for s in org.matching_services}
        page = site + org.get_absolute_url()
        for phone in _all_phones(org):
            if phones.can_call(phone):
                call = Call(org, phone, services_by_id, page)
                yield [c.get(call) for c in CALL_COLUMNS]


# ---------------------------------------------------------------- the search, in words


def search_in_words(filterset):
    """Return [(label, value)]: what the search was, as the visitor chose it, in words."""
    data = filterset.form.cleaned_data
    said = []
    for name, field in filterset.form.fields.items():
        value = data.get(name)
        if value in (None, "", [], False):
            continue
        if name == "radius" and not filterset.point:
            continue
        labels = {str(k): str(v) for k, v in getattr(field, "choices", ())}
        if isinstance(value, list):
            text = SEPARATOR.join(labels.get(str(code), str(code)) for code in value)
        elif isinstance(value, bool):
            text = gettext("Yes")
        else:
            text = labels.get(str(value), str(value))
        if name == "near" and filterset.place is not None and filterset.place.name != value:
            text = f"{value} ({filterset.place.name})"
        said.append((str(field.label), text))
    return said


def about_rows(filterset, search_url, count):
    """The rows of the workbook's second sheet: the search, when, and the warnings."""
    rows = [(gettext("Results page"), search_url)]
    rows += search_in_words(filterset)
    rows += [
        (gettext("Organizations"), count),
        (gettext("Downloaded on"), date.today()),
        (gettext("From"), settings.SITE_NAME),
        ("", ""),
        (gettext("Warning"), str(NOTARIO_WARNING)),
        (gettext("Addresses"), str(CONFIDENTIAL_NOTE)),
    ]
    return rows


# ---------------------------------------------------------------- Excel


def write_xlsx(columns, rows, about, output):
    """Write an outreach workbook: the rows, ready to use, and a sheet about the search.

    `rows` are the header and then cells, as outreach_rows or call_rows
    yield them; `about(count)` gives the second sheet's (label, value) rows
    for `count` rows written.

    openpyxl's write-only mode (constant memory). The header row is frozen and
    filtered, columns have widths, long text wraps, dates are dates and phone
    numbers text. Text is stored as text cells, never formulas, and one that a
    spreadsheet would read as a formula (exports.FORMULA_TRIGGERS) also gets
    Excel's quote prefix, what typing a leading apostrophe does: it shows as
    typed and stays text when edited.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_sheet_title(gettext("Organizations")))
    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    bold, top = Font(bold=True), Alignment(vertical="top")
    wrapped = Alignment(vertical="top", wrap_text=True)

    def cell(value, kind=TEXT):
        if isinstance(value, str):
            value = printable(value)
        made = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            made.data_type = "s"
            made.quotePrefix = value.startswith(exports.FORMULA_TRIGGERS)
        if kind == DATE and value is not None:
            made.number_format = "yyyy-mm-dd"
        elif kind == PHONE:
            made.number_format = "@"
        made.alignment = wrapped if kind in (WRAPPED, LINK) else top
        return made

    rows = iter(rows)
    header = [cell(str(v)) for v in next(rows)]
    for made in header:
        made.font, made.alignment = bold, wrapped
    sheet.append(header)
    count = 0
    for values in rows:
        sheet.append([cell(v, c.kind) for v, c in zip(values, columns, strict=True)])
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"

    info = workbook.create_sheet(_sheet_title(gettext("About this search")))
    info.column_dimensions["A"].width = 24
    info.column_dimensions["B"].width = 90
    for label, value in about(count):
        label_cell = cell(label)
        label_cell.font = bold
        value_cell = cell(value, DATE if isinstance(value, date) else WRAPPED)
        info.append([label_cell, value_cell])
    workbook.save(output)


def _sheet_title(text):
    """A sheet title Excel accepts: at most 31 characters, none of []:*?/\\."""
    return "".join(c for c in text if c not in "[]:*?/\\")[:31]


def in_language(language, chunks):
    """Yield chunks made in `language`: a streamed body is made after the view has returned."""
    with translation.override(language):
        yield from chunks
