"""The read-only HSDS 3.0 API under /api/ (directory/api/, docs/hsds.md "API").

Every endpoint's answer is validated with jsonschema against the official
schema files in ../shared/hsds (pages against the reference's Page with the
compiled *_list item schemas); then pagination, filters, conditional
requests, CORS, caching and errors, as a client sees them.
"""

import json
import uuid
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.utils import timezone
from django.utils.http import http_date

from directory import choices, search_index
from directory.api import params
from directory.api.documents import taxonomy_id
from directory.models import Organization, Service, Status, Visibility
from tests.factories import (
    make_hours,
    make_location,
    make_organization,
    make_phone,
    make_service,
    make_term,
)
from tests.hsds_schemas import page_validator, validator

pytestmark = pytest.mark.django_db

SECRET_STREET = "913 Vexley Lane"


@pytest.fixture
def listings():
    """Two public organizations, a confidential place, and hidden listings of every kind."""
    legal = make_term("legal", "Legal help")
    asylum = make_term("legal.asylum", "Asylum", parent=legal)
    food = make_term("food", "Food")
    centro = make_organization(
        "Centro Legal", email="info@centro.example.org", description="Help", legal_status="501c3"
    )
    clinic = make_service(
        centro, "Asylum clinic", terms=[asylum], languages=["es", "ko"], fee="sliding"
    )
    make_phone(organization=centro, number="(213) 555-0100")
    make_phone(service=clinic, number="(213) 555-0101", type="hotline")
    make_hours(clinic, 0, (9, 0), (17, 0))
    pantry = make_service(centro, "Food pantry", terms=[food])
    office = make_location(
        centro,
        services=[clinic, pantry],
        address_1="1 Main St",
        postal_code="90012",
        latitude=34.0537,
        longitude=-118.2427,
    )
    shelter = make_location(
        centro,
        services=[clinic],
        name="Glimmerhaus annex",
        address_1=SECRET_STREET,
        postal_code="90033",
        latitude=34.04871,
        longitude=-118.20943,
        is_confidential=True,
    )
    eastside = make_organization("Eastside Clinic", description="Pasadena legal aid")
    visa = make_service(eastside, "Visa help", terms=[legal])
    pasadena = make_location(
        eastside,
        services=[visa],
        city="Pasadena",
        postal_code="91101",
        latitude=34.1478,
        longitude=-118.1445,
    )
    hidden_term = make_term("quibble-help", "Quibbleford help")
    hidden = []
    for status, visibility in (
        (Status.DRAFT, Visibility.PUBLIC),
        (Status.IN_REVIEW, Visibility.PUBLIC),
        (Status.ARCHIVED, Visibility.PUBLIC),
        (Status.PUBLISHED, Visibility.PARTNERS),
    ):
        org = make_organization(f"Quibbleford {status} {visibility}", status=status)
        org.visibility = visibility
        org.save()
        service = make_service(org, "Quibbleford service", terms=[hidden_term, legal])
        make_location(
            org, services=[service], postal_code="90012", latitude=34.05, longitude=-118.24
        )
        hidden += [org, service]
    hidden.append(make_service(centro, "Quibbleford draft", status=Status.DRAFT, terms=[food]))
    return {
        "centro": centro,
        "eastside": eastside,
        "clinic": clinic,
        "pantry": pantry,
        "visa": visa,
        "legal": legal,
        "asylum": asylum,
        "food": food,
        "hidden_term": hidden_term,
        "office": office,
        "shelter": shelter,
        "pasadena": pasadena,
        "hidden": hidden,
    }


def _get(client, url, **headers):
    r = client.get(url, **headers)
    return r, json.loads(r.content) if r.content else None


def _ids(page):
    return [item["id"] for item in page["contents"]]


# ---------------------------------------------------------------- schemas


