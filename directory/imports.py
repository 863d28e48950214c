"""Listings arriving: our CSV/Excel format and HSDS 3.0 JSON, all or nothing.

Every format is first read into records (an organization with its phones,
locations and services); nothing touches the database until the whole file
has been read. Then the records are written in one transaction: each record
is matched to an existing row (by id, then website, then name and city),
validated with the models' own rules, and saved. If any row has an error,
or on a dry run, the transaction is rolled back, so a file is imported
whole or not at all, and the report lists every error with its row and
column.
"""

import csv
import functools
import io
import json
import logging
import math
import re
import sys
import uuid
from contextlib import contextmanager
from datetime import date, time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from . import indexing, listing_translations
from .columns import (
    BOOLEAN_FIELDS,
    CHOICE_FIELDS,
    DATE_FIELDS,
    DEFAULTED_FIELDS,
    FLOAT_FIELDS,
    INTEGER_FIELDS,
    LOCATION,
    ORGANIZATION,
    PRIVATE_LOCATION_FIELDS,
    SERVICE,
    field_columns,
)
from .exports import (
    CURATOR_COLUMNS,
    PUBLIC_HEADER,
    WEEKDAY_CODES,
    unneutralise,
)
from .import_records import (
    ImportFileError,
    ImportReport,
    LocationRecord,
    OrganizationRecord,
    Outcome,
    PhoneRecord,
    RowError,
    RowWarning,
    ServiceRecord,
    TermRecord,
    TooLongNumber,
)
from .models import (
    Kind,
    Language,
    LanguageVia,
    Location,
    Organization,
    OrganizationKind,
    OrganizationTranslation,
    Phone,
    PhoneType,
    Population,
    PopulationServed,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceLanguage,
    ServiceTranslation,
    SourceId,
    Status,
    TaxonomyTerm,
)
from .publishing import PUBLISH_REFUSED, may_move
from .text import CONTROL_CHARACTER_MESSAGE, control_character, printable

logger = logging.getLogger(__name__)


# A JSON number longer than this is no value we store; Python refuses to
# read an integer of more than 4,300 digits at all.
MAX_NUMBER_DIGITS = 30
# Cells up to this long are kept once however often a file repeats them.
SHARED_VALUE_LENGTH = 40


# ---------------------------------------------------------------- reading


def read_file(name, data):
    """Return (records, errors) for uploaded bytes, choosing the format by name.

    Raise ImportFileError for a file that cannot be read, whatever is wrong
    with it: reading touches no database, so nothing else can fail here.
    """
    try:
        return _read_file(name, data)
    except ImportFileError:
        raise
    except Exception as exc:
        logger.exception("Cannot read the import file %s", name)
        raise ImportFileError(
            _("This file cannot be read: it does not follow the import format.")
        ) from exc


def _read_file(name, data):
    lower = name.lower()
    if lower.endswith(".json"):
        from .hsds import records_from_hsds
        from .hsds_package import refuse_descriptor

        stream = data if hasattr(data, "read") else io.BytesIO(data)
        payload = _json_payload(io.TextIOWrapper(stream, encoding="utf-8-sig"))
        refuse_descriptor(payload)  # a data package's description is no listing
        return records_from_hsds(payload)
    if lower.endswith(".xlsx"):
        return records_from_table(_xlsx_rows(data))
    if lower.endswith(".csv"):
        # Decoded as it is read: a whole decoded copy of a large file would
        # take several times its size in memory.
        stream = data if hasattr(data, "read") else io.BytesIO(data)
        text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
        return records_from_table(_utf8_lines(text))
    raise ImportFileError(_("Upload a .csv, .xlsx or .json (HSDS) file."))


JSON_PIECE = 1 << 20
_WHITESPACE = re.compile(r"[ \t\n\r]*")


@contextmanager
def _json_errors():
    """A file that is not JSON, or too deep to read, is a clear error, not a crash."""
    try:
        yield
    except UnicodeDecodeError as exc:
        raise ImportFileError(_("This is not a valid JSON file: %s") % exc) from None
    except json.JSONDecodeError as exc:
        raise ImportFileError(_("This is not a valid JSON file: %s") % exc) from None
    except RecursionError:
        raise ImportFileError(
            _("This JSON file is nested too deeply to read (HSDS needs only a few levels).")
        ) from None


def _json_payload(text):
    """The JSON document, or an iterator over it when it is a list (the usual HSDS file).

    A list is decoded an element at a time, so a file of 100,000 services
    never sits in memory as one decoded document, several times its size.
    """
    with _json_errors():
        buffer = text.read(JSON_PIECE)
        start = _WHITESPACE.match(buffer).end()
        if buffer[start : start + 1] != "[":
            return json.loads(buffer + text.read(), parse_int=_json_int)
    return _json_items(text, buffer, start + 1)


