"""The CSV and Excel columns, once: name, whose they are, model field, type, and who may see them.

The export's columns (directory/exports.py), the import's maps from columns
to fields and its type checks (directory/imports.py), and the location fields
a confidential location never shows are all read from REGISTRY, and
docs/import-format.md lists exactly these columns (tests/test_columns.py).
"""

from dataclasses import dataclass

from .models import AreaType, Fee

ORGANIZATION, SERVICE, LOCATION = "organization", "service", "location"

# Types. The simple ones are one model field, read and written as such; the
# others are lists with formats of their own, or our ids.
TEXT, INTEGER, DECIMAL, DATE, BOOLEAN, CHOICE = (
    "text",
    "integer",
    "decimal",
    "date",
    "yes/no",
    "choice",
)
SIMPLE = {TEXT, INTEGER, DECIMAL, DATE, BOOLEAN, CHOICE}
ID, CODES, PHONES, LANGUAGES, HOURS, USER = "id", "codes", "phones", "languages", "hours", "user"


@dataclass(frozen=True)
class Column:
    name: str  # the header
    scope: str  # whose row part it reads: ORGANIZATION, SERVICE or LOCATION
    field: str  # the model field (for CODES, the relation)
    type: str = TEXT
    # Left blank for a confidential location: a name, transit or access note
    # can give the place away as surely as its street.
    private: bool = False
    curator: bool = False  # only in curators' exports; an import ignores it
    choices: object = None  # the TextChoices of a CHOICE
    default: object = None  # what a blank cell means, when not "empty"


def _of(scope, *columns):
    return [Column(name, scope, field, *rest) for name, field, *rest in columns]


REGISTRY = [
    *_of(
        ORGANIZATION,
        ("organization_id", "id", ID),
        ("organization_name", "name"),
        ("organization_alternate_name", "alternate_name"),
        ("organization_description", "description"),
        ("organization_website", "website"),
        ("organization_email", "email"),
        ("organization_kinds", "kinds", CODES),
        ("organization_phones", "phones", PHONES),
        ("year_founded", "year_founded", INTEGER),
        ("legal_status", "legal_status"),
        ("doj_recognized", "doj_recognized", BOOLEAN),
        ("doj_recognition_expires_on", "doj_recognition_expires_on", DATE),
        ("accredited_representatives_full", "accredited_representatives_full", INTEGER),
        ("accredited_representatives_partial", "accredited_representatives_partial", INTEGER),
        ("attorneys_on_staff", "attorneys_on_staff", INTEGER),
    ),
    *_of(
        SERVICE,
        ("service_id", "id", ID),
        ("service_name", "name"),
        ("service_description", "description"),
        ("service_url", "url"),
        ("service_email", "email"),
        ("categories", "taxonomy_terms", CODES),
        ("fee", "fee", CHOICE, False, False, Fee, Fee.FREE),
        ("fee_note", "fee_note"),
        ("eligibility", "eligibility"),
        ("populations", "populations", CODES),
        ("languages", "service_languages", LANGUAGES),
        ("application_process", "application_process"),
        ("walk_in", "walk_in", BOOLEAN),
        ("by_appointment", "by_appointment", BOOLEAN),
        ("by_hotline", "by_hotline", BOOLEAN),
        ("online", "online", BOOLEAN),
        ("remote_by_phone", "remote_by_phone", BOOLEAN),
        ("remote_by_video", "remote_by_video", BOOLEAN),
        ("required_documents", "required_documents"),
        ("area_type", "area_type", CHOICE, False, False, AreaType, AreaType.LOCAL),
        ("area_names", "area_names"),
        ("serves_detained", "serves_detained", BOOLEAN),
        ("open_24_7", "open_24_7", BOOLEAN),
        ("appointment_only", "appointment_only", BOOLEAN),
        ("time_zone", "time_zone"),
        ("hours", "schedules", HOURS),
        ("hours_note", "hours_note"),
        ("service_phones", "phones", PHONES),
    ),
    *_of(
        LOCATION,
        ("location_id", "id", ID),
        ("location_name", "name", TEXT, True),
        ("confidential_address", "is_confidential", BOOLEAN),
        ("address_1", "address_1", TEXT, True),
        ("address_2", "address_2", TEXT, True),
        ("city", "city"),
        ("county", "county"),
        ("state", "state"),
        ("postal_code", "postal_code", TEXT, True),
        ("country", "country", TEXT, False, False, None, "US"),
        ("latitude", "latitude", DECIMAL, True),
        ("longitude", "longitude", DECIMAL, True),
        ("accessibility", "accessibility", TEXT, True),
        ("transit", "transit", TEXT, True),
    ),
    # What a curator needs for outreach and verification. Curator notes are never exported.
    *_of(
        ORGANIZATION,
        ("organization_status", "status", TEXT, False, True),
        ("organization_last_verified_on", "last_verified_on", DATE, False, True),
        ("organization_verified_by", "verified_by", USER, False, True),
    ),
    *_of(
        SERVICE,
        ("service_status", "status", TEXT, False, True),
        ("service_last_verified_on", "last_verified_on", DATE, False, True),
        ("service_verified_by", "verified_by", USER, False, True),
    ),
]

PUBLIC = [c for c in REGISTRY if not c.curator]
CURATOR_ONLY = [c for c in REGISTRY if c.curator]


def field_columns(scope):
    """{model field: column} of the scope's simple columns: what an import writes as it reads."""
    return {c.field: c.name for c in PUBLIC if c.scope == scope and c.type in SIMPLE}


def fields_of_type(kind):
    return {c.field for c in PUBLIC if c.type == kind}


# The import's type checks.
BOOLEAN_FIELDS = fields_of_type(BOOLEAN)
INTEGER_FIELDS = fields_of_type(INTEGER)
FLOAT_FIELDS = fields_of_type(DECIMAL)
DATE_FIELDS = fields_of_type(DATE)
CHOICE_FIELDS = {c.field: c.choices for c in PUBLIC if c.type == CHOICE}
# Blank means "the model's default" for these, not an empty value.
DEFAULTED_FIELDS = {c.field: c.default for c in PUBLIC if c.default is not None}
# What exports leave blank for a confidential location, and an import keeps when blank.
PRIVATE_LOCATION_FIELDS = {c.field for c in PUBLIC if c.scope == LOCATION and c.private}
