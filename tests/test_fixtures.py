import pytest
from django.core.management import call_command

from directory.models import Kind, Location, Organization, Phone, Service, Status, TaxonomyTerm

pytestmark = pytest.mark.django_db


def _counts():
    return [m.objects.count() for m in (Organization, Service, Location, Phone, TaxonomyTerm)]


def test_reference_and_demo_fixtures_load_twice_without_duplicates(settings):
    settings.DEBUG = True
    call_command("load_demo", verbosity=0)
    first = _counts()
    call_command("load_demo", verbosity=0)
    assert _counts() == first


def test_demo_data_covers_what_the_demo_needs():
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


def test_taxonomy_codes_follow_their_parents():
    call_command("load_demo", "--reference-only", verbosity=0)
    terms = TaxonomyTerm.objects.select_related("parent")
    assert terms.count() >= 30
    for term in terms:
        term.full_clean()


def test_demo_accounts_exist_only_with_debug(settings):
    from django.contrib.auth.models import User

    settings.DEBUG = False
    call_command("load_demo", verbosity=0)
    assert not User.objects.exists()
    settings.DEBUG = True
    call_command("load_demo", verbosity=0)
    curator = User.objects.get(username="curator")
    assert curator.groups.filter(name="Curators").exists()
    assert not curator.has_perm("directory.publish_organization")
    assert User.objects.get(username="publisher").has_perm("directory.publish_organization")
