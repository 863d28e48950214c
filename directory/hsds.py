"""Our models <-> Open Referral HSDS 3.0 service objects (docs/hsds.md).

Exports are HSDS "service" objects with their organization, locations (never
confidential ones), phones, schedules, languages and taxonomy terms nested,
as the HSDS API's /services/{id} returns them. Imports read the same shape,
a list of them, or an API page with "contents", into the records that
directory.imports writes.
"""

import hashlib
import json
import math
import re
import uuid
from functools import cache, lru_cache

from django.utils import translation
from django.utils.translation import gettext as _

from . import export_reading, hsds_coverage, hsds_schedules, iso_names
from .exports import WEEKDAY_CODES, hours_minutes, pieces, related
from .import_records import (
    MAX_JSON_DEPTH,
    ImportFileError,
    LocationRecord,
    OrganizationRecord,
    PhoneRecord,
    RowError,
    RowWarning,
    ServiceRecord,
    TermRecord,
    TooLongNumber,
)
from .iso_names import language_code
from .models import Fee, LanguageVia, LegalStatus, PhoneType, Status
from .text import CONTROL_CHARACTER_MESSAGE, control_character, printable

# A fixed namespace, so generated ids (languages, addresses, attributes) are
# the same in every export of the same data.
NAMESPACE = uuid.UUID("6f1d3c1e-8a43-4f0e-9a55-2f6b0d7c9e21")


def stable_id(*parts):
    """str(uuid.uuid5(NAMESPACE, "part:part...")), without building a UUID (an export makes millions)."""
    digest = hashlib.sha1(_NAMESPACE_BYTES + ":".join(map(str, parts)).encode()).digest()
    hexa = f"{digest[6] & 0x0F | 0x50:02x}{digest[7]:02x}"  # version 5
    variant = f"{digest[8] & 0x3F | 0x80:02x}{digest[9]:02x}"  # RFC 4122
    head = digest[:6].hex()
    return f"{head[:8]}-{head[8:]}-{hexa}-{variant}-{digest[10:16].hex()}"


_NAMESPACE_BYTES = NAMESPACE.bytes


def _compact(obj):
    """Drop empty values: HSDS fields are optional, and "" is not a valid email or URI."""
    return {k: v for k, v in obj.items() if v not in ("", None, [])}


def _phone(phone, **link):
    return _compact(
        {
            "id": str(phone.id),
            **link,
            "number": phone.number,
            "extension": int(phone.extension) if phone.extension.isdigit() else None,
            "type": phone.type,
            "description": phone.description,
            "languages": [
                _compact(
                    {
                        "id": stable_id(phone.id, lang.code),
                        "phone_id": str(phone.id),
                        "name": lang.name,
                        "code": lang.code,
                    }
                )
                for lang in related(phone, "languages")
            ],
        }
    )


def _schedule(row, **link):
    return {
        "id": str(row.id),
        **link,
        "freq": "WEEKLY",
        "wkst": "MO",
        "byday": WEEKDAY_CODES[row.weekday],
        "opens_at": hours_minutes(row.opens_at),
        "closes_at": hours_minutes(row.closes_at),
    }


def _hours_note(service):
    """Hours that are not weekly times, as a schedule of text only (docs/hsds.md)."""
    if not service.hours_note:
        return []
    sid = str(service.id)
    return [
        {"id": stable_id(sid, "hours-note"), "service_id": sid, "description": service.hours_note}
    ]


def _location(location):
    address = _compact(
        {
            "id": stable_id(location.id, "address"),
            "location_id": str(location.id),
            "address_1": location.address_1,
            "address_2": location.address_2,
            "city": location.city,
            "region": location.county,
            "state_province": location.state,
            "postal_code": location.postal_code,
            "country": location.country,
            "address_type": "physical",
        }
    )
    # address_1 and postal_code are required by the schema, even when empty.
    address.setdefault("address_1", "")
    address.setdefault("postal_code", "")
    accessibility = (
        [
            {
                "id": stable_id(location.id, "accessibility"),
                "location_id": str(location.id),
                "description": location.accessibility,
            }
        ]
        if location.accessibility
        else []
    )
    return _compact(
        {
            "id": str(location.id),
            "location_type": "physical",
            "organization_id": str(location.organization_id),
            "name": location.name,
            "transportation": location.transit,
            "latitude": location.latitude,
            "longitude": location.longitude,
            "addresses": [address],
            "accessibility": accessibility,
        }
    )


