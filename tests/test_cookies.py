"""Exactly what the site sets, as README, the footer and docs/privacy.md say."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.urls import reverse

from tests.factories import make_organization

pytestmark = pytest.mark.django_db


@pytest.fixture
def organization():
    return make_organization("Safe Harbor")


def test_pages_without_a_form_to_send_set_no_cookie(client, organization):
    for url in [
        "/",
        "/es/",
        "/search/?q=asylum",
        organization.get_absolute_url(),
        "/search/sheet/",
    ]:
        r = client.get(url)
        assert not r.cookies, url


def test_form_pages_set_only_the_csrf_cookie_until_the_browser_closes(client, organization):
    for url in [
        "/suggest/",
        "/es/suggest/",
        reverse("directory:organization-report", args=[organization.slug]),
        reverse("directory:partner-login"),
    ]:
        r = client.get(url)
        assert list(r.cookies) == [settings.CSRF_COOKIE_NAME], url
        cookie = r.cookies[settings.CSRF_COOKIE_NAME]
        # No Max-Age or Expires: a session cookie, gone when the browser closes.
        assert cookie["max-age"] == "" and cookie["expires"] == "", url
        assert cookie["httponly"] and cookie["samesite"] == "Lax", url


def test_a_partner_who_signs_in_gets_a_session_for_eight_hours_at_most(client):
    user = User.objects.create_user("refugio", password="correct-horse-battery")
    user.groups.add(Group.objects.get(name="Partners"))
    client.get(reverse("directory:partner-login"))
    r = client.post(
        reverse("directory:partner-login"),
        {"username": "refugio", "password": "correct-horse-battery"},
    )
    assert r.status_code == 302
    session = r.cookies[settings.SESSION_COOKIE_NAME]
    assert session["httponly"]
    # Gone when the browser closes, and refused by the server after 8 hours anyway.
    assert session["max-age"] == "" and session["expires"] == ""
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
