"""Every public page type: privacy promises, organization page content, sitemap, robots."""

import json
import re
from datetime import date, timedelta

import pytest
from django.urls import reverse

from directory.models import PhoneType, Status
from tests.factories import (
    make_location,
    make_organization,
    make_phone,
    make_service,
)

pytestmark = pytest.mark.django_db
# Assets (stylesheets, scripts, images, frames) must come from our own host.
ASSET = re.compile(r'<(?:link|script|img|iframe|source|video|audio)\b[^>]*(?:src|href)="([^"]*)"')


@pytest.fixture
def organization():
    org = make_organization(
        "Safe Harbor",
        description="Sanctuary and accompaniment.",
        email="help@safeharbor.example.org",
        doj_recognized=True,
        attorneys_on_staff=1,
        last_verified_on=date.today(),
    )
    service = make_service(org, "Court accompaniment", languages=["es"])
    make_location(
        org,
        services=[service],
        name="Public office",
        address_1="100 Open St",
        postal_code="90033",
        latitude=34.0437,
        longitude=-118.2101,
    )
    make_location(
        org,
        name="Shelter",
        address_1="77 Hidden Lane",
        city="Pasadena",
        latitude=34.1555,
        longitude=-118.1333,
        is_confidential=True,
        transit="Gold Line, Lake station",
    )
    make_phone("(213) 555-0100", organization=org, type=PhoneType.HOTLINE, is_24_hours=True)
    make_phone("(213) 555-0199", organization=org, type=PhoneType.TEXT)
    return org


def public_urls(org):
    return [
        "/",
        "/es/",
        "/search/",
        "/search/?q=harbor&near=90033",
        "/es/search/?q=harbor",
        org.get_absolute_url(),
        f"/es{org.get_absolute_url()}",
        "/who-can-help/",
        "/sitemap.xml",
        "/robots.txt",
    ]


def test_public_pages_set_no_cookie_and_load_nothing_from_elsewhere(client, organization):
    for url in public_urls(organization):
        r = client.get(url)
        assert r.status_code == 200, url
        assert not r.cookies, url
        assert "Set-Cookie" not in r.headers, url
        assert r.headers["Referrer-Policy"] == "no-referrer", url
        for target in ASSET.findall(r.content.decode()):
            assert target.startswith("/"), (url, target)


def test_confidential_address_and_coordinates_never_appear(client, organization):
    for url in public_urls(organization):
        html = client.get(url).content.decode()
        assert "Hidden Lane" not in html, url
        assert "Shelter" not in html and "Lake station" not in html, url
        assert "34.1555" not in html and "118.1333" not in html, url


def test_organization_page_shows_what_people_need(client, organization):
    html = client.get(organization.get_absolute_url()).content.decode()
    assert "100 Open St" in html
    assert "Pasadena, CA" in html  # a confidential location still shows its city
    assert 'href="tel:+12135550100"' in html
    assert 'href="sms:+12135550199"' in html
    assert "https://www.openstreetmap.org/directions?to=34.0437,-118.2101" in html
    assert html.count("openstreetmap.org") == 1  # none for the confidential location
    assert "DOJ-recognized organization" in html
    assert "Court accompaniment" in html
    assert f"Last verified {date.today():%B %Y}" in html
    assert "may be out of date" not in html


def test_stale_listing_shows_a_warning(client, organization):
    organization.last_verified_on = date.today() - timedelta(days=400)
    organization.save()
    html = client.get(organization.get_absolute_url()).content.decode()
    assert "These details may be out of date" in html


def test_json_ld_has_public_fields_only(client, organization):
    html = client.get(organization.get_absolute_url()).content.decode()
    raw = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    data = json.loads(raw)
    assert data["name"] == "Safe Harbor"
    assert data["telephone"] == "(213) 555-0100"
    places = {place["address"]["addressLocality"]: place for place in data["location"]}
    assert places["Los Angeles"]["geo"]["latitude"] == 34.0437
    assert "geo" not in places["Pasadena"]
    assert "streetAddress" not in places["Pasadena"]["address"]
    assert "Hidden" not in raw


