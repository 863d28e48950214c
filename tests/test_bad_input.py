"""Bad input and faults: never a 500, never silent loss (issue 9, items 12-14, 16, 18).

Every input refuses control characters with a message naming the field (and
the row, for imports); every export writes any stored text; a file that
cannot be read is a clear error with nothing written; impossible
coordinates are errors; and a pending import lives in the database, not on
one server's disk.
"""

import csv
import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import Workbook, load_workbook

from directory import admin_io
from directory.exports import PUBLIC_HEADER
from directory.models import Location, Organization, PendingImport, Suggestion
from tests.factories import (
    make_location,
    make_organization,
    make_phone,
    make_service,
    make_staff,
    verified_login,
)
from tests.test_admin import _change_data, _change_url
from tests.test_submissions import _report, _suggestion

pytestmark = pytest.mark.django_db

IMPORT = "admin:directory_organization_import"
CHANGELIST = "admin:directory_organization_changelist"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _csv(*rows, header=PUBLIC_HEADER):
    """A CSV in our format: each row a dict of the columns to fill."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(c, "") for c in header])
    return out.getvalue().encode()


def _preview(client, name, data):
    return client.post(reverse(IMPORT), {"file": SimpleUploadedFile(name, data)})


def _command(tmp_path, name, data):
    """Run import_listings on the bytes; return what it printed on stderr and the error."""
    path = tmp_path / name
    path.write_bytes(data)
    stderr = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("import_listings", str(path), stdout=io.StringIO(), stderr=stderr)
    return stderr.getvalue() + str(exc.value)


def _hsds(organization=None, **service):
    return {
        "name": "Asylum clinic",
        "organization": {"name": "Centro Legal", **(organization or {})},
        **service,
    }


# ---------------------------------------------------------------- 12: control characters


@pytest.mark.parametrize(
    "char",
    ["\x07", "\x1b", "\x7f", "\x85"]
    + [
        # PostgreSQL cannot even be asked about a NUL: the original preview answered 500.
        "\x00"
    ],
)
def test_a_csv_with_a_control_character_is_refused_naming_row_and_column(curator_client, char):
    data = _csv(
        {"organization_name": "Centro Legal"},
        {"organization_name": "Casa", "organization_description": f"Ayuda{char}legal"},
    )
    r = _preview(curator_client, "orgs.csv", data)
    assert r.status_code == 200
    errors = [(e.row, e.column) for e in r.context["report"].errors]
    assert errors == [("Row 3", "organization_description")]
    page = r.content.decode()
    assert f"invisible control character (U+{ord(char):04X})" in page
    assert not r.context.get("token")
    assert Organization.objects.count() == 0


def test_the_command_refuses_a_nul_in_a_csv(tmp_path, db):
    data = _csv({"organization_name": "Centro\x00 Legal"})
    output = _command(tmp_path, "orgs.csv", data)
    assert "Row 2, organization_name: This text contains an invisible control character" in output
    assert "U+0000" in output
    assert Organization.objects.count() == 0


def test_hsds_text_with_a_control_character_is_refused_with_its_path(curator_client):
    payload = [_hsds({"description": "Ayuda\u0000legal"}, phones=[{"number": "555\u0007"}])]
    r = _preview(curator_client, "services.json", json.dumps(payload).encode())
    errors = {(e.row, e.column) for e in r.context["report"].errors}
    assert errors == {("Item 1", "organization.description"), ("Item 1", "phones[0].number")}
    assert Organization.objects.count() == 0


def test_a_lone_surrogate_in_hsds_is_refused(tmp_path, db):
    output = _command(tmp_path, "s.json", b'[{"name": "S\\ud800", "organization": {"name": "O"}}]')
    assert "Item 1, name: " in output and "U+D800" in output
    assert Organization.objects.count() == 0


def test_the_admin_change_form_refuses_a_control_character(admin_client):
    org = make_organization("Centro Legal")
    r = admin_client.post(_change_url(org), _change_data(org, name="Centro\x07 Legal"))
    assert r.status_code == 200
    assert "invisible control character (U+0007)" in r.content.decode()
    assert r.context["adminform"].form.errors["name"]
    org.refresh_from_db()
    assert org.name == "Centro Legal"


def test_the_admin_phone_inline_refuses_a_control_character(admin_client):
    org = make_organization("Centro Legal")
    data = _change_data(org)
    data.update(
        {
            "phones-TOTAL_FORMS": 1,
            "phones-0-number": "(213) 555\x1b-0100",
            "phones-0-extension": "",
            "phones-0-type": "voice",
            "phones-0-description": "",
        }
    )
    r = admin_client.post(_change_url(org), data)
    assert r.status_code == 200
    assert "invisible control character (U+001B)" in r.content.decode()
    assert not org.phones.exists()


def test_the_public_suggestion_form_refuses_a_control_character(client):
    r = client.post("/suggest/", _suggestion(description="Free\x08 asylum help"))
    assert r.status_code == 200
    assert r.context["form"].errors["description"] == [
        "This text contains an invisible control character (U+0008), which is not allowed. "
        "Remove it and try again."
    ]
    assert Suggestion.objects.count() == 0


def test_the_public_report_form_refuses_a_control_character(client):
    org = make_organization("Centro Legal")
    r = client.post(f"/o/{org.slug}/report/", _report(details="Wrong\x01 number"))
    assert r.status_code == 200
    assert "details" in r.context["form"].errors
    assert not org.reports.exists()


# Every C0 control a database can store (PostgreSQL refuses only NUL), DEL and C1.
STORED = "".join(chr(c) for c in [*range(1, 9), 11, 12, *range(14, 32), 127, 0x85, 0x9F])


@pytest.fixture
def stored_controls(db):
    """A public listing whose text was stored before the check (the ORM bypasses it)."""
    org = make_organization(
        f"Centro{STORED}Legal", email="centro@example.org", description=f"Ayuda{STORED}"
    )
    service = make_service(org, f"Asilo{STORED}", fee_note=f"gratis{STORED}")
    make_location(org, [service], name=f"Oficina{STORED}", address_1=f"1 Main{STORED} St")
    make_phone("555\x07\x1b\x7f0100", organization=org)  # a phone holds 30 characters
    if connection.vendor == "sqlite":  # PostgreSQL cannot store a NUL in text at all
        Organization.objects.filter(pk=org.pk).update(alternate_name="Nul\x00here")
    return org


def _body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def _assert_clean_table(fmt, body):
    if fmt == "xlsx":
        sheet = load_workbook(io.BytesIO(body)).active
        cells = [str(c.value or "") for row in sheet.iter_rows() for c in row]
    else:
        cells = [c for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))) for c in row]
    assert "CentroLegal" in cells and "Asilo" in cells and "1 Main St" in cells
    assert not any(ch in cell for cell in cells for ch in STORED + "\x00")


def test_every_public_export_writes_any_stored_text(client, stored_controls):
    bodies = {}
    for fmt in ("csv", "xlsx", "vcf", "json"):
        r = client.get(f"/search/export.{fmt}")
        assert r.status_code == 200
        bodies[fmt] = _body(r)
    _assert_clean_table("csv", bodies["csv"])
    _assert_clean_table("xlsx", bodies["xlsx"])
    vcard = bodies["vcf"].decode()
    assert "FN:CentroLegal\r\n" in vcard
    assert not any(ch in vcard for ch in STORED)
    # JSON escapes every control character, so it keeps the text as stored.
    assert json.loads(bodies["json"])[0]["organization"]["name"] == f"Centro{STORED}Legal"


def test_every_admin_export_writes_any_stored_text(curator_client, stored_controls):
    for fmt in ("csv", "xlsx", "json"):
        action = f"export_{'hsds' if fmt == 'json' else fmt}"
        selected = curator_client.post(
            reverse(CHANGELIST), {"action": action, "_selected_action": [str(stored_controls.pk)]}
        )
        matching = curator_client.get(reverse("admin:directory_organization_export", args=[fmt]))
        for r in (selected, matching):
            assert r.status_code == 200
            if fmt == "json":
                assert json.loads(_body(r))[0]["name"] == f"Asilo{STORED}"
            else:
                _assert_clean_table(fmt, _body(r))


# ---------------------------------------------------------------- 13: unreadable files


def test_a_csv_with_a_2_mb_cell_is_a_row_error(curator_client, tmp_path):
    data = _csv({"organization_name": "Centro"}, {"organization_name": "x" * 2_000_000})
    r = _preview(curator_client, "big.csv", data)
    assert r.status_code == 200
    assert [(e.row, e.message) for e in r.context["report"].errors] == [
        ("Row 3", "A cell is longer than 131,072 characters, the most a cell may hold.")
    ]
    assert not r.context.get("token")
    output = _command(tmp_path, "big.csv", data)
    assert "Row 3: A cell is longer than 131,072 characters" in output
    assert "Traceback" not in output
    assert Organization.objects.count() == 0


def test_deeply_nested_json_is_a_clear_error(curator_client, tmp_path):
    data = b"[" * 100_000 + b"]" * 100_000
    r = _preview(curator_client, "deep.json", data)
    assert r.status_code == 200
    assert "nested too deeply" in r.content.decode()
    assert "nested too deeply" in _command(tmp_path, "deep.json", data)
    assert Organization.objects.count() == 0


def test_json_nested_deep_inside_an_item_is_an_item_error(curator_client):
    deep = json.loads("[" * 500 + "]" * 500)
    payload = [_hsds(), _hsds({"name": "Otro"}, name=deep)]
    r = _preview(curator_client, "deep.json", json.dumps(payload).encode())
    assert [e.row for e in r.context["report"].errors] == ["Item 2"]
    assert "nested too deeply" in r.content.decode()
    assert Organization.objects.count() == 0


def test_a_json_number_of_5000_digits_is_an_item_error(curator_client, tmp_path):
    data = b'[{"name": "S", "organization": {"name": "O", "year_incorporated": %s}}]' % (
        b"9" * 5000
    )
    r = _preview(curator_client, "big.json", data)
    assert r.status_code == 200
    assert [(e.row, e.column, e.message) for e in r.context["report"].errors] == [
        (
            "Item 1",
            "organization.year_incorporated",
            "This number has 5000 digits: too long to be a value here.",
        )
    ]
    output = _command(tmp_path, "big.json", data)
    assert "Item 1, organization.year_incorporated: This number has 5000 digits" in output
    assert Organization.objects.count() == 0


@pytest.mark.parametrize(
    "payload",
    [
        [_hsds({"name": 5})],
        [_hsds(phones="(213) 555-0100")],
        [_hsds(languages=[1, 2])],
        [_hsds(service_at_locations=[{"location": {"addresses": [5], "name": "x"}}])],
        [_hsds({"locations": {"city": "Fresno"}})],
        [_hsds(attributes=["legal"])],
    ],
)
def test_json_that_does_not_follow_hsds_is_an_error_not_a_500(curator_client, payload):
    r = _preview(curator_client, "odd.json", json.dumps(payload).encode())
    assert r.status_code == 200
    assert r.context["report"].errors
    assert "Nothing can be imported" in r.content.decode()
    assert Organization.objects.count() == 0


def test_an_excel_file_with_a_broken_sheet_is_an_error_not_a_500(curator_client, tmp_path):
    workbook = Workbook()
    workbook.active.append(["organization_name"])
    workbook.active.append(["Centro"])
    good = io.BytesIO()
    workbook.save(good)
    broken = io.BytesIO()
    # A valid package whose sheet is cut short: openpyxl opens it, then fails reading rows.
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(broken, "w") as target:
        for entry in source.infolist():
            content = source.read(entry)
            if entry.filename == "xl/worksheets/sheet1.xml":
                content = content[: len(content) // 2]
            target.writestr(entry, content)
    data = broken.getvalue()
    r = _preview(curator_client, "broken.xlsx", data)
    assert r.status_code == 200
    assert "Nothing can be imported" in r.content.decode()
    assert "This is not a readable Excel (.xlsx) file." in _command(tmp_path, "broken.xlsx", data)


# ---------------------------------------------------------------- 14: impossible coordinates


@pytest.fixture
def located(db):
    org = make_organization("Centro Legal")
    service = make_service(org, "Asylum clinic")
    location = make_location(org, [service], name="Office", latitude=36.7, longitude=-119.8)
    return location


def _hsds_at(location, latitude):
    """The located listing as HSDS, with its location's latitude replaced by raw JSON."""
    service = location.services.get()
    item = _hsds(
        {"id": str(location.organization_id), "name": location.organization.name},
        id=str(service.pk),
        name=service.name,
        service_at_locations=[
            {
                "location": {
                    "id": str(location.pk),
                    "name": "Office",
                    "latitude": "LATITUDE",
                    "longitude": -119.8,
                    "addresses": [{"city": location.city, "state_province": location.state}],
                }
            }
        ],
    )
    return json.dumps([item]).replace('"LATITUDE"', latitude).encode()


