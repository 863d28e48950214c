"""Free-text search: both backends, and PostgreSQL's relevance and typo tolerance."""

import pytest
from django.db import connection

from directory.models import Organization, Status
from tests.factories import make_organization, make_service, make_term

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL full-text search and pg_trgm"
)


def names(client, q, lang=""):
    r = client.get(f"{lang}/search/", {"q": q})
    assert r.status_code == 200
    return [org.name for org in r.context["page"].object_list]


@pytest.fixture
def listings():
    lawyers = make_organization(
        "Immigration Lawyers Collective", description="Free immigration lawyers for families."
    )
    make_service(lawyers, "Defensa contra la deportación", description="Representación en corte.")
    mention = make_organization(
        "Community Kitchen", description="Meals; we can refer you to an immigration lawyer."
    )
    make_service(mention, "Hot meals")
    clinic = make_organization("Valley Health Clinic")
    make_service(clinic, "Counseling", terms=[make_term("mental-health", "Mental health")])
    return lawyers, mention, clinic


def test_every_word_must_match(client, listings):
    assert names(client, "meals") == ["Community Kitchen"]
    assert names(client, "immigration kitchen") == ["Community Kitchen"]
    assert names(client, "nothing-like-this") == []


def test_accents_do_not_matter(client, listings):
    assert names(client, "deportacion") == ["Immigration Lawyers Collective"]
    assert names(client, "DEPORTACIÓN") == ["Immigration Lawyers Collective"]


def test_category_names_are_searchable_in_spanish(client, listings):
    # "Mental health" is "Salud mental" in the Spanish catalog.
    assert names(client, "salud mental") == ["Valley Health Clinic"]
    assert names(client, "mental health") == ["Valley Health Clinic"]


def test_name_match_outranks_a_passing_mention(client, listings):
    assert names(client, "immigration lawyer")[0] == "Immigration Lawyers Collective"


def test_search_text_follows_edits(client, listings):
    lawyers, _mention, clinic = listings
    service = clinic.services.get()
    service.name = "Asylum screenings"
    service.save()
    assert names(client, "asylum") == ["Valley Health Clinic"]
    service.status = Status.DRAFT
    service.save()
    assert names(client, "asylum") == []
    # Names the search vocabulary has no synonyms for (directory/default_synonyms.py).
    term = make_term("crafts", "Quilting circle")
    lawyers.services.get().taxonomy_terms.add(term)
    assert names(client, "quilting circle") == ["Immigration Lawyers Collective"]
    term.name = "Quilting guild"
    term.save()
    assert names(client, "quilting guild") == ["Immigration Lawyers Collective"]
    term.services.clear()
    assert names(client, "quilting guild") == []
    term.services.add(lawyers.services.get())
    assert names(client, "quilting guild") == ["Immigration Lawyers Collective"]
    term.delete()
    assert names(client, "quilting guild") == []
    Organization.objects.filter(pk=lawyers.pk).get().delete()
    assert names(client, "deportacion") == []


def test_a_word_matches_whole_words_from_their_start(client):
    make_organization("Justice Services Center", description="Community services for justice.")
    check_in = make_organization("Check-in Companions", description="We go with you to ICE.")
    assert names(client, "ICE") == ["Check-in Companions"]
    assert names(client, "ice") == ["Check-in Companions"]
    check_in.delete()
    assert names(client, "ICE") == []


def test_drafts_never_match(client):
    make_organization("Draft Immigration Center", status=Status.DRAFT)
    assert names(client, "immigration") == []


@postgres_only
def test_typos_still_find_lawyers(client, listings):
    assert "Immigration Lawyers Collective" in names(client, "imigration lawyer")
    assert names(client, "imigration lawyers collective") == ["Immigration Lawyers Collective"]
    assert names(client, "counseling")[0] == "Valley Health Clinic"
    assert names(client, "counselling") == ["Valley Health Clinic"]


@postgres_only
def test_spanish_query_on_the_spanish_page(client, listings):
    assert names(client, "deportacion", lang="/es") == ["Immigration Lawyers Collective"]


def test_stale_listings_rank_below_fresh_ones(client):
    from datetime import date, timedelta

    old = date.today() - timedelta(days=400)
    make_service(make_organization("Asylum Aid Alpha", last_verified_on=old), name="Asylum help")
    make_service(
        make_organization("Asylum Aid Beta", last_verified_on=date.today()), name="Asylum help"
    )
    assert names(client, "asylum aid") == ["Asylum Aid Beta", "Asylum Aid Alpha"]