def test_json_ld_cannot_break_out_of_its_script(client):
    org = make_organization("Evil </script><script>alert(1)</script>")
    html = client.get(org.get_absolute_url()).content.decode()
    assert "</script><script>alert(1)" not in html


@pytest.mark.parametrize("status", [Status.DRAFT, Status.IN_REVIEW, Status.ARCHIVED])
def test_unpublished_listing_is_404_everywhere(client, status):
    org = make_organization("Gone org", status=status, slug="gone-org")
    assert client.get("/o/gone-org/").status_code == 404
    assert client.get("/es/o/gone-org/").status_code == 404
    assert "Gone org" not in client.get("/search/").content.decode()
    assert "gone-org" not in client.get("/sitemap.xml").content.decode()
    assert org.pk


def test_sitemap_lists_published_organizations_in_both_languages(client, organization):
    xml = client.get("/sitemap.xml").content.decode()
    assert f"/o/{organization.slug}/" in xml
    assert f"/es/o/{organization.slug}/" in xml


def test_robots_txt_points_to_the_sitemap(client):
    r = client.get("/robots.txt")
    assert r["Content-Type"].startswith("text/plain")
    assert "Sitemap: http://testserver/sitemap.xml" in r.content.decode()
    assert "Disallow: /admin/" in r.content.decode()


def test_home_lists_quick_paths_hotlines_and_the_notario_warning(client, organization):
    html = client.get("/").content.decode()
    assert 'href="/search/?category=legal&amp;fee=free"' in html
    assert "(213) 555-0100" in html  # a 24-hour hotline
    assert 'href="/who-can-help/"' in html
    assert "notario" in html.lower()


def test_language_switcher_links_to_the_same_page_and_query(client, organization):
    html = client.get("/search/?q=harbor").content.decode()
    assert 'href="/es/search/?q=harbor"' in html
    html = client.get(f"/es/o/{organization.slug}/").content.decode()
    assert f'href="/o/{organization.slug}/"' in html


def test_stylesheet_is_small_and_has_a_print_layout():
    from pathlib import Path

    css = (Path(__file__).resolve().parents[1] / "static" / "css" / "site.css").read_text()
    assert len(css.encode()) < 20_000
    assert "@media print" in css
    assert ":focus-visible" in css


def test_organization_page_query_count_does_not_grow_with_services(
    client, django_assert_max_num_queries
):
    org = make_organization("Busy org")
    for n in range(8):
        service = make_service(org, f"Service {n}", languages=["es", "vi"])
        make_phone(f"(213) 555-01{n:02}", service=service)
        make_location(org, services=[service])
    # 12, and one for its upcoming events (none here; with some, their languages
    # and cancelled dates add two, however many there are: tests/test_events.py).
    with django_assert_max_num_queries(13):
        assert client.get(org.get_absolute_url()).status_code == 200


def test_spanish_pages_are_in_spanish(client, organization):
    html = client.get(f"/es/o/{organization.slug}/").content.decode()
    assert '<html lang="es">' in html
    assert "Organización reconocida por el DOJ" in html
    assert "Servicios" in html and "Ubicaciones" in html
    html = client.get("/es/").content.decode()
    assert "Cuidado con el fraude de notarios" in html
    assert 'href="/es/search/?category=legal&amp;fee=free"' in html
    html = client.get("/es/who-can-help/").content.decode()
    assert "Los notarios no son abogados" in html


def test_only_pages_with_a_form_to_send_let_their_origin_through(client, organization):
    """Forms need `same-origin` (or browsers send `Origin: null` and CSRF fails)."""
    for url in ["/suggest/", reverse("directory:organization-report", args=[organization.slug])]:
        r = client.get(url)
        assert "csrfmiddlewaretoken" in r.content.decode()
        assert r.headers["Referrer-Policy"] == "same-origin", url
    assert client.get("/search/").headers["Referrer-Policy"] == "no-referrer"
    assert client.get("/admin/login/").headers["Referrer-Policy"] == "same-origin"
