"""The real search form, submitted unchanged from a results page, finds the same results.

A select without an empty choice, a value a select cannot show, or a stray
checkbox would change the search the visitor sees (a "Detention facility"
select once added its first facility to every search).
"""

from urllib.parse import urlencode

import pytest

from directory.models import OrganizationKind
from tests.browser.directory_data import seed
from tests.search_form import SEARCHES, make_form_listings, query_for

pytestmark = pytest.mark.browser


def _names(page):
    return page.locator(".results__list .result__name").all_inner_texts()


@pytest.mark.parametrize("prefix", ["", "/es"], ids=["en", "es"])
def test_submitting_the_search_form_unchanged_keeps_the_results(transactional_db, desktop, prefix):
    for code in seed.KINDS:
        OrganizationKind.objects.get_or_create(code=code)
    facilities = make_form_listings()
    for search in SEARCHES:
        desktop.goto(f"{prefix}/search/?{urlencode(query_for(search, facilities))}")
        shown = _names(desktop)
        assert shown, f"{search}: the search itself should find something"
        with desktop.expect_navigation():
            desktop.locator("form.search .search__main button[type=submit]").click()
        assert _names(desktop) == shown, (search, desktop.url)
        assert "/search/?" in desktop.url