def _term(term):
    return _compact(
        {
            "id": str(term.id),
            "code": term.code,
            "name": term.name,
            "description": term.description,
            "parent_id": str(term.parent_id) if term.parent_id else None,
            "taxonomy": term.taxonomy,
            "term_uri": term.term_uri,
        }
    ) | {"description": term.description}


def _said(listing, field):
    """The listing's text in the export's language where it is translated, else the original.

    Only an export asked for one language reads translations (`_export_translations`,
    hsds_services); HSDS has no field for a text's language, so the file is in one.
    """
    for theirs in getattr(listing, "_export_translations", ()):
        if getattr(theirs, field):
            return getattr(theirs, field)
    return getattr(listing, field)


def organization_to_hsds(org):
    description = _said(org, "description")
    return _compact(
        {
            "id": str(org.id),
            "name": org.name,
            "alternate_name": _said(org, "alternate_name"),
            # Required by the schema; may be empty.
            "description": description or "",
            "email": org.email,
            "website": org.website,
            "year_incorporated": org.year_founded,
            "legal_status": _export_legal_status_labels().get(org.legal_status, ""),
            "phones": [_phone(p, organization_id=str(org.id)) for p in related(org, "phones")],
        }
    ) | {"description": description}


def service_to_hsds(service):
    """Return one HSDS service object. Confidential locations are left out."""
    sid = str(service.id)
    sals = [
        sal for sal in related(service, "service_at_locations") if not sal.location.is_confidential
    ]
    schedules = list(related(service, "schedules"))
    return _compact(
        {
            "id": sid,
            "organization_id": str(service.organization_id),
            "name": _said(service, "name"),
            "description": _said(service, "description"),
            "url": service.url,
            "email": service.email,
            "status": "active",
            "application_process": _said(service, "application_process"),
            "fees_description": _fees_description(service),
            "eligibility_description": _said(service, "eligibility"),
            # The document nests its organization: it changed when either did.
            "last_modified": max(service.updated_at, service.organization.updated_at)
            .isoformat()
            .replace("+00:00", "Z"),
            "interpretation_services": ", ".join(
                sl.language.name
                for sl in related(service, "service_languages")
                if sl.via == LanguageVia.INTERPRETER
            ),
            "phones": [_phone(p, service_id=sid) for p in related(service, "phones")],
            "schedules": [
                _schedule(s, service_id=sid) for s in schedules if s.service_at_location_id is None
            ]
            + _hours_note(service),
            "service_areas": (
                [
                    {
                        "id": stable_id(sid, "area"),
                        "service_id": sid,
                        "name": service.area_names or service.get_area_type_display(),
                    }
                ]
            ),
            "service_at_locations": [
                _compact(
                    {
                        "id": str(sal.id),
                        "service_id": sid,
                        "location_id": str(sal.location_id),
                        "description": sal.description,
                        "schedules": [
                            _schedule(s, service_at_location_id=str(sal.id))
                            for s in schedules
                            if s.service_at_location_id == sal.id
                        ],
                        "location": _location(sal.location),
                    }
                )
                for sal in sals
            ],
            "languages": [
                _compact(
                    {
                        "id": stable_id(sid, sl.language.code),
                        "service_id": sid,
                        "name": sl.language.name,
                        "code": sl.language.code,
                        "note": sl.get_via_display() if sl.via == LanguageVia.INTERPRETER else "",
                    }
                )
                for sl in related(service, "service_languages")
            ],
            "required_documents": [
                {"id": stable_id(sid, "document", i), "service_id": sid, "document": doc}
                for i, doc in enumerate(_documents(service))
            ],
            "attributes": [
                {
                    "id": stable_id(sid, "attribute", term.id),
                    "link_id": sid,
                    "link_type": "service",
                    "link_entity": "service",
                    "taxonomy_term_id": str(term.id),
                    "taxonomy_term": _term(term),
                }
                for term in related(service, "taxonomy_terms")
            ],
            "organization": _organization_of(service),
        }
    )


