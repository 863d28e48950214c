"""Duplicates: warned about while adding, listed in a report, merged by a publisher."""

import pytest
from django.urls import reverse
from django.utils.text import slugify

from directory.duplicates import duplicate_pairs, likely_duplicates, phone_digits, website_domain
from directory.models import Organization, OrganizationRedirect, Report, Service, Status
from tests.factories import make_location, make_organization, make_phone, make_service

pytestmark = pytest.mark.django_db

ADD = "/admin/directory/organization/add/"
CHANGELIST = "/admin/directory/organization/"


def _add_data(name, website="", city="", phone="", **overrides):
    data = {
        "name": name,
        "slug": slugify(name),
        "website": website,
        "email": "",
        "accredited_representatives_full": 0,
        "accredited_representatives_partial": 0,
        "attorneys_on_staff": 0,
        "status": Status.DRAFT,
        "visibility": "public",
    }
    for prefix in ("services", "locations", "phones", "translations"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    if city:
        data.update({"locations-TOTAL_FORMS": 1, "locations-0-city": city})
        data.update({"locations-0-state": "CA", "locations-0-country": "US"})
    if phone:
        data.update({"phones-TOTAL_FORMS": 1, "phones-0-number": phone, "phones-0-type": "voice"})
    data.update(overrides)
    return data


@pytest.fixture
def existing():
    org = make_organization(name="Centro Legal de la Raza", website="https://www.centrolegal.org/")
    make_location(org, city="Oakland")
    make_phone(organization=org, number="(510) 437-1554")
    return org


def test_helpers_normalise_domains_and_numbers():
    assert website_domain("https://www.Example.org/path") == "example.org"
    assert website_domain("example.org") == "example.org"
    assert phone_digits("+1 (510) 437-1554") == phone_digits("510.437.1554") == "5104371554"


@pytest.mark.parametrize(
    "fields,reason",
    [
        ({"website": "http://centrolegal.org/es/"}, "same website (centrolegal.org)"),
        ({"phone": "510-437-1554"}, "same phone number"),
        ({"city": "oakland"}, "similar name in Oakland"),
    ],
    ids=["domain", "phone", "name-and-city"],
)
def test_adding_a_likely_duplicate_shows_it_before_saving(curator_client, existing, fields, reason):
    r = curator_client.post(ADD, _add_data("Centro Legal de La Raza Inc.", **fields))
    page = r.content.decode()
    assert r.status_code == 200
    assert "This organization may already be listed" in page
    assert reason in page
    assert reverse("admin:directory_organization_change", args=[existing.pk]) in page
    assert 'value="Centro Legal de La Raza Inc."' in page  # nothing typed is lost
    assert Organization.objects.count() == 1


def test_a_similar_name_in_another_city_is_not_a_duplicate(existing):
    assert likely_duplicates("Centro Legal de la Raza", cities=["Fresno"]) == []


def test_save_anyway_saves(curator_client, existing):
    data = _add_data("Centro Legal de La Raza Inc.", city="Oakland", save_anyway="on")
    assert curator_client.post(ADD, data).status_code == 302
    assert Organization.objects.count() == 2


def test_a_distinct_organization_saves_without_a_warning(curator_client, existing):
    data = _add_data("Dolores Street Community Services", city="San Francisco")
    assert curator_client.post(ADD, data).status_code == 302


def test_the_report_lists_existing_pairs(curator_client, existing):
    twin = make_organization(name="Centro Legal de la Raza (Fruitvale)", status=Status.DRAFT)
    make_phone(organization=twin, number="510 437 1554")
    make_organization(name="Unrelated")
    pairs = duplicate_pairs()
    assert [(a.name, b.name) for a, b, _ in pairs] == [(existing.name, twin.name)]
    page = curator_client.get("/admin/directory/organization/duplicates/").content.decode()
    assert "Centro Legal de la Raza (Fruitvale)" in page and "same phone number" in page


def _merge(client, keep, drop, confirm=True):
    data = {"action": "merge", "_selected_action": [keep.pk, drop.pk]}
    if confirm:
        data.update(survivor=str(keep.pk), confirm="yes")
    return client.post(CHANGELIST, data)


def test_a_publisher_merges_two_organizations(publisher_client, client, existing):
    twin = make_organization(name="Centro Legal (old)", slug="centro-legal-old", email="a@b.org")
    service = make_service(twin, name="Asylum clinic")
    make_location(twin, city="Hayward")
    make_phone(organization=twin, number="(510) 555-0199")
    Report.objects.create(organization=twin, reason="moved")
    twin_id = twin.pk

    r = publisher_client.post(
        CHANGELIST, {"action": "merge", "_selected_action": [existing.pk, twin.pk]}
    )
    assert "Which organization stays?" in r.content.decode()  # a confirmation step first

    r = _merge(publisher_client, existing, twin)
    assert r.status_code == 302
    existing.refresh_from_db()
    assert not Organization.objects.filter(pk=twin_id).exists()
    assert Service.objects.get(pk=service.pk).organization == existing
    assert sorted(loc.city for loc in existing.locations.all()) == ["Hayward", "Oakland"]
    assert existing.phones.count() == 2 and existing.reports.count() == 1
    assert existing.email == "a@b.org"  # blank filled from the duplicate
    assert "merged “Centro Legal (old)”" in existing.curator_notes
    # History of both is kept: the duplicate's rows, and the service's move.
    assert Organization.history.filter(id=twin_id).first().history_type == "-"
    assert Service.history.filter(id=service.pk, organization_id=existing.pk).exists()
    # The old address redirects for good.
    assert OrganizationRedirect.objects.get().old_slug == "centro-legal-old"
    r = client.get("/o/centro-legal-old/")
    assert r.status_code == 301 and r["Location"] == existing.get_absolute_url()
    assert client.get("/es/o/centro-legal-old/").status_code == 301


def test_a_redirect_to_a_hidden_listing_is_404(client, existing):
    OrganizationRedirect.objects.create(old_slug="gone", organization=existing)
    Organization.objects.filter(pk=existing.pk).update(status=Status.ARCHIVED)
    assert client.get("/o/gone/").status_code == 404


def test_curators_cannot_merge(curator_client, existing):
    twin = make_organization(name="Twin")
    r = _merge(curator_client, existing, twin)
    assert Organization.objects.filter(pk=twin.pk).exists()
    assert r.status_code in (200, 302)
    actions = curator_client.get(CHANGELIST).context["action_form"].fields["action"].choices
    assert "merge" not in [name for name, _ in actions]


def test_merging_needs_exactly_two(publisher_client, existing):
    r = publisher_client.post(
        CHANGELIST, {"action": "merge", "_selected_action": [existing.pk]}, follow=True
    )
    assert "Select exactly two organizations to merge" in r.content.decode()
