"""What the public pages put first: chips and "Filters (n)", result cards, listing actions, hotlines."""

import re
from datetime import date, timedelta
from html import unescape
from urllib.parse import parse_qsl, urlsplit

import pytest

from directory.models import AreaType, Fee, Language, PhoneType
from tests.factories import (
    make_hours,
    make_language,
    make_location,
    make_organization,
    make_phone,
    make_service,
    make_term,
)

pytestmark = pytest.mark.django_db

CHIP = re.compile(r'<a class="chip" href="([^"]*)">(.*?)</a>', re.DOTALL)
SUMMARY = re.compile(r'<summary class="search__filters-toggle">([^<]*)</summary>')


def _text(html):
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def chips(html):
    """[(visible and spoken text, the query the chip's link leaves)] in page order."""
    return [
        (_text(label), parse_qsl(urlsplit(unescape(href)).query))
        for href, label in CHIP.findall(html)
    ]


@pytest.fixture
def listings():
    legal = make_term("legal", "Legal help")
    asylum = make_term("legal.asylum", "Asylum", parent=legal)
    org = make_organization("Eastside Defense", kinds=["legal"], last_verified_on=date.today())
    service = make_service(
        org, "Asylum clinic", terms=[asylum], languages=["es", "ko"], fee=Fee.FREE
    )
    service.remote_by_phone = True
    service.save()
    make_location(org, services=[service], latitude=34.0437, longitude=-118.2101)
    return org


QUERY = [
    ("q", "asylum"),
    ("near", "90033"),
    ("category", "legal"),
    ("category", "legal.asylum"),
    ("language", "es"),
    ("language", "ko"),
    ("fee", "free"),
    ("remote", "true"),
    ("sort", "name"),
]


def test_each_chip_removes_exactly_its_filter_and_keeps_the_rest(client, listings):
    html = client.get("/search/", QUERY + [("page", "1")]).content.decode()
    found = chips(html)
    # One chip per filter value, in the query's order; not the words or the place
    # (they have their own fields). The filter's name is there for screen readers.
    assert [label for label, _query in found] == [
        "Type of help: Legal help × (remove)",
        "Type of help: Asylum × (remove)",
        "Language spoken: Spanish × (remove)",
        "Language spoken: Korean × (remove)",
        "Cost: Free only × (remove)",
        "Available by phone or video × (remove)",
    ]
    removed = [pair for pair in QUERY if pair[0] not in ("q", "near", "sort")]
    for (label, query), value in zip(found, removed, strict=True):
        # The page number goes; everything else but this one value stays, in order.
        assert query == [pair for pair in QUERY if pair != value], label
        after = [chip for chip, _q in chips(client.get("/search/", query).content.decode())]
        assert after == [chip for chip, _q in found if chip != label]


def test_the_filters_wait_closed_behind_a_control_that_counts_them(client, listings):
    html = client.get("/search/", QUERY).content.decode()
    assert SUMMARY.findall(html) == ["Filters (6)"]
    # Closed even with filters in use: the results come first on a phone.
    assert re.search(r"<details[^>]*\bopen\b", html) is None
    assert SUMMARY.findall(client.get("/search/?q=asylum&near=90033").content.decode()) == [
        "Filters (0)"
    ]
    assert SUMMARY.findall(client.get("/es/search/?fee=free").content.decode()) == ["Filtros (1)"]
    # "Open now" sits beside the Search button, and is counted and shown as a chip too.
    html = client.get("/search/?open_now=true").content.decode()
    assert SUMMARY.findall(html) == ["Filters (1)"]
    assert [label for label, _q in chips(html)] == ["Open now × (remove)"]
    assert html.count('name="open_now"') == 1


def test_the_results_count_is_a_live_region_and_not_a_heading(client, listings):
    html = client.get("/search/?fee=free").content.decode()
    assert re.search(r"<h\d[^>]*role=", html) is None
    assert '<p class="results__count" role="status">1 organization found</p>' in html
    assert '<h2 id="results-heading" class="visually-hidden">Results</h2>' in html


def _card(client, query=""):
    html = client.get(f"/search/?{query}").content.decode()
    cards = re.findall(r'<article class="result">.*?</article>', html, re.DOTALL)
    assert len(cards) == 1, html
    return cards[0]


