"""The public search page: each filter alone and combined, facets, paging, bad input."""

from datetime import date

import pytest
from django.utils.http import urlencode

from directory.models import DetentionFacility, Fee, PopulationServed, Status
from tests.factories import (
    make_language,
    make_location,
    make_organization,
    make_phone,
    make_service,
    make_term,
)

pytestmark = pytest.mark.django_db


def names(r):
    return [org.name for org in r.context["page"].object_list]


def search(client, **params):
    r = client.get(f"/search/?{urlencode(params, doseq=True)}")
    assert r.status_code == 200
    return r


@pytest.fixture
def legal():
    parent = make_term("legal", "Legal help")
    return parent, make_term("legal.asylum", "Asylum and refugee status", parent=parent)


def test_it_lists_published_organizations_only(client):
    make_organization("Visible")
    make_organization("Draft", status=Status.DRAFT)
    make_organization("Archived", status=Status.ARCHIVED)
    hidden_service_org = make_organization("Has draft service")
    make_service(hidden_service_org, "Secret clinic", status=Status.DRAFT)
    r = search(client)
    assert names(r) == ["Has draft service", "Visible"]
    assert "Secret clinic" not in r.content.decode()


def test_category_parent_includes_children(client, legal):
    parent, asylum = legal
    make_service(make_organization("Asylum org"), terms=[asylum])
    make_service(make_organization("Other org"), terms=[make_term("food", "Food")])
    assert names(search(client, category="legal")) == ["Asylum org"]
    assert names(search(client, category="legal.asylum")) == ["Asylum org"]
    assert names(search(client, category="food")) == ["Other org"]


def test_language_kind_and_population_filters(client):
    make_service(make_organization("Viet org", kinds=["legal"]), languages=["vi"])
    korean = make_service(make_organization("Korean org", kinds=["faith"]), languages=["ko"])
    korean.populations.set(PopulationServed.objects.filter(code="youth"))
    assert names(search(client, language="vi")) == ["Viet org"]
    assert names(search(client, kind="faith")) == ["Korean org"]
    assert names(search(client, population="youth")) == ["Korean org"]
    assert names(search(client, language=["vi", "ko"])) == ["Korean org", "Viet org"]


def test_fee_filter(client):
    make_service(make_organization("Free org"), fee=Fee.FREE)
    make_service(make_organization("Sliding org"), fee=Fee.SLIDING_SCALE)
    make_service(make_organization("Paid org"), fee=Fee.PAID)
    assert names(search(client, fee="free")) == ["Free org"]
    assert names(search(client, fee="sliding")) == ["Free org", "Sliding org"]


def test_credential_filter(client):
    make_organization("DOJ org", doj_recognized=True)
    make_organization("Lawyer org", attorneys_on_staff=2)
    make_organization("Rep org", accredited_representatives_partial=1)
    make_organization("Plain org")
    assert names(search(client, credential="doj")) == ["DOJ org"]
    assert names(search(client, credential="attorney")) == ["Lawyer org"]
    assert names(search(client, credential="accredited")) == ["Rep org"]


def test_detention_facility_and_remote_filters(client):
    facility = DetentionFacility.objects.create(name="Otay Mesa", city="San Diego", state="CA")
    detained = make_service(make_organization("Detention org"), serves_detained=True)
    detained.detention_facilities.add(facility)
    make_service(make_organization("Elsewhere org"), serves_detained=True)
    make_service(make_organization("Phone org"), remote_by_phone=True)
    make_service(make_organization("Video org"), remote_by_video=True)
    assert names(search(client, detention="true")) == ["Detention org", "Elsewhere org"]
    assert names(search(client, facility=facility.pk)) == ["Detention org"]
    assert names(search(client, remote="true")) == ["Phone org", "Video org"]


def test_one_service_must_match_all_service_filters(client):
    org = make_organization("Split org")
    make_service(org, fee=Fee.FREE, languages=["en"])
    make_service(org, fee=Fee.PAID, languages=["vi"])
    make_service(make_organization("Whole org"), fee=Fee.FREE, languages=["vi"])
    assert names(search(client, fee="free", language="vi")) == ["Whole org"]


def test_distance_filter_and_order(client):
    near = make_organization("Boyle Heights org")
    make_location(near, latitude=34.0437, longitude=-118.2101, postal_code="90033")
    farther = make_organization("Pasadena org")
    make_location(farther, city="Pasadena", latitude=34.1478, longitude=-118.1445)
    far = make_organization("Fresno org")
    make_location(far, city="Fresno", latitude=36.7378, longitude=-119.7871)
    make_service(make_organization("Nationwide hotline"), area_type="nationwide")
    r = search(client, near="90033", radius=25)
    assert names(r) == ["Boyle Heights org", "Pasadena org", "Nationwide hotline"]
    assert "mi away" in r.content.decode()
    assert names(search(client, near="Fresno, CA", radius=10)) == [
        "Fresno org",
        "Nationwide hotline",
    ]
    assert names(search(client, near="34.05,-118.21", radius=5, sort="name"))[:1] == [
        "Boyle Heights org"
    ]