def _organization_of(service):
    """The service's organization_to_hsds, made once for all its services."""
    org = service.organization
    made = getattr(org, "_hsds", None)
    if made is None:
        made = org._hsds = organization_to_hsds(org)
    return made


def services_for_hsds(services, language=None):
    """Published services of published organizations, as plain rows read in one pass per table.

    By organization name, then service name and id (export_reading.hsds_services).
    With a `language` (an interface language other than English), the listings'
    text is given in it wherever a curator translated it, else as written.
    """
    return export_reading.hsds_services(services.public(), language)


_encode = json.JSONEncoder(ensure_ascii=False).encode


def _json_parts(services):
    yield b"["
    first = True
    for service in services:
        yield (b"" if first else b",\n") + _encode(service_to_hsds(service)).encode()
        first = False
    yield b"]\n"


def json_chunks(services):
    """Yield a JSON list of HSDS services in pieces (for streaming)."""
    return pieces(_json_parts(services))


# The HSDS API (directory/api/) shows locations and terms on their own too.


def location_to_hsds(location):
    """Return one HSDS location object, or None for a confidential location."""
    return None if location.is_confidential else _location(location)


def term_to_hsds(term):
    return _term(term)


# ---------------------------------------------------------------- reading

PHONE_TYPES = {
    "voice": PhoneType.VOICE,
    "hotline": PhoneType.HOTLINE,
    "text": PhoneType.TEXT,
    "sms": PhoneType.TEXT,
    "fax": PhoneType.FAX,
}

# HSDS service status -> the status the import must give, whatever --publish
# says (None: the import's usual rule, drafts unless published).
STATUSES = {
    "active": None,
    "inactive": Status.ARCHIVED,
    "defunct": Status.ARCHIVED,
    "temporarily closed": Status.DRAFT,
}
NOT_STORED = _("Not imported: the directory has no place for this field.")


def _uuid(value):
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        return None


def external_id(value):
    """The publisher's own id, whatever its form ("42", "svc-7", a UUID); "" if none."""
    if value is None or isinstance(value, dict | list | bool | TooLongNumber):
        return ""
    return str(value).strip()[:255]


def _text(obj, key, limit=None):
    value = obj.get(key)
    if value is None:
        return ""
    value = str(value).strip()
    return value[:limit] if limit else value


def _warn(errors, source, column, message):
    errors.append(RowWarning(source, column, str(message)))


def _term_code(term):
    """A dotted lower-case code, from the term's code or else its name."""
    raw = str(term.get("code") or term.get("name") or term.get("id") or "").lower()
    parts = [re.sub(r"[^a-z0-9_-]+", "-", part).strip("-") for part in raw.split(".")]
    return ".".join(p for p in parts if p)[:100]


def _language(source, path, lang, errors):
    """Return (code, name) for an HSDS language, by its code or else its English name."""
    name = _text(lang, "name")
    code = language_code(_text(lang, "code"), name)
    if not code:
        if name:
            _warn(
                errors,
                source,
                path,
                _("The language “%s” has no code we know, so it is not imported.") % name,
            )
        return None
    return code, name