def test_a_result_card_says_what_it_is_when_and_how_much_in_plain_words(client, listings):
    listings.attorneys_on_staff = 2
    listings.accredited_representatives_full = 1
    listings.doj_recognized = True
    listings.save()
    make_phone("(213) 555-0101", organization=listings, type=PhoneType.FAX)
    make_phone("(213) 555-0102", organization=listings, type=PhoneType.VOICE)
    make_hours(listings.services.get(), date.today().weekday(), (0, 0), (23, 59))
    Language.objects.filter(code="ko").update(native_name="한국어")
    card = _card(client, "near=90033")
    text = _text(card)
    assert text.startswith("Eastside Defense Legal services provider Los Angeles, CA 0.4 mi away")
    # Languages in their own names when known: how their speakers look for them.
    assert "Open 24 hours" not in text and "Open now, until" in text
    assert "Free 한국어, Spanish" in text
    assert "Free lawyers (attorneys)" in text
    assert "Accredited representative: not a lawyer, allowed by the Department of Justice" in text
    assert "Recognized by the Department of Justice (DOJ) to give immigration legal help" in text
    assert "out of date" not in text
    # One large call button, for the voice line and never the fax.
    assert re.findall(r'<a class="call" href="([^"]*)">', card) == ["tel:+12135550102"]
    assert "555-0101" not in card
    spanish = _text(
        re.search(
            r'<article class="result">.*?</article>',
            client.get("/es/search/?near=90033").content.decode(),
            re.DOTALL,
        ).group(0)
    )
    assert "Abogados gratuitos" in spanish and "Llamar al (213) 555-0102" in spanish


def test_a_stale_result_says_so_and_lawyers_are_free_only_when_the_help_is(client, listings):
    listings.last_verified_on = date.today() - timedelta(days=400)
    listings.attorneys_on_staff = 1
    listings.save()
    make_service(listings, "Paid consultations", fee=Fee.PAID)
    text = _text(_card(client))
    assert "These details may be out of date. Call before you go." in text
    assert "Lawyers (attorneys)" in text and "Free lawyers" not in text
    # The cheapest of the matching services is the fee shown.
    assert " Free " in f" {text} "
    assert "Free lawyers (attorneys)" in _text(_card(client, "fee=free"))


def test_an_expired_recognition_is_not_shown_as_current_on_a_card(client, listings):
    listings.doj_recognized = True
    listings.doj_recognition_expires_on = date.today() - timedelta(days=1)
    listings.save()
    assert "Recognized by the Department of Justice" not in _card(client)


def _page(client, org, prefix=""):
    return client.get(f"{prefix}{org.get_absolute_url()}").content.decode()


def test_a_listing_page_starts_with_call_text_directions_then_hours_and_what_to_bring(
    client, listings
):
    service = listings.services.get()
    service.required_documents = "Photo ID\nAny letters from immigration"
    service.save()
    make_hours(service, 0, (9, 0), (17, 0))
    make_phone("(213) 555-0199", organization=listings, type=PhoneType.TEXT)
    make_phone("(213) 555-0188", service=service, type=PhoneType.HOTLINE, is_24_hours=True)
    make_phone("(213) 555-0177", organization=listings, type=PhoneType.VOICE)
    listings.description = "We defend people facing deportation."
    listings.save()
    html = _page(client, listings)
    html = html[html.index("<main") :]  # not the JSON-LD in the head
    order = [
        '<a class="call" href="tel:+12135550188">',  # the 24-hour hotline first
        '<a class="action" href="sms:+12135550199">',
        "https://www.openstreetmap.org/directions?to=34.0437,-118.2101",
        '<address class="listing-actions__address">',
        "Hours and what to bring",
        "Photo ID",
        "We defend people facing deportation.",
        '<h2 id="contact-heading">',
        '<h2 id="services-heading">',
    ]
    positions = [html.index(marker) for marker in order]
    assert positions == sorted(positions)
    # The directions link is not repeated for the same place further down.
    assert html.count("openstreetmap.org") == 1
    assert "Hotline · 24 hours" in _text(html)
    spanish = _text(_page(client, listings, "/es"))
    assert "Horario y qué llevar" in spanish and "Cómo llegar" in spanish


