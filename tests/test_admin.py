import pytest
from django.contrib import admin
from django.urls import reverse

from directory.models import Organization, Service, Status
from tests.factories import make_location, make_organization, make_phone, make_service

pytestmark = pytest.mark.django_db


def _change_data(org, **overrides):
    """The POST body of the organization change form, as a browser sends it."""
    data = {
        "name": org.name,
        "slug": org.slug,
        "alternate_name": "",
        "description": org.description,
        "website": org.website,
        "email": org.email,
        "accredited_representatives_full": 0,
        "accredited_representatives_partial": 0,
        "attorneys_on_staff": 0,
        "status": org.status,
        "curator_notes": "",
        "visibility": org.visibility,
    }
    for prefix in ("services", "locations", "phones", "translations"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    data.update(overrides)
    return data


def _change_url(obj):
    return reverse(f"admin:directory_{obj._meta.model_name}_change", args=[obj.pk])


def test_a_curator_cannot_publish_through_the_change_form(curator_client):
    org = make_organization(status=Status.DRAFT)
    r = curator_client.post(_change_url(org), _change_data(org, status=Status.PUBLISHED))
    assert r.status_code == 200
    assert (
        "Only publishers can publish" in r.content.decode()
        or "Select a valid choice" in r.content.decode()
    )
    org.refresh_from_db()
    assert org.status == Status.DRAFT


def test_a_curator_cannot_archive_or_unpublish(curator_client):
    org = make_organization(status=Status.PUBLISHED)
    r = curator_client.post(_change_url(org), _change_data(org, status=Status.DRAFT))
    assert r.status_code == 200
    org.refresh_from_db()
    assert org.status == Status.PUBLISHED


def test_a_curator_can_edit_a_draft_and_send_it_for_review(curator_client):
    org = make_organization(status=Status.DRAFT)
    r = curator_client.post(
        _change_url(org), _change_data(org, name="New name", status=Status.IN_REVIEW)
    )
    assert r.status_code == 302
    org.refresh_from_db()
    assert (org.name, org.status) == ("New name", Status.IN_REVIEW)


def test_a_curator_is_only_offered_curator_statuses(curator_client):
    org = make_organization(status=Status.DRAFT)
    form = curator_client.get(_change_url(org)).context["adminform"].form
    assert {value for value, _ in form.fields["status"].choices} == {"draft", "review"}


def test_a_publisher_can_publish_through_the_change_form(publisher_client):
    org = make_organization(status=Status.DRAFT)
    r = publisher_client.post(_change_url(org), _change_data(org, status=Status.PUBLISHED))
    assert r.status_code == 302
    org.refresh_from_db()
    assert org.status == Status.PUBLISHED


def test_publishing_needs_a_way_to_reach_the_organization(publisher_client):
    org = make_organization(status=Status.DRAFT, website="", email="")
    r = publisher_client.post(_change_url(org), _change_data(org, status=Status.PUBLISHED))
    assert "needs at least one way to reach it" in r.content.decode()
    org.refresh_from_db()
    assert org.status == Status.DRAFT


def test_a_curator_cannot_publish_through_the_bulk_action(curator_client):
    org = make_organization(status=Status.DRAFT)
    url = reverse("admin:directory_organization_changelist")
    r = curator_client.post(url, {"action": "publish", "_selected_action": [org.pk]}, follow=True)
    assert r.status_code == 200
    org.refresh_from_db()
    assert org.status == Status.DRAFT
    actions = [name for name, _ in r.context["action_form"].fields["action"].choices]
    assert "publish" not in actions and "archive" not in actions


def test_a_curator_cannot_publish_a_service_inline_or_directly(curator_client):
    service = make_service(status=Status.DRAFT)
    url = reverse("admin:directory_service_changelist")
    curator_client.post(url, {"action": "publish", "_selected_action": [service.pk]})
    service.refresh_from_db()
    assert service.status == Status.DRAFT


def test_a_publisher_publishes_in_bulk_and_skips_unreachable(publisher_client):
    ready = make_organization(status=Status.DRAFT)
    unreachable = make_organization(status=Status.DRAFT, website="", email="")
    with_phone = make_organization(status=Status.DRAFT, website="", email="")
    make_phone(organization=with_phone)
    url = reverse("admin:directory_organization_changelist")
    r = publisher_client.post(
        url,
        {"action": "publish", "_selected_action": [ready.pk, unreachable.pk, with_phone.pk]},
        follow=True,
    )
    statuses = dict(Organization.objects.values_list("pk", "status"))
    assert statuses[ready.pk] == statuses[with_phone.pk] == Status.PUBLISHED
    assert statuses[unreachable.pk] == Status.DRAFT
    assert "1 listing was not published" in r.content.decode()


def test_mark_verified_records_who_and_when(curator_client, curator):
    service = make_service()
    url = reverse("admin:directory_service_changelist")
    curator_client.post(url, {"action": "mark_verified_today", "_selected_action": [service.pk]})
    service = Service.objects.get(pk=service.pk)
    assert service.verified_by == curator and service.last_verified_on is not None


def test_admin_search_finds_by_city_phone_email_and_website(curator_client):
    org = make_organization(
        name="Casa Esperanza", email="hola@casa.example.org", website="https://casa.example.org/"
    )
    make_location(org, city="Pomona")
    make_phone(organization=org, number="(909) 555-0142")
    other = make_organization(name="Elsewhere")
    url = reverse("admin:directory_organization_changelist")
    for term in ["Pomona", "555-0142", "hola@casa", "casa.example.org"]:
        names = [o.name for o in curator_client.get(url, {"q": term}).context["cl"].result_list]
        assert names == [org.name], term
    assert other.name not in names


def _admin_urls():
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label == "directory":
            yield model, model_admin


@pytest.mark.parametrize("model", [m for m, _ in _admin_urls()], ids=lambda m: m._meta.model_name)
def test_every_admin_page_renders_for_a_curator(curator_client, model):
    org = make_organization()
    service = make_service(org)
    location = make_location(org, services=[service])
    make_phone(organization=org)
    name = model._meta.model_name
    r = curator_client.get(reverse(f"admin:directory_{name}_changelist"))
    assert r.status_code == 200, name
    obj = model.objects.first()
    if model in (Organization, Service) or name == "location":
        assert curator_client.get(reverse(f"admin:directory_{name}_add")).status_code == 200
        obj = {"organization": org, "service": service, "location": location}[name]
    if obj is not None:
        r = curator_client.get(_change_url(obj))
        assert r.status_code == 200, name
