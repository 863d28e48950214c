"""Journey 6: an organizer takes the filtered directory away.

They filter the search, download the outreach CSV and open the printable
resource sheet; the test opens both files and checks they list exactly the
organizations shown on screen: the CSV parsed as CSV, the sheet printed to
PDF by the browser and read back with pdftotext.
"""

import csv
import os
import re
import shutil
import subprocess
import warnings

import pytest

from tests.browser.checks import assert_leaves_no_trace, assert_only_own_origin, save_screenshot
from tests.browser.conftest import DESKTOP

pytestmark = pytest.mark.browser


def filter_the_directory(page):
    """Spanish-speaking, free, open now, through the search page's filters."""
    page.goto("/search/")
    filters = page.locator("details.search__filters")
    if filters.get_attribute("open") is None:
        filters.locator("summary").click()
    page.get_by_role("checkbox", name=re.compile(r"^Spanish")).check()
    page.get_by_role("radio", name=re.compile(r"^Free only")).check()
    page.get_by_role("checkbox", name=re.compile(r"^Open now")).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Apply filters").click()
    return sorted(page.locator(".results__list .result__name").all_inner_texts())


def pdf_text(page, tmp_path):
    """The page as the browser prints it, as plain text with single spaces."""
    pdf = tmp_path / "sheet.pdf"
    page.emulate_media(media="print")
    page.pdf(path=pdf, format="Letter")
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    return " ".join(text.split())


def test_csv_and_resource_sheet_match_the_results_on_screen(
    directory, open_context, live_server, tmp_path
):
    context = open_context(DESKTOP)
    page = context.new_page()

    on_screen = filter_the_directory(page)
    assert on_screen == sorted(org.name for org in directory.matching)

    with page.expect_download() as download:
        page.get_by_role("link", name="Spreadsheet (CSV)").click()
    with open(download.value.path(), newline="", encoding="utf-8-sig") as file:
        rows = list(csv.DictReader(file))
    # The outreach CSV: one row per organization, in the screen's order.
    assert sorted(row["Organization"] for row in rows) == on_screen

    with page.expect_navigation():
        page.get_by_role("link", name="Printable sheet", exact=True).click()
    assert page.url.split("?")[1] == download.value.url.split("?")[1]
    save_screenshot(page, "journey-exports-sheet")
    entries = page.locator(".sheet__name strong").all_inner_texts()
    assert sorted(entries) == on_screen
    assert page.locator(".sheet__more").count() == 0  # nothing left off
    if shutil.which("pdftotext") or os.environ.get("CI") == "true":
        printed = pdf_text(page, tmp_path)
        assert [name for name in on_screen if name not in printed] == []
        assert [org.name for org in directory.others if org.name in printed] == []
        # Each listing here has one phone number, printed once.
        assert printed.count("(213) 555-") == len(on_screen)
    else:
        warnings.warn(
            "pdftotext (poppler-utils) is missing: the printed sheet was not read", stacklevel=1
        )

    assert_only_own_origin(context, live_server.url)
    assert_leaves_no_trace(context, page)
