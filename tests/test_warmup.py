"""Each app server process builds its own tables as it starts (directory/warmup.py)."""

import pytest

from directory import choices, geo, warmup
from tests.factories import make_location, make_organization, make_phone, make_service

pytestmark = pytest.mark.django_db


def _search_queries(client, django_assert_max_num_queries, query):
    with django_assert_max_num_queries(100) as captured:
        assert client.get(f"/search/?{query}").status_code == 200
    return len(captured)


def test_the_first_search_after_start_reads_no_choice_list(client, django_assert_max_num_queries):
    org = make_organization("Centro Legal")
    service = make_service(org, "Asylum clinic")
    make_location(org, services=[service], postal_code="90033", latitude=34.05, longitude=-118.2)
    choices.changed()  # a process that has read nothing since the index changed
    geo._tables.cache_clear()
    geo._name_index.cache_clear()

    warmup.warm()

    assert geo._tables.cache_info().currsize == geo._name_index.cache_info().currsize == 1
    # Two different searches, so neither reuses the other's counts: the first
    # costs no more than the second, which reads the lists from memory.
    first = _search_queries(client, django_assert_max_num_queries, "near=90033&q=asylum")
    second = _search_queries(client, django_assert_max_num_queries, "near=90012&q=clinic")
    assert first == second


def test_without_it_the_first_search_reads_them(client, django_assert_max_num_queries):
    """The test above can fail: a process that did not warm up reads its lists on a search."""
    make_service(make_organization("Centro Legal"), "Asylum clinic")
    choices.changed()
    first = _search_queries(client, django_assert_max_num_queries, "q=asylum")
    second = _search_queries(client, django_assert_max_num_queries, "q=clinic")
    assert first > second


def test_the_first_home_page_after_start_reads_no_hotline(client, django_assert_max_num_queries):
    make_phone(organization=make_organization("Rapid Response"), is_24_hours=True)
    choices.changed()
    warmup.warm()
    with django_assert_max_num_queries(100) as first:
        assert b"Rapid Response" in client.get("/").content
    with django_assert_max_num_queries(100) as second:
        client.get("/")
    assert len(first) == len(second)


@pytest.mark.parametrize("counted", [True, False])
def test_the_first_browse_all_after_start_counts_nothing(
    client, django_assert_max_num_queries, monkeypatch, counted
):
    make_service(make_organization("Centro Legal"), "Asylum clinic")
    choices.changed()
    if not counted:  # the comparison can fail: the same warm-up without the counts
        monkeypatch.setattr(warmup, "_browse_all", lambda: None)
    warmup.warm()
    with django_assert_max_num_queries(100) as first:
        assert b"Centro Legal" in client.get("/search/").content
    with django_assert_max_num_queries(100) as second:
        client.get("/es/search/")  # every language shares the counts
    assert (len(first) == len(second)) is counted