LISTS = {
    "/api/services": "compiled/service_list.json",
    "/api/services?full=true": "compiled/service_list.json",
    "/api/services?minimal=true": "compiled/service_list.json",
    "/api/organizations": "compiled/organization_list.json",
    "/api/organizations?full=true": "compiled/organization_list.json",
    "/api/organizations?full_service=true": "compiled/organization_list.json",
    "/api/taxonomies": "taxonomy.json",
    "/api/taxonomy_terms": "taxonomy_term.json",
    "/api/service_at_locations": "compiled/service_at_location_list.json",
    "/api/service_at_locations?full=true": "compiled/service_at_location_list.json",
    "/api/service_at_locations?postcode=90012&proximity=20000": (
        "compiled/service_at_location_list.json"
    ),
}


@pytest.mark.parametrize("url", LISTS)
def test_every_page_validates_against_the_official_schemas(client, listings, hsds_dir, url):
    r, page = _get(client, url)
    assert r.status_code == 200 and r["Content-Type"] == "application/json"
    assert page["contents"]
    page_validator(hsds_dir, LISTS[url]).validate(page)
    item = url.split("?")[0].rsplit("/", 1)[1].rstrip("s").replace("taxonomie", "taxonomy")
    schema = {"service_at_location": "service_at_location.json"}.get(item, f"{item}.json")
    if "full" in url:  # fully nested items are whole objects too
        for document in page["contents"]:
            validator(hsds_dir, schema).validate(document)


def test_every_detail_validates_against_the_official_schemas(client, listings, hsds_dir):
    sal = listings["clinic"].service_at_locations.get(location=listings["office"])
    details = {
        f"/api/services/{listings['clinic'].pk}": "service.json",
        f"/api/organizations/{listings['centro'].pk}": "organization.json",
        f"/api/organizations/{listings['centro'].pk}?full_service=true": "organization.json",
        f"/api/taxonomies/{taxonomy_id('advocacy')}": "taxonomy.json",
        f"/api/taxonomy_terms/{listings['asylum'].pk}": "taxonomy_term.json",
        f"/api/service_at_locations/{sal.pk}": "service_at_location.json",
    }
    for url, schema in details.items():
        r, document = _get(client, url)
        assert r.status_code == 200, url
        validator(hsds_dir, schema).validate(document)
    organization = _get(client, f"/api/organizations/{listings['centro'].pk}?full_service=true")[1]
    for service in organization["services"]:
        validator(hsds_dir, "service.json").validate(service)


def test_the_root_says_the_version_and_where_the_openapi_document_is(client, hsds_dir):
    r, root = _get(client, "/api/")
    reference = json.loads((hsds_dir / "openapi.json").read_text())
    schema = reference["paths"]["/"]["get"]["responses"]["200"]["content"]["application/json"]
    validator(hsds_dir, "taxonomy.json").evolve(schema=schema["schema"]).validate(root)
    assert root == {"version": "3.0", "openapi_url": "http://testserver/api/openapi.json"}


def test_the_openapi_document_is_the_reference_with_our_server_and_documented_changes(
    client, hsds_dir
):
    r, ours = _get(client, "/api/openapi.json")
    reference = json.loads((hsds_dir / "openapi.json").read_text())
    assert ours["servers"] == [{"url": "http://testserver/api"}]
    assert ours["openapi"] == reference["openapi"]
    assert ours["paths"].keys() == reference["paths"].keys()
    for path, item in reference["paths"].items():
        theirs, mine = item["get"], ours["paths"][path]["get"]
        assert theirs["operationId"] == mine["operationId"]
        names = {p.get("$ref", p.get("name")) for p in theirs.get("parameters", [])}
        assert names <= {p.get("$ref", p.get("name")) for p in mine.get("parameters", [])}
        schema = mine["responses"]["200"]["content"]["application/json"]["schema"]
        if path == "/service_at_locations/{id}":  # the reference's mistake, documented
            assert schema["$ref"].endswith("/schema/service_at_location.json")
            assert "service_at_location" in ours["info"]["description"]
        else:
            assert schema == theirs["responses"]["200"]["content"]["application/json"]["schema"]
    assert "CC BY-SA 4.0" in ours["info"]["description"]


