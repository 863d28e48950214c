"""Journey 3: keyboard only, with a visible focus indicator at every step.

The skip link, the search form, the filters, the results and a listing are
reached with Tab and operated with Enter, Space and the arrow keys.
"""

import re

import pytest

from tests.browser.conftest import DESKTOP

pytestmark = pytest.mark.browser

# A keyboard user should not need more presses than this to reach anything on
# a page. With filters active the first result is about 30 presses down.
MAX_TABS = 50

# The focused element, whether it shows a focus indicator, and whether it is on screen.
_FOCUS = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  const outlined = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
  const shadowed = style.boxShadow !== 'none';
  return {
    html: el.outerHTML.slice(0, 100),
    indicated: outlined || shadowed,
    onScreen: box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0
      && box.top < innerHeight && box.left < innerWidth,
  };
}"""


def assert_focus_visible(page):
    focus = page.evaluate(_FOCUS)
    assert focus["indicated"], f"no visible focus indicator on {focus['html']}"
    assert focus["onScreen"], f"focused but off screen: {focus['html']}"


def tab_to(page, locator):
    """Press Tab until `locator` has focus, checking the focus indicator at every stop."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        assert_focus_visible(page)
        if locator.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"{locator} was not reached with {MAX_TABS} presses of Tab")


def test_keyboard_journey(directory, open_context):
    page = open_context(DESKTOP).new_page()
    page.goto("/")

    # The first Tab reaches the skip link, which shows itself; Enter skips to the content.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    assert skip.evaluate("el => el === document.activeElement")
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    tab_to(page, page.get_by_label("What do you need?"))
    page.keyboard.type("deportation defense")
    tab_to(page, page.get_by_label("Near (ZIP code or City, ST)"))
    page.keyboard.type("90033")
    tab_to(page, page.get_by_role("button", name="Search", exact=True))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator(".results__list > li").count() == 20

    # "Open now" sits beside the Search button, before the filters.
    open_now = page.get_by_role("checkbox", name=re.compile(r"^Open now"))
    tab_to(page, open_now)
    page.keyboard.press("Space")
    assert open_now.is_checked()
    # On a wide screen the filters are a sidebar, opened by filters.js.
    filters = page.locator("details.search__filters")
    if filters.get_attribute("open") is None:
        tab_to(page, filters.locator("summary"))
        page.keyboard.press("Enter")
    spanish = page.get_by_role("checkbox", name=re.compile(r"^Spanish"))
    tab_to(page, spanish)
    page.keyboard.press("Space")
    assert spanish.is_checked()
    # A radio group is one Tab stop; the arrow keys move the choice.
    tab_to(page, page.get_by_role("radio", name="Any cost"))
    page.keyboard.press("ArrowDown")
    assert page.get_by_role("radio", name=re.compile(r"^Free only")).is_checked()
    tab_to(page, page.get_by_role("button", name="Apply filters"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "language=es" in page.url and "fee=free" in page.url and "open_now=true" in page.url
    assert sorted(page.locator(".results__list .result__name").all_inner_texts()) == sorted(
        org.name for org in directory.matching
    )

    tab_to(page, page.locator(".results__list .result__name a").first)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text() == directory.first.name
    tab_to(page, page.locator('a[href^="tel:"]').first)
