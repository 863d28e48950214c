"""The optional read replica (DATABASE_REPLICA_URL): public reads there, all else on the primary.

The checks in tests/replica_checks.py need the replica alias configured at
start-up, so they run in a pytest of their own, with DATABASE_REPLICA_URL
pointing at this same PostgreSQL database.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from directory.db_router import ReplicaRouter, replica_reads
from directory.models import Organization

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a replica is a PostgreSQL deployment"
)
def test_public_pages_read_the_replica_and_the_admin_the_primary():
    url = os.environ["DATABASE_URL"]
    # Its own database name, so its test database does not collide with this run's.
    own = url.rsplit("/", 1)[0] + "/" + url.rsplit("/", 1)[1] + "_replica"
    env = {**os.environ, "DATABASE_URL": own, "DATABASE_REPLICA_URL": own}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--create-db",
            "tests/replica_checks.py",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "4 passed" in result.stdout


def test_without_a_replica_every_query_is_on_the_primary(settings):
    # No DATABASE_REPLICA_URL: no router, so even an allowed read uses default.
    assert "replica" not in settings.DATABASES
    with replica_reads():
        assert Organization.objects.db == "default"
    # The router itself never sends a write, or the cache table, to the replica.
    router = ReplicaRouter()
    with replica_reads():
        assert router.db_for_write(Organization) == "default"
        assert router.db_for_read(Organization) == "replica"
    assert router.db_for_read(Organization) == "default"
    assert router.allow_migrate("replica", "directory") is False
