"""Event canaries: hidden events and a confidential place, walked on every public surface.

Each hidden event (partners-only, draft, in review, archived, of a
partners-only or a draft organization) carries words and a language nothing
public has; the public event at a confidential place carries its street
address, ZIP and coordinates, and curator notes. No public page, calendar,
feed, sitemap or CSV may show any of them, and a hidden event's own
addresses answer 404.
"""

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Group, User

from directory.models import Repeat, Status, Visibility
from tests.factories import make_event, make_location, make_organization

pytestmark = pytest.mark.django_db

HIDDEN = {
    # kind: (word, language code, event fields, organization fields)
    "partners": ("Zorblatt", "bn", {"visibility": Visibility.PARTNERS}, {}),
    "draft": ("Quibbleford", "am", {"status": Status.DRAFT}, {}),
    "in review": ("Wexmoorin", "so", {"status": Status.IN_REVIEW}, {}),
    "archived": ("Plonkhaven", "ur", {"status": Status.ARCHIVED}, {}),
    "partners organization": ("Fennimorph", "ne", {}, {"visibility": Visibility.PARTNERS}),
    "draft organization": ("Snarfwick", "ti", {}, {"status": Status.DRAFT}),
}
LANGUAGE_NAMES = {
    "bn": "Bengali",
    "am": "Amharic",
    "so": "Somali",
    "ur": "Urdu",
    "ne": "Nepali",
    "ti": "Tigrinya",
}
CONFIDENTIAL = {
    "name": "Glimmerhaus annex",
    "address_1": "913 Vexley Lane",
    "postal_code": "91199",
    "latitude": 34.18731,
    "longitude": -118.06197,
}
SECRETS = ["Glimmerhaus", "Vexley", "91199", "34.187", "118.06", "Gribblenote"]


@pytest.fixture
def world():
    public_org = make_organization(name="Open Door Center", slug="open-door")
    place = make_location(public_org, is_confidential=True, **CONFIDENTIAL)
    shown = make_event(
        public_org,
        title="Know your rights night",
        location=place,
        online=False,
        repeat=Repeat.WEEKLY,
        curator_notes="Gribblenote: the side door code",
        languages=["es"],
    )
    hidden = {}
    for kind, (word, code, event_fields, org_fields) in HIDDEN.items():
        org = public_org
        if org_fields:
            org = make_organization(name=f"{word} Org", slug=word.lower(), **org_fields)
        hidden[kind] = make_event(
            org,
            title=f"{word} clinic",
            description=f"The {word} way.",
            online_url=f"https://{word.lower()}.example/join",
            languages=[code],
            **event_fields,
        )
    return public_org, shown, hidden


def _words():
    words = [word for word, *_ in HIDDEN.values()]
    words += [LANGUAGE_NAMES[code] for _w, code, *_ in HIDDEN.values()]
    return words + SECRETS


def _body(response):
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def _public_surfaces(org, shown):
    today = date.today()
    week = (today + timedelta(days=7)).isoformat()
    return [
        "/",
        "/es/",
        "/events/",
        "/es/events/",
        f"/events/?start={today.isoformat()}&end={week}&free=on",
        "/events/?near=Pasadena%2C+CA&radius=10",  # the confidential place is in Pasadena
        "/events/?online=on",
        shown.get_absolute_url(),
        f"/es{shown.get_absolute_url()}",
        f"{shown.get_absolute_url()}event.ics",
        "/events/calendar.ics",
        "/events/calendar.ics?type=workshop",
        "/events/export.csv",
        org.get_absolute_url(),
        f"/o/{org.slug}/events.ics",
        "/sitemap.xml",
    ]


def test_no_public_surface_shows_a_hidden_event_or_the_confidential_place(client, world):
    org, shown, _hidden = world
    for url in _public_surfaces(org, shown):
        response = client.get(url)
        assert response.status_code == 200, url
        body = _body(response)
        leaked = [word for word in _words() if word.lower() in body.lower()]
        assert leaked == [], url


def test_the_public_event_is_there_with_only_its_city(client, world):
    org, shown, _hidden = world
    for url in ["/", "/events/", org.get_absolute_url(), "/events/calendar.ics", "/sitemap.xml"]:
        body = _body(client.get(url))
        assert "Know your rights night" in body or str(shown.pk) in body, url
    page = _body(client.get(shown.get_absolute_url()))
    assert "Los Angeles, CA" in page
    assert '"addressLocality": "Los Angeles"' in page and "streetAddress" not in page
    assert "GeoCoordinates" not in page


def test_hidden_events_answer_404(client, world):
    _org, _shown, hidden = world
    for kind, event in hidden.items():
        for url in (event.get_absolute_url(), f"{event.get_absolute_url()}event.ics"):
            assert client.get(url).status_code == 404, (kind, url)
    partners_org = hidden["partners organization"].organization
    assert client.get(f"/o/{partners_org.slug}/events.ics").status_code == 404


def test_a_partner_sees_partners_only_events_never_kept_by_a_cache(client, world):
    _org, _shown, hidden = world
    user = User.objects.create_user("pat", password="x")
    user.groups.add(Group.objects.get(name="Partners"))
    client.force_login(user)
    for kind in ("partners", "partners organization"):
        response = client.get(hidden[kind].get_absolute_url())
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
        assert "application/ld+json" not in response.content.decode()
    # Calendars to subscribe to stay public only, even for a partner.
    assert "Zorblatt" not in _body(client.get("/events/calendar.ics"))
    for kind in ("draft", "in review", "archived", "draft organization"):
        assert client.get(hidden[kind].get_absolute_url()).status_code == 404


def test_the_pages_are_the_same_once_the_hidden_events_are_gone(client, world):
    """No count, option or order gives a hidden event away."""
    org, shown, hidden = world
    urls = ["/events/", "/", org.get_absolute_url(), "/events/export.csv"]
    before = {url: _body(client.get(url)) for url in urls}
    for event in hidden.values():
        event.delete()
    after = {url: _body(client.get(url)) for url in urls}
    assert before == after


def test_the_partner_view_lists_partners_only_events(client, world):
    _org, shown, hidden = world
    user = User.objects.create_user("pat", password="x")
    user.groups.add(Group.objects.get(name="Partners"))
    client.force_login(user)
    html = client.get("/partners/").content.decode()
    assert "Zorblatt clinic" in html and "Fennimorph clinic" in html
    assert "Quibbleford" not in html and shown.title not in html
