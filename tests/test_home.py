import pytest

pytestmark = pytest.mark.django_db


def test_home_page_is_translated(client):
    assert "Find immigration help" in client.get("/").content.decode()
    r = client.get("/es/")
    assert r.status_code == 200
    assert '<html lang="es">' in r.content.decode()


def test_unpublished_organization_is_404(client):
    from directory.models import Status
    from tests.factories import make_organization

    draft = make_organization(status=Status.DRAFT)
    published = make_organization()
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(published.get_absolute_url()).status_code == 200
