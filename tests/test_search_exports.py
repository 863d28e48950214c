import csv
import io

import pytest
import vobject
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from directory.models import Status
from tests.factories import (
    make_hours,
    make_language,
    make_location,
    make_organization,
    make_phone,
    make_service,
    make_term,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Reverse URLs in English: a request to /es/ leaves Spanish active in the thread."""
    with translation.override("en"):
        yield


@pytest.fixture
def listings():
    legal = make_term("legal", "Legal help")
    food = make_term("food", "Food")
    make_language("es")
    clinic_org = make_organization("Centro Legal", email="c@example.org")
    clinic = make_service(clinic_org, "Free asylum clinic", terms=[legal], languages=["es"])
    make_phone(service=clinic, number="(213) 555-0100", type="hotline", is_24_hours=True)
    make_location(clinic_org, [clinic], address_1="1 Main St", postal_code="90012")
    make_hours(clinic, 0, (9, 0), (17, 0))
    make_hours(clinic, 1, (9, 0), (17, 0))
    shelter_org = make_organization("Refugio", curator_notes="NOTE-XYZ")
    shelter = make_service(shelter_org, "Safe beds", terms=[legal], fee="paid")
    make_location(
        shelter_org,
        [shelter],
        address_1="742 Hidden Way",
        postal_code="90099",
        is_confidential=True,
    )
    pantry = make_organization("Despensa")
    make_service(pantry, "Groceries", terms=[food])
    make_service(clinic_org, "Unpublished", terms=[legal], status=Status.DRAFT)
    return clinic


def _url(fmt, query=""):
    return reverse("directory:search-export", args=[fmt]) + query


def _body(r):
    return b"".join(r.streaming_content) if r.streaming else r.content


def test_csv_export_follows_the_search_filters(client, listings):
    r = client.get(_url("csv", "?category=legal"))
    assert r.status_code == 200
    assert r["Content-Type"] == "text/csv; charset=utf-8"
    assert r["Content-Disposition"].startswith('attachment; filename="directory-')
    assert not r.cookies
    rows = list(csv.DictReader(io.StringIO(_body(r).decode("utf-8-sig"))))
    assert sorted(row["service_name"] for row in rows) == ["Free asylum clinic", "Safe beds"]
    text = _body(r).decode()
    assert "Hidden Way" not in text and "90099" not in text
    assert "NOTE-XYZ" not in text and "Unpublished" not in text


def test_xlsx_and_vcard_exports(client, listings):
    r = client.get(_url("xlsx", "?category=food"))
    assert r.status_code == 200
    rows = list(load_workbook(io.BytesIO(_body(r))).active.iter_rows(values_only=True))
    assert [row[1] for row in rows[1:]] == ["Despensa"]
    r = client.get(_url("vcf"))
    assert r["Content-Type"] == "text/vcard; charset=utf-8"
    cards = list(vobject.readComponents(_body(r).decode()))
    assert sorted(c.fn.value for c in cards) == ["Centro Legal", "Despensa", "Refugio"]


def test_unknown_export_format_is_404(client, listings):
    assert client.get(_url("exe")).status_code == 404


def test_hsds_json_from_the_search(client, listings):
    import json

    r = client.get(_url("json", "?category=food"))
    assert [s["name"] for s in json.loads(_body(r))] == ["Groceries"]


def test_resource_sheet_groups_by_category(client, listings):
    r = client.get(reverse("directory:search-sheet") + "?category=legal")
    assert r.status_code == 200
    assert not r.cookies
    page = r.content.decode()
    assert "Where to get help" in page
    assert "Legal help" in page
    assert "Free asylum clinic" in page and "(213) 555-0100" in page
    assert "Mon–Tue 09:00–17:00" in page
    assert "FREE" in page
    assert "/o/" + listings.organization.slug + "/" in page
    assert "Groceries" not in page
    # The shelter shows its city, never its street.
    assert "Safe beds" in page and "Los Angeles, CA" in page
    assert "Hidden Way" not in page and "90099" not in page
    assert "/static/css/sheet." in page


def test_resource_sheet_is_translated(client, listings):
    r = client.get("/es" + reverse("directory:search-sheet") + "?category=legal")
    page = r.content.decode()
    assert "Dónde conseguir ayuda" in page
    assert "/es/o/" in page


def test_search_page_links_to_the_exports_with_its_query(client, listings):
    page = client.get(reverse("directory:search") + "?category=legal").content.decode()
    assert reverse("directory:search-sheet") + "?category=legal" in page
    assert _url("csv", "?category=legal") in page


def test_sheet_query_count_does_not_grow_with_results(
    client, listings, django_assert_max_num_queries
):
    for i in range(15):
        org = make_organization(f"Extra {i}")
        make_service(org, f"Extra service {i}", terms=[listings.taxonomy_terms.get()])
    with django_assert_max_num_queries(25):
        client.get(reverse("directory:search-sheet") + "?category=legal")


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "vcf", "json"])
def test_exports_follow_text_and_distance_searches(client, listings, fmt):
    r = client.get(_url(fmt, "?q=asylum&near=90012&radius=25&sort=distance"))
    assert r.status_code == 200
    body = _body(r)
    if fmt == "xlsx":
        body = repr(list(load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True)))
        body = body.encode()
    assert b"Centro Legal" in body or b"Free asylum clinic" in body
    assert b"Despensa" not in body


def test_service_changelist_links_to_export_all_matching(admin_client, listings):
    r = admin_client.get(reverse("admin:directory_service_changelist") + "?fee__exact=paid")
    assert r.status_code == 200
    link = reverse("admin:directory_service_export", args=["csv"]) + "?fee__exact=paid"
    assert link in r.content.decode()
    rows = list(csv.DictReader(io.StringIO(_body(admin_client.get(link)).decode("utf-8-sig"))))
    assert [row["service_name"] for row in rows] == ["Safe beds"]