def _phones(source, path, items, errors):
    phones = []
    for i, item in enumerate(items or []):
        number = _text(item, "number").strip('"')
        if not number:
            if any(_text(item, key) for key in ("description", "extension")):
                _warn(
                    errors, source, f"{path}[{i}]", _("A phone without a number is not imported.")
                )
            continue
        languages = [
            _language(source, f"{path}[{i}].languages[{j}]", lang, errors)
            for j, lang in enumerate(item.get("languages") or [])
        ]
        phones.append(
            PhoneRecord(
                id=_uuid(item.get("id")),
                number=number,
                extension=_text(item, "extension"),
                type=PHONE_TYPES.get(_text(item, "type").lower(), PhoneType.VOICE),
                description=_text(item, "description", 200),
                languages=[lang for lang in languages if lang],
            )
        )
    return phones


def _hours(source, path, items, errors):
    """Return (rows, notes) for HSDS schedules: weekly hours, and sentences for the rest.

    Rows are (weekday, opens, closes, id or None); a one-day rule keeps its id.
    A rule that is not plain weekly hours is never turned into weekly rows
    (that would change what it means): it becomes a note, and a warning.
    """
    rows, notes = [], []
    for i, item in enumerate(items or []):
        weekly = hsds_schedules.weekly_rows(item)
        if weekly is None:
            sentence = hsds_schedules.describe(item)
            notes.append(sentence)
            if _text(item, "freq") or _text(item, "byday") or _text(item, "opens_at"):
                _warn(
                    errors,
                    source,
                    f"{path}[{i}]",
                    _(
                        "This schedule is not the same hours every week, so it is imported "
                        "as a note on the service: “%s”"
                    )
                    % sentence,
                )
            continue
        row_id = _uuid(item.get("id")) if len(weekly) == 1 else None
        rows.extend((day, opens, closes, row_id) for day, opens, closes in weekly)
        if hsds_schedules.notes_of(item):
            notes.append(hsds_schedules.notes_of(item))
    return rows, notes


COORDINATE_RANGES = {"latitude": 90, "longitude": 180}


def _coordinate(source, path, data, name, errors):
    """Return the coordinate, or None when it is missing or (reported) impossible.

    An impossible one is an error, not a blank: a blank would wipe the
    coordinates an existing location holds.
    """
    value = data.get(name)
    if value is None:
        return None
    limit = COORDINATE_RANGES[name]
    if isinstance(value, bool) or not isinstance(value, int | float):
        message = _("Write the %(name)s as a number, not “%(value)s”.")
    elif not math.isfinite(value):
        message = _("The %(name)s must be a finite number, not “%(value)s”.")
    elif not -limit <= value <= limit:
        message = _("The %(name)s must be between -%(limit)d and %(limit)d, not %(value)s.")
    else:
        return float(value)
    errors.append(
        RowError(
            source,
            f"{path}.{name}",
            message % {"name": _(name), "value": str(value)[:40], "limit": limit},
        )
    )
    return None


def _address(source, path, data, errors):
    """The location's one address: its physical one, else its first; the others reported."""
    addresses = list(data.get("addresses") or [])  # a non-object: the wrong type, an error
    physical = [a for a in addresses if _text(a, "address_type").lower() in ("", "physical")]
    chosen = (physical or addresses or [{}])[0]
    for i, address in enumerate(addresses):
        if address is not chosen:
            _warn(
                errors,
                source,
                f"{path}.addresses[{i}]",
                _("A location has one address here; this other address is not imported."),
            )
    return chosen


def _country(source, path, address, errors):
    raw = _text(address, "country")
    if not raw:
        return "US"
    code = iso_names.country_code(raw)
    if code is None:
        errors.append(
            RowError(
                source,
                f"{path}.country",
                _(
                    "“%s” is not a country we know: write its ISO 3166 code, such as US or "
                    "MX, or its name."
                )
                % raw[:60],
            )
        )
        return "US"
    return code


# Model field -> where it is in an HSDS object, for error messages: one dict for
# every record (a file's 100,000 services need not carry 100,000 copies).
_SERVICE_COLUMNS = {
    "name": "name",
    "description": "description",
    "url": "url",
    "email": "email",
    "fee_note": "fees_description",
    "eligibility": "eligibility_description",
    "hours_note": "schedules",
}

