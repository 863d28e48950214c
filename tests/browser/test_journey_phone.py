"""Journeys 1 and 2: someone looking for help on a phone, with and without JavaScript.

From the home page they search for a free deportation-defense provider that
speaks Spanish near a ZIP code, narrow to "open now", open the first result,
find a phone link and the hours, switch the page to Spanish and print it.
The filters wait, closed, behind "Filters (n)" on every results page.
"""

import re

import pytest
from django.utils import translation

from tests.browser.checks import assert_leaves_no_trace, assert_only_own_origin, save_screenshot
from tests.browser.conftest import PHONE

pytestmark = pytest.mark.browser


def search_for_free_spanish_deportation_defense(page):
    """Do the visitor's search through the forms, tapping; return the result names."""
    page.goto("/")
    page.get_by_label("What do you need?").fill("deportation defense")
    page.get_by_label("Near (ZIP code or City, ST)").fill("90033")
    with page.expect_navigation():
        page.get_by_role("button", name="Search", exact=True).tap()

    filters = page.locator("details.search__filters")
    assert filters.get_attribute("open") is None
    filters.locator("summary").tap()
    page.get_by_role("checkbox", name=re.compile(r"^Spanish")).tap()
    page.get_by_role("radio", name=re.compile(r"^Free only")).tap()
    with page.expect_navigation():
        page.get_by_role("button", name="Apply filters").tap()
    assert page.locator("details.search__filters").get_attribute("open") is None

    # "Open now" sits beside the Search button, outside the filters.
    page.get_by_role("checkbox", name=re.compile(r"^Open now")).tap()
    with page.expect_navigation():
        page.get_by_role("button", name="Search", exact=True).tap()
    return page.locator(".results__list .result__name").all_inner_texts()


def _spanish(text):
    with translation.override("es"):
        spanish = translation.gettext(text)
    assert spanish != text, f"no Spanish for {text!r}"
    return spanish


def test_phone_journey(directory, open_context, live_server):
    context = open_context(PHONE)
    page = context.new_page()

    names = search_for_free_spanish_deportation_defense(page)

    expected = sorted(org.name for org in directory.matching)
    assert sorted(names) == expected
    assert page.url.count("open_now=true") == 1
    save_screenshot(page, "journey-phone-results")
    filters = page.locator(".search__filters")
    page.emulate_media(media="print")
    assert filters.is_hidden()
    assert page.locator(".results__list").is_visible()
    page.emulate_media(media="screen")

    page.locator(".results__list .result__name a").first.tap()
    assert page.locator("h1").inner_text() == directory.first.name == names[0]
    phone_link = page.locator('a[href^="tel:"]').first
    assert phone_link.get_attribute("href") == "tel:+12135550000"
    assert phone_link.is_visible()
    assert page.get_by_text(re.compile(r"^Open now")).first.is_visible()
    assert page.locator(".schedule").first.is_visible()

    page.get_by_role("link", name="Español").tap()
    page.wait_for_url(f"**/es{directory.first.get_absolute_url()}")
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.locator("h1").inner_text() == directory.first.name
    assert page.get_by_role("heading", name=_spanish("Contact")).is_visible()
    assert page.get_by_role("heading", name=_spanish("Services")).is_visible()
    assert page.locator('a[href^="tel:"]').first.is_visible()
    save_screenshot(page, "journey-phone-listing-es")

    page.emulate_media(media="print")
    save_screenshot(page, "journey-phone-listing-es-print")
    assert page.locator(".site-header__nav").is_hidden()
    assert page.locator(".language-switcher").is_hidden()
    assert page.locator('a[href^="tel:"]').first.is_visible()
    assert page.locator(".schedule").first.is_visible()
    assert page.locator("address").first.is_visible()

    assert_only_own_origin(context, live_server.url)
    assert_leaves_no_trace(context, page)


def test_the_same_search_without_javascript_gives_the_same_results(directory, open_context):
    with_js = open_context(PHONE).new_page()
    without_js = open_context(PHONE, java_script_enabled=False).new_page()

    names = search_for_free_spanish_deportation_defense(with_js)
    names_without_js = search_for_free_spanish_deportation_defense(without_js)

    assert names == names_without_js
    assert len(names) == len(directory.matching)
    assert with_js.url == without_js.url
    # The "use my location" button needs a script, so it stays hidden without one.
    assert with_js.get_by_role("button", name="Use my location").is_visible()
    assert without_js.get_by_role("button", name="Use my location").is_hidden()
