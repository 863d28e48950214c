"""Cache-Control: HTTP caches may keep anonymous public pages, and nothing else."""

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from directory.models import Visibility
from tests.factories import make_organization, make_service

pytestmark = pytest.mark.django_db

PUBLIC = "public, max-age=60, stale-while-revalidate=300"


@pytest.fixture
def organization():
    org = make_organization("Safe Harbor")
    make_service(org, "Court accompaniment")
    return org


@pytest.fixture
def partner_client(client):
    user = User.objects.create_user("refugio", password="correct-horse-battery")
    user.groups.add(Group.objects.get(name="Partners"))
    client.force_login(user)
    return client


def public_pages(org):
    return [
        "/",
        "/en/",
        "/es/",
        "/search/",
        "/search/?q=asylum",
        "/es/search/?q=asilo",
        "/search/sheet/",
        "/who-can-help/",
        org.get_absolute_url(),
        "/sitemap.xml",
        "/robots.txt",
    ]


def test_anonymous_public_pages_may_be_kept_by_shared_caches(client, organization):
    for url in public_pages(organization):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == PUBLIC, url
        assert not response.cookies, url


def test_they_vary_only_where_the_page_does(client, organization):
    # The language is in the address, and only an organization page shows a
    # partner more (its partners-only services) than an anonymous visitor.
    assert not client.get("/search/", headers={"accept-language": "es"}).has_header("Vary")
    # The bare / alone redirects by Accept-Language (tests/test_language_choice.py).
    assert client.get("/")["Vary"] == "Accept-Language"
    assert not client.get("/en/").has_header("Vary")
    assert client.get(organization.get_absolute_url())["Vary"] == "Cookie"


def test_a_signed_in_partner_gets_private_pages_at_the_same_addresses(partner_client, organization):
    for url in public_pages(organization):
        response = partner_client.get(url)
        assert response.status_code == 200, url
        assert "private" in response["Cache-Control"], url
        assert "public" not in response["Cache-Control"], url


def test_a_partners_only_page_is_never_stored(partner_client):
    secret = make_organization("Rapid Response Line", visibility=Visibility.PARTNERS)
    response = partner_client.get(secret.get_absolute_url())
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


def test_form_pages_are_never_public(client, organization):
    for url in ["/suggest/", reverse("directory:organization-report", args=[organization.slug])]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "csrftoken" in response.cookies, url
        assert "private" in response["Cache-Control"], url
        assert "public" not in response["Cache-Control"], url


class SetsACookie:
    """Stands for any future code that sets a cookie on a public page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.set_cookie("visitor", "their-own-value")
        return response


def test_a_response_that_sets_a_cookie_is_never_public(client, organization, settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, f"{__name__}.SetsACookie"]
    for url in public_pages(organization):
        response = client.get(url)
        assert response.cookies["visitor"].value == "their-own-value", url
        assert response["Cache-Control"] == "private", url


def test_admin_and_partner_sign_in_are_never_public(client):
    for url in ["/admin/login/", reverse("directory:partner-login"), "/admin/"]:
        response = client.get(url)
        assert "public" not in response.get("Cache-Control", ""), url


def test_exports_and_errors_are_left_out(client, organization):
    for url in ["/search/export.csv", "/o/no-such-organization/"]:
        response = client.get(url)
        assert "public" not in response.get("Cache-Control", ""), url
