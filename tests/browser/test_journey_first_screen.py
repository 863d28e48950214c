"""The help someone needs, on the first screen of a 360 x 740 phone, in English and Spanish.

- Free help against deportation near 90033, open now: from the home page, the
  first matching result, with its call button, is on the first screen after at
  most 3 taps and 1 typed word.
- A 24-hour rapid-response line: from the home page, 1 tap calls it, and its
  label says which area it serves.
- A listing's call, text and directions are on its first screen.
- On a wide screen, the filters are a sidebar beside the results.

Taps are counted as the test makes them. Typing a word into a field (putting the
cursor there included) is the typed word, counted apart.
"""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from directory.models import PhoneType
from tests.browser.checks import (
    Visitor,
    assert_on_first_screen,
    assert_only_own_origin,
    box_of,
    save_screenshot,
)
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.directory_data import RESULTS_QUERY
from tests.factories import (
    make_location,
    make_organization,
    make_phone,
    make_service,
    make_term,
)

pytestmark = pytest.mark.browser


def _(text):
    return translation.gettext(text)


@pytest.mark.parametrize("language", ["en", "es"])
def test_free_deportation_help_open_now_is_on_the_first_screen(
    language, directory, open_context, live_server
):
    context = open_context(PHONE)
    page = context.new_page()
    visitor = Visitor(page)
    prefix = "" if language == "en" else "/es"
    with translation.override(language):
        page.goto(f"{prefix}/")
        visitor.tap(page.get_by_role("link", name=_("Free legal help")), navigates=True)

        # The quick path's results start on the first screen, filters closed.
        first = page.locator(".results__list .result").first
        assert box_of(first)["y"] < PHONE["height"]
        filters = page.locator("details.search__filters")
        assert filters.get_attribute("open") is None
        assert filters.locator("summary").inner_text() == _("Filters (%(n)s)") % {"n": 2}

        visitor.type_word(page.get_by_label(_("Near (ZIP code or City, ST)")), "90033")
        visitor.tap(page.get_by_role("checkbox", name=re.compile(f"^{_('Open now')}")))
        visitor.tap(page.get_by_role("button", name=_("Search"), exact=True), navigates=True)
        save_screenshot(page, f"journey-first-screen-{language}")

        assert (visitor.taps, visitor.words) == (3, 1)
        for param in ("category=legal", "fee=free", "near=90033", "open_now=true"):
            assert param in page.url
        first = page.locator(".results__list .result").first
        call = first.locator("a.call")
        assert_on_first_screen(first.locator(".result__name"))
        assert_on_first_screen(call)
        assert call.is_visible()
        assert (call.get_attribute("href") or "").startswith("tel:+1213555")
        # It is one of the listings that fit: free, Spanish, deportation defense, open now.
        name = first.locator(".result__name").inner_text()
        assert name in {org.name for org in directory.matching}
        card = first.inner_text()
        assert _("Free") in card and "Español" in card
        assert re.search(f"^{_('Open now')}", first.locator(".hours--open").inner_text())
        # The filters still wait behind their control, which counts all three.
        assert filters.get_attribute("open") is None
        assert filters.locator("summary").inner_text() == _("Filters (%(n)s)") % {"n": 3}
    assert_only_own_origin(context, live_server.url)


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_listing_opens_with_call_text_and_directions_on_the_first_screen(
    language, directory, open_context
):
    make_phone("(213) 555-0999", organization=directory.first, type=PhoneType.TEXT)
    page = open_context(PHONE).new_page()
    with translation.override(language):
        page.goto(directory.first.get_absolute_url())
        actions = page.locator(".listing-actions")
        assert_on_first_screen(actions.locator('a[href="tel:+12135550000"]'))
        assert_on_first_screen(actions.locator('a[href="sms:+12135550999"]'))
        assert_on_first_screen(actions.get_by_role("link", name=_("Directions")))
        assert_on_first_screen(actions.locator("address"))
        # Hours and what to bring come next.
        hours = page.get_by_role("heading", name=_("Hours and what to bring"))
        assert box_of(hours)["y"] > box_of(actions)["y"]
    save_screenshot(page, f"journey-listing-top-{language}")