_ORGANIZATION_COLUMNS = {
    "name": "organization.name",
    "website": "organization.website",
    "email": "organization.email",
    "description": "organization.description",
    "slug": "organization.name",
    "legal_status": "organization.legal_status",
}


@lru_cache(maxsize=256)
def _location_columns(path):
    return {f: f"{path}.{f}" for f in ("name", "city", "state", "latitude", "longitude")}


def _location_record(source, path, data, errors):
    address = _address(source, path, data, errors)
    reported = len(errors)
    latitude = _coordinate(source, path, data, "latitude", errors)
    longitude = _coordinate(source, path, data, "longitude", errors)
    if len(errors) > reported:
        latitude = longitude = None  # reported once, not again as "both or neither"
    return LocationRecord(
        source=source,
        id=_uuid(data.get("id")),
        external_id=external_id(data.get("id")),
        columns=_location_columns(path),
        fields={
            "name": _text(data, "name", 200),
            "address_1": _text(address, "address_1", 200),
            "address_2": _text(address, "address_2", 200),
            "city": _text(address, "city", 100),
            "county": _text(address, "region", 100),
            "state": _text(address, "state_province", 50),
            "postal_code": _text(address, "postal_code", 10),
            "country": _country(source, f"{path}.addresses[0]", address, errors),
            "latitude": latitude,
            "longitude": longitude,
            "transit": _text(data, "transportation"),
            "accessibility": "\n".join(
                _text(a, "description")
                for a in data.get("accessibility") or []
                if a.get("description")
            ),
        },
    )


def _stored_location(source, path, data, errors):
    """Return the location's record, or None (reported) for one we cannot store."""
    location = _location_record(source, path, data, errors)
    if location.fields["city"]:
        return location
    if _text(data, "location_type").lower() != "virtual":
        _warn(
            errors,
            source,
            path,
            _("This location has no city, which every location here needs: it is not imported."),
        )
    return None


SERVICE_FIELDS = {"name": "name", "description": "description", "url": "url", "email": "email"}


def _fee_labels():
    """Fee labels as HSDS files carry them: in English, whatever the reader's language."""
    with translation.override("en"):
        return {choice.value: str(choice.label) for choice in Fee}


@cache
def _export_fee_labels():
    return _fee_labels()


def _fees_description(service):
    label = _export_fee_labels()[service.fee]
    note = _said(service, "fee_note")
    return f"{label}. {note}" if note else label


def _documents(service):
    return [
        line.strip() for line in _said(service, "required_documents").splitlines() if line.strip()
    ]


@cache
def _export_legal_status_labels():
    """Legal statuses as exports write them: in English, like the fee labels."""
    with translation.override("en"):
        return {choice.value: str(choice.label) for choice in LegalStatus}


# Legal statuses other directories write for ours (compared without case).
LEGAL_STATUS_NAMES = {
    "501(c)(3)": LegalStatus.NONPROFIT_501C3,
    "501(c)3": LegalStatus.NONPROFIT_501C3,
    "non-profit": LegalStatus.OTHER_NONPROFIT,
    "nonprofit": LegalStatus.OTHER_NONPROFIT,
    "for profit": LegalStatus.FOR_PROFIT,
    "for-profit": LegalStatus.FOR_PROFIT,
    "government": LegalStatus.GOVERNMENT,
}


def _legal_status(source, value, errors):
    """Our legal status for HSDS `legal_status` text: our code, our label, or a usual name."""
    if not value:
        return ""
    names = {**LEGAL_STATUS_NAMES}
    for code, label in _export_legal_status_labels().items():
        names[code] = names[label.casefold()] = code
    for code, label in LegalStatus.choices:
        names[str(label).casefold()] = code  # the reader's language
    code = names.get(value.casefold())
    if code is None:
        _warn(
            errors,
            source,
            "organization.legal_status",
            _("“%s” is not one of our legal statuses, so it is not imported.") % value[:80],
        )
        return ""
    return code


