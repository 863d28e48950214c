"""Run by tests/test_db_router.py in its own pytest, with DATABASE_REPLICA_URL set.

The "replica" alias there is a second connection to the same PostgreSQL test
database (a test mirror of default), so what each request reads through
which alias can be counted.
"""

import pytest
from django.contrib.auth.models import User
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext

from directory.db_router import replica_reads
from directory.models import Language, Organization
from tests.factories import make_organization, make_service, verified_login

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@pytest.fixture
def organization():
    org = make_organization("Safe Harbor")
    make_service(org, "Asylum help")
    return org


@pytest.fixture
def admin_client(client):
    user = User.objects.create_superuser("ana", password="correct-horse-battery")
    verified_login(client, user)
    return client


def queries(response_of):
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        response = response_of()
    # The cache table (rate limits, lockouts) always counts on the primary.
    on_primary = [q["sql"] for q in primary if "directory_cache" not in q["sql"]]
    return response, on_primary, [q["sql"] for q in replica]


def test_public_pages_read_from_the_replica(client, organization):
    for url in ["/", "/search/?q=asylum", organization.get_absolute_url(), "/sitemap.xml"]:
        response, on_primary, on_replica = queries(lambda url=url: client.get(url))
        assert response.status_code == 200, url
        assert on_replica, url
        assert on_primary == [], url
    assert b"Safe Harbor" in client.get("/search/?q=asylum").content


def test_the_admin_reads_and_writes_on_the_primary(admin_client):
    response, on_primary, on_replica = queries(
        lambda: admin_client.get("/admin/directory/language/")
    )
    assert response.status_code == 200
    assert on_primary and on_replica == []
    response, on_primary, on_replica = queries(
        lambda: admin_client.post(
            "/admin/directory/language/add/", {"code": "zz", "name": "Test", "native_name": ""}
        )
    )
    assert response.status_code == 302, response.content
    assert any("INSERT" in sql for sql in on_primary)
    assert on_replica == []
    assert Language.objects.using("default").filter(code="zz").exists()


def test_signed_in_users_read_their_own_edits_on_the_primary(admin_client, organization):
    response, on_primary, on_replica = queries(lambda: admin_client.get("/search/?q=asylum"))
    assert response.status_code == 200
    assert on_primary and on_replica == []


def test_reads_in_a_transaction_stay_on_the_primary(db):
    with replica_reads():
        assert Organization.objects.db == "replica"
        with transaction.atomic():
            Language.objects.create(code="zz", name="Test")
            assert Language.objects.db == "default"
            assert Language.objects.filter(code="zz").exists()
    assert Organization.objects.db == "default"