@pytest.fixture
def hotlines(transactional_db):
    """Two 24-hour rapid-response lines, one in Los Angeles and one in Chicago."""
    lines = {}
    for city, state, area, number in [
        ("Los Angeles", "CA", "Los Angeles County", "(323) 555-0105"),
        ("Chicago", "IL", "Cook County; DuPage County", "(773) 555-0101"),
    ]:
        org = make_organization(f"{city} Rapid Response Network")
        service = make_service(org, "24-hour rapid response hotline", area_names=area)
        make_location(org, services=[service], city=city, state=state)
        lines[city] = make_phone(
            number,
            service=service,
            type=PhoneType.HOTLINE,
            is_24_hours=True,
            description="Rapid response hotline, 24 hours",
        )
    return lines


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_rapid_response_quick_path_shows_a_line_to_call_on_the_first_screen(
    language, hotlines, open_context
):
    response = make_term("rapid-response", "Rapid response and hotlines")
    for phone in hotlines.values():
        phone.service.taxonomy_terms.set([response])
    page = open_context(PHONE).new_page()
    visitor = Visitor(page)
    with translation.override(language):
        page.goto("/" if language == "en" else "/es/")
        visitor.tap(page.get_by_role("link", name=_("Rapid-response hotlines")), navigates=True)
    assert "category=rapid-response" in page.url
    first = page.locator(".results__list .result").first
    assert_on_first_screen(first.locator(".result__name"))
    assert_on_first_screen(first.locator("a.call"))
    assert visitor.taps == 1


# What a tap on a link opened: the browser cannot place a call here, so the
# page notes the link a tap reached before the browser follows it.
_NOTE_OPENED = """() => document.addEventListener('click', event => {
  const link = event.target.closest('a');
  window.opened = link ? link.href : null;
}, true)"""


@pytest.mark.parametrize("language", ["en", "es"])
def test_one_tap_calls_the_24_hour_line_labelled_with_its_area(
    language, hotlines, open_context, live_server
):
    context = open_context(PHONE)
    page = context.new_page()
    visitor = Visitor(page)
    prefix = "" if language == "en" else "/es"
    page.goto(f"{prefix}/")
    page.evaluate(_NOTE_OPENED)

    with translation.override(language):
        section = page.get_by_role("region", name=_("24-hour hotlines"))
    line = section.locator(".hotline").filter(has_text="Los Angeles County")
    call = line.locator('a[href^="tel:"]')
    # The label tells a Los Angeles caller which line is theirs, and the Chicago
    # line says it is Chicago's; each call link is described by its own label.
    area = page.locator(f"#{call.get_attribute('aria-describedby')}")
    assert area.inner_text() == "Los Angeles County · Los Angeles, CA"
    chicago = section.locator(".hotline").filter(has_text="Chicago")
    assert chicago.locator(".hotline__area").inner_text() == (
        "Cook County, DuPage County · Chicago, IL"
    )
    assert "24" in line.inner_text()
    save_screenshot(page, f"journey-hotline-{language}")

    visitor.tap(call)

    assert visitor.taps == 1 and visitor.words == 0
    assert page.evaluate("window.opened") == "tel:+13235550105"
    assert_only_own_origin(context, live_server.url)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_on_a_wide_screen_the_filters_are_a_sidebar_beside_the_results(
    javascript, directory, open_context
):
    page = open_context(DESKTOP, java_script_enabled=javascript).new_page()
    page.goto(reverse("directory:search") + RESULTS_QUERY)

    filters = page.locator("details.search__filters")
    sidebar, results = box_of(filters), box_of(page.locator(".results"))
    assert sidebar["x"] + sidebar["width"] <= results["x"]
    assert abs(sidebar["y"] - results["y"]) < 20
    # filters.js opens them beside the results; without it they open on a click.
    if javascript:
        assert filters.get_attribute("open") is not None
        assert page.get_by_role("button", name="Apply filters").is_visible()
    else:
        assert filters.get_attribute("open") is None
        filters.locator("summary").click()
        assert page.get_by_role("button", name="Apply filters").is_visible()
    assert box_of(page.locator(".results__list .result").first)["y"] < DESKTOP["height"]