def _fee(fees):
    """Return (fee, note) for an HSDS fees_description.

    Our export writes "<label>" or "<label>. <note>"; other text is kept as
    the note, and its first word decides free or not.
    """
    by_label = {label: value for value, label in _fee_labels().items()}
    label, _dot, note = fees.partition(". ")
    if label.rstrip(".") in by_label:
        return by_label[label.rstrip(".")], note.strip()[:300]
    lower = fees.lower()
    if not fees or lower.startswith(("free", "gratis", "no cost")):
        return Fee.FREE, fees[:300]
    if lower.startswith("sliding"):
        return Fee.SLIDING_SCALE, fees[:300]
    if lower.startswith("low cost"):
        return Fee.LOW_COST, fees[:300]
    return Fee.PAID, fees[:300]


def _status(source, data, errors):
    """The status the file's `status` demands, or None for the import's usual rule."""
    raw = _text(data, "status")
    if not raw:
        return None  # the schema requires it; without it, the usual rule
    if raw.lower() in STATUSES:
        status = STATUSES[raw.lower()]
    else:
        status = Status.DRAFT
        _warn(
            errors,
            source,
            "status",
            _("“%s” is not an HSDS status, so the service is imported as a draft.") % raw[:40],
        )
        return status
    if status == Status.ARCHIVED:
        _warn(
            errors,
            source,
            "status",
            _("The service is “%s”: it is imported as archived, and not shown.") % raw.lower(),
        )
    elif status == Status.DRAFT:
        _warn(
            errors,
            source,
            "status",
            _(
                "The service is temporarily closed: it is imported as a draft, and not shown. "
                "Publish it when it opens again."
            ),
        )
    return status


def _service_languages(source, data, errors):
    languages = []
    for i, lang in enumerate(data.get("languages") or []):
        found = _language(source, f"languages[{i}]", lang, errors)
        if found:
            via = (
                LanguageVia.INTERPRETER
                if "interpret" in _text(lang, "note").lower()
                else LanguageVia.STAFF
            )
            languages.append((*found, via))
    # Our export writes the interpreters' languages here; other text has no place.
    interpreted = ", ".join(
        _text(lang, "name")
        for lang in data.get("languages") or []
        if "interpret" in _text(lang, "note").lower()
    )
    text = _text(data, "interpretation_services")
    if text and text != interpreted:
        _warn(errors, source, "interpretation_services", NOT_STORED)
    return languages


def _service_record(source, data, errors):
    fee, fee_note = _fee(_text(data, "fees_description"))
    hours, notes = _hours(source, "schedules", data.get("schedules"), errors)
    record = ServiceRecord(
        source=source,
        id=_uuid(data.get("id")),
        external_id=external_id(data.get("id")),
        status=_status(source, data, errors),
        columns=_SERVICE_COLUMNS,
        fields={
            "name": _text(data, "name", 200),
            "description": _text(data, "description"),
            "url": _text(data, "url", 300),
            "email": _text(data, "email"),
            "fee": fee,
            "fee_note": fee_note,
            "eligibility": _text(data, "eligibility_description"),
            "application_process": _text(data, "application_process"),
            "area_names": "; ".join(
                _text(a, "name") for a in data.get("service_areas") or [] if a.get("name")
            )[:300],
            "required_documents": "\n".join(
                _text(d, "document")
                for d in data.get("required_documents") or []
                if d.get("document")
            ),
            "hours_note": "\n".join(notes),
        },
        phones=_phones(source, "phones", data.get("phones"), errors),
        hours=hours,
        languages=_service_languages(source, data, errors),
        terms=[],
    )
    for i, attribute in enumerate(data.get("attributes") or []):
        term = attribute.get("taxonomy_term") or {}
        code = _term_code(term)
        if not code:
            _warn(
                errors,
                source,
                f"attributes[{i}]",
                _("An attribute without its taxonomy term is not imported."),
            )
            continue
        detail = (
            term.get("taxonomy_detail") if isinstance(term.get("taxonomy_detail"), dict) else {}
        )
        record.terms.append(
            TermRecord(
                id=_uuid(term.get("id") or attribute.get("taxonomy_term_id")),
                code=code,
                name=_text(term, "name", 150) or code,
                description=_text(term, "description"),
                taxonomy=(_text(term, "taxonomy") or _text(detail, "name"))[:50],
                term_uri=_text(term, "term_uri"),
                parent_id=_uuid(term.get("parent_id")),
                source=source,
                column=f"attributes[{i}].taxonomy_term",
            )
        )
    return record


