"""Partners-only listings: seen by signed-in partners, never by anyone else."""

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from directory.models import Organization, Service, Status, Visibility
from tests.factories import make_organization, make_service, make_staff, verified_login

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


@pytest.fixture
def partner(db):
    user = User.objects.create_user("refugio", password=PASSWORD)
    user.groups.add(Group.objects.get(name="Partners"))
    return user


@pytest.fixture
def secret():
    org = make_organization(name="Rapid Response Line", visibility=Visibility.PARTNERS)
    make_service(org, name="Raid hotline")
    return org


def _public_urls(org):
    return [
        org.get_absolute_url(),
        f"/es{org.get_absolute_url()}",
        reverse("directory:organization-report", args=[org.slug]),
        reverse("directory:report-thanks", args=[org.slug]),
        reverse("directory:partner-listings"),
    ]


def test_anonymous_visitors_never_see_a_partners_only_listing(client, secret):
    for url in _public_urls(secret):
        r = client.get(url)
        assert r.status_code == 404, url
        assert "Rapid Response Line" not in r.content.decode()
    assert "Rapid Response Line" not in client.get("/").content.decode()


def test_public_querysets_leave_them_out(secret, partner):
    open_org = make_organization()
    assert list(Organization.objects.public()) == [open_org]
    assert not Service.objects.public().filter(organization=secret).exists()
    assert secret in Organization.objects.visible_to(partner)
    assert Service.objects.visible_to(partner).filter(organization=secret).exists()


def test_signed_in_users_who_are_not_partners_do_not_see_them(client, secret):
    other = User.objects.create_user("someone", password=PASSWORD)
    client.force_login(other)
    assert client.get(secret.get_absolute_url()).status_code == 404
    staff = make_staff("carla", "Curators")
    verified_login(client, staff)
    assert client.get(secret.get_absolute_url()).status_code == 404


def test_a_partner_signs_in_and_sees_them(client, secret, partner):
    page = client.get(reverse("directory:partner-login")).content.decode()
    assert "Partner sign-in" in page
    r = client.post(
        reverse("directory:partner-login"), {"username": "refugio", "password": PASSWORD}
    )
    assert r.status_code == 302 and r["Location"] == reverse("directory:partner-listings")
    listing = client.get(r["Location"]).content.decode()
    assert "Rapid Response Line" in listing
    r = client.get(secret.get_absolute_url())
    assert r.status_code == 200
    assert "no-store" in r["Cache-Control"] and "private" in r["Cache-Control"]
    r = client.post(reverse("directory:partner-logout"))
    assert client.get(secret.get_absolute_url()).status_code == 404


def test_partners_only_drafts_stay_hidden_from_partners(client, partner):
    draft = make_organization(status=Status.DRAFT, visibility=Visibility.PARTNERS)
    client.force_login(partner)
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_a_wrong_partner_password_is_a_clear_message(client, partner):
    r = client.post(reverse("directory:partner-login"), {"username": "refugio", "password": "x"})
    assert r.status_code == 200
    assert "correct username and password" in r.content.decode()


def test_visibility_is_a_database_invariant(db):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        make_organization(visibility="anyone")


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "partner"])
def test_they_never_reach_search_exports_or_the_sitemap(
    client, secret, partner, signed_in, tmp_path
):
    from django.core.management import call_command

    make_service(make_organization(name="Open Door Clinic"), name="Raid hotline")
    if signed_in:
        client.force_login(partner)
    pages = [
        reverse("directory:search") + "?q=raid",
        reverse("directory:search-sheet") + "?q=raid",
        "/sitemap.xml",
        *(
            reverse("directory:search-export", args=[fmt]) + "?q=raid"
            for fmt in ("csv", "vcf", "json")
        ),
    ]
    for url in pages:
        r = client.get(url)
        body = b"".join(r.streaming_content) if r.streaming else r.content
        assert r.status_code == 200, url
        assert b"Rapid Response Line" not in body, url
        assert b"Open Door Clinic" in body or url == "/sitemap.xml", url
    for fmt in ("csv", "hsds", "vcf"):
        out = tmp_path / f"export.{fmt}"
        call_command("export_listings", "--format", fmt, "-o", str(out), verbosity=0)
        text = out.read_text(encoding="utf-8-sig")
        assert "Rapid Response Line" not in text
        assert "Open Door Clinic" in text


def test_a_partners_only_page_prints_no_structured_data(client, secret, partner):
    client.force_login(partner)
    page = client.get(secret.get_absolute_url()).content.decode()
    assert "Rapid Response Line" in page
    assert "application/ld+json" not in page and ">None<" not in page


def test_choices_only_hidden_listings_offer_are_unknown(client, secret):
    from directory.models import DetentionFacility
    from tests.factories import make_language, make_term

    make_language("hi", "Hindi")
    make_service(make_organization(name="Open Door Clinic"), name="Intake", languages=["es"])
    facility = DetentionFacility.objects.create(name="Hidden Ridge", city="X", state="CA")
    hidden = make_service(secret, name="Raid desk", languages=["hi"], serves_detained=True)
    hidden.taxonomy_terms.set([make_term("raid-watch", "Raid watch")])
    hidden.detention_facilities.set([facility])
    for query in ("language=hi", "category=raid-watch", f"facility={facility.pk}", ""):
        page = client.get(f"/search/?{query}").content.decode()
        assert "Open Door Clinic" in page, query
        for word in ("Hindi", "Raid watch", "Hidden Ridge"):
            assert word not in page, (query, word)
