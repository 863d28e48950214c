"""Sharing on a phone (360 px): copy the link by keyboard, the QR code from our own server.

Also the 404 page a shared link that went stale lands on, in Spanish.
"""

from urllib.parse import unquote

import pytest
from django.urls import reverse
from django.utils import translation

from tests.browser.checks import (
    assert_accessible,
    assert_fits_width,
    assert_leaves_no_trace,
    assert_only_own_origin,
    save_screenshot,
)
from tests.browser.conftest import PHONE
from tests.browser.directory_data import RESULTS_QUERY

pytestmark = pytest.mark.browser

# A shared link carries the search, never the tracking parameters or the page number.
TRACKED = "&utm_source=flyer&fbclid=abc"


def _image_loaded(page, selector):
    return page.eval_on_selector(selector, "img => img.complete && img.naturalWidth > 0")


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_copy_button_copies_the_canonical_link_by_keyboard(
    language, directory, open_context, live_server
):
    context = open_context(PHONE, permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    with translation.override(language):
        search = reverse("directory:search")
    page.goto(search + RESULTS_QUERY + TRACKED)

    field = page.locator("#share-url")
    expected = live_server.url + search + RESULTS_QUERY
    assert field.input_value() == expected
    button = page.locator("button[data-copy]")
    button.wait_for(state="visible")  # shown by static/js/share.js
    # By keyboard: into the link field (its text is selected), then Tab to the button.
    field.focus()
    selection = "[document.activeElement.selectionStart, document.activeElement.selectionEnd]"
    assert page.evaluate(selection) == [0, len(expected)]
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.copy") == "share-url"
    page.keyboard.press("Enter")

    status = page.locator("[data-copy-status]")
    copied = "Link copied." if language == "en" else "Enlace copiado."
    status.filter(has_text=copied).wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == expected
    box = button.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44

    # The email and text-message links carry the same link, for the visitor's own apps.
    assert page.locator("a[href^='mailto:?subject=']").count() == 1
    sms = page.locator("a[href^='sms:?&body=']").get_attribute("href")
    assert unquote(sms.removeprefix("sms:?&body=")).endswith("\n" + expected)
    save_screenshot(page, f"share-copied-phone-{language}")
    assert_accessible(page)
    assert_fits_width(page)
    assert_only_own_origin(context, live_server.url)
    assert_leaves_no_trace(context, page)


def test_the_qr_code_opens_by_keyboard_and_comes_from_our_server(
    directory, open_context, live_server
):
    context = open_context(PHONE)
    page = context.new_page()
    page.goto(directory.first.get_absolute_url())
    qr = page.locator(".share__qr img")
    # Closed, the QR code costs nothing: a lazy image in a closed <details> is not fetched.
    assert not [r for r in context.requests if "/share/qr.svg" in r.url]

    summary = page.locator(".share__qr summary")
    summary.focus()
    with page.expect_response(lambda r: "/share/qr.svg" in r.url) as answer:
        page.keyboard.press("Enter")
    response = answer.value
    assert response.status == 200
    assert response.headers["content-type"] == "image/svg+xml"
    assert response.url.startswith(live_server.url + "/share/qr.svg?path=")
    qr.wait_for(state="visible")
    page.wait_for_function(
        "() => { const i = document.querySelector('.share__qr img');"
        " return i.complete && i.naturalWidth > 0; }"
    )
    box = qr.bounding_box()
    assert box["width"] >= 120 and box["width"] <= PHONE["width"]
    save_screenshot(page, "share-qr-phone")
    assert_accessible(page)
    assert_fits_width(page)
    assert_only_own_origin(context, live_server.url)
    assert_leaves_no_trace(context, page)


def test_the_printed_sheet_keeps_its_qr_code_and_drops_the_controls(
    directory, open_context, live_server
):
    context = open_context(PHONE)
    page = context.new_page()
    page.goto(reverse("directory:search-sheet") + RESULTS_QUERY)
    page.wait_for_function(
        "() => { const i = document.querySelector('.share__qr img');"
        " return i.complete && i.naturalWidth > 0; }"
    )
    assert _image_loaded(page, ".share__qr img")
    page.emulate_media(media="print")
    assert page.locator(".share__qr img").is_visible()
    assert page.locator("#share-url").is_hidden()
    assert page.locator("a[href^='mailto:']").is_hidden()
    assert_only_own_origin(context, live_server.url)
    assert_leaves_no_trace(context, page)


def test_a_stale_link_lands_on_a_spanish_404_with_a_search_that_works(
    directory, open_context, live_server
):
    context = open_context(PHONE)
    page = context.new_page()
    response = page.goto("/es/o/ya-no-existe/")
    assert response.status == 404
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.get_by_role("heading", level=1).inner_text() == "Esta página no existe"
    save_screenshot(page, "not-found-phone-es")
    assert_accessible(page)
    assert_fits_width(page)
    page.get_by_label("¿Qué necesita?").fill("asilo")
    with page.expect_navigation():
        page.get_by_role("button", name="Buscar", exact=True).tap()
    assert page.url.startswith(live_server.url + "/es/search/?q=asilo")
    assert_only_own_origin(context, live_server.url)
    assert_leaves_no_trace(context, page)