def _json_items(text, buffer, pos):
    decoder = json.JSONDecoder(parse_int=_json_int)
    done = False
    expect_item = None  # None: first element or "]"; True: after ","; False: after an element

    def more():
        nonlocal buffer, pos, done
        piece = "" if done else text.read(JSON_PIECE)
        done = done or not piece
        buffer, pos = buffer[pos:] + piece, 0
        return bool(piece)

    with _json_errors():
        while True:
            pos = _WHITESPACE.match(buffer, pos).end()
            if pos == len(buffer):
                if more():
                    continue
                raise json.JSONDecodeError("Expecting ']'", buffer, pos)
            char = buffer[pos]
            if char == "]" and expect_item is not True:
                return
            if expect_item is False:
                if char != ",":
                    raise json.JSONDecodeError("Expecting ',' delimiter", buffer, pos)
                pos += 1
                expect_item = True
                continue
            while True:
                try:
                    item, end = decoder.raw_decode(buffer, pos)
                    if end < len(buffer) or done:
                        break
                except json.JSONDecodeError:
                    if done:
                        raise
                # The element may go on in the next piece.
                more()
            pos = end
            expect_item = False
            yield item


def _utf8_lines(text):
    try:
        yield from csv.reader(text)
    except UnicodeDecodeError:
        raise ImportFileError(
            _("The CSV file is not UTF-8. Save it as “CSV UTF-8” and try again.")
        ) from None


def _json_int(text):
    digits = len(text.lstrip("-"))
    return TooLongNumber(digits) if digits > MAX_NUMBER_DIGITS else int(text)


def _xlsx_rows(data):
    from openpyxl import load_workbook

    try:
        stream = data if hasattr(data, "read") else io.BytesIO(data)
        workbook = load_workbook(stream, read_only=True, data_only=True)
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        # openpyxl reads lazily: a broken sheet fails while rows are read.
        for row in rows:
            yield ["" if v is None else _xlsx_text(v) for v in row]
    except ImportFileError:
        raise
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise ImportFileError(_("This is not a readable Excel (.xlsx) file.")) from exc


def _xlsx_text(value):
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, date):
        return value.isoformat()[:10]
    return str(value)


CURATOR_HEADER = {c.name for c in CURATOR_COLUMNS}

# Column <-> field maps and type checks, from the one registry (directory/columns.py).
# A slug made from the name reports its errors at the name.
ORGANIZATION_COLUMNS = {**field_columns(ORGANIZATION), "slug": "organization_name"}
SERVICE_COLUMNS = field_columns(SERVICE)
LOCATION_COLUMNS = field_columns(LOCATION)

PHONE_PATTERN = re.compile(
    r"^(?P<number>[^\[]+?)(?:\s+x(?P<ext>\S+))?(?:\s+\[(?P<flags>[^\]]*)\])?$"
)
HOURS_PATTERN = re.compile(
    r"^(?P<day>[A-Za-z]{2})\s+(?P<opens>\d{1,2}:\d{2})\s*-\s*(?P<closes>\d{1,2}:\d{2})$"
)
LANGUAGE_PATTERN = re.compile(r"^(?P<code>[a-zA-Z-]{2,12})(?:\s*\((?P<via>interpreter|staff)\))?$")