def test_a_confidential_place_gets_no_directions_and_shows_only_its_city(client):
    org = make_organization("Quiet Shelter")
    make_location(
        org,
        address_1="12 Hidden Lane",
        city="Pasadena",
        latitude=34.15,
        longitude=-118.13,
        is_confidential=True,
    )
    make_phone("(626) 555-0100", organization=org)
    html = _page(client, org)
    assert '<address class="listing-actions__address">Pasadena, CA</address>' in html
    assert "openstreetmap" not in html and "Hidden Lane" not in html and "34.15" not in html


def test_the_stylesheet_prints_the_essentials_and_no_navigation_or_forms():
    from pathlib import Path

    css = (Path(__file__).resolve().parents[1] / "static" / "css" / "site.css").read_text()
    printed = css[css.index("@media print") :]
    hidden = printed[: printed.index("{")] + printed[printed.index("{") : printed.index("}")]
    for selector in (".site-header nav", ".site-footer", "form", ".search", ".report-link"):
        assert selector in hidden
    for kept in (".call", "address", ".schedule", ".visit"):
        assert kept not in hidden


def _hotline_areas(client, prefix=""):
    html = client.get(f"{prefix}/").content.decode()
    items = re.findall(r'<li class="hotline">(.*?)</li>', html, re.DOTALL)
    out = {}
    for item in items:
        area = re.search(r'<p class="hotline__area" id="([^"]+)">(.*?)</p>', item, re.DOTALL)
        link = re.search(r'<a class="call" href="([^"]+)" aria-describedby="([^"]+)">', item)
        assert link.group(2) == area.group(1)  # the call link is described by its area
        out[link.group(1)] = _text(area.group(2))
    return out


def test_each_24_hour_line_on_the_home_page_says_which_area_it_serves(client):
    la = make_organization("LA Rapid Response")
    la_line = make_service(la, "Hotline", area_names="Los Angeles County")
    make_location(la, services=[la_line])
    make_phone("(323) 555-0105", service=la_line, type=PhoneType.HOTLINE, is_24_hours=True)
    chicago = make_organization("Lakeside Rapid Response")
    line = make_service(chicago, "Hotline", area_names="Cook County; DuPage County")
    make_location(chicago, city="Chicago", state="IL")
    make_phone("(773) 555-0101", service=line, type=PhoneType.HOTLINE, is_24_hours=True)
    shelter = make_organization("Shelter Intake")
    make_service(shelter, "Beds", area_names="Orange County")
    make_location(shelter, city="Santa Ana", is_confidential=True, address_1="1 Secret Rd")
    make_phone("(714) 555-0110", organization=shelter, type=PhoneType.HOTLINE, is_24_hours=True)
    national = make_organization("National Line")
    everywhere = make_service(national, "Hotline", area_type=AreaType.NATIONWIDE)
    make_phone("(800) 555-0199", service=everywhere, type=PhoneType.TEXT, is_24_hours=True)
    unknown = make_organization("Somewhere Line")
    make_phone("(999) 555-0100", organization=unknown, is_24_hours=True)
    assert _hotline_areas(client) == {
        "tel:+13235550105": "Los Angeles County · Los Angeles, CA",
        "tel:+17735550101": "Cook County, DuPage County · Chicago, IL",
        "tel:+17145550110": "Orange County · Santa Ana, CA",
        "sms:+18005550199": "Nationwide",
        "tel:+19995550100": "Area not stated",
    }
    spanish = _hotline_areas(client, "/es")
    assert spanish["sms:+18005550199"] == "Todo el país"
    assert spanish["tel:+19995550100"] == "Zona no indicada"
    assert "Secret Rd" not in client.get("/").content.decode()


def test_home_hotlines_take_three_queries(client, django_assert_num_queries):
    org = make_organization("LA Rapid Response")
    make_phone("(323) 555-0105", organization=org, type=PhoneType.HOTLINE, is_24_hours=True)
    make_language("es")
    from directory.hotlines import twenty_four_hour_lines

    with django_assert_num_queries(3):
        assert [phone.number for phone in twenty_four_hour_lines()] == ["(323) 555-0105"]


def test_a_card_shows_the_best_hours_of_its_matching_services(client, listings):
    make_hours(listings.services.get(), (date.today().weekday() + 2) % 7, (9, 0), (10, 0))
    assert "Closed now. Opens" in _text(_card(client))
    make_service(listings, "Hotline", open_24_7=True)
    text = _text(_card(client))
    assert "Open 24 hours" in text and "Closed now" not in text
