import csv
import io

import pytest
import vobject
from django.core.management import call_command
from openpyxl import load_workbook

from directory.exports import (
    CURATOR_COLUMNS,
    PUBLIC_HEADER,
    csv_chunks,
    public_organizations,
    rows,
    xlsx_bytes,
)
from directory.models import Organization
from tests.conftest import NAMES
from tests.factories import (
    make_organization,
    make_service,
    make_term,
)


def _public_csv():
    return b"".join(csv_chunks(rows(public_organizations(Organization.objects.all()))))


def _parse(data):
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_csv_is_utf8_with_a_bom_and_keeps_non_latin_text(directory):
    data = _public_csv()
    assert data.startswith(b"\xef\xbb\xbf")
    names = {r["organization_name"] for r in _parse(data)}
    assert set(NAMES.values()) <= names


def test_xlsx_keeps_non_latin_text(directory):
    workbook = load_workbook(
        io.BytesIO(xlsx_bytes(rows(public_organizations(Organization.objects.all()))))
    )
    values = [row for row in workbook.active.iter_rows(values_only=True)]
    assert list(values[0]) == PUBLIC_HEADER
    assert set(NAMES.values()) <= {row[1] for row in values[1:]}


def test_formulas_are_neutralised_in_csv_and_xlsx(directory):
    records = _parse(_public_csv())
    shelter = next(r for r in records if r["organization_name"] == "Refugio Seguro")
    assert shelter["organization_description"] == '\'=HYPERLINK("http://evil")'
    assert shelter["service_name"] == "'@SUM(1+1) housing"
    assert shelter["service_description"].startswith("'-2+3")
    phone_row = next(r for r in records if r["service_phones"])
    assert phone_row["service_phones"] == "'+1 213 555 0100 [hotline, 24h]"
    workbook = load_workbook(
        io.BytesIO(xlsx_bytes(rows(public_organizations(Organization.objects.all()))))
    )
    cells = [c for row in workbook.active.iter_rows() for c in row]
    assert not any(c.data_type == "f" for c in cells)
    assert "'@SUM(1+1) housing" in [c.value for c in cells]


def test_public_export_has_no_curator_columns_notes_or_drafts(directory):
    data = _public_csv().decode("utf-8-sig")
    header = data.splitlines()[0].split(",")
    assert header == PUBLIC_HEADER
    for column in CURATOR_COLUMNS:
        assert column.name not in data
    assert "SECRET-CURATOR-NOTE" not in data
    assert "carla" not in data
    assert "DRAFT-ONLY" not in data and "Draft org" not in data


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "vcf", "hsds"])
def test_no_public_export_carries_a_confidential_address(directory, tmp_path, fmt):
    out = tmp_path / f"out.{fmt}"
    call_command("export_listings", "--format", fmt, "-o", str(out))
    data = out.read_bytes()
    if fmt == "xlsx":
        workbook = load_workbook(out)
        data = repr([r for r in workbook.active.iter_rows(values_only=True)]).encode()
    assert b"Hidden Way" not in data and b"90099" not in data and b"-118.5" not in data
    for clue in (b"Brigid", b"bakery", b"ring twice"):
        assert clue not in data
    assert b"SECRET-CURATOR-NOTE" not in data
    if fmt != "hsds":
        # The shelter is listed, with its city only.
        assert b"Refugio Seguro" in data


def test_confidential_location_keeps_city_in_csv(directory):
    shelter = next(
        r
        for r in _parse(_public_csv())
        if r["organization_name"] == "Refugio Seguro" and r["location_id"]
    )
    assert (
        shelter["city"],
        shelter["address_1"],
        shelter["latitude"],
        shelter["confidential_address"],
    ) == (
        "Los Angeles",
        "",
        "",
        "yes",
    )


def test_vcards_parse_one_per_organization(directory, tmp_path):
    out = tmp_path / "contacts.vcf"
    call_command("export_listings", "--format", "vcf", "-o", str(out))
    cards = list(vobject.readComponents(out.read_text()))
    assert len(cards) == 5
    korean = next(c for c in cards if c.fn.value == NAMES["ko"])
    assert korean.email.value == "ko@example.org"
    assert korean.tel.value == "+1 213 555 0100"
    assert korean.adr.value.street == "1 Main St"
    assert "consulta" in korean.note.value
    shelter = next(c for c in cards if c.fn.value == "Refugio Seguro")
    assert not hasattr(shelter, "adr")


def test_stdout_export_writes_csv(directory, capsysbinary):
    call_command("export_listings", "--format", "csv")
    out = capsysbinary.readouterr().out
    assert out.startswith(b"\xef\xbb\xbforganization_id,")


def test_export_runs_a_fixed_number_of_queries(directory, django_assert_max_num_queries):
    for i in range(10):
        make_service(make_organization(f"Extra {i}"), f"Extra service {i}")
    with django_assert_max_num_queries(16):
        list(rows(public_organizations(Organization.objects.all())))


def test_export_listings_takes_the_search_filters(db, tmp_path):
    legal = make_term("legal", "Legal help")
    make_service(make_organization("Abogados"), "Consulta", terms=[legal])
    make_service(make_organization("Despensa"), "Comida")
    out = tmp_path / "legal.csv"
    call_command("export_listings", "--category", "legal", "-o", str(out))
    names = [r["organization_name"] for r in _parse(out.read_bytes())]
    assert names == ["Abogados"]


def test_progress_bar_draws_on_a_terminal_only():
    from directory.progress import ProgressBar

    stream = io.StringIO()
    bar = ProgressBar("Exporting", 200, stream=stream, force=True)
    for _ in range(200):
        bar.advance()
    bar.finish()
    assert stream.getvalue().endswith("] 200/200\n")
    quiet = io.StringIO()
    ProgressBar("Exporting", 10, stream=quiet).advance(10)
    assert quiet.getvalue() == ""
