"""What of an HSDS object we store, and what kind of object a file holds.

`CARRIED` declares, per HSDS object, the fields the import maps to our models
and the objects nested in them; `uncarried` walks an item and yields the
path of every other field that holds a value, so the import can report,
field by field, what it could not keep (docs/hsds.md, "Not carried"). Ids and
the links between objects (`service_id`, `link_type`...) are the structure
itself, not data, and are not reported.
"""

from django.utils.translation import gettext_lazy as _

# Each object's fields we read, and for a nested object its HSDS type.
CARRIED = {
    "service": {
        "name": None,
        "description": None,
        "url": None,
        "email": None,
        "status": None,
        "interpretation_services": None,  # checked against the languages (hsds.py)
        "application_process": None,
        "fees_description": None,
        "eligibility_description": None,
        "phones": "phone",
        "schedules": "schedule",
        "service_areas": "service_area",
        "service_at_locations": "service_at_location",
        "languages": "language",
        "organization": "organization",
        "required_documents": "required_document",
        "attributes": "attribute",
    },
    "organization": {
        "name": None,
        "alternate_name": None,
        "description": None,
        "email": None,
        "website": None,
        "year_incorporated": None,
        "legal_status": None,
        "phones": "phone",
        "locations": "location",
        "services": "service",
    },
    "service_at_location": {
        "description": None,
        "schedules": "schedule",
        "location": "location",
        "service": "service",
    },
    "location": {
        "location_type": None,
        "name": None,
        "transportation": None,
        "latitude": None,
        "longitude": None,
        "addresses": "address",
        "accessibility": "accessibility",
    },
    "address": {
        "address_1": None,
        "address_2": None,
        "city": None,
        "region": None,
        "state_province": None,
        "postal_code": None,
        "country": None,
        "address_type": None,
    },
    "accessibility": {"description": None},
    "phone": {
        "number": None,
        "extension": None,
        "type": None,
        "description": None,
        "languages": "language",
    },
    # Weekly rules become hours; any other rule, and the texts, the hours note.
    "schedule": {
        "freq": None,
        "wkst": None,
        "interval": None,
        "byday": None,
        "bymonthday": None,
        "byweekno": None,
        "byyearday": None,
        "opens_at": None,
        "closes_at": None,
        "dtstart": None,
        "valid_from": None,
        "valid_to": None,
        "until": None,
        "count": None,
        "description": None,
        "notes": None,
    },
    "language": {"name": None, "code": None, "note": None},
    "service_area": {"name": None},
    "required_document": {"document": None},
    "attribute": {"taxonomy_term": "taxonomy_term"},
    "taxonomy_term": {
        "code": None,
        "name": None,
        "description": None,
        "parent_id": None,
        "taxonomy": None,
        "taxonomy_detail": None,  # its name, when `taxonomy` is empty
        "term_uri": None,
    },
}

# The structure: ids and links between objects, and when a record last changed.
STRUCTURE = {
    "id",
    "organization_id",
    "service_id",
    "location_id",
    "phone_id",
    "contact_id",
    "service_at_location_id",
    "link_id",
    "link_type",
    "link_entity",
    "taxonomy_term_id",
    "taxonomy_id",
    "last_modified",
}


def _empty(value):
    return value in (None, "", [], {})


def uncarried(kind, data, path=""):
    """Yield the path of every field of `data` (an HSDS `kind`) we do not store.

    Lists are one path ("phones[].languages"), not one per entry, so a
    report says "contacts" once for an item, however many it has.
    """
    carried = CARRIED[kind]
    for key, value in data.items():
        if key in STRUCTURE or _empty(value):
            continue
        where = f"{path}.{key}" if path else key
        if key not in carried:
            yield where
            continue
        child = carried[key]
        if child is None:
            continue
        items = value if isinstance(value, list) else [value]
        suffix = "[]" if isinstance(value, list) else ""
        seen = set()
        for item in items:
            if isinstance(item, dict):
                for found in uncarried(child, item, where + suffix):
                    if found not in seen:
                        seen.add(found)
                        yield found


# ---------------------------------------------------------------- what a file holds

ACCEPTED = {"service", "organization", "service_at_location"}

SERVICE_KEYS = {
    "status",
    "organization",
    "service_at_locations",
    "fees_description",
    "eligibility_description",
    "application_process",
    "interpretation_services",
    "service_areas",
    "required_documents",
    "program_id",
    "wait_time",
    "fees",
    "accreditations",
    "licenses",
    "alert",
    "assured_date",
    "assurer_email",
    "minimum_age",
    "maximum_age",
    "cost_options",
    "program",
}
ORGANIZATION_KEYS = {
    "services",
    "website",
    "year_incorporated",
    "legal_status",
    "tax_status",
    "tax_id",
    "organization_identifiers",
    "parent_organization_id",
    "logo",
    "programs",
}
# Objects of other kinds, by fields that only they have.
OTHER_KEYS = [
    ("taxonomy_term", {"code", "parent_id", "taxonomy", "taxonomy_detail", "term_uri"}),
    ("taxonomy", {"version"}),
    ("location", {"location_type", "addresses", "latitude", "longitude", "transportation"}),
    ("phone", {"number"}),
    ("schedule", {"freq", "byday", "opens_at", "closes_at", "dtstart", "rrule"}),
    ("contact", {"title", "department"}),
]

KIND_NAMES = {
    "datapackage": _("a data package descriptor (datapackage.json)"),
    "tabular": _("the tables of an HSDS data package, written as JSON"),
    "api_root": _("the root document of an HSDS API"),
    "taxonomy_term": _("an HSDS taxonomy term"),
    "taxonomy": _("an HSDS taxonomy"),
    "location": _("an HSDS location on its own"),
    "phone": _("an HSDS phone on its own"),
    "schedule": _("an HSDS schedule on its own"),
    "contact": _("an HSDS contact"),
}


def kind_of(data):
    """Return which HSDS object `data` is: "service", "organization", "service_at_location"...

    An object with none of the telling fields (only a name, say) is taken for
    an organization, as it always was.
    """
    if not isinstance(data, dict):
        return "service"  # reported later as a value of the wrong type
    keys = set(data)
    if "resources" in keys or str(data.get("profile", "")).endswith("data-package"):
        return "datapackage"
    if any(str(key).endswith(".csv") for key in keys):
        return "tabular"
    if "openapi_url" in keys:
        return "api_root"
    if isinstance(data.get("service"), dict):
        return "service_at_location"
    if keys & SERVICE_KEYS:
        return "service"
    if keys & ORGANIZATION_KEYS:
        return "organization"
    for kind, markers in OTHER_KEYS:
        if keys & markers:
            return kind
    return "organization"
