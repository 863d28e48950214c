"""Every public page type in every other interface language, on a phone and a desktop.

English and Spanish get the full set of page checks in test_pages.py. Here each of the other
languages gets, for every page type at 360 and 1280 px: its `lang` and `dir`, text actually in
the language, the axe checks, no sideways scrolling, large enough targets and a screenshot
(test-artifacts/screenshots/); Arabic and Persian mirrored; and a results page under 60 KB.
One test per language, so the directory is built once for all its visits.
"""

import pytest
from django.conf import settings
from django.utils import translation

from tests.browser.checks import (
    assert_accessible,
    assert_fits_width,
    assert_only_own_origin,
    assert_targets_large_enough,
    save_screenshot,
)
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_page_weight import BUDGET, compressed_size
from tests.browser.test_pages import PAGES, page_url

pytestmark = pytest.mark.browser

LANGUAGES = [code for code, _name in settings.LANGUAGES if code not in ("en", "es")]


def _in_language(language, msgid):
    with translation.override(language):
        return translation.gettext(msgid)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_type_in_the_language(language, directory, open_context, live_server):
    right_to_left = language in settings.LANGUAGES_BIDI
    skip_link = _in_language(language, "Skip to main content")
    assert skip_link != "Skip to main content", "the catalogue is not compiled or not complete"
    for width, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        context = open_context(viewport)
        page = context.new_page()
        # The results page first, in a fresh context: its weight includes the stylesheet.
        for name in ["results", *[name for name in PAGES if name != "results"]]:
            response = page.goto(page_url(name, directory, language))
            assert response.status == 200, name
            html = page.locator("html")
            assert html.get_attribute("lang") == language, name
            assert html.get_attribute("dir") == ("rtl" if right_to_left else None), name
            assert page.locator(".skip-link").text_content().strip() == skip_link, name
            if name == "results" and width == "phone":
                total = sum(compressed_size(request) for request in context.requests)
                assert total < BUDGET, f"{language}: {total} bytes"
            save_screenshot(page, f"{name}-{width}-{language}")
            assert page.evaluate("document.documentElement.clientWidth") <= viewport["width"]
            assert_accessible(page)
            assert_fits_width(page)
            assert_targets_large_enough(page)
            if right_to_left:
                # Mirrored: the site's name starts at the right edge, the main text runs
                # from the right.
                brand = page.locator(".site-header a").first.bounding_box()
                assert brand["x"] + brand["width"] > viewport["width"] / 2, name
                direction = page.evaluate(
                    "getComputedStyle(document.querySelector('main')).direction"
                )
                assert direction == "rtl", name
        assert_only_own_origin(context, live_server.url)
