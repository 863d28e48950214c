import csv
import io
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from directory.exports import PUBLIC_HEADER
from directory.models import Organization, Service, Status
from tests.factories import make_location, make_organization, make_service

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Reverse URLs in English: a request to /es/ leaves Spanish active in the thread."""
    with translation.override("en"):
        yield


CHANGELIST = "admin:directory_organization_changelist"


def _rows(response):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.fixture
def faith(curator):
    """Faith communities in and out of LA County, with and without email and verification."""
    today = date.today()
    wanted = make_organization(
        "Iglesia San José", kinds=["faith"], email="sj@example.org", status=Status.DRAFT
    )
    wanted.last_verified_on, wanted.verified_by, wanted.curator_notes = (
        today,
        curator,
        "call Tuesdays",
    )
    wanted.save()
    hotline = make_service(wanted, "Sanctuary hotline", status=Status.DRAFT)
    make_location(
        wanted, [hotline], county="Los Angeles", address_1="1 Church St", is_confidential=True
    )
    old = make_organization(
        "Old Temple",
        kinds=["faith"],
        email="t@example.org",
        last_verified_on=today - timedelta(days=400),
    )
    make_location(old, county="Los Angeles")
    no_email = make_organization("Quiet Mosque", kinds=["faith"], email="", last_verified_on=today)
    make_location(no_email, county="Los Angeles")
    elsewhere = make_organization(
        "Orange Chapel", kinds=["faith"], email="o@example.org", last_verified_on=today
    )
    make_location(elsewhere, county="Orange")
    make_organization("Legal Aid", kinds=["legal"], email="l@example.org", last_verified_on=today)
    return wanted


def test_faith_communities_in_la_county_with_email_verified_this_year(curator_client, faith):
    query = f"?kinds__id__exact={faith.kinds.get().pk}&county=Los+Angeles&has_email=yes&verified_this_year=yes"
    r = curator_client.get(reverse(CHANGELIST) + query)
    assert r.status_code == 200
    assert "Export all matching (CSV)" in r.content.decode()
    assert list(r.context["cl"].queryset) == [faith]
    r = curator_client.get(reverse("admin:directory_organization_export", args=["csv"]) + query)
    assert r.status_code == 200
    assert r["Content-Disposition"].startswith('attachment; filename="curator-directory-')
    rows = _rows(r)
    assert [row["organization_name"] for row in rows] == ["Iglesia San José"]
    row = rows[0]
    assert row["organization_email"] == "sj@example.org"
    assert row["organization_status"] == "draft"
    assert row["organization_last_verified_on"] == date.today().isoformat()
    assert row["organization_verified_by"] == "carla"
    assert row["service_status"] == "draft"
    # Even for curators, no export carries notes or a confidential street.
    body = str(rows)
    assert "call Tuesdays" not in body and "1 Church St" not in body


def test_export_selected_action_as_excel(curator_client, faith):
    r = curator_client.post(
        reverse(CHANGELIST),
        {"action": "export_xlsx", "_selected_action": [str(faith.pk)]},
    )
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(r.streaming_content))).active
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0])[: len(PUBLIC_HEADER)] == PUBLIC_HEADER
    assert "organization_verified_by" in values[0]
    assert [v[1] for v in values[1:]] == ["Iglesia San José"]


def test_service_changelist_exports_selected_services_only(curator_client, faith):
    other = make_service(faith, "Food pantry", status=Status.DRAFT)
    r = curator_client.post(
        reverse("admin:directory_service_changelist"),
        {"action": "export_csv", "_selected_action": [str(other.pk)]},
    )
    assert [row["service_name"] for row in _rows(r)] == ["Food pantry"]


def test_export_hsds_action_writes_published_services(curator_client):
    org = make_organization("Published org")
    make_service(org, "Public service")
    make_service(org, "Draft service", status=Status.DRAFT)
    r = curator_client.post(
        reverse(CHANGELIST), {"action": "export_hsds", "_selected_action": [str(org.pk)]}
    )
    import json

    data = json.loads(b"".join(r.streaming_content))
    assert [s["name"] for s in data] == ["Public service"]


def _import_url():
    return reverse("admin:directory_organization_import")


def _csv(*names):
    lines = [",".join(PUBLIC_HEADER)]
    for name in names:
        lines.append(",".join(name if c == "organization_name" else "" for c in PUBLIC_HEADER))
    return ("\r\n".join(lines) + "\r\n").encode()


def test_import_preview_then_confirm(curator_client):
    upload = SimpleUploadedFile("orgs.csv", _csv("Nueva Esperanza", "Casa Amiga"))
    r = curator_client.post(_import_url(), {"file": upload})
    assert r.status_code == 200
    page = r.content.decode()
    assert "Preview of orgs.csv" in page and "Nueva Esperanza" in page
    assert "Publish the imported listings" not in page  # a curator cannot publish
    assert Organization.objects.count() == 0  # the preview wrote nothing
    token = r.context["token"]
    r = curator_client.post(_import_url(), {"token": token})
    assert r.status_code == 302
    assert sorted(Organization.objects.values_list("name", "status")) == [
        ("Casa Amiga", "draft"),
        ("Nueva Esperanza", "draft"),
    ]


def test_a_publisher_can_import_published(publisher_client):
    upload = SimpleUploadedFile(
        "orgs.csv", _csv("Nueva Esperanza").replace(b",,,,", b",,,https://n.example.org,", 1)
    )
    r = publisher_client.post(_import_url(), {"file": upload, "publish": "on"})
    assert r.context["report"].errors == []
    publisher_client.post(_import_url(), {"token": r.context["token"], "publish": "1"})
    assert Organization.objects.get().status == Status.PUBLISHED


def test_import_preview_lists_row_errors_and_writes_nothing(curator_client):
    bad = _csv("Good").decode() + ",".join(
        "Bad" if c == "organization_name" else "nope" if c == "organization_email" else ""
        for c in PUBLIC_HEADER
    )
    upload = SimpleUploadedFile("bad.csv", bad.encode())
    r = curator_client.post(_import_url(), {"file": upload})
    page = r.content.decode()
    assert "Nothing can be imported" in page
    assert "Row 3" in page and "organization_email" in page
    assert not r.context.get("token")
    assert Organization.objects.count() == 0


def test_a_forged_token_is_refused(curator_client):
    r = curator_client.post(_import_url(), {"token": "../../etc/passwd"})
    assert r.status_code == 404


def test_the_import_page_needs_the_add_permission(client, db):
    from django.contrib.auth.models import User

    user = User.objects.create_user("viewer", password="x-long-password", is_staff=True)
    client.force_login(user)
    assert client.get(_import_url()).status_code in (302, 403, 404)
    assert Service.objects.count() == 0