@pytest.mark.parametrize(
    "latitude, message",
    [
        ("NaN", "The latitude must be a finite number, not “nan”."),
        ("1e400", "The latitude must be a finite number, not “inf”."),
        ("-Infinity", "The latitude must be a finite number, not “-inf”."),
        ("90.5", "The latitude must be between -90 and 90, not 90.5."),
        ('"north"', "Write the latitude as a number, not “north”."),
        ("true", "Write the latitude as a number, not “True”."),
    ],
)
def test_impossible_hsds_coordinates_are_errors_and_keep_the_stored_ones(
    curator_client, located, latitude, message
):
    r = _preview(curator_client, "services.json", _hsds_at(located, latitude))
    assert [(e.column, e.message) for e in r.context["report"].errors] == [
        ("service_at_locations[0].location.latitude", message)
    ]
    assert not r.context.get("token")
    located.refresh_from_db()
    assert (located.latitude, located.longitude) == (36.7, -119.8)


def test_the_command_refuses_nan_coordinates_and_writes_nothing(tmp_path, located):
    output = _command(tmp_path, "services.json", _hsds_at(located, "NaN"))
    assert "latitude: The latitude must be a finite number" in output
    assert "Nothing was imported" in output
    located.refresh_from_db()
    assert located.latitude == 36.7