# ---------------------------------------------------------------- what is public


def test_hidden_listings_and_confidential_places_appear_nowhere(client, listings):
    urls = [
        *LISTS,
        "/api/services?search=quibbleford",
        "/api/organizations?search=quibbleford&full_service=true",
        "/api/service_at_locations?postcode=90033",
        "/api/service_at_locations?postcode=90033&proximity=500",
        f"/api/organizations/{listings['centro'].pk}?full_service=true",
        f"/api/services/{listings['clinic'].pk}",
        f"/api/services?taxonomy_term_id={listings['hidden_term'].pk}",
    ]
    for url in urls:
        body = client.get(url).content.decode().lower()
        for word in ("quibble", "vexley", "glimmerhaus", "90033", "34.0487", "118.2094"):
            assert word not in body, (url, word)
        assert str(listings["shelter"].pk) not in body
    for listing in listings["hidden"]:
        kind = "organizations" if isinstance(listing, Organization) else "services"
        r, error = _get(client, f"/api/{kind}/{listing.pk}")
        assert r.status_code == 404 and error["status"] == 404
    for sal in listings["shelter"].service_at_locations.all():
        assert client.get(f"/api/service_at_locations/{sal.pk}").status_code == 404
    assert client.get(f"/api/taxonomy_terms/{listings['hidden_term'].pk}").status_code == 404


def test_a_confidential_place_changes_no_proximity_answer(client, listings):
    """Whatever postcode and distance one asks, the answers are those without the shelter.

    So no set of proximity questions can place it (no trilateration), and it
    is not even counted.
    """
    questions = [
        f"/api/service_at_locations?postcode={code}&proximity={meters}"
        for code in ("90033", "90012", "90022", "90063", "91101")
        for meters in (100, 1000, 2500, 5000, 10000, 50000)
    ]
    with_shelter = [client.get(url).content for url in questions]
    listings["shelter"].delete()
    assert [client.get(url).content for url in questions] == with_shelter


def test_an_organizations_locations_leave_out_the_confidential_one(client, listings):
    _r, organization = _get(client, f"/api/organizations/{listings['centro'].pk}")
    assert [loc["id"] for loc in organization["locations"]] == [str(listings["office"].pk)]
    assert {s["name"] for s in organization["services"]} == {"Asylum clinic", "Food pantry"}


def test_terms_and_taxonomies_are_those_public_services_use_and_their_parents(client, listings):
    _r, page = _get(client, "/api/taxonomy_terms")
    assert [t["code"] for t in page["contents"]] == ["food", "legal", "legal.asylum"]
    asylum = page["contents"][2]
    assert asylum["parent_id"] == str(listings["legal"].pk)
    assert asylum["taxonomy_id"] == taxonomy_id("advocacy")
    _r, taxonomies = _get(client, "/api/taxonomies")
    assert [t["name"] for t in taxonomies["contents"]] == ["advocacy"]


# ---------------------------------------------------------------- pages


def test_pages_walk_every_public_service_once(client, listings):
    seen = []
    for number in (1, 2, 3):
        _r, page = _get(client, f"/api/services?per_page=1&page={number}")
        assert page["total_items"] == 3 and page["total_pages"] == 3
        assert (page["page_number"], page["size"], page["empty"]) == (number, 1, False)
        assert page["first_page"] == (number == 1) and page["last_page"] == (number == 3)
        seen += _ids(page)
    public = {str(pk) for pk in Service.objects.public().values_list("pk", flat=True)}
    assert sorted(seen) == sorted(public) and len(public) == 3


def test_a_page_past_the_end_is_empty(client, listings):
    _r, page = _get(client, "/api/services?page=9")
    assert page["contents"] == [] and page["empty"] and page["last_page"]
    assert (page["total_items"], page["page_number"], page["size"]) == (3, 9, 0)


