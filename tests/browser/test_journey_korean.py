"""Journey 2: a Korean speaker on a phone finds every listing that serves in Korean.

Whichever way they ask: typing "korean", "coreano" or "한국어" into the home
page's search box (one word, one tap), or picking Korean in the language
filter of the results page, on the English and the Spanish pages.
"""

import re

import pytest

from directory import choices, default_synonyms
from directory.models import SearchSynonym
from tests.browser.checks import Visitor, assert_on_first_screen, save_screenshot
from tests.browser.conftest import PHONE
from tests.browser.directory_data import seed_vocabularies
from tests.factories import make_organization, make_service

pytestmark = pytest.mark.browser


@pytest.fixture
def korean_listings(transactional_db):
    """Three listings that serve in Korean, only one of them saying "Korean", and two others."""
    seed_vocabularies()
    # The flush between browser tests empties the vocabulary migration 0014 loaded.
    default_synonyms.load(SearchSynonym)
    choices.changed()
    make_service(
        make_organization("Koreatown Legal Aid"), "Korean-language clinic", languages=["ko"]
    )
    make_service(
        make_organization("Hanmaum Counseling"), "Family counseling", languages=["ko", "en"]
    )
    make_service(make_organization("한인 이민자 권익 센터"), "이민 상담", languages=["ko"])
    make_service(make_organization("Eastside Legal Clinic"), "Asylum help", languages=["es"])
    make_service(make_organization("Valley Food Bank"), "Groceries", languages=["en"])
    return {"Koreatown Legal Aid", "Hanmaum Counseling", "한인 이민자 권익 센터"}


def result_names(page):
    return set(page.locator(".results__list .result__name").all_inner_texts())


@pytest.mark.parametrize("lang", ["", "/es"])
def test_a_korean_speaker_finds_every_listing_in_korean(korean_listings, open_context, lang):
    page = open_context(PHONE).new_page()
    for word in ("korean", "coreano", "한국어"):
        page.goto(f"{lang}/")
        visitor = Visitor(page)
        visitor.type_word(page.locator("form.search-box input[name=q]"), word)
        visitor.tap(page.locator("form.search-box button[type=submit]"), navigates=True)
        assert (visitor.words, visitor.taps) == (1, 1)
        assert result_names(page) == korean_listings, (lang, word)
        # Results first: the first listing and its call button are on the first screen.
        first = page.locator(".results__list > li").first
        assert_on_first_screen(first.locator(".result__name"))
        save_screenshot(page, f"journey-korean{lang.replace('/', '-')}-{word}")

    # Or, from the results page, the language filter.
    page.goto(f"{lang}/search/")
    korean = page.get_by_role("checkbox", name=re.compile(r"^(Korean|Coreano)"))
    if not korean.is_visible():
        page.locator("details:has(input[name=language]) > summary").tap()
    korean.tap()
    with page.expect_navigation():
        page.locator("form:has(input[name=language]) button[type=submit]").last.tap()
    assert "language=ko" in page.url
    assert result_names(page) == korean_listings
