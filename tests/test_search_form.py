"""The search form sends back the search it shows: nothing added, nothing lost."""

from urllib.parse import urlencode

import pytest

from tests.search_form import SEARCHES, default_submission, make_form_listings, query_for

pytestmark = pytest.mark.django_db


def _results(client, url):
    r = client.get(url)
    assert r.status_code == 200, url
    return [org.name for org in r.context["page"].object_list]


@pytest.fixture
def facilities():
    return make_form_listings()


def test_submitting_the_form_unchanged_gives_the_same_results(client, facilities):
    for prefix in ("", "/es"):
        for search in SEARCHES:
            url = f"{prefix}/search/?{urlencode(query_for(search, facilities))}"
            r = client.get(url)
            shown = [org.name for org in r.context["page"].object_list]
            assert shown, f"{search}: the search itself should find something"
            action, pairs = default_submission(r.content.decode())
            assert _results(client, f"{action}?{urlencode(pairs)}") == shown, (url, pairs)


def test_the_facility_select_starts_with_any_facility(client, facilities):
    html = client.get("/search/?language=ko").content.decode()
    _action, pairs = default_submission(html)
    assert ("facility", "") in pairs
    assert "Any facility" in html
    assert "Cualquier centro de detención" in client.get("/es/search/").content.decode()


def test_a_korean_speaker_filtering_from_the_form_keeps_the_korean_listing(client, facilities):
    _action, pairs = default_submission(client.get("/search/").content.decode())
    pairs = [(name, value) for name, value in pairs] + [("language", "ko")]
    assert _results(client, f"/search/?{urlencode(pairs)}") == ["Zeta Korean Center"]


def test_a_radius_or_sort_the_select_cannot_show_is_explained_and_replaced(client, facilities):
    r = client.get("/search/?near=90033&radius=7&sort=nonsense")
    page = r.content.decode()
    assert "“Within” had a value we could not use" in page
    assert "“Sort by” had a value we could not use" in page
    _action, pairs = default_submission(page)
    assert ("radius", "25") in pairs and ("sort", "distance") in pairs
