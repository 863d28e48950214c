"""Change history: who changed what and when, visible in the admin, restorable."""

import pytest
from django.urls import reverse

from directory.models import Location, Organization, Phone, Service
from tests.factories import make_location, make_organization, make_phone, make_service
from tests.test_admin import _change_data, _change_url

pytestmark = pytest.mark.django_db


def _history_url(obj):
    return reverse(f"admin:directory_{obj._meta.model_name}_history", args=[obj.pk])


def test_an_admin_edit_records_who_and_what(curator_client, curator):
    org = make_organization(name="Old name")
    r = curator_client.post(_change_url(org), _change_data(org, name="New name"))
    assert r.status_code == 302
    latest = org.history.first()
    assert (latest.name, latest.history_user, latest.history_type) == ("New name", curator, "~")
    page = curator_client.get(_history_url(org)).content.decode()
    assert "Old name" in page and "New name" in page and "carla" in page


def test_every_listing_table_keeps_history():
    org = make_organization()
    service = make_service(org)
    location = make_location(org)
    phone = make_phone(organization=org)
    for obj in (org, service, location, phone):
        obj.save()
    for model, obj in (
        (Organization, org),
        (Service, service),
        (Location, location),
        (Phone, phone),
    ):
        assert model.history.filter(id=obj.pk).count() == 2, model.__name__
    assert Phone.history.filter(id=phone.pk).first().number == phone.number


def test_bulk_actions_are_recorded_with_their_user(curator_client, curator):
    service = make_service()
    url = reverse("admin:directory_service_changelist")
    curator_client.post(url, {"action": "mark_verified_today", "_selected_action": [service.pk]})
    latest = service.history.first()
    assert latest.history_user == curator and latest.last_verified_on is not None


def test_an_earlier_version_can_be_restored(curator_client):
    org = make_organization(name="Right name", description="Right description")
    first = org.history.get()
    curator_client.post(_change_url(org), _change_data(org, name="Vandalised", description="Wrong"))
    org.refresh_from_db()
    assert org.name == "Vandalised"
    url = reverse("admin:directory_organization_simple_history", args=[org.pk, first.history_id])
    form = curator_client.get(url).context["adminform"].form
    assert form.initial["name"] == "Right name"
    data = _change_data(first.instance, loaded_version=form["loaded_version"].value())
    r = curator_client.post(url, data)
    assert r.status_code == 302
    org.refresh_from_db()
    assert (org.name, org.description) == ("Right name", "Right description")
    # The restore is itself a change in the history, and versions only go up.
    assert org.history.count() == 3 and org.version == 3


def test_history_pages_need_the_second_factor(client, curator):
    org = make_organization()
    client.force_login(curator)
    assert client.get(_history_url(org))["Location"].startswith("/admin/two-factor/")