class _Row:
    """One table row, whose parse errors are collected rather than raised."""

    def __init__(self, number, values, errors, translated=()):
        self.source = _("Row %d") % number
        self.errors = errors
        # The header's valid `<column>@<language>` columns: (name, column, language), found once a file.
        self.translated = translated
        self.values = {column: self.checked(column, v) for column, v in values.items()}

    def checked(self, column, value):
        """Return the cell, reporting (and dropping) control characters in it."""
        code = control_character(value)
        if code:
            self.error(column, CONTROL_CHARACTER_MESSAGE % {"code": code})
            return printable(value)
        return value

    def get(self, column):
        value = unneutralise((self.values.get(column) or "").strip())
        # A large file repeats its short values (cities, states, fees, time
        # zones) on every row: one copy each keeps a 100,000-row file in memory.
        return sys.intern(value) if len(value) <= SHARED_VALUE_LENGTH else value

    def error(self, column, message):
        self.errors.append(RowError(self.source, column, str(message)))

    def typed(self, fieldname, column):
        raw = self.get(column)
        if fieldname in BOOLEAN_FIELDS:
            return parse_bool(raw, lambda m: self.error(column, m))
        if raw == "":
            if fieldname in DEFAULTED_FIELDS:
                return DEFAULTED_FIELDS[fieldname]
            if fieldname in INTEGER_FIELDS:
                return 0 if fieldname.startswith(("accredited", "attorneys")) else None
            if fieldname in FLOAT_FIELDS or fieldname in DATE_FIELDS:
                return None
            return ""
        try:
            if fieldname in INTEGER_FIELDS:
                return int(raw)
            if fieldname in FLOAT_FIELDS:
                value = float(raw)
                if not math.isfinite(value):
                    raise ValueError
                return value
            if fieldname in DATE_FIELDS:
                return date.fromisoformat(raw)
        except ValueError:
            self.error(column, _("“%s” is not a valid value here.") % raw)
            return None
        if fieldname in CHOICE_FIELDS and raw not in CHOICE_FIELDS[fieldname].values:
            allowed = ", ".join(CHOICE_FIELDS[fieldname].values)
            self.error(
                column,
                _("“%(value)s” is not one of: %(allowed)s.") % {"value": raw, "allowed": allowed},
            )
        return raw

    def fields(self, columns):
        return {f: self.typed(f, c) for f, c in columns.items() if f != "slug"}

    def uuid(self, column):
        raw = self.get(column)
        if not raw:
            return None
        try:
            return uuid.UUID(raw)
        except ValueError:
            self.error(column, _("“%s” is not a valid id.") % raw)
            return None

    def items(self, column):
        return [part.strip() for part in self.get(column).split(";") if part.strip()]

    def translations(self, columns):
        """{language: {field: text}} of the row's `<column>@<language>` cells for these fields.

        None when the file has no such column: the listing's translations stay as they are.
        """
        found = {}
        for name, original, language in self.translated:
            for fieldname, column in columns.items():
                if column == original:
                    found.setdefault(language, {})[fieldname] = self.get(name)
        return found or None


# Shared, never changed: one object for each distinct value in a file.
_clock = functools.lru_cache(maxsize=4096)(time.fromisoformat)


@functools.lru_cache(maxsize=4096)
def _hours_item(day, opens, closes):
    return (day, opens, closes, None)


@functools.lru_cache(maxsize=1024)
def _language_item(code, via):
    return (code, "", via or LanguageVia.STAFF)


@functools.lru_cache(maxsize=4096)
def _term_record(code):
    return TermRecord(code=code, name="")


def parse_bool(raw, report):
    value = raw.strip().lower()
    if value in ("yes", "y", "true", "1", "sí", "si", "x"):
        return True
    if value in ("", "no", "n", "false", "0"):
        return False
    report(_("Write yes or no, not “%s”.") % raw)
    return False


def parse_phones(row, column):
    phones = []
    for item in row.items(column):
        match = PHONE_PATTERN.match(item)
        flags = (
            [f.strip() for f in (match.group("flags") or "").split(",") if f.strip()]
            if match
            else []
        )
        kinds = [f for f in flags if f != "24h"]
        if not match or len(kinds) > 1 or any(k not in PhoneType.values for k in kinds):
            row.error(
                column,
                _("Cannot read the phone “%s”. Write it like (213) 555-0100 x12 [hotline, 24h].")
                % item,
            )
            continue
        phones.append(
            PhoneRecord(
                number=match.group("number").strip(),
                extension=match.group("ext") or "",
                type=kinds[0] if kinds else PhoneType.VOICE,
                is_24_hours="24h" in flags,
            )
        )
    return phones


def parse_hours(row, column):
    hours = []
    for item in row.items(column):
        match = HOURS_PATTERN.match(item)
        try:
            day = WEEKDAY_CODES.index(match.group("day").upper()) if match else -1
            opens = _clock(match.group("opens").zfill(5)) if match else None
            closes = _clock(match.group("closes").zfill(5)) if match else None
        except ValueError:
            day = -1
        if day < 0 or opens == closes:
            row.error(
                column, _("Cannot read the hours “%s”. Write them like MO 09:00-17:00.") % item
            )
            continue
        hours.append(_hours_item(day, opens, closes))
    return hours


def parse_languages(row, column):
    languages = []
    for item in row.items(column):
        match = LANGUAGE_PATTERN.match(item)
        if not match:
            row.error(
                column,
                _("Cannot read the language “%s”. Write a code such as es or ko (interpreter).")
                % item,
            )
            continue
        languages.append(_language_item(match.group("code").lower(), match.group("via")))
    return languages


