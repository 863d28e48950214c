import pytest
from django.core.cache import cache

from tests.factories import make_staff, verified_login


@pytest.fixture(autouse=True)
def _empty_cache(request):
    """Rate limits and login lockouts live in the cache table: start each test clean."""
    uses_db = request.node.get_closest_marker("django_db") or {"db", "transactional_db"} & set(
        request.fixturenames
    )
    if uses_db:
        request.getfixturevalue("db")
        cache.clear()
    yield


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def curator(db):
    return make_staff("carla", "Curators")


@pytest.fixture
def publisher(db):
    return make_staff("pablo", "Publishers")


@pytest.fixture
def curator_client(client, curator):
    verified_login(client, curator)
    return client


@pytest.fixture
def publisher_client(client, publisher):
    verified_login(client, publisher)
    return client
