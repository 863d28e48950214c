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
    term = make_term("legal", "Legal help")
    lawyers.services.get().taxonomy_terms.add(term)
    assert names(client, "legal help") == ["Immigration Lawyers Collective"]
    term.name = "Legal aid"
    term.save()
    assert names(client, "legal aid") == ["Immigration Lawyers Collective"]
    term.services.clear()
    assert names(client, "legal aid") == []
    term.services.add(lawyers.services.get())
    assert names(client, "legal aid") == ["Immigration Lawyers Collective"]
    term.delete()
    assert names(client, "legal aid") == []
    Organization.objects.filter(pk=lawyers.pk).get().delete()
    assert names(client, "deportacion") == []


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
