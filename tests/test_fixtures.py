import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from directory import search_index
from directory.models import (
    Kind,
    Location,
    Organization,
    OrganizationTranslation,
    Phone,
    SearchEntry,
    Service,
    ServiceTranslation,
    Status,
    TaxonomyTerm,
)

pytestmark = pytest.mark.django_db


def _counts():
    return [m.objects.count() for m in (Organization, Service, Location, Phone, TaxonomyTerm)]


def test_demo_loads_twice_without_duplicates_and_accounts_only_with_debug(settings):
    """One test, so the demo is loaded three times instead of four times in two tests."""
    settings.DEBUG = False
    call_command("load_demo", verbosity=0)
    first = _counts()
    assert not User.objects.exists()
    settings.DEBUG = True
    call_command("load_demo", verbosity=0)
    assert _counts() == first
    curator = User.objects.get(username="curator")
    assert curator.groups.filter(name="Curators").exists()
    assert not curator.has_perm("directory.publish_organization")
    assert User.objects.get(username="publisher").has_perm("directory.publish_organization")
    call_command("load_demo", verbosity=0)
    assert _counts() == first
    assert User.objects.count() == 2


def test_demo_data_covers_what_the_demo_needs(client):
    with CaptureQueriesContext(connection) as queries:
        call_command("load_demo", verbosity=0)
    orgs = Organization.objects.all()
    assert orgs.count() >= 40
    assert all(o.description.startswith("[Sample data]") for o in orgs)
    used_kinds = set(orgs.values_list("kinds__code", flat=True))
    assert set(Kind.values) <= used_kinds
    assert Location.objects.filter(is_confidential=True).count() >= 5
    assert orgs.filter(status=Status.DRAFT).exists()
    assert orgs.published().stale().exists()
    for org in orgs.published():
        assert org.has_contact_method(), org
    for number in Phone.objects.values_list("number", flat=True):
        assert "555-01" in number, number
    # The search index is built once, at the end, for every public organization:
    # emptied once, never refreshed one organization at a time.
    clears = [q["sql"] for q in queries.captured_queries if "directory_searchentry" in q["sql"]]
    clears = [sql for sql in clears if sql.startswith("DELETE")]
    assert len(clears) == 1, clears
    assert SearchEntry.objects.count() == Organization.objects.public().count()
    assert all(SearchEntry.objects.values_list("text", flat=True))
    built = search_index.snapshot()
    search_index.rebuild()
    assert search_index.snapshot() == built
    # Found by a service's name and by its category's name, in both languages.
    for query in ("bond hearing representation", "detention and bond", "detención y fianza"):
        page = client.get(reverse("directory:search"), {"q": query})
        assert "Eastside Immigrant Defense Collaborative" in page.content.decode(), query

    # A dozen listings carry translations into the five languages the demo shows them in,
    # found by the search and shown on the page in the reader's language.
    languages = {"es", "zh-hans", "ko", "vi", "tl"}
    for model, key in ((OrganizationTranslation, "organization"), (ServiceTranslation, "service")):
        for language in languages:
            assert model.objects.filter(language=language).values(key).distinct().count() >= 12
    page = client.get("/ko/search/", {"q": "추방"}).content.decode()
    assert "Eastside Immigrant Defense Collaborative" in page
    org = Organization.objects.get(name="Eastside Immigrant Defense Collaborative")
    with translation.override("ko"):
        page = client.get(org.get_absolute_url()).content.decode()
    assert "[예시 데이터] 보일 하이츠에 있는 비영리 법률 사무소" in page


def test_taxonomy_codes_follow_their_parents():
    call_command("load_demo", "--reference-only", verbosity=0)
    terms = TaxonomyTerm.objects.select_related("parent")
    assert terms.count() >= 30
    for term in terms:
        term.full_clean()
