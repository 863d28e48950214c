"""Two curators editing one listing: the second save is refused, not merged silently."""

import pytest
from django.test import Client

from directory.models import Organization, Service
from tests.factories import make_organization, make_service, make_staff, verified_login
from tests.test_admin import _change_data, _change_url

pytestmark = pytest.mark.django_db


def _open(client, obj):
    """Load the change form, as a browser does, and return the version it carries."""
    form = client.get(_change_url(obj)).context["adminform"].form
    return form["loaded_version"].value()


def test_the_second_of_two_curators_is_refused_and_shown_the_current_values(curator_client):
    org = make_organization(name="Casa", email="old@example.org")
    other = Client()
    verified_login(other, make_staff("ana", "Curators"))

    mine, theirs = _open(curator_client, org), _open(other, org)
    assert mine == theirs == 1

    r = other.post(
        _change_url(org), _change_data(org, email="new@example.org", loaded_version=theirs)
    )
    assert r.status_code == 302

    r = curator_client.post(
        _change_url(org), _change_data(org, name="Casa Grande", loaded_version=mine)
    )
    page = r.content.decode()
    assert r.status_code == 200
    assert "Someone else saved this listing after you opened it" in page
    assert "new@example.org" in page  # their value, shown
    assert 'value="Casa Grande"' in page  # what I typed, kept
    org = Organization.objects.get(pk=org.pk)
    assert (org.name, org.email, org.version) == ("Casa", "new@example.org", 2)


def test_a_save_after_reopening_goes_through(curator_client):
    org = make_organization(name="Casa")
    Organization.objects.get(pk=org.pk).save()  # someone else saved meanwhile
    version = _open(curator_client, org)
    assert version == 2
    r = curator_client.post(
        _change_url(org), _change_data(org, name="Casa Grande", loaded_version=version)
    )
    assert r.status_code == 302
    org.refresh_from_db()
    assert (org.name, org.version) == ("Casa Grande", 3)


def test_services_are_locked_too(curator_client):
    service = make_service(name="Clinic")
    version = _open(curator_client, service)
    Service.objects.get(pk=service.pk).save()
    data = {
        "organization": service.organization_id,
        "name": "Clinic renamed",
        "fee": service.fee,
        "area_type": service.area_type,
        "status": service.status,
        "loaded_version": version,
    }
    for prefix in (
        "service_languages",
        "service_at_locations",
        "schedules",
        "closures",
        "phones",
        "translations",
    ):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    r = curator_client.post(_change_url(service), data)
    assert "Someone else saved this listing" in r.content.decode()
    service.refresh_from_db()
    assert service.name == "Clinic"


def test_saving_bumps_the_version():
    org = make_organization()
    assert org.version == 1
    org.save()
    org.save(update_fields=["name"])
    assert Organization.objects.get(pk=org.pk).version == 3