@pytest.mark.parametrize(
    "query",
    [
        "page=0",
        "page=-1",
        "page=abc",
        "page=1.5",
        "page=１",
        "page=99999999999999999999",
        "per_page=0",
        "per_page=101",
        "per_page=-5",
        "per_page=",
    ],
)
def test_a_page_number_or_size_out_of_range_is_a_400_naming_it(client, query):
    r, error = _get(client, f"/api/services?{query}")
    assert r.status_code == 400 and r["Content-Type"] == "application/json"
    assert error["parameter"] == query.split("=")[0]
    assert error["message"].startswith(query.split("=")[0])


@pytest.mark.parametrize(
    "url",
    [
        "/api/services?minimal=yes",
        "/api/services?minimal=",
        "/api/services?full=True",
        "/api/services?format=",
        "/api/services?full=2",
        "/api/services?format=ndjson",
        "/api/services?organization_id=not-a-uuid",
        "/api/services?taxonomy_term_id=12",
        "/api/services?modified_after=yesterday",
        "/api/services?modified_after=2024-02-30",
        "/api/services?day=someday",
        "/api/services?start_time=25:00",
        "/api/services?start_time=10:00&end_time=09:00",
        "/api/organizations?full_service=maybe",
        "/api/taxonomy_terms?parent_id=x",
        "/api/taxonomy_terms?top_only=sometimes",
        "/api/service_at_locations?postcode=ABC",
        "/api/service_at_locations?proximity=1000",
        "/api/service_at_locations?postcode=90012&proximity=-3",
        "/api/service_at_locations?postcode=90012&proximity=1e-323",
        "/api/service_at_locations?postcode=90012&proximity=nan",
        "/api/service_at_locations?postcode=90012&proximity=900000",
        "/api/service_at_locations?postcode=00000&proximity=1000",
    ],
)
def test_bad_parameters_are_a_400_with_a_json_error(client, url):
    r, error = _get(client, url)
    assert r.status_code == 400, url
    assert error["status"] == 400 and error["error"] == "Bad Request" and error["message"]
    assert error["parameter"] in url
    assert r["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    "url",
    [
        f"/api/services/{uuid.UUID(int=1)}",
        "/api/services/not-a-uuid",
        "/api/organizations/12",
        f"/api/taxonomies/{uuid.UUID(int=2)}",
        "/api/taxonomy_terms/legal",
        "/api/service_at_locations/%00",
        "/api/no-such-endpoint",
        "/api/services/1/2",
    ],
)
def test_unknown_ids_and_addresses_are_a_404_with_a_json_error(client, url):
    r, error = _get(client, url)
    assert r.status_code == 404 and r["Content-Type"] == "application/json"
    assert error["status"] == 404 and error["message"]


def test_a_list_page_costs_the_same_queries_whatever_its_size(
    client, listings, django_assert_max_num_queries
):
    for more in range(12):
        org = make_organization(f"Extra {more}")
        service = make_service(org, f"Extra service {more}", terms=[listings["legal"]])
        make_location(
            org, services=[service], postal_code="90012", latitude=34.05, longitude=-118.2
        )
        make_phone(service=service)
        make_phone(organization=org)
        make_hours(service, 1, (9, 0), (12, 0))
    client.get("/api/taxonomy_terms")  # the public terms, read once per process
    # The index's generation (a cache read), the count, the page's ids, its rows,
    # then one query per relation the documents nest.
    limits = {
        "/api/services?": 5,
        "/api/services?full=true&": 13,
        "/api/services?minimal=true&": 5,
        "/api/organizations?": 6,
        "/api/organizations?full=true&": 9,
        "/api/organizations?full_service=true&": 15,
        "/api/service_at_locations?": 13,
        "/api/service_at_locations?full=true&": 13,
        "/api/taxonomy_terms?": 3,
        "/api/taxonomies?": 1,
    }
    for url, limit in limits.items():
        counts = []
        for size in (10, 100):  # both pages hold every kind of related row
            choices.changed()  # each page counts its listing anew (tested below)
            client.get("/api/taxonomy_terms")  # and the terms are read again
            with django_assert_max_num_queries(limit) as captured:
                assert client.get(f"{url}per_page={size}").status_code == 200
            counts.append(len(captured))
        assert counts[0] == counts[1], url