def parse_codes(row, column, choices):
    codes = row.items(column)
    for code in codes:
        if code not in choices.values:
            row.error(
                column,
                _("“%(value)s” is not one of: %(allowed)s.")
                % {"value": code, "allowed": ", ".join(choices.values)},
            )
    return [c for c in codes if c in choices.values]


def records_from_table(table_rows):
    """Read our CSV/Excel layout: rows grouped into organizations and services."""
    errors = []
    table_rows = _readable_rows(table_rows, errors)
    header = [(h or "").strip().lstrip("\ufeff") for h in next(table_rows, [])]
    duplicated = sorted({h for h in header if h and header.count(h) > 1})
    if duplicated:
        errors.append(
            RowError(
                _("Header"),
                ", ".join(duplicated),
                _("This column appears more than once. Keep only one of them."),
            )
        )
        return [], errors
    translated = [h for h in header if listing_translations.split_column(h)[1] is not None]
    errors.extend(_translation_column_errors(translated))
    codes = set(listing_translations.languages())
    valid_translations = tuple(
        (name, *listing_translations.split_column(name))
        for name in translated
        if listing_translations.split_column(name)[1] in codes
    )
    unknown = [
        h
        for h in header
        if h and h not in PUBLIC_HEADER and h not in CURATOR_HEADER and h not in translated
    ]
    if unknown:
        errors.append(
            RowError(
                _("Header"),
                ", ".join(unknown),
                _("Unknown column. Use the columns of an exported file."),
            )
        )
    if "organization_name" not in header:
        errors.append(RowError(_("Header"), "organization_name", _("This column is required.")))
        return [], errors
    for code in filter(None, map(control_character, header)):
        errors.append(RowError(_("Header"), "", CONTROL_CHARACTER_MESSAGE % {"code": code}))
    organizations = {}
    for number, values in enumerate(table_rows, start=2):
        if not any((v or "").strip() for v in values):
            continue
        row = _Row(number, dict(zip(header, values, strict=False)), errors, valid_translations)
        _read_row(row, organizations)
    return list(organizations.values()), errors


def _translation_column_errors(names):
    """Header errors for `<column>@<language>` columns that name no translatable column or language."""
    for name in names:
        original, language = listing_translations.split_column(name)
        if original not in listing_translations.TRANSLATED_COLUMNS:
            yield RowError(
                _("Header"),
                name,
                _("Only these columns can have translations: %s.")
                % ", ".join(sorted(listing_translations.TRANSLATED_COLUMNS)),
            )
        elif language not in listing_translations.languages():
            yield RowError(
                _("Header"),
                name,
                _("“%(language)s” is not a language listings can be translated into: %(codes)s.")
                % {"language": language, "codes": ", ".join(listing_translations.languages())},
            )


def _readable_rows(table_rows, errors):
    """Yield rows until one cannot be read, which becomes an error for its row."""
    table_rows = iter(table_rows)
    number = 1
    while True:
        try:
            values = next(table_rows)
        except StopIteration:
            return
        except csv.Error as exc:
            limit = csv.field_size_limit()
            message = (
                _("A cell is longer than %s characters, the most a cell may hold.") % f"{limit:,}"
                if "field limit" in str(exc)
                else _("Cannot read this row: %s") % exc
            )
            source = _("Header") if number == 1 else _("Row %d") % number
            errors.append(RowError(source, "", message))
            return
        yield values
        number += 1


def _read_row(row, organizations):
    org_id = row.uuid("organization_id")
    name = row.get("organization_name")
    if not name:
        row.error("organization_name", _("Every row needs the organization's name."))
        return
    key = org_id or (name.casefold(), row.get("organization_website"))
    org = organizations.get(key)
    if org is None:
        org = organizations[key] = OrganizationRecord(
            source=row.source,
            id=org_id,
            fields=row.fields(ORGANIZATION_COLUMNS),
            columns=ORGANIZATION_COLUMNS,
            kinds=parse_codes(row, "organization_kinds", Kind),
            phones=parse_phones(row, "organization_phones"),
            translations=row.translations(listing_translations.ORGANIZATION_COLUMNS),
        )
    location_key = None
    if any(row.get(c) for c in ("location_id", "city", "address_1", "location_name")):
        location_id = row.uuid("location_id")
        location_key = location_id or (
            row.get("location_name"),
            row.get("address_1"),
            row.get("city"),
        )
        if location_key not in org.locations:
            reported = len(row.errors)
            fields = row.fields(LOCATION_COLUMNS)
            if any(e.column in ("latitude", "longitude") for e in row.errors[reported:]):
                # Reported once, not again as "both or neither".
                fields["latitude"] = fields["longitude"] = None
            org.locations[location_key] = LocationRecord(
                source=row.source,
                id=location_id,
                fields=fields,
                columns=LOCATION_COLUMNS,
            )
    service_name = row.get("service_name")
    service_id = row.uuid("service_id")
    if not service_name:
        if service_id:
            row.error("service_name", _("A row with a service needs the service's name."))
        return
    service = next(
        (
            s
            for s in org.services
            if (service_id and s.id == service_id)
            or (not service_id and s.fields["name"].casefold() == service_name.casefold())
        ),
        None,
    )
    if service is None:
        service = ServiceRecord(
            source=row.source,
            id=service_id,
            fields=row.fields(SERVICE_COLUMNS),
            columns=SERVICE_COLUMNS,
            terms=[_term_record(c) for c in row.items("categories")],
            populations=parse_codes(row, "populations", Population),
            languages=parse_languages(row, "languages"),
            phones=parse_phones(row, "service_phones"),
            hours=parse_hours(row, "hours"),
            translations=row.translations(listing_translations.SERVICE_COLUMNS),
        )
        org.services.append(service)
    if location_key is not None:
        service.locations.append((location_key, None, "", None))


