"""The printable resource sheet with upcoming events (?events=1): its organizations' public ones."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import translation

from directory.models import Status, Visibility
from tests.factories import (
    cancel,
    make_event,
    make_location,
    make_organization,
    make_phone,
    make_service,
    make_term,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def clinic():
    legal = make_term("legal", "Legal help")
    org = make_organization("Centro Legal")
    make_phone(organization=org)
    make_service(org, "Free asylum clinic", terms=[legal])
    shelter_place = make_location(
        org, city="Pasadena", address_1="742 Hidden Way", postal_code="91101", is_confidential=True
    )
    workshop = make_event(org, "Know your rights night")
    make_event(org, "Clinic at the shelter", location=shelter_place, is_free=True)
    make_event(org, "CANARY partners training", visibility=Visibility.PARTNERS)
    make_event(org, "CANARY draft forum", status=Status.DRAFT)
    make_event(org, "CANARY past forum", starts_on=date.today() - timedelta(days=3))
    other = make_organization("Despensa")
    make_service(other, "Groceries", terms=[make_term("food", "Food")])
    make_event(other, "CANARY not on the sheet")
    return workshop


def _sheet(client, query):
    r = client.get(reverse("directory:search-sheet") + query)
    assert r.status_code == 200
    return r.content.decode()


def test_the_sheet_lists_its_organizations_public_upcoming_events_when_asked(client, clinic):
    page = _sheet(client, "?category=legal&events=1")
    events = page.split("Upcoming events", 1)[1]
    assert "Know your rights night" in events and "Clinic at the shelter" in events
    assert "Pasadena, CA" in events and "Hidden Way" not in page and "91101" not in page
    assert clinic.get_absolute_url() in events
    assert "CANARY" not in page


def test_without_events_the_sheet_has_none(client, clinic):
    page = _sheet(client, "?category=legal")
    assert "Upcoming events" not in page and "Know your rights night" not in page


def test_a_cancelled_next_date_says_so(client, clinic):
    cancel(clinic, clinic.starts_on, "Moved")
    events = _sheet(client, "?category=legal&events=1").split("Upcoming events", 1)[1]
    night = events.split("Know your rights night", 1)[1].split("</li>", 1)[0]
    assert "Cancelled" in night


def test_the_search_page_offers_the_sheet_with_events(client, clinic):
    page = client.get(reverse("directory:search") + "?category=legal").content.decode()
    assert 'search/sheet/?category=legal&amp;events=1">Printable sheet with upcoming events' in page


def test_the_spanish_sheet_has_spanish_headings(client, clinic):
    r = client.get("/es" + reverse("directory:search-sheet") + "?category=legal&events=1")
    assert "Próximos eventos" in r.content.decode()