def _organization_record(source, data, errors):
    year = data.get("year_incorporated")
    if year is not None and not isinstance(year, int):
        _warn(errors, source, "organization.year_incorporated", NOT_STORED)
    return OrganizationRecord(
        source=source,
        id=_uuid(data.get("id")),
        external_id=external_id(data.get("id")),
        columns=_ORGANIZATION_COLUMNS,
        fields={
            "name": _text(data, "name", 200),
            "alternate_name": _text(data, "alternate_name", 200),
            "description": _text(data, "description"),
            "website": _text(data, "website", 300),
            "email": _text(data, "email"),
            "year_founded": year if isinstance(year, int) else None,
            "legal_status": _legal_status(source, _text(data, "legal_status"), errors),
        },
        phones=_phones(source, "organization.phones", data.get("phones"), errors),
    )


def _as_services(data, kind):
    """Return the service objects an HSDS object stands for, each with its organization.

    Besides services, organizations (with their "services") and
    service_at_location objects (with their "service") are accepted, as the
    HSDS API returns all three.
    """
    if not isinstance(data, dict):
        return [data]
    if kind == "service_at_location":
        sal = {k: v for k, v in data.items() if k != "service"}
        return [{**data["service"], "service_at_locations": [sal]}]
    if kind == "organization":
        organization = {k: v for k, v in data.items() if k != "services"}
        services = [s for s in data.get("services") or [] if isinstance(s, dict)]
        if not services:
            return [{"organization": organization}]
        return [{**s, "organization": organization} for s in services]
    return [data]


def _file_refusal(kind):
    if kind == "datapackage":
        return _(
            "This is a data package descriptor (datapackage.json), not HSDS services, "
            "organizations or services at locations. Import the whole package (its folder "
            "or zip) instead."
        )
    return _(
        "This file holds %(kind)s, not HSDS services, organizations or services at "
        "locations, so nothing was imported."
    ) % {"kind": hsds_coverage.KIND_NAMES[kind]}


def records_from_hsds(payload):
    """Return (records, errors) for HSDS JSON: one object, a list, or an API page.

    `errors` also holds RowWarning entries: what the import keeps but cannot
    store whole, field by field. import_records reports them apart. Raise
    ImportFileError when nothing in the payload is a service, organization or
    service at location (a datapackage.json, a taxonomy...).
    """
    if isinstance(payload, dict) and isinstance(payload.get("contents"), list):
        items = payload["contents"]
    elif isinstance(payload, list) or hasattr(payload, "__next__"):  # a list, maybe streamed
        items = payload
    else:
        items = [payload]
    errors = []
    organizations = {}
    refused, count = [], 0
    for index, item in enumerate(items, start=1):
        count += 1
        source = _("Item %d") % index
        kind = hsds_coverage.kind_of(item)
        if kind not in hsds_coverage.ACCEPTED:
            refused.append(kind)
            errors.append(
                RowError(
                    source,
                    "",
                    _(
                        "This is %(kind)s, not a service, an organization or a service at a "
                        "location, so it cannot be imported."
                    )
                    % {"kind": hsds_coverage.KIND_NAMES[kind]},
                )
            )
            continue
        if not _checked(source, item, errors):
            continue
        try:
            _read_item(source, kind, item, organizations, errors)
        except (AttributeError, TypeError, ValueError, KeyError, RecursionError):
            # A list where HSDS has an object, a number where it has text...
            errors.append(
                RowError(
                    source, "", _("This item does not follow HSDS 3.0: a value has the wrong type.")
                )
            )
    if refused and len(refused) == count:
        raise ImportFileError(_file_refusal(refused[0]))
    return list(organizations.values()), errors


