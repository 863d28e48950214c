import pytest

from tests.factories import make_staff


@pytest.fixture
def curator(db):
    return make_staff("carla", "Curators")


@pytest.fixture
def publisher(db):
    return make_staff("pablo", "Publishers")


@pytest.fixture
def curator_client(client, curator):
    client.force_login(curator)
    return client


@pytest.fixture
def publisher_client(client, publisher):
    client.force_login(publisher)
    return client
