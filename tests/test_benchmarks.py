"""The benchmark's data generator builds a directory the app can search.

`make bench` times searches on 100,000 generated services; these tests run
the same generator on 50 organizations and check that what it writes
without signals (search points) is what the app itself would compute, that
the app's index builder indexes it, and that the searches the benchmark
times work.
"""

import pytest
from django.db.models import F

from benchmarks import directory_data
from directory import search_index
from directory.models import Location, Organization, Schedule, Service

pytestmark = pytest.mark.django_db

ORGANIZATIONS = 60


@pytest.fixture
def directory():
    assert directory_data.generate(ORGANIZATIONS, prefix="t-") == ORGANIZATIONS
    # As `make bench` does: the generator writes rows without signals.
    assert search_index.rebuild() == ORGANIZATIONS


def test_the_directory_has_two_public_services_per_organization(directory):
    assert Organization.objects.public().count() == ORGANIZATIONS
    assert Service.objects.public().count() == ORGANIZATIONS * 2
    assert Location.objects.filter(search_latitude__isnull=False).count() >= ORGANIZATIONS
    assert Schedule.objects.filter(closes_at__lt=F("opens_at")).exists()  # overnight
    assert Service.objects.exclude(time_zone="").values("time_zone").distinct().count() > 1
    assert Location.objects.filter(is_confidential=True).exists()


def test_the_derived_fields_equal_what_the_app_computes(directory):
    built = search_index.snapshot()
    assert len(built["services"]) == ORGANIZATIONS * 2
    assert built["intervals"]
    search_index.refresh(Organization.objects.values_list("pk", flat=True))
    assert search_index.snapshot() == built
    points = sorted(Location.objects.values_list("pk", "search_latitude", "search_longitude"))
    fresh = []
    for location in Location.objects.all():
        location.set_search_point()
        fresh.append((location.pk, location.search_latitude, location.search_longitude))
    assert sorted(fresh) == points


def test_every_benchmarked_search_answers(client, directory):
    from benchmarks.__main__ import SEARCHES, placeholders

    values = placeholders(Organization.objects.public().count())
    for _name, url in SEARCHES:
        response = client.get(url.format(**values))
        assert response.status_code == 200, url


def test_text_searches_find_generated_listings(client, directory):
    response = client.get("/es/search/?q=deportacion")
    assert response.status_code == 200
    assert response.context["count"] > 0
    assert response.context["count"] < ORGANIZATIONS


def test_the_organization_page_shows_a_generated_listing(client, directory):
    organization = Organization.objects.order_by("slug").first()
    response = client.get(f"/o/{organization.slug}/")
    assert response.status_code == 200
    assert organization.name in response.content.decode()