# ---------------------------------------------------------------- writing


class _Writer:
    def __init__(self, report, publish, user=None, source=""):
        self.report = report
        self.publish = publish
        self.user = user  # None: the operator at the command line, whom the rule trusts
        self.source = source  # whose ids the records carry (SourceId.source)
        self.terms_by_id = {}
        self.placeholders = set()  # parent terms this import named after their codes

    def may_save(self, record, listing, **new):
        """Ask the publish rule (directory/publishing.py) before writing a listing."""
        if may_move(self.user, listing, **new):
            return True
        self.error(
            record.source,
            "",
            _("%(name)s cannot be imported by you: %(reason)s")
            % {"name": listing, "reason": PUBLISH_REFUSED},
        )
        return False

    def error(self, source, column, message):
        self.report.errors.append(RowError(source, column, str(message)))

    def warn(self, source, column, message):
        self.report.warnings.append(RowWarning(source, column, str(message)))

    # -- the publisher's own ids

    def sourced(self, kind, external_id):
        """Return our row that this source's id stands for, or None."""
        if not external_id:
            return None
        row = (
            SourceId.objects.filter(source=self.source, kind=kind, external_id=external_id)
            .select_related(kind)
            .first()
        )
        return getattr(row, kind) if row else None

    def remember(self, kind, external_id, instance):
        if external_id:
            SourceId.objects.update_or_create(
                source=self.source, kind=kind, external_id=external_id, defaults={kind: instance}
            )

    def with_other_ids(self, kind):
        """Our rows of `kind` that already have another id of this source.

        A record with its own id is never matched to one of them by website
        or name: the publisher says they are two.
        """
        return SourceId.objects.filter(source=self.source, kind=kind).values(kind)

    def status_for(self, record, current):
        """The status a service gets: the file's status rules, then --publish."""
        if record.status:
            return record.status
        return Status.PUBLISHED if self.publish else current

    def validation_errors(self, record, exc, prefix=""):
        for fieldname, messages in exc.message_dict.items():
            column = record.columns.get(fieldname, fieldname if fieldname != "__all__" else "")
            for message in messages:
                self.error(record.source, f"{prefix}{column}", message)

    def save(self, record, instance, exclude=()):
        try:
            instance.full_clean(exclude=list(exclude), validate_unique=True)
        except ValidationError as exc:
            self.validation_errors(record, exc)
            return False
        instance.save()
        return True

    def outcome(self, record, instance, created, matched_by=""):
        self.report.outcomes.append(
            Outcome(
                source=record.source,
                model=str(instance._meta.verbose_name),
                name=str(instance),
                action="created" if created else "updated",
                matched_by=matched_by,
            )
        )

    # -- organizations

    def match_organization(self, record):
        if record.id:
            org = Organization.objects.filter(pk=record.id).first()
            if org:
                return org, _("id")
        org = self.sourced("organization", record.external_id)
        if org:
            return org, _("source id")
        others = Organization.objects.all()
        if record.external_id:
            others = others.exclude(pk__in=self.with_other_ids("organization"))
        website = record.fields.get("website")
        if website:
            org = others.filter(website__iexact=website).first()
            if org:
                return org, _("website")
        cities = {
            loc.fields.get("city") for loc in record.locations.values() if loc.fields.get("city")
        }
        if cities:
            org = (
                others.filter(name__iexact=record.fields["name"], locations__city__in=cities)
                .distinct()
                .first()
            )
            if org:
                return org, _("name and city")
        return None, ""

    def write_organization(self, record):
        org, matched_by = self.match_organization(record)
        created = org is None
        if created:
            org = Organization(status=Status.DRAFT)
            if record.id:
                org.id = record.id
            org.slug = self.unique_slug(record.fields["name"])
        for name, value in record.fields.items():
            setattr(org, name, value)
        if self.publish:
            org.status = Status.PUBLISHED
        if not self.may_save(record, org, status=org.status, visibility=org.visibility):
            return
        if not self.save(record, org):
            return
        self.remember("organization", record.external_id, org)
        self.outcome(record, org, created, matched_by)
        self.write_translations(record, OrganizationTranslation, org)
        if record.kinds is not None:
            org.kinds.set(OrganizationKind.objects.filter(code__in=record.kinds))
        if record.phones is not None:
            self.replace_phones(record, org.phones.all(), record.phones, organization=org)
        locations = {}
        for key, location_record in record.locations.items():
            locations[key] = self.write_location(location_record, org)
        for service_record in record.services:
            self.write_service(service_record, org, locations)
        if self.publish and not org.has_contact_method():
            self.error(
                record.source,
                "",
                _("%s cannot be published: it has no website, email or phone.") % org.name,
            )

    def unique_slug(self, name):
        base = (slugify(name) or "organization")[:190]
        slug, n = base, 1
        while Organization.objects.filter(slug=slug).exists():
            n += 1
            slug = f"{base}-{n}"
        return slug

    # -- locations

    def write_location(self, record, org):
        location = None
        if record.id:
            location = Location.objects.filter(pk=record.id, organization=org).first()
            matched_by = _("id")
        if location is None:
            location = self.sourced("location", record.external_id)
            matched_by = _("source id")
            if location is not None and location.organization_id != org.pk:
                location = None
        if location is None:
            others = Location.objects.all()
            if record.external_id:
                others = others.exclude(pk__in=self.with_other_ids("location"))
            location = others.filter(
                organization=org,
                name=record.fields.get("name", ""),
                address_1=record.fields.get("address_1", ""),
                city=record.fields.get("city", ""),
            ).first()
            matched_by = _("name and address")
        created = location is None
        if created:
            location = Location(organization=org)
            if record.id and not Location.objects.filter(pk=record.id).exists():
                location.id = record.id
        for name, value in record.fields.items():
            # Exports never carry a confidential street address, so a blank
            # one in the file must not wipe the one we hold.
            if (
                not created
                and location.is_confidential
                and name in PRIVATE_LOCATION_FIELDS
                and value in ("", None)
            ):
                continue
            setattr(location, name, value)
        if not self.save(record, location, exclude=["organization"]):
            return None
        self.remember("location", record.external_id, location)
        self.outcome(record, location, created, "" if created else matched_by)
        return location

    # -- services

    def write_service(self, record, org, locations):
        """Find or make the record's service, then write it and what hangs from it, step by step."""
        found = self.match_service(record, org)
        if found is None:
            return
        service, matched_by = found
        created = service is None
        if created:
            service = Service(organization=org, status=Status.DRAFT)
            if record.id:
                service.id = record.id
        for name, value in record.fields.items():
            setattr(service, name, value)
        service.status = self.status_for(record, service.status)
        if not self.may_save(record, service, status=service.status, organization=org):
            return
        if not self.save(record, service, exclude=["organization"]):
            return
        self.remember("service", record.external_id, service)
        self.outcome(record, service, created, "" if created else matched_by)
        self.write_translations(record, ServiceTranslation, service)
        self.write_service_vocabularies(record, service)
        if record.phones is not None:
            self.replace_phones(record, service.phones.all(), record.phones, service=service)
        if record.hours is not None:
            service.schedules.filter(service_at_location__isnull=True).delete()
            self.create_hours(record, service, record.hours)
        self.write_service_places(record, service, locations)

    def match_service(self, record, org):
        """(our service or None for a new one, how it was matched), or None if refused.

        By our id, the source's id, then the organization's service of that name;
        an id of another organization's service is an error, never a move.
        """
        service, matched_by = None, ""
        if record.id:
            service, matched_by = Service.objects.filter(pk=record.id).first(), _("id")
        if service is None:
            service, matched_by = self.sourced("service", record.external_id), _("source id")
        if service is not None and service.organization_id != org.id:
            self.error(
                record.source, "service_id", _("This service id belongs to another organization.")
            )
            return None
        if service is None and org.pk:
            others = Service.objects.filter(organization=org)
            if record.external_id:
                others = others.exclude(pk__in=self.with_other_ids("service"))
            service = others.filter(name__iexact=record.fields["name"]).first()
            matched_by = _("organization and name")
        return service, matched_by

    def write_service_vocabularies(self, record, service):
        """Categories, populations and languages: the file's replace ours when it has them."""
        if record.terms is not None:
            service.taxonomy_terms.set(
                [t for t in (self.term(record, t) for t in record.terms) if t]
            )
        if record.populations is not None:
            service.populations.set(PopulationServed.objects.filter(code__in=record.populations))
        if record.languages is not None:
            service.service_languages.all().delete()
            seen = set()
            for code, name, via in record.languages:
                language = self.language(record, code, name)
                if language and language.pk not in seen:
                    seen.add(language.pk)
                    ServiceLanguage.objects.create(service=service, language=language, via=via)

    def write_service_places(self, record, service, locations):
        """The service at each of its locations, with that place's own hours."""
        for key, sal_id, description, hours in record.locations:
            location = locations.get(key)
            if location is None:
                continue
            sal = ServiceAtLocation.objects.filter(service=service, location=location).first()
            if sal is None:
                sal = ServiceAtLocation(service=service, location=location)
                if sal_id and not ServiceAtLocation.objects.filter(pk=sal_id).exists():
                    sal.id = sal_id
            if description:
                sal.description = description[:300]
            sal.save()
            if hours is not None:
                sal.schedules.all().delete()
                self.create_hours(record, service, hours, sal)

    def write_translations(self, record, model, listing):
        """Set the listing's translations to the file's columns; all of a language's blank: delete.

        Fields the file has no column for keep what they hold. Saved one by
        one, so history records each (models.History) and the search index
        is refreshed (signals.py).
        """
        if not record.translations:
            return
        owner = model._meta.get_field(
            "organization" if model is OrganizationTranslation else "service"
        )
        columns = (
            listing_translations.ORGANIZATION_COLUMNS
            if model is OrganizationTranslation
            else listing_translations.SERVICE_COLUMNS
        )
        existing = {t.language: t for t in model.objects.filter(**{owner.name: listing})}
        for language, texts in record.translations.items():
            translation = existing.get(language)
            if not any(texts.values()):
                if translation is not None:
                    translation.delete()
                continue
            if translation is None:
                translation = model(**{owner.name: listing}, language=language)
            for fieldname, text in texts.items():
                setattr(translation, fieldname, text)
            try:
                translation.full_clean(exclude=[owner.name], validate_unique=False)
            except ValidationError as exc:
                for fieldname, messages in exc.message_dict.items():
                    column = listing_translations.column(
                        columns.get(fieldname, fieldname), language
                    )
                    for message in messages:
                        self.error(record.source, column, message)
                continue
            translation.save()

    def create_hours(self, record, service, hours, sal=None):
        for weekday, opens, closes, row_id in hours:
            row = Schedule(
                service=service,
                service_at_location=sal,
                weekday=weekday,
                opens_at=opens,
                closes_at=closes,
            )
            if row_id and not Schedule.objects.filter(pk=row_id).exists():
                row.id = row_id
            row.save()

    def replace_phones(self, record, existing, phones, **owner):
        """Make the owner's phones the file's; the same number keeps what the file lacks.

        A spreadsheet carries no phone descriptions or languages, so a phone
        matched by number and extension keeps its own.
        """
        kept = {}
        for phone in existing:
            key = (phone.number, phone.extension)
            if key in kept:
                phone.delete()
            else:
                kept[key] = phone
        seen = set()
        for data in phones:
            key = (data.number[:30], str(data.extension)[:10])
            if key in seen:
                continue
            seen.add(key)
            phone = kept.pop(key, None)
            if phone is None:
                phone = Phone(number=key[0], extension=key[1], **owner)
                if data.id and not Phone.objects.filter(pk=data.id).exists():
                    phone.id = data.id
            phone.type = data.type
            phone.is_24_hours = data.is_24_hours
            if data.description:
                phone.description = data.description[:200]
            if not self.save(record, phone, exclude=["organization", "service"]):
                continue
            if data.languages:
                languages = [self.language(record, code, name) for code, name in data.languages]
                phone.languages.set([lang for lang in languages if lang])
        for phone in kept.values():
            phone.delete()

    def language(self, record, code, name):
        code = (code or "").strip().lower()
        if not code:
            return None
        language = Language.objects.filter(code=code).first()
        if language is None:
            language = Language(code=code, name=(name or code)[:80])
            if not self.save(record, language):
                return None
        return language

    def term(self, record, data):
        """Return the term for the file's term, creating unknown ones."""
        term = None
        if data.id:
            term = TaxonomyTerm.objects.filter(pk=data.id).first()
        if term is None:
            term = TaxonomyTerm.objects.filter(code=data.code).first()
        if term is not None:
            return self.filled(term, data)
        term = TaxonomyTerm(
            code=data.code,
            name=(data.name or data.code)[:150],
            description=data.description,
            taxonomy=(data.taxonomy or "imported")[:50],
            term_uri=data.term_uri,
        )
        if data.id:
            term.id = data.id
        parent = None
        if data.parent_id:
            parent = TaxonomyTerm.objects.filter(pk=data.parent_id).first()
        if parent is None and "." in data.code:
            parent = TaxonomyTerm.objects.filter(code=data.code.rsplit(".", 1)[0]).first()
        if parent is None and data.parent_id and "." in data.code:
            parent = self.placeholder_parent(record, data)
        if parent is not None and data.code.startswith(f"{parent.code}."):
            term.parent = parent
        elif data.parent_id:
            message = (
                _(
                    "The term's parent is not in this file, and its code does not say which "
                    "it is: the term is imported without a parent."
                )
                if parent is None
                else _(
                    "The term's code does not start with its parent's code, as a child's must "
                    "here: the term is imported without a parent."
                )
            )
            self.warn(data.source or record.source, f"{data.column}.parent_id".lstrip("."), message)
        if not self.save(record, term):
            return None
        return term

    def placeholder_parent(self, record, data):
        """Add the parent a term names by id only, named after the term's code.

        Our export carries a term's parent_id but not the parent itself; its
        code is the term's code less the last part. Its real name replaces
        this one if the parent comes later in the file.
        """
        code = data.code.rsplit(".", 1)[0]
        parent = TaxonomyTerm(
            id=data.parent_id,
            code=code,
            name=code.rsplit(".", 1)[-1].replace("-", " ").replace("_", " ").capitalize(),
            taxonomy=(data.taxonomy or "imported")[:50],
        )
        if "." in code:
            parent.parent = TaxonomyTerm.objects.filter(code=code.rsplit(".", 1)[0]).first()
        if not self.save(record, parent):
            return None
        self.placeholders.add(parent.pk)
        self.warn(
            data.source or record.source,
            f"{data.column}.parent_id".lstrip("."),
            _("The term's parent is not in this file: it is added as “%s”, named after its code.")
            % parent.name,
        )
        return parent

    def filled(self, term, data):
        """A parent added by placeholder_parent takes the file's name for it when it comes."""
        if term.pk in self.placeholders and data.name and data.name != data.code:
            self.placeholders.discard(term.pk)
            term.name = data.name[:150]
            term.description = data.description
            term.term_uri = data.term_uri
            term.save()
        return term