def test_walking_the_pages_counts_once_until_something_changes(
    client, listings, django_assert_num_queries
):
    """A consumer reads page after page: the count is kept, and a write renews it."""
    first = _get(client, "/api/services?per_page=1&page=1")[1]
    with django_assert_num_queries(4):  # generation, ids, rows, languages: no count
        second = _get(client, "/api/services?per_page=1&page=2")[1]
    assert second["total_items"] == first["total_items"] == 3
    make_service(listings["eastside"], "Evening clinic")
    assert _get(client, "/api/services?per_page=1&page=2")[1]["total_items"] == 4


def test_a_page_asked_again_reads_no_ids_until_something_changes(
    client, listings, django_assert_num_queries
):
    url = "/api/services?search=asylum&per_page=1&page=2"
    first = _get(client, url)[1]
    with django_assert_num_queries(3):  # generation, rows, languages: no count, no ids
        assert _get(client, url)[1] == first
    # A write renews the generation: the page is read again, in the new order.
    make_service(make_organization("Aardvark Asylum Aid"), "Aardvark asylum clinic")
    again = _get(client, url)[1]
    everything = _get(client, "/api/services?search=asylum&per_page=100")[1]["contents"]
    assert again["total_items"] == first["total_items"] + 1 == len(everything)
    assert again["contents"] == everything[1:2]


# ---------------------------------------------------------------- filters


def _names(client, url):
    _r, page = _get(client, url)
    return sorted(item.get("name") or item["service"]["name"] for item in page["contents"])


def test_filters_narrow_services(client, listings):
    legal, asylum = listings["legal"], listings["asylum"]
    assert _names(client, f"/api/services?taxonomy_term_id={asylum.pk}") == ["Asylum clinic"]
    # A term's services include those of the terms below it, as on the site.
    assert _names(client, f"/api/services?taxonomy_term_id={legal.pk}") == [
        "Asylum clinic",
        "Visa help",
    ]
    assert _names(client, f"/api/services?taxonomy_id={taxonomy_id('advocacy')}") == [
        "Asylum clinic",
        "Food pantry",
        "Visa help",
    ]
    assert _names(client, f"/api/services?taxonomy_id={uuid.UUID(int=5)}") == []
    assert _names(client, f"/api/services?organization_id={listings['eastside'].pk}") == [
        "Visa help"
    ]
    assert _names(client, "/api/services?search=pasadena") == ["Visa help"]
    assert _names(client, "/api/services?search=asylum") == ["Asylum clinic", "Food pantry"]
    # `search` reads words as the site's search box does: Spanish and stop words included.
    assert _names(client, "/api/services?search=el+asilo") == ["Asylum clinic", "Food pantry"]
    assert _names(client, f"/api/services?taxonomy_term_id={uuid.UUID(int=7)}") == []


