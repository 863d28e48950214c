import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from directory.exports import PUBLIC_HEADER, csv_chunks, public_organizations, rows, xlsx_bytes
from directory.imports import import_file
from directory.models import Location, Organization, Phone, Service, Status, TaxonomyTerm


def _csv():
    return b"".join(csv_chunks(rows(public_organizations(Organization.objects.all()))))


def _wipe():
    Organization.objects.all().delete()


def _table(*records):
    """A CSV in our format with only the given columns filled."""
    lines = [",".join(PUBLIC_HEADER)]
    for record in records:
        lines.append(",".join(_quote(record.get(c, "")) for c in PUBLIC_HEADER))
    return ("\r\n".join(lines) + "\r\n").encode()


def _quote(value):
    return f'"{value}"' if any(ch in value for ch in ',"\n') else value


def test_csv_round_trip_gives_identical_bytes(directory, tmp_path):
    first = _csv()
    path = tmp_path / "all.csv"
    path.write_bytes(first)
    _wipe()
    call_command("import_listings", str(path), "--publish", stdout=io.StringIO())
    assert _csv() == first


def test_xlsx_round_trip_gives_identical_csv(directory):
    first = _csv()
    workbook = xlsx_bytes(rows(public_organizations(Organization.objects.all())))
    _wipe()
    report = import_file("all.xlsx", workbook, publish=True)
    assert report.errors == []
    assert _csv() == first


def test_reimport_updates_instead_of_duplicating(directory):
    data = _csv()
    report = import_file("again.csv", data)
    assert report.errors == [] and report.created == []
    assert {o.matched_by for o in report.updated if o.model == "organization"} == {"id"}
    assert Organization.objects.count() == 6
    # Re-importing keeps each listing's status: nothing is unpublished.
    assert Organization.objects.filter(status=Status.PUBLISHED).count() == 5


def test_reimport_matches_by_website_then_name_and_city(db):
    org = Organization.objects.create(name="Casa", slug="casa", website="https://casa.example.org/")
    other = Organization.objects.create(name="Sin Web", slug="sin-web")
    Location.objects.create(organization=other, city="Fresno", state="CA")
    data = _table(
        {"organization_name": "Casa Renamed", "organization_website": "https://casa.example.org/"},
        {"organization_name": "sin web", "city": "Fresno", "state": "CA"},
    )
    report = import_file("m.csv", data)
    assert report.errors == []
    matched = [(o.source, o.matched_by) for o in report.updated if o.model == "organization"]
    assert matched == [("Row 2", "website"), ("Row 3", "name and city")]
    org.refresh_from_db()
    assert org.name == "Casa Renamed"
    assert Organization.objects.count() == 2


def test_imported_listings_are_drafts_unless_published(db, tmp_path):
    path = tmp_path / "new.csv"
    path.write_bytes(
        _table(
            {
                "organization_name": "Nueva",
                "organization_website": "https://n.example.org",
                "service_name": "Clínica",
            }
        )
    )
    call_command("import_listings", str(path), stdout=io.StringIO())
    assert Organization.objects.get().status == Status.DRAFT
    assert Service.objects.get().status == Status.DRAFT
    call_command("import_listings", str(path), "--publish", stdout=io.StringIO())
    assert Organization.objects.get().status == Status.PUBLISHED


def test_dry_run_writes_nothing(db, tmp_path):
    path = tmp_path / "new.csv"
    path.write_bytes(_table({"organization_name": "Nueva", "service_name": "Clínica"}))
    out = io.StringIO()
    call_command("import_listings", str(path), "--dry-run", stdout=out)
    assert "1 created" not in out.getvalue() and "2 created" in out.getvalue()
    assert Organization.objects.count() == 0


def test_a_broken_file_is_rejected_whole_with_every_error(db, tmp_path):
    path = tmp_path / "broken.csv"
    path.write_bytes(
        _table(
            {
                "organization_name": "Good one",
                "service_name": "Fine",
                "categories": "brand.new-term",
            },
            {"organization_name": "Bad email", "organization_email": "not-an-email"},
            {
                "organization_name": "Bad fee",
                "service_name": "X",
                "fee": "cheap",
                "walk_in": "maybe",
            },
            {"organization_name": "", "service_name": "Orphan"},
            {
                "organization_name": "Bad hours",
                "service_name": "Y",
                "hours": "Monday 9-5",
                "latitude": "91",
                "longitude": "0",
                "city": "LA",
                "state": "CA",
            },
        )
    )
    err = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_listings", str(path), stdout=io.StringIO(), stderr=err)
    assert Organization.objects.count() == 0
    assert not TaxonomyTerm.objects.filter(code="brand.new-term").exists()
    lines = err.getvalue()
    assert "Row 3, organization_email: Enter a valid email address." in lines
    assert "Row 4, fee: “cheap” is not one of" in lines
    assert "Row 4, walk_in: Write yes or no" in lines
    assert "Row 5, organization_name:" in lines
    assert "Row 6, hours: Cannot read the hours" in lines
    assert "Row 6, latitude:" in lines


