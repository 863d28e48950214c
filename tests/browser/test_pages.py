"""Every public page type, in English and Spanish, on a phone and a desktop.

Each visit saves a full-page screenshot to test-artifacts/screenshots/ and
checks accessibility (axe-core, WCAG 2.1 AA), privacy (own origin only, no
cookie but the CSRF cookie on form pages, no storage), that no request is
wasted, and layout (no sideways scrolling, text zoom to 200%, targets of at
least 24 px and call buttons of 44 px).
"""

import pytest
from django.urls import reverse
from django.utils import translation

from tests.browser.checks import (
    assert_accessible,
    assert_fits_width,
    assert_leaves_no_trace,
    assert_no_wasted_request,
    assert_only_own_origin,
    assert_targets_large_enough,
    assert_text_zooms_to_200_percent,
    save_screenshot,
)
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.directory_data import RESULTS_QUERY

pytestmark = pytest.mark.browser

# Page type -> its address, given the test's directory.
PAGES = {
    "home": lambda directory: reverse("directory:home"),
    "results": lambda directory: reverse("directory:search") + RESULTS_QUERY,
    "empty-results": lambda directory: reverse("directory:search") + "?q=no+such+help+anywhere",
    "organization": lambda directory: directory.first.get_absolute_url(),
    "who-can-help": lambda directory: reverse("directory:who-can-help"),
    "if-agents-come": lambda directory: reverse("directory:if-agents-come"),
    "events": lambda directory: reverse("directory:events"),
    "event": lambda directory: directory.event.get_absolute_url(),
    "resources": lambda directory: reverse("directory:resources"),
    "resource": lambda directory: directory.resource.get_absolute_url(),
    "suggest": lambda directory: reverse("directory:suggest"),
    "report": lambda directory: reverse(
        "directory:organization-report", args=[directory.first.slug]
    ),
}
# Pages with a POST form, which need the CSRF cookie.
FORMS = {"suggest", "report"}


def page_url(name, directory, language):
    with translation.override(language):
        return PAGES[name](directory)


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("width", ["phone", "desktop"])
@pytest.mark.parametrize("name", PAGES)
def test_public_page(name, width, language, directory, open_context, live_server):
    viewport = PHONE if width == "phone" else DESKTOP
    context = open_context(viewport)
    page = context.new_page()

    response = page.goto(page_url(name, directory, language))

    assert response.status == 200
    assert page.locator("html").get_attribute("lang") == language
    save_screenshot(page, f"{name}-{width}-{language}")
    # Without a working viewport meta tag a phone lays the page out 980 px wide.
    assert page.evaluate("document.documentElement.clientWidth") <= viewport["width"]
    assert_accessible(page)
    assert_fits_width(page)
    assert_targets_large_enough(page)
    assert_text_zooms_to_200_percent(page)
    assert_only_own_origin(context, live_server.url)
    assert_no_wasted_request(context)
    assert_leaves_no_trace(context, page, form=name in FORMS)