def _read_item(source, kind, item, organizations, errors):
    for data in _as_services(item, kind):
        org = _organization_for(source, data, organizations, errors)
        if org is None or "name" not in data and "id" not in data:
            continue
        if not data.get("name"):
            errors.append(RowError(source, "name", _("Each service needs a name.")))
            continue
        org.services.append(_service_for(source, data, org, errors))
    if isinstance(item, dict):
        for path in hsds_coverage.uncarried(kind, item):
            _warn(errors, source, path, NOT_STORED)


def _checked(source, item, errors):
    """Report what no field may hold anywhere in an item; return False if it is unreadable.

    Control characters are reported and removed (so the rest of the item can
    still be checked), as are numbers too long to mean anything.
    """
    stack = [(item, "", 0)]
    while stack:
        value, path, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            errors.append(RowError(source, path, _("This item is nested too deeply to be HSDS.")))
            return False
        children = (
            value.items()
            if isinstance(value, dict)
            else enumerate(value)
            if isinstance(value, list)
            else ()
        )
        for key, child in list(children):
            child_path = (
                f"{path}[{key}]" if isinstance(value, list) else f"{path}.{key}".lstrip(".")
            )
            if isinstance(child, str) and control_character(child):
                code = control_character(child)
                errors.append(
                    RowError(source, child_path, CONTROL_CHARACTER_MESSAGE % {"code": code})
                )
                value[key] = printable(child)
            elif isinstance(child, TooLongNumber):
                errors.append(
                    RowError(
                        source,
                        child_path,
                        _("This number has %d digits: too long to be a value here.") % child.digits,
                    )
                )
                value[key] = None
            else:
                stack.append((child, child_path, depth + 1))
    return True


def _organization_for(source, data, organizations, errors):
    org_data = data.get("organization") if isinstance(data, dict) else None
    if not isinstance(org_data, dict) or not org_data.get("name"):
        errors.append(
            RowError(source, "organization", _("Each service needs its organization, with a name."))
        )
        return None
    # The publisher's id says which items are one organization; without one, its name.
    their_id = external_id(org_data.get("id"))
    key = ("id", their_id) if their_id else ("name", org_data["name"].casefold())
    org = organizations.get(key)
    if org is None:
        org = organizations[key] = _organization_record(source, org_data, errors)
    # Its own locations, also those no service is at; a later item may bring them
    # (a sync reads an organization's document after its services').
    for i, loc in enumerate(org_data.get("locations") or []):
        location = _stored_location(source, f"organization.locations[{i}]", loc, errors)
        if location is not None:
            org.locations.setdefault(location.external_id or (source, "org", i), location)
    return org


def _service_for(source, data, org, errors):
    service = _service_record(source, data, errors)
    notes = [service.fields["hours_note"]] if service.fields["hours_note"] else []
    for i, sal in enumerate(data.get("service_at_locations") or []):
        loc = sal.get("location") if isinstance(sal, dict) else None
        if not isinstance(loc, dict):
            continue
        path = f"service_at_locations[{i}]"
        if _text(loc, "location_type").lower() == "virtual":
            # What we can say of a virtual location: the service is online.
            service.fields["online"] = True
        location = _stored_location(source, f"{path}.location", loc, errors)
        if location is None:
            continue
        key = location.external_id or (source, i)
        org.locations.setdefault(key, location)
        hours, sal_notes = _hours(source, f"{path}.schedules", sal.get("schedules"), errors)
        place = location.fields["name"] or location.fields["city"]
        notes.extend(_("At %(place)s: %(note)s") % {"place": place, "note": n} for n in sal_notes)
        service.locations.append((key, _uuid(sal.get("id")), _text(sal, "description", 300), hours))
    service.fields["hours_note"] = "\n".join(notes)
    return service