def test_unknown_categories_are_created_not_dropped(db):
    parent = TaxonomyTerm.objects.create(code="legal", name="Legal")
    report = import_file(
        "t.csv",
        _table(
            {"organization_name": "Org", "service_name": "Svc", "categories": "legal.u-visa; other"}
        ),
    )
    assert report.errors == []
    term = TaxonomyTerm.objects.get(code="legal.u-visa")
    assert term.parent == parent
    assert set(Service.objects.get().taxonomy_terms.values_list("code", flat=True)) == {
        "legal.u-visa",
        "other",
    }


def test_phones_languages_and_hours_are_read(db):
    report = import_file(
        "p.csv",
        _table(
            {
                "organization_name": "Org",
                "organization_phones": "(213) 555-0100 x12; (213) 555-0199 [fax]",
                "service_name": "Svc",
                "languages": "es; ko (interpreter)",
                "hours": "MO 09:00-17:00; SU 22:00-02:00",
            }
        ),
    )
    assert report.errors == []
    phones = {(p.number, p.extension, p.type) for p in Phone.objects.all()}
    assert phones == {("(213) 555-0100", "12", "voice"), ("(213) 555-0199", "", "fax")}
    service = Service.objects.get()
    assert {(sl.language.code, sl.via) for sl in service.service_languages.all()} == {
        ("es", "staff"),
        ("ko", "interpreter"),
    }
    assert service.schedules.count() == 2


def test_reimport_keeps_a_confidential_street_address(db):
    org = Organization.objects.create(
        name="Refugio", slug="refugio", website="https://r.example.org"
    )
    location = Location.objects.create(
        organization=org,
        city="LA",
        state="CA",
        name="St. Brigid's basement",
        address_1="742 Hidden Way",
        transit="Behind the bakery",
        is_confidential=True,
    )
    report = import_file(
        "c.csv",
        _table(
            {
                "organization_id": str(org.id),
                "organization_name": "Refugio",
                "location_id": str(location.id),
                "confidential_address": "yes",
                "city": "LA",
                "state": "CA",
            }
        ),
    )
    assert report.errors == []
    location.refresh_from_db()
    assert location.address_1 == "742 Hidden Way"
    assert (location.name, location.transit) == ("St. Brigid's basement", "Behind the bakery")


def test_unknown_columns_and_bad_encoding_are_reported(db):
    report = import_file("x.csv", b"organization_name,colour\r\nOrg,red\r\n")
    assert [(e.row, e.column) for e in report.errors] == [("Header", "colour")]
    report = import_file("x.csv", "organization_name\r\nCafé\r\n".encode("latin-1"))
    assert "UTF-8" in report.errors[0].message
    report = import_file("x.txt", b"hello")
    assert report.errors and not report.written


def test_curator_export_imports_too(db):
    header = PUBLIC_HEADER + ["organization_status", "service_status"]
    data = (
        ",".join(header)
        + "\r\n"
        + ",".join("Org" if c == "organization_name" else "" for c in header)
        + "\r\n"
    ).encode()
    report = import_file("curator.csv", data)
    assert report.errors == []
    assert Organization.objects.get().name == "Org"


def test_the_documented_example_imports(db):
    doc = (Path(__file__).resolve().parents[1] / "docs" / "import-format.md").read_text()
    example = doc.split("```csv\n")[1].split("```")[0]
    report = import_file("example.csv", example.encode())
    assert report.errors == []
    org = Organization.objects.get(name="Centro de Ayuda Legal")
    assert sorted(org.services.values_list("name", flat=True)) == [
        "Asylum clinic",
        "Detention hotline",
    ]
    hotline = Phone.objects.get(service__name="Detention hotline")
    assert (hotline.type, hotline.is_24_hours) == ("hotline", True)
    assert org.locations.get().county == "Los Angeles"


def test_reimport_keeps_what_a_spreadsheet_cannot_carry(directory):
    phone = Phone.objects.filter(service__isnull=False).first()
    phone.description = "Ask for Rosa"
    phone.save()
    phone.languages.set([phone.service.languages.first()])
    report = import_file("again.csv", _csv())
    assert report.errors == []
    kept = Phone.objects.get(pk=phone.pk)
    assert kept.description == "Ask for Rosa"
    assert kept.languages.count() == 1


def test_the_hours_note_survives_a_round_trip(directory):
    service = Service.objects.filter(status=Status.PUBLISHED).order_by("name").first()
    service.hours_note = "2nd and 4th Saturday; closed on federal holidays"
    service.save()
    first = _csv()
    assert b"2nd and 4th Saturday; closed on federal holidays" in first
    _wipe()
    report = import_file("notes.csv", first, publish=True)
    assert report.errors == []
    assert Service.objects.get(pk=service.pk).hours_note == service.hours_note
    assert _csv() == first


def test_a_records_fields_read_and_change_like_a_dict():
    from directory.import_records import Fields

    fields = Fields({"name": "Ayuda Legal", "city": "", "latitude": None})
    assert fields["name"] == "Ayuda Legal" and fields.get("website", "-") == "-"
    assert list(fields.items()) == [("name", "Ayuda Legal"), ("city", ""), ("latitude", None)]
    fields["city"] = "Fresno"
    fields["online"] = True  # a name the shape did not have
    assert fields == {"name": "Ayuda Legal", "city": "Fresno", "latitude": None, "online": True}
    # Another record of the first shape is not changed by the new name.
    other = Fields({"name": "B", "city": "C", "latitude": 1.0})
    assert dict(other) == {"name": "B", "city": "C", "latitude": 1.0}
    assert "online" not in other