def _listed_last_year():
    """Every listing as if last changed a year ago (the index rebuilt to match)."""
    year_ago = timezone.now() - timedelta(days=365)
    Service.objects.update(updated_at=year_ago)
    Organization.objects.update(updated_at=year_ago)
    search_index.rebuild()
    return (year_ago + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_modified_after_returns_what_changed_since(client, listings):
    stamp = _listed_last_year()
    pantry = listings["pantry"]
    pantry.description = "Groceries on Saturdays too."
    pantry.save()  # as the admin saves it
    assert _names(client, f"/api/services?modified_after={stamp}") == ["Food pantry"]
    assert len(_names(client, "/api/services?modified_after=2000-01-01")) == 3
    # Offsets a database cannot hold, and the ends of the calendar.
    for odd in ("2000-01-01T00:00:00-19:39", "0001-01-01T00:00:00+05:00"):
        assert len(_names(client, f"/api/services?modified_after={quote(odd)}")) == 3
    assert _names(client, "/api/services?modified_after=9999-12-31T23:59:59-05:00") == []
    r, _page = _get(client, "/api/service_at_locations?modified_after=" + stamp)
    assert [s["service"]["name"] for s in _page["contents"]] == ["Food pantry"]


def test_an_edit_to_an_organization_is_a_change_to_its_services(client, listings):
    """A service's document nests its organization: a sync must see the organization's edit."""
    stamp = _listed_last_year()
    eastside = listings["eastside"]
    eastside.description = "Now also in Boyle Heights."
    eastside.save()
    eastside.refresh_from_db()
    changed = _get(client, f"/api/services?modified_after={stamp}")[1]["contents"]
    services = Service.objects.filter(organization=eastside, status=Status.PUBLISHED)
    assert sorted(s["name"] for s in changed) == sorted(services.values_list("name", flat=True))
    assert {s["last_modified"] for s in changed} == {
        eastside.updated_at.isoformat().replace("+00:00", "Z")
    }


def test_minimal_and_full_shapes(client, listings):
    _r, minimal = _get(
        client, f"/api/services?minimal=true&organization_id={listings['eastside'].pk}"
    )
    assert minimal["contents"][0].keys() == {"id", "name", "status", "last_modified"}
    _r, item = _get(client, f"/api/services?taxonomy_term_id={listings['asylum'].pk}")
    item = item["contents"][0]
    assert item["organization"]["name"] == "Centro Legal" and "phones" not in item
    assert "phones" not in item["organization"]
    _r, full = _get(client, f"/api/services?full=true&taxonomy_term_id={listings['asylum'].pk}")
    full = full["contents"][0]
    assert [p["number"] for p in full["phones"]] == ["(213) 555-0101"]
    assert [sal["location_id"] for sal in full["service_at_locations"]] == [
        str(listings["office"].pk)
    ]
    _r, same = _get(client, f"/api/services/{listings['clinic'].pk}")
    assert same == full


def test_taxonomy_term_filters(client, listings):
    legal = listings["legal"]
    codes = lambda url: [t["code"] for t in _get(client, url)[1]["contents"]]  # noqa: E731
    assert codes("/api/taxonomy_terms?top_only=true") == ["food", "legal"]
    assert codes(f"/api/taxonomy_terms?parent_id={legal.pk}") == ["legal.asylum"]
    assert codes(f"/api/taxonomy_terms?taxonomy_id={taxonomy_id('advocacy')}") == [
        "food",
        "legal",
        "legal.asylum",
    ]
    assert codes(f"/api/taxonomy_terms?taxonomy_id={uuid.UUID(int=3)}") == []
    assert codes("/api/taxonomy_terms?search=asyl") == ["legal.asylum"]
    assert [t["name"] for t in _get(client, "/api/taxonomies?search=advo")[1]["contents"]] == [
        "advocacy"
    ]


def test_postcode_and_proximity(client, listings):
    places = lambda url: sorted(  # noqa: E731
        item["location"]["id"] for item in _get(client, url)[1]["contents"]
    )
    office, pasadena = str(listings["office"].pk), str(listings["pasadena"].pk)
    assert places("/api/service_at_locations?postcode=90012") == [office, office]
    assert places("/api/service_at_locations?postcode=91101-1234") == [pasadena]
    # Downtown LA to Pasadena is about 14 km.
    assert places("/api/service_at_locations?postcode=90012&proximity=5000") == [office, office]
    assert places("/api/service_at_locations?postcode=90012&proximity=30000") == sorted(
        [office, office, pasadena]
    )
    _r, page = _get(client, "/api/service_at_locations?postcode=91101&proximity=30000")
    assert page["contents"][0]["location"]["id"] == pasadena  # nearest first


def test_day_and_times_from_the_uk_profile(client, listings):
    assert _names(client, "/api/services?day=monday") == ["Asylum clinic"]
    assert _names(client, "/api/services?day=MO&start_time=16:30&end_time=18:00") == [
        "Asylum clinic"
    ]
    assert _names(client, "/api/services?day=monday&start_time=17:00") == []
    assert _names(client, "/api/services?day=tuesday") == []
    listings["visa"].open_24_7 = True
    listings["visa"].save()
    assert _names(client, "/api/services?day=sunday&start_time=03:00") == ["Visa help"]


# ---------------------------------------------------------------- HTTP


def test_etag_answers_304_until_the_data_changes(client, listings):
    url = f"/api/services?organization_id={listings['centro'].pk}"
    r = client.get(url)
    etag = r["ETag"]
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    assert again["Access-Control-Allow-Origin"] == "*"
    listings["pantry"].name = "Food bank"
    listings["pantry"].save()
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert b"Food bank" in changed.content


def test_a_detail_answers_if_modified_since(client, listings):
    url = f"/api/services/{listings['clinic'].pk}"
    r = client.get(url)
    newest = max(listings["clinic"].updated_at, listings["centro"].updated_at)
    assert r["Last-Modified"] == http_date(int(newest.timestamp()))
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=r["Last-Modified"]).status_code == 304
    before = http_date(int(newest.timestamp()) - 60)
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=before).status_code == 200
    # A change to its organization is a change to the document.
    Organization.objects.filter(pk=listings["centro"].pk).update(
        updated_at=newest + timedelta(minutes=1), description="New words"
    )
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=r["Last-Modified"]).status_code == 200


