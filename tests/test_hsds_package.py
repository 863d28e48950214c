"""HSDS tabular data packages in and out (directory/hsds_package.py, docs/hsds.md)."""

import csv
import io
import json
import os
import re
import shutil
import uuid
import zipfile
from datetime import date, datetime, time

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from directory.hsds_package import IMPORTED, MERGED, SKIPPED, import_package
from directory.imports import import_file
from directory.models import (
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    Status,
    TaxonomyTerm,
    Visibility,
)
from tests.factories import (
    make_hours,
    make_location,
    make_organization,
    make_phone,
    make_service,
    make_term,
)


@pytest.fixture(scope="session")
def hsds_real_dir(hsds_dir):
    """../shared/hsds-real beside ../shared/hsds: skipped without it, a failure in CI."""
    real = hsds_dir.parent / "hsds-real"
    if not (real / "illinois-legal-aid-1.x").is_dir():
        reason = f"the real HSDS data is missing at {real}: put a checkout of ../shared beside the project"
        if os.environ.get("CI") == "true":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    return real


def _data_rows(folder):
    """{file name: [row numbers]} of every CSV of a package folder (2 is the first data row)."""
    rows = {}
    for path in sorted(folder.glob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.reader(f)
            next(reader, None)
            rows[path.name] = [
                n for n, r in enumerate(reader, start=2) if any(c.strip() for c in r)
            ]
    return rows


def _accounted(report):
    accounted = {}
    for fate in report.rows:
        accounted.setdefault(fate.file, []).append(fate.row)
    return accounted


def _fate(report, file_name, row):
    [fate] = [f for f in report.rows if f.file == file_name and f.row == row]
    return fate


@pytest.fixture
def sample_package(hsds_dir, tmp_path):
    """The official 3.0 samples/csv, with its impossible coordinates (100, 101) made possible."""
    folder = tmp_path / "sample"
    shutil.copytree(hsds_dir / "samples" / "csv", folder)
    locations = folder / "locations.csv"
    locations.write_text(locations.read_text().replace(",100,101,", ",10,11,"))
    return folder


# ---------------------------------------------------------------- reading


def test_the_official_sample_package_is_refused_for_its_impossible_latitude(hsds_dir, db):
    report = import_package(hsds_dir / "samples" / "csv")
    assert not report.written and Organization.objects.count() == 0
    messages = {(e.row.split(" (")[0], e.column, e.message) for e in report.errors}
    assert (
        "locations.csv row 2",
        "latitude",
        "The latitude must be between -90 and 90, not 100.",
    ) in messages


def test_the_official_sample_package_imports_with_every_row_accounted_for(sample_package, db):
    report = import_package(sample_package, publish=False)
    assert report.errors == []
    assert report.written
    assert {name: sorted(rows) for name, rows in _accounted(report).items()} == {
        name: rows for name, rows in _data_rows(sample_package).items() if rows
    }
    assert _fate(report, "organizations.csv", 2).action == IMPORTED
    assert _fate(report, "services.csv", 2).action == IMPORTED
    assert _fate(report, "locations.csv", 2).action == IMPORTED
    assert _fate(report, "addresses.csv", 2).action == MERGED
    assert (
        _fate(report, "phones.csv", 2).detail
        == "Into the phones of service “Community Counselling”."
    )
    assert _fate(report, "schedules.csv", 2).action == MERGED
    # The sample's attribute links to no service of the sample.
    attribute = _fate(report, "attributes.csv", 2)
    assert attribute.action == SKIPPED and "link_id" in attribute.link
    assert _fate(report, "contacts.csv", 2).detail == "The directory stores nothing of this table."
    service = Service.objects.get(name="Community Counselling")
    assert service.status == Status.DRAFT
    assert service.organization.name == "Example Organization Inc."
    assert service.locations.get().city == "MyCity"
    assert service.phones.filter(extension="100").exists()
    assert service.languages.filter(code="ur").exists()
    # Weekly on TH,FR but only in 2005, with week and month-day rules: not plain weekly
    # hours, so a note that says so (the faithful import), never rows every week.
    assert not Schedule.objects.filter(service=service).exists()
    assert "Thursday" in service.hours_note and "10:00" in service.hours_note
    assert service.required_documents.startswith("Any official identification document")
    assert report.files[0].file == "datapackage.json"


def test_a_zip_imports_as_its_folder_does(sample_package, db, tmp_path):
    archive = tmp_path / "sample.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for path in sample_package.iterdir():
            z.write(path, f"hsds-sample/{path.name}")  # inside a folder, as zips often are
    with archive.open("rb") as data:
        report = import_package(data, dry_run=True)
    assert report.errors == [] and not report.written
    assert {name: sorted(rows) for name, rows in _accounted(report).items()} == {
        name: rows for name, rows in _data_rows(sample_package).items() if rows
    }
    call_command("import_listings", str(archive), stdout=io.StringIO())
    assert Service.objects.filter(name="Community Counselling").count() == 1


def test_the_command_imports_a_package_folder_and_says_what_became_of_each_table(
    sample_package, db
):
    out = io.StringIO()
    call_command("import_listings", str(sample_package), stdout=out)
    text = out.getvalue()
    assert "services.csv: 1 imported, 0 merged, 0 skipped" in text
    assert "contacts.csv: 1 skipped: The directory stores nothing of this table." in text
    assert Organization.objects.filter(name="Example Organization Inc.").count() == 1


def test_a_datapackage_json_alone_never_becomes_an_organization(hsds_dir, db, tmp_path):
    data = (hsds_dir / "datapackage.json").read_bytes()
    report = import_file("datapackage.json", data)
    assert not report.written
    assert "description of a data package" in report.errors[0].message
    renamed = tmp_path / "listings.json"  # refused by what it is, not by its name
    renamed.write_bytes(data)
    with pytest.raises(CommandError, match="description of a data package"):
        call_command("import_listings", str(renamed), stdout=io.StringIO())
    assert Organization.objects.count() == 0


def test_a_zip_that_is_no_package_is_refused_with_a_reason(db, tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("notes.txt", "hello")
    report = import_package(io.BytesIO(buffer.getvalue()))
    assert [e.message for e in report.errors] == [
        "This .zip is no HSDS data package: it has no datapackage.json or organizations.csv."
    ]
    report = import_package(io.BytesIO(b"not a zip"))
    assert report.errors[0].message == "This is not a readable .zip file."


def test_the_illinois_1x_package_imports_with_every_row_accounted_for(hsds_real_dir, db):
    folder = hsds_real_dir / "illinois-legal-aid-1.x"
    report = import_package(folder, publish=True)
    assert report.errors == []
    assert report.written
    expected = _data_rows(folder)
    accounted = _accounted(report)
    for name, total in [
        ("organizations.csv", 33),
        ("services.csv", 429),
        ("locations.csv", 520),
        ("phones.csv", 520),
        ("schedules.csv", 2492),
    ]:
        assert len(expected[name]) == total
        assert sorted(accounted[name]) == expected[name], name
    assert {name: sorted(rows) for name, rows in accounted.items()} == {
        name: rows for name, rows in expected.items() if rows
    }
    assert [(n.file, n.note) for n in report.files if n.file == "addresses.csv"] == [
        ("addresses.csv", "Empty: the file has no rows.")
    ]
    assert Organization.objects.count() == 33
    imported = [f for f in report.rows if f.file == "services.csv" and f.action == IMPORTED]
    assert Service.objects.count() == len(imported) > 0
    missing = [f for f in report.rows if f.file == "services.csv" and f.action == SKIPPED]
    assert len(imported) + len(missing) == 429
    assert {f.detail for f in missing} == {"Its organization_id is not in organizations.csv."}
    # No address at all: every location is accounted for as skipped, and why.
    assert {f.detail for f in report.rows if f.file == "locations.csv"} == {
        "It has no address with a city (the addresses table is empty), and the directory "
        "stores a place by its address."
    }
    assert Location.objects.count() == 0
    # A place's phones and hours went to the services offered there.
    merged_hours = [f for f in report.rows if f.file == "schedules.csv" and f.action == MERGED]
    assert merged_hours and Schedule.objects.count() >= len(merged_hours)
    closed = [f for f in report.rows if f.detail.startswith("Closed that day")]
    assert len(closed) == 665
    merged_phones = [f for f in report.rows if f.file == "phones.csv" and f.action == MERGED]
    assert merged_phones and Phone.objects.count() > 0
    lafs = Service.objects.filter(organization__name="LAF")
    assert lafs.exists()


# ---------------------------------------------------------------- writing


def _export(tmp_path, name="package.zip", **filters):
    out = tmp_path / name
    call_command("export_listings", "--format", "hsds-package", "-o", str(out), **filters)
    with zipfile.ZipFile(out) as z:
        return {n: z.read(n) for n in z.namelist()}


def _tables(files):
    return {
        name: list(csv.DictReader(io.StringIO(data.decode())))
        for name, data in files.items()
        if name.endswith(".csv")
    }


@pytest.fixture
def listing(db):
    org = make_organization(
        "Centro Legal",
        email="info@centro.example.org",
        website="https://centro.example.org/",
        description="Help",
        legal_status="nonprofit",
    )
    parent = make_term("legal", "Legal help")
    child = make_term("legal.asylum", "Asylum", parent=parent)
    for term in (parent, child):
        term.description = f"About {term.name}"
        term.save()
    service = make_service(
        org,
        "Asylum clinic",
        terms=[parent, child],
        languages=["es", "ko"],
        fee="sliding",
        fee_note="$20. Waived for hardship",
        url="https://centro.example.org/asylum",
    )
    make_phone(organization=org, number="(213) 555-0100", extension="12")
    make_phone(service=service, number="(213) 555-0199", type="hotline")
    make_location(
        org,
        services=[service],
        name="Main office",
        address_1="1 Main St",
        postal_code="90012",
        latitude=34.05,
        longitude=-118.24,
        accessibility="Ramp at the side",
    )
    make_hours(service, 0, (9, 0), (17, 0))
    make_hours(service, 6, (22, 0), (2, 0))
    return service


@pytest.fixture
def canaries(listing):
    """One of every hidden kind, each named CANARY-<kind>."""
    org = listing.organization
    make_location(
        org,
        services=[listing],
        name="CANARY-shelter",
        address_1="CANARY-street 99",
        postal_code="90013",
        transit="CANARY-transit",
        accessibility="CANARY-access",
        is_confidential=True,
        latitude=34.1111,
        longitude=-118.3333,
    )
    make_service(org, "CANARY-draft-service", status=Status.DRAFT)
    make_service(org, "CANARY-archived-service", status=Status.ARCHIVED)
    hidden = [
        make_organization("CANARY-draft-org", status=Status.DRAFT),
        make_organization("CANARY-review-org", status=Status.IN_REVIEW),
        make_organization("CANARY-partners-org", visibility=Visibility.PARTNERS),
    ]
    for hidden_org in hidden:
        service = make_service(hidden_org, f"{hidden_org.name} service")
        make_phone(service=service, number="(213) 555-9999")
        make_location(hidden_org, services=[service], address_1="CANARY-hidden-street")
    org.curator_notes = "CANARY-curator-note"
    org.save()
    return hidden


def test_the_package_has_the_official_descriptor_and_one_csv_per_table(listing, tmp_path, hsds_dir):
    files = _export(tmp_path)
    descriptor = json.loads(files["datapackage.json"])
    assert files["datapackage.json"] == (hsds_dir / "datapackage.json").read_bytes()
    assert sorted(files) == sorted(
        ["datapackage.json", *(r["path"] for r in descriptor["resources"])]
    )
    tables = _tables(files)
    assert [s["name"] for s in tables["services.csv"]] == ["Asylum clinic"]
    assert {(s["byday"], s["opens_at"], s["closes_at"]) for s in tables["schedules.csv"]} == {
        ("MO", "09:00", "17:00"),
        ("SU", "22:00", "02:00"),
    }
    assert [(a["address_1"], a["city"]) for a in tables["addresses.csv"]] == [
        ("1 Main St", "Los Angeles")
    ]
    assert {t["code"] for t in tables["taxonomy_terms.csv"]} == {"legal", "legal.asylum"}
    assert tables["programs.csv"] == []


def test_the_package_validates_against_the_official_table_schemas(listing, tmp_path, hsds_dir):
    files = _export(tmp_path)
    assert _package_errors(files, json.loads((hsds_dir / "datapackage.json").read_text())) == []


def test_the_package_leaves_out_every_hidden_listing_and_confidential_address(canaries, tmp_path):
    files = _export(tmp_path)
    text = b"\n".join(files.values()).decode()
    assert "CANARY" not in text
    assert "90013" not in text and "34.1111" not in text and "-118.3333" not in text
    hidden_ids = [str(o.id) for o in canaries] + [
        str(loc.id) for loc in Location.objects.filter(is_confidential=True)
    ]
    assert not [i for i in hidden_ids if i in text]
    assert "Asylum clinic" in text and "1 Main St" in text


def test_an_exported_package_round_trips_through_an_empty_database(listing, tmp_path):
    first = _export(tmp_path, "first.zip")
    Organization.objects.all().delete()
    TaxonomyTerm.objects.filter(parent__isnull=False).delete()
    TaxonomyTerm.objects.all().delete()
    report = import_package(io.BytesIO(_zip(first)), publish=True)
    assert report.errors == []
    assert not [f for f in report.rows if f.action == SKIPPED]
    second = _export(tmp_path, "second.zip")
    first, second = _without_last_modified(_tables(first)), _without_last_modified(_tables(second))
    for name in first:
        assert second[name] == first[name], name


def _zip(files):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buffer.getvalue()


def _without_last_modified(tables):
    for row in tables["services.csv"]:
        row.pop("last_modified")
    return tables


# ---------------------------------------------------------------- admin


def test_curators_export_a_package_and_import_one(admin_client, listing, sample_package):
    url = reverse("admin:directory_organization_export", args=["zip"])
    response = admin_client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.hsds.zip"')
    files = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert "services.csv" in files.namelist()

    archive = io.BytesIO(_zip({p.name: p.read_bytes() for p in sample_package.iterdir()}))
    archive.name = "sample.zip"
    import_url = reverse("admin:directory_organization_import")
    response = admin_client.post(import_url, {"file": archive})
    assert response.status_code == 200
    assert response.context["report"].errors == []
    page = response.content.decode()
    assert "contacts.csv" in page and "The directory stores nothing of this table." in page
    assert not Service.objects.filter(name="Community Counselling").exists()  # a preview
    response = admin_client.post(import_url, {"token": response.context["token"]})
    assert response.status_code == 302
    assert Service.objects.filter(name="Community Counselling").exists()


def test_a_datapackage_json_uploaded_alone_is_refused_in_the_admin(admin_client, hsds_dir):
    upload = io.BytesIO((hsds_dir / "datapackage.json").read_bytes())
    upload.name = "datapackage.json"
    response = admin_client.post(reverse("admin:directory_organization_import"), {"file": upload})
    assert response.status_code == 200
    assert "description of a data package" in response.context["report"].errors[0].message
    assert "token" not in response.context
    assert Organization.objects.count() == 0


# ---------------------------------------------------------------- the table schemas

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
URI = re.compile(r"^[a-z][a-z0-9+.-]*:\S+$", re.I)


def _typed(kind, value):
    """Whether a cell is a valid Table Schema value of this type."""
    try:
        if kind == "number":
            float(value)
        elif kind == "integer":
            int(value)
        elif kind == "date":
            date.fromisoformat(value)
        elif kind == "time":
            time.fromisoformat(value)
        elif kind == "datetime":
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        elif kind == "boolean":
            return value in ("true", "false")
    except ValueError:
        return False
    return True


def _package_errors(files, descriptor):
    """Frictionless Table Schema checks of a package: header, required, unique, enum, type,
    format, primary and foreign keys (the constraints datapackage.json uses)."""
    errors = []
    tables = {}
    for resource in descriptor["resources"]:
        name = resource["path"]
        reader = csv.reader(io.StringIO(files[name].decode()))
        header = next(reader)
        fields = resource["schema"]["fields"]
        if header != [f["name"] for f in fields]:
            errors.append((name, "header", header))
        tables[resource["name"]] = [dict(zip(header, row, strict=True)) for row in reader]
    for resource in descriptor["resources"]:
        rows = tables[resource["name"]]
        for field in resource["schema"]["fields"]:
            constraints = field.get("constraints", {})
            values = [row[field["name"]] for row in rows]
            for n, value in enumerate(values, start=2):
                where = (resource["path"], n, field["name"])
                if value == "":
                    if constraints.get("required"):
                        errors.append((*where, "required"))
                    continue
                if not _typed(field["type"], value):
                    errors.append((*where, f"not a {field['type']}: {value}"))
                if "enum" in constraints and value not in constraints["enum"]:
                    errors.append((*where, f"not in the enum: {value}"))
                pattern = {"uuid": UUID, "email": EMAIL, "uri": URI}.get(field.get("format"))
                if pattern and not pattern.match(value):
                    errors.append((*where, f"not a {field['format']}: {value}"))
            present = [v for v in values if v != ""]
            if constraints.get("unique") and len(present) != len(set(present)):
                errors.append((resource["path"], field["name"], "not unique"))
        key = resource["schema"].get("primaryKey")
        if key and len({row[key] for row in rows}) != len(rows):
            errors.append((resource["path"], key, "primary key repeated"))
        for foreign in resource["schema"].get("foreignKeys", []):
            target = foreign["reference"]
            known = {row[target["fields"]] for row in tables.get(target["resource"], [])}
            for n, row in enumerate(rows, start=2):
                value = row[foreign["fields"]]
                if value and value not in known:
                    errors.append((resource["path"], n, foreign["fields"], f"unknown {value}"))
    # Every id is a UUID (the schema's format), and none is invented twice.
    assert all(UUID.match(r["id"]) for rows in tables.values() for r in rows)
    uuid.UUID(tables["service"][0]["id"])
    return errors


@pytest.mark.parametrize(
    "folder",
    ["sample-datapackage-1.1/simple", "sample-datapackage-1.1/all_resources", "uk-profile-3.0/csv"],
)
def test_the_other_real_packages_import_or_are_refused_with_the_row_to_fix(
    hsds_real_dir, db, folder
):
    package = hsds_real_dir / folder
    report = import_package(package, dry_run=True)
    if report.errors:  # the UK profile's location has latitude 100, as the official sample
        assert all(re.match(r"^\w+\.csv row \d+ \(", e.row) for e in report.errors)
    assert {name: sorted(rows) for name, rows in _accounted(report).items()} == {
        name: rows
        for name, rows in _data_rows(package).items()
        if rows and name not in {n.file for n in report.files if n.note.startswith("Not read")}
    }