@pytest.mark.parametrize("latitude", ["nan", "NaN"])
def test_nan_csv_coordinates_are_errors(curator_client, latitude):
    data = _csv(
        {
            "organization_name": "Centro",
            "city": "Fresno",
            "state": "CA",
            "latitude": latitude,
            "longitude": "-119.8",
        }
    )
    r = _preview(curator_client, "orgs.csv", data)
    assert [(e.row, e.column) for e in r.context["report"].errors] == [("Row 2", "latitude")]
    assert Location.objects.count() == 0


# ---------------------------------------------------------------- 16: duplicate headers


def test_a_csv_with_a_duplicate_header_is_refused(curator_client, tmp_path):
    header = [*PUBLIC_HEADER, "organization_name"]
    data = _csv({"organization_name": "Centro"}, header=header)
    r = _preview(curator_client, "dup.csv", data)
    assert [(e.row, e.column, e.message) for e in r.context["report"].errors] == [
        (
            "Header",
            "organization_name",
            "This column appears more than once. Keep only one of them.",
        )
    ]
    assert not r.context.get("token")
    assert "Header, organization_name: This column appears more than once" in _command(
        tmp_path, "dup.csv", data
    )
    assert Organization.objects.count() == 0


def test_an_excel_file_with_a_duplicate_header_is_refused(curator_client):
    workbook = Workbook()
    workbook.active.append(["organization_name", "city", "organization_name"])
    workbook.active.append(["Centro", "Fresno", "Casa"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    r = _preview(curator_client, "dup.xlsx", buffer.getvalue())
    assert [e.column for e in r.context["report"].errors] == ["organization_name"]
    assert Organization.objects.count() == 0


# ---------------------------------------------------------------- 18: pending imports


def _token(client, *names):
    data = _csv(*({"organization_name": n} for n in names))
    r = _preview(client, "orgs.csv", data)
    assert r.context["report"].errors == []
    return r.context["token"]


def test_a_preview_is_confirmed_by_another_app_server(curator_client, monkeypatch, tmp_path):
    # Each "server" has its own empty temporary folder.
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path / "server-1"))
    monkeypatch.setattr(admin_io, "UPLOAD_DIR", tmp_path / "server-1" / "uploads", raising=False)
    (tmp_path / "server-1").mkdir()
    token = _token(curator_client, "Nueva Esperanza")
    assert list((tmp_path / "server-1").iterdir()) == []  # nothing was left on this disk
    assert PendingImport.objects.get().file_name == "orgs.csv"
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path / "server-2"))
    monkeypatch.setattr(admin_io, "UPLOAD_DIR", tmp_path / "server-2" / "uploads", raising=False)
    (tmp_path / "server-2").mkdir()
    r = curator_client.post(reverse(IMPORT), {"token": token})
    assert r.status_code == 302
    assert Organization.objects.get().name == "Nueva Esperanza"
    assert PendingImport.objects.count() == 0  # deleted once confirmed