class _RolledBack(Exception):
    """Leaves the deferred indexing block, so nothing rolled back is indexed."""


def import_records(
    records,
    *,
    publish=False,
    dry_run=False,
    errors=(),
    progress=None,
    user=None,
    source="",
    then=None,
):
    """Write records in one transaction; roll back on any error or a dry run.

    `user` is who imports in the admin: each listing is refused, as a row
    error, if the publish rule does not let them make it what the file would.
    The command line passes none: it runs as the operator. `source` names
    the publisher whose ids the records carry (see SourceId). `errors` may
    hold the reader's RowWarning entries too: they are reported as warnings.
    `then(writer)` runs after the records, in the same transaction (a sync's
    archiving, directory/hsds_sync.py).
    """
    from .import_batches import BatchWriter

    report = ImportReport(
        errors=[e for e in errors if not isinstance(e, RowWarning)],
        warnings=[e for e in errors if isinstance(e, RowWarning)],
    )
    writer = BatchWriter(report, publish, user, source)
    with transaction.atomic():
        try:
            # The search index is refreshed once, for every touched organization.
            with indexing.deferred():
                writer.write_all(records, progress)
                if then is not None and not report.errors:
                    then(writer)
                if report.errors or dry_run:
                    raise _RolledBack
        except _RolledBack:
            transaction.set_rollback(True)
        else:
            report.written = True
    return report


def import_file(name, data, source=None, **kwargs):
    """Read and import a file; an unreadable file is one error in the report.

    The publisher's ids are kept under `source`, by default the file's name.
    """
    try:
        records, errors = read_file(name, data)
    except ImportFileError as exc:
        return ImportReport(errors=[RowError(_("File"), "", str(exc))])
    return import_records(
        records, errors=errors, source=name if source is None else source, **kwargs
    )