def test_cors_and_preflight(client, listings):
    r = client.get("/api/services", HTTP_ORIGIN="https://referrals.example")
    assert r["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in r["Access-Control-Expose-Headers"]
    preflight = client.options(
        "/api/services",
        HTTP_ORIGIN="https://referrals.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="if-none-match",
    )
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert "GET" in preflight["Access-Control-Allow-Methods"]
    assert "If-None-Match" in preflight["Access-Control-Allow-Headers"]
    posted = client.post("/api/services", {"name": "x"})
    assert posted.status_code == 405 and json.loads(posted.content)["status"] == 405
    assert "GET" in posted["Allow"]


def test_no_cookie_and_a_public_cache_header_in_any_language(client, listings):
    english = client.get("/api/taxonomy_terms")
    spanish = client.get("/api/taxonomy_terms", HTTP_ACCEPT_LANGUAGE="es")
    assert english.content == spanish.content
    for r in (english, spanish, client.get("/api/services/nope")):
        assert not r.cookies
    cache_control = english["Cache-Control"]
    assert "public" in cache_control and "max-age=" in cache_control
    assert "Cookie" not in english.get("Vary", "") and "Accept-Language" not in english.get(
        "Vary", ""
    )
    assert "public" not in client.get("/api/services/nope").get("Cache-Control", "")


def test_head_answers_like_get(client, listings):
    r = client.head("/api/services")
    assert r.status_code == 200 and r["ETag"] == client.get("/api/services")["ETag"]


def test_the_limits_are_what_the_openapi_document_says(client):
    _r, ours = _get(client, "/api/openapi.json")
    parameters = ours["components"]["parameters"]
    assert parameters["per_page"]["schema"]["maximum"] == params.MAX_PER_PAGE
    assert parameters["per_page"]["schema"]["default"] == params.DEFAULT_PER_PAGE
    assert parameters["page"]["schema"]["maximum"] == params.MAX_PAGE
    assert parameters["proximity"]["schema"]["maximum"] == params.MAX_PROXIMITY