def test_a_confirm_sent_twice_imports_once(curator_client):
    token = _token(curator_client, "Nueva Esperanza")
    assert curator_client.post(reverse(IMPORT), {"token": token}).status_code == 302
    r = curator_client.post(reverse(IMPORT), {"token": token})
    assert r.status_code == 404
    assert "its preview has expired, was already confirmed" in r.content.decode()
    assert Organization.objects.count() == 1


def test_someone_elses_preview_cannot_be_confirmed(curator_client, client, db):
    token = _token(curator_client, "Nueva Esperanza")
    other = make_staff("otto", "Curators")
    verified_login(client, other)
    r = client.post(reverse(IMPORT), {"token": token})
    assert r.status_code == 404
    assert "made by someone else" in r.content.decode()
    assert Organization.objects.count() == 0
    assert PendingImport.objects.count() == 1  # still the uploader's to confirm


def test_an_expired_preview_is_refused_and_deleted(curator_client):
    token = _token(curator_client, "Nueva Esperanza")
    PendingImport.objects.update(created_at=timezone.now() - timedelta(days=1, minutes=1))
    r = curator_client.post(reverse(IMPORT), {"token": token})
    assert r.status_code == 404
    assert "expired" in r.content.decode()
    assert Organization.objects.count() == 0
    assert PendingImport.objects.count() == 0


def test_abandoned_previews_are_deleted_by_the_next_preview(curator_client):
    _token(curator_client, "Old")
    PendingImport.objects.update(created_at=timezone.now() - timedelta(days=2))
    _token(curator_client, "New")
    assert [bytes(p.data) for p in PendingImport.objects.all()] == [
        _csv({"organization_name": "New"})
    ]


def test_a_preview_with_errors_keeps_nothing(curator_client):
    r = _preview(curator_client, "dup.csv", _csv({"organization_name": "A\x07"}))
    assert r.context["report"].errors
    assert PendingImport.objects.count() == 0
