"""What every public page must satisfy in a real browser, as assertions."""

from axe_playwright_python.sync_playwright import Axe
from django.conf import settings

from tests.browser.conftest import PHONE

SCREENSHOTS = settings.BASE_DIR / "test-artifacts" / "screenshots"
# WCAG 2.1 levels A and AA, as axe-core tags its rules.
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

_axe = Axe()


def save_screenshot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


def assert_accessible(page):
    results = _axe.run(
        page,
        options={"runOnly": {"type": "tag", "values": WCAG_21_AA}, "resultTypes": ["violations"]},
    )
    assert results.violations_count == 0, results.generate_report()


def assert_only_own_origin(context, origin):
    """Every request the visitor's browser made went to our own server."""
    # data: URLs never leave the browser, and a tapped tel: or sms: link opens
    # the phone's dialer: neither is a request to anyone.
    urls = [r.url for r in context.requests if not r.url.startswith(("data:", "tel:", "sms:"))]
    assert urls, "no request was recorded"
    assert [url for url in urls if not url.startswith(origin + "/")] == []


def assert_no_wasted_request(context):
    """Nothing was requested twice, and nothing failed or redirected."""
    urls = [request.url for request in context.requests]
    assert len(urls) == len(set(urls)), f"requested twice: {urls}"
    statuses = {request.url: request.response().status for request in context.requests}
    assert {url: status for url, status in statuses.items() if status != 200} == {}


def assert_leaves_no_trace(context, page, *, form=False):
    """The anonymous visitor's browser holds no cookie and nothing in web storage.

    A page with a POST form (`form=True`) may set the CSRF cookie, and only it.
    """
    names = [cookie["name"] for cookie in context.cookies()]
    assert settings.SESSION_COOKIE_NAME not in names
    assert names == ([settings.CSRF_COOKIE_NAME] if form else [])
    assert page.evaluate("[localStorage.length, sessionStorage.length]") == [0, 0]


# The page's overflow past the viewport's right edge, and the innermost
# elements that stick out or whose content (e.g. a long word) spills over.
_OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const culprits = [...document.body.querySelectorAll('*')]
    .filter(el => el.getBoundingClientRect().right > width + 0.5
                  || (el.clientWidth && el.scrollWidth > el.clientWidth + 1
                      && getComputedStyle(el).overflowX === 'visible'))
    .reverse()
    .slice(0, 5)
    .map(el => el.outerHTML.slice(0, 100));
  return [document.documentElement.scrollWidth - width, culprits];
}"""


# Visible controls that are cut off at either side of the viewport. The skip
# link is parked off-screen on purpose until it has focus: wholly past the
# start edge (the left, or the right under dir="rtl"), which never scrolls.
# A control inside a row that scrolls sideways by itself (the language
# switcher) is not cut off: scrolling, or focus, brings it into view.
_CUT_OFF_CONTROLS = """() => {
  const width = document.documentElement.clientWidth;
  const inScroller = el => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (['auto', 'scroll'].includes(getComputedStyle(p).overflowX)) return true;
    }
    return false;
  };
  return [...document.querySelectorAll('a[href], button, input, select, textarea, summary')]
    .filter(el => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden')
    .filter(el => !inScroller(el))
    .map(el => [el, el.getBoundingClientRect()])
    .filter(([el, box]) => box.right > 0 && box.left < width && (box.left < -0.5 || box.right > width + 0.5))
    .map(([el, box]) => `${el.outerHTML.slice(0, 80)} at ${Math.round(box.left)}..${Math.round(box.right)}`);
}"""


def assert_fits_width(page):
    overflow, culprits = page.evaluate(_OVERFLOW)
    assert overflow <= 0, f"{overflow} px wider than the viewport, see: {culprits}"
    assert page.evaluate(_CUT_OFF_CONTROLS) == []


def assert_text_zooms_to_200_percent(page):
    """WCAG 1.4.4: with text at 200% nothing scrolls sideways or gets cut off."""
    before = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    try:
        after = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
        assert after >= 2 * before - 0.5, "the body text does not grow with the root font size"
        assert_fits_width(page)
    finally:
        page.evaluate("document.documentElement.style.fontSize = ''")


# Every visible control and link, line by line: WCAG 2.5.8 asks for targets of at
# least 24 x 24 px. Off-screen ones (the skip link, the robots' trap), past either
# edge (the right one under dir="rtl"), are left out.
_SMALL_TARGETS = """() => [...document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary')]
  .filter(el => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden')
  .filter(el => el.getBoundingClientRect().right > 0
                && el.getBoundingClientRect().left < document.documentElement.clientWidth)
  .filter(el => el.getBoundingClientRect().width < 23.5
                || [...el.getClientRects()].some(line => line.height < 23.5))
  .map(el => `${el.outerHTML.slice(0, 80)}: ${[...el.getClientRects()]
    .map(b => `${Math.round(b.width)}x${Math.round(b.height)}`).join(', ')}`)"""

# Call buttons (a result's, the top of a listing's, a hotline's) are 44 px tall.
_SMALL_CALL_BUTTONS = """() => [...document.querySelectorAll('a.call')]
  .filter(el => el.getClientRects().length)
  .filter(el => el.getBoundingClientRect().height < 43.5)
  .map(el => `${el.outerHTML.slice(0, 80)}: ${Math.round(el.getBoundingClientRect().height)} px`)"""


def assert_targets_large_enough(page):
    small = page.evaluate(_SMALL_TARGETS)
    assert small == [], small
    small = page.evaluate(_SMALL_CALL_BUTTONS)
    assert small == [], small


class Visitor:
    """A phone user: every tap and every typed word is counted."""

    def __init__(self, page):
        self.page = page
        self.taps = 0
        self.words = 0

    def tap(self, locator, *, navigates=False):
        self.taps += 1
        if navigates:
            with self.page.expect_navigation():
                locator.tap()
        else:
            locator.tap()

    def type_word(self, locator, word):
        assert " " not in word
        self.words += 1
        locator.fill(word)


def box_of(locator):
    box = locator.bounding_box()
    assert box is not None, f"{locator} is not shown"
    return box


def assert_on_first_screen(locator):
    """The element starts, and ends, within the first 360 x 740 screen, unscrolled."""
    box = box_of(locator)
    assert 0 <= box["y"] and box["y"] + box["height"] <= PHONE["height"], box
