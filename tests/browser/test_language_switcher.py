"""The language switcher on a phone: one row, even with twenty languages."""

import pytest

from tests.browser.checks import assert_fits_width, save_screenshot
from tests.browser.conftest import PHONE
from tests.test_language_choice import TWENTY

pytestmark = pytest.mark.browser


def test_twenty_languages_take_one_row_on_a_phone(open_context, settings, transactional_db):
    settings.LANGUAGES = TWENTY
    page = open_context(PHONE).new_page()
    page.goto("/search/?q=asilo")
    links = page.locator(".language-switcher li")
    assert links.count() == 20
    first, last = links.first.bounding_box(), links.last.bounding_box()
    assert abs(first["y"] - last["y"]) < 1, "the languages wrap onto a second row"
    assert_fits_width(page)
    save_screenshot(page, "language-switcher-twenty-phone")
    # By keyboard, the last language scrolls into view when it has focus.
    ukrainian = page.get_by_role("link", name="Українська")
    ukrainian.focus()
    box = ukrainian.bounding_box()
    assert 0 <= box["x"] and box["x"] + box["width"] <= PHONE["width"] + 0.5
    assert ukrainian.get_attribute("href") == "/uk/search/?q=asilo"
