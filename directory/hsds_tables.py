"""The tables of an HSDS tabular data package, per HSDS version, mapped onto 3.0.

HSDS 3.0 publishes one CSV per object (`datapackage.json` says which); 1.x
and 2.x used other file and column names for some of the same things. Each
Table here is one 3.0 table: the file names it had in every version, and
the older column names of its columns, so the package reader
(directory/hsds_package.py) reads every version as 3.0.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Table:
    name: str  # the 3.0 resource name, e.g. "service_at_location"
    files: tuple  # file names, the 3.0 one first
    # 3.0 column -> older names, used when the 3.0 column is absent or empty
    aliases: dict = field(default_factory=dict)
    stored: bool = True  # False: the directory keeps nothing of its rows


TABLES = [
    Table("organization", ("organizations.csv",), {"website": ("url",)}),
    Table("service", ("services.csv",), {"fees_description": ("fees",)}),
    Table("location", ("locations.csv",)),
    # 1.x and 2.x split addresses in two files; the reader sets address_type.
    Table("address", ("addresses.csv", "physical_addresses.csv", "postal_addresses.csv")),
    Table(
        "service_at_location",
        ("service_at_location.csv", "services_at_location.csv", "services_at_locations.csv"),
    ),
    Table("phone", ("phones.csv",)),
    # 1.x's regular_schedules (weekday, opens_at, closes_at) become weekly rules.
    Table("schedule", ("schedules.csv", "regular_schedules.csv")),
    Table("language", ("languages.csv",), {"name": ("language",)}),
    Table(
        "accessibility",
        ("accessibility.csv", "accessibility_for_disabilities.csv"),
        {"description": ("accessibility",)},
    ),
    Table("required_document", ("required_documents.csv",)),
    Table("service_area", ("service_areas.csv",), {"name": ("service_area",)}),
    # 1.x and 2.x only: 3.0 has eligibility_description on the service.
    Table("eligibility", ("eligibility.csv", "eligibilities.csv")),
    Table(
        "attribute",
        ("attributes.csv", "service_attributes.csv", "services_taxonomy.csv"),
        {"link_id": ("service_id",), "taxonomy_term_id": ("taxonomy_id",)},
    ),
    # 1.x's taxonomy.csv is a table of terms (id, name, parent_id, vocabulary).
    Table("taxonomy_term", ("taxonomy_terms.csv",), {"taxonomy": ("vocabulary",)}),
    Table("taxonomy", ("taxonomies.csv",)),
    Table("program", ("programs.csv",), stored=False),
    Table("contact", ("contacts.csv",), stored=False),
    Table("funding", ("funding.csv",), stored=False),
    Table("cost_option", ("cost_options.csv",), stored=False),
    Table("organization_identifier", ("organization_identifiers.csv",), stored=False),
    Table("metadata", ("metadata.csv",), stored=False),
    Table("meta_table_description", ("meta_table_descriptions.csv",), stored=False),
    Table("holiday_schedule", ("holiday_schedules.csv",), stored=False),
    Table("payment_accepted", ("payments_accepted.csv", "payment_accepted.csv"), stored=False),
    Table("other_attribute", ("other_attributes.csv",), stored=False),
]
BY_NAME = {table.name: table for table in TABLES}
BY_FILE = {name: table for table in TABLES for name in table.files}
# A 1.x taxonomy.csv holds terms; a 3.0 profile's taxonomy.csv (the UK's)
# holds taxonomies. Told apart by a column only terms have.
TERM_ONLY_COLUMNS = {"parent_id", "vocabulary", "parent_name"}

# What the 3.0 writer fills, table by table; the columns of each are the
# official datapackage.json's (directory/data/hsds/datapackage.json).
WRITTEN_TABLES = [
    "organization",
    "service",
    "location",
    "address",
    "service_at_location",
    "phone",
    "schedule",
    "language",
    "accessibility",
    "required_document",
    "service_area",
    "attribute",
    "taxonomy_term",
]

# 1.x weekday names and numbers (ISO: 1 is Monday; some files use 0 or 7 for Sunday).
WEEKDAYS = {
    "monday": "MO",
    "tuesday": "TU",
    "wednesday": "WE",
    "thursday": "TH",
    "friday": "FR",
    "saturday": "SA",
    "sunday": "SU",
    "1": "MO",
    "2": "TU",
    "3": "WE",
    "4": "TH",
    "5": "FR",
    "6": "SA",
    "7": "SU",
    "0": "SU",
}


def table_for_file(file_name, columns):
    """The Table a CSV file of a package holds, or None if it is no HSDS table."""
    base = file_name.rsplit("/", 1)[-1].lower()
    if base == "taxonomy.csv":
        return BY_NAME["taxonomy_term" if TERM_ONLY_COLUMNS & set(columns) else "taxonomy"]
    return BY_FILE.get(base)