def test_confidential_location_is_found_near_its_place_but_not_at_it(client):
    org = make_organization("Hidden shelter")
    # Searched by a decoy 3-5 miles away (tests/test_confidential_distance.py).
    make_location(
        org,
        city="Pasadena",
        state="CA",
        latitude=34.1478,
        longitude=-118.1445,
        is_confidential=True,
    )
    assert names(search(client, near="34.15,-118.14", radius=10)) == ["Hidden shelter"]
    assert names(search(client, near="Fresno, CA", radius=10)) == []
    r = search(client, near="Pasadena, CA", radius=10)
    assert names(r) == ["Hidden shelter"]
    assert "34.1478" not in r.content.decode()
    assert "approximate: confidential address" in r.content.decode()


def test_sort_by_name_and_recently_verified(client):
    make_organization("B org", last_verified_on=date(2026, 1, 1))
    make_organization("A org", last_verified_on=date(2025, 1, 1))
    make_organization("C org")
    assert names(search(client, sort="name")) == ["A org", "B org", "C org"]
    assert names(search(client, sort="verified")) == ["B org", "A org", "C org"]


def test_facet_counts_and_active_filters(client, legal):
    parent, asylum = legal
    make_service(make_organization("One", kinds=["legal"]), terms=[asylum], languages=["es"])
    make_service(make_organization("Two", kinds=["legal"]), terms=[parent], languages=["vi"])
    make_service(make_organization("Three"), languages=["es"])
    r = search(client, language="es")
    facets = r.context["facets"]
    count = {o["value"]: o["count"] for o in facets["category"]}
    assert count == {"legal": 1, "legal.asylum": 1}
    # A facet counts as if its own filter were off, the others on.
    assert {o["value"]: o["count"] for o in facets["language"]} == {"es": 2, "vi": 1}
    assert {o["value"]: o["count"] for o in facets["kind"]}["legal"] == 1
    html = r.content.decode()
    assert 'href="?"' in html  # removing the only filter
    assert "2 organizations found" in html


def test_empty_result_names_the_filter_to_drop(client):
    make_service(make_organization("Spanish org"), languages=["es"], fee=Fee.PAID)
    r = search(client, language="es", fee="free")
    assert names(r) == []
    html = r.content.decode()
    assert "Without “Cost” there is 1 result." in html
    assert 'href="?language=es"' in html


def test_pagination_keeps_filters(client):
    for n in range(25):
        make_service(make_organization(f"Org {n:02}"), languages=["es"])
    r = search(client, language="es")
    assert len(names(r)) == 20
    assert 'href="?language=es&amp;page=2"' in r.content.decode()
    assert len(names(search(client, language="es", page=2))) == 5


@pytest.mark.parametrize(
    "params, message",
    [
        ({"near": "00000"}, "We could not find the place “00000”"),
        ({"radius": "abc"}, "“Within” had a value we could not use"),
        ({"page": "99999"}, "There is no page 99999"),
        ({"q": "x" * 5000}, "only its beginning was used"),
        ({"category": "no-such-code"}, "“no-such-code” is not a known choice"),
        ({"q": "asylum\x00", "near": "9\x000033", "language": "e\x00s"}, ""),
        ({"facility": "abc", "sort": "nonsense", "fee": "gold"}, "could not use"),
    ],
)
def test_bad_input_gets_a_message_not_an_error(client, params, message):
    make_service(make_organization("Org"), languages=["es"])
    r = search(client, **params)
    assert message in r.content.decode()


def test_unknown_codes_are_dropped_but_known_ones_kept(client):
    make_service(make_organization("Spanish org"), languages=["es"])
    make_service(make_organization("Korean org"), languages=["ko"])
    r = search(client, language=["es", "klingon"])
    assert names(r) == ["Spanish org"]


SEARCHES = [
    "/search/",
    "/search/?q=legal",
    "/search/?q=asilum",  # corrected to "asylum"
    "/search/?q=zzzzqqq",  # nothing found: the "without this filter" counts too
    "/search/?near=90012&radius=25",
    "/search/?q=legal&near=Los+Angeles%2C+CA&sort=distance",
    "/search/?category=legal&language=es&fee=free",
    "/search/?category=legal&language=es&fee=free&near=90012&kind=legal&credential=doj",
    "/search/?open_now=true",
    "/search/?open_now=true&remote=true&language=vi",
    "/search/?page=2",
    "/es/search/?q=deportacion",
]


@pytest.mark.parametrize("url", SEARCHES)
def test_a_results_page_runs_at_most_ten_queries(client, django_assert_max_num_queries, url):
    """Whatever the filters, for a full page of results: the index answers in a few queries."""
    term = make_term("legal", "Legal help")
    for n in range(25):  # a full first page, and a second
        org = make_organization(
            f"Org {n:02}",
            kinds=["legal"],
            doj_recognized=True,
            description="Asylum help. Defensa contra la deportación.",
        )
        service = make_service(
            org, terms=[term], languages=["es", "vi"], remote_by_phone=True, open_24_7=n % 2 == 0
        )
        make_location(org, services=[service], latitude=34.05, longitude=-118.25)
        make_phone(organization=org, number=f"(213) 555-01{n:02}").languages.add(
            make_language("es")
        )
    client.get("/search/")  # the choice lists, read once per process until a write
    with django_assert_max_num_queries(10):
        r = client.get(url)
    assert r.status_code == 200
    if "zzzz" not in url:
        assert r.context["count"] > 0, url
        assert 'href="tel:+1213555' in r.content.decode()


