"""One registry of columns (directory/columns.py) drives the exports, the import and the docs."""

import re
from pathlib import Path

from directory import columns
from directory.exports import CURATOR_COLUMNS, PUBLIC_HEADER
from directory.imports import LOCATION_COLUMNS, ORGANIZATION_COLUMNS, SERVICE_COLUMNS

DOC = Path(__file__).resolve().parent.parent / "docs" / "import-format.md"


def _documented():
    """The column names in the first cells of the "## Columns" table, and the curators' paragraph."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("\n## Columns\n", 1)[1].split("\n### ", 1)[0]
    table, rest = [], []
    for line in section.splitlines():
        if line.startswith("| `"):
            table += re.findall(r"`([a-z_0-9]+)`", line.split("|")[1])
        else:
            rest += re.findall(r"`([a-z_0-9]+)`", line)
    return table, rest


def test_the_import_format_lists_exactly_the_registrys_columns():
    table, rest = _documented()
    assert sorted(table) == sorted(c.name for c in columns.PUBLIC)
    assert len(table) == len(set(table))  # each once
    assert {c.name for c in columns.CURATOR_ONLY} <= set(rest)


def test_the_export_and_the_import_read_the_registry():
    assert PUBLIC_HEADER == [c.name for c in columns.PUBLIC]
    assert [c.name for c in CURATOR_COLUMNS] == [c.name for c in columns.CURATOR_ONLY]
    # Every simple column is read back by the import into its field; lists and ids have readers
    # of their own.
    read = {
        name
        for fields in (ORGANIZATION_COLUMNS, SERVICE_COLUMNS, LOCATION_COLUMNS)
        for name in fields.values()
    }
    assert read == {c.name for c in columns.PUBLIC if c.type in columns.SIMPLE}


def test_what_a_confidential_location_hides_is_marked_in_the_registry():
    assert columns.PRIVATE_LOCATION_FIELDS == {
        "name",
        "address_1",
        "address_2",
        "postal_code",
        "latitude",
        "longitude",
        "accessibility",
        "transit",
    }