def test_search_page_for_twenty_results_is_under_100_kb(client):
    term = make_term("legal", "Legal help")
    for n in range(20):
        org = make_organization(f"Organization with a long name {n:02}", kinds=["legal", "faith"])
        service = make_service(org, terms=[term], languages=["es", "vi", "ko", "zh"])
        make_location(org, services=[service], latitude=34.05, longitude=-118.25)
    r = search(client, near="90012")
    assert len(names(r)) == 20
    assert len(r.content) < 100_000


def test_spanish_search_page(client):
    make_language("es")
    r = client.get("/es/search/?language=es")
    assert r.status_code == 200
    html = r.content.decode()
    assert '<html lang="es">' in html
    assert "organizaciones encontradas" in html or "organización encontrada" in html
    # The language switcher keeps the query.
    assert 'href="/search/?language=es"' in html


def test_form_shows_the_defaults_the_search_uses(client):
    html = search(client, near="90033").content.decode()
    assert '<option value="25" selected>' in html
    assert '<option value="distance" selected>' in html
    html = search(client, q="asylum").content.decode()
    assert '<option value="relevance" selected>' in html


def test_categories_without_results_are_not_offered(client):
    make_service(make_organization("Food org"), terms=[make_term("food", "Food")])
    make_term("housing", "Housing")
    html = search(client).content.decode()
    assert 'value="food"' in html
    assert 'value="housing"' not in html


@pytest.mark.parametrize("q", ["_", "a:* | !b", "(((", "' OR 1=1 --", "日本語"])
def test_query_syntax_is_never_interpreted(client, q):
    make_organization("Org")
    search(client, q=q)


def test_filter_is_reusable_without_a_request():
    from django.http import QueryDict

    from directory.filters import DirectoryFilter
    from directory.models import Organization

    make_service(make_organization("Spanish org"), languages=["es"])
    make_organization("Other org")
    qs = DirectoryFilter(QueryDict("language=es"), queryset=Organization.objects.public()).qs
    assert [org.name for org in qs] == ["Spanish org"]
    assert DirectoryFilter(QueryDict(), queryset=Organization.objects.public()).qs.count() == 2


@pytest.mark.parametrize(
    "page, shown", [("0", 1), ("-1", 1), ("abc", 1), ("2", 2), ("99999", 2), ("9" * 5000, 2)]
)
def test_page_numbers_out_of_range(client, page, shown):
    for n in range(25):
        make_organization(f"Org {n:02}")
    assert search(client, page=page).context["page"].number == shown


def test_filter_groups_with_nothing_to_offer_are_not_shown(client):
    make_service(make_organization("Plain org"), languages=["es"])
    r = search(client)
    assert r.context["facets"]["credential"] == []
    html = r.content.decode()
    assert f"<legend>{r.context['filter'].form.fields['credential'].label}</legend>" not in html
    assert f"<legend>{r.context['filter'].form.fields['language'].label}</legend>" in html


def test_a_typo_shows_results_for_the_corrected_word_and_offers_the_words_as_typed(client):
    make_organization("Asylum Help Center", description="Asylum applications, free.")
    r = search(client, q="asilum")
    page = r.content.decode()
    assert names(r) == ["Asylum Help Center"]
    assert "Showing results for “asylum”." in page
    assert "?q=%3Dasilum" in page  # the search as typed: "=asilum"
    typed = search(client, q="=asilum")
    assert names(typed) == []
    assert "Showing results for" not in typed.content.decode()
    spanish = client.get("/es/search/?q=asilum").content.decode()
    assert "Mostrando resultados de «asylum»." in spanish


def test_a_correction_that_finds_nothing_is_not_shown(client):
    org = make_organization("Asylum Help Center", description="Asylum applications.")
    make_service(org, fee=Fee.PAID)
    r = search(client, q="asilum", fee="free")
    assert names(r) == []
    assert "Showing results for" not in r.content.decode()


def test_repeated_searches_see_every_write_at_once(client):
    """Counts and pages of recent searches are reused only until the index changes."""
    term = make_term("legal", "Legal help")
    make_service(make_organization("First Clinic"), terms=[term], fee=Fee.FREE)
    for _ in range(2):
        r = search(client, category="legal")
        assert names(r) == ["First Clinic"]
    make_service(make_organization("Second Clinic"), terms=[term], fee=Fee.FREE)
    r = search(client, category="legal")
    assert names(r) == ["First Clinic", "Second Clinic"]
    assert r.context["count"] == 2
    assert [o["count"] for o in r.context["facets"]["fee"]] == [2, 2]
    first = r.context["page"].object_list[0]
    first.status = Status.ARCHIVED
    first.save()
    r = search(client, category="legal")
    assert names(r) == ["Second Clinic"]
    assert r.context["count"] == 1
