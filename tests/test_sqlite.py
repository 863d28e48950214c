"""SQLite, the embedded default: several workers at once, and `migrate` makes it complete.

The suite's own test database may be PostgreSQL, or SQLite in memory; these
tests make a SQLite file of their own and run the checks in
tests/sqlite_file_checks.py in a fresh process against it.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run(database, *args, timeout=120):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "SECRET_KEY": "test-only-not-secret",
        "SECURE_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": "testserver",
        "DEBUG": "0",
    }
    result = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def _check(database, name):
    return json.loads(_run(database, "-m", "tests.sqlite_file_checks", name).stdout)


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    """A fresh SQLite file after `manage.py migrate` and nothing else."""
    database = tmp_path_factory.mktemp("sqlite") / "db.sqlite3"
    _run(database, "manage.py", "migrate", "--noinput", "--verbosity", "0")
    return database


def test_two_saves_at_the_same_moment_both_succeed(migrated):
    result = _check(migrated, "saves")
    assert result["errors"] == []
    assert result["name"] in ("First", "Second")
    # Readers never wait for the writer.
    assert result["journal_mode"] == "wal"


def test_migrate_alone_leaves_the_admin_and_the_cache_working(migrated):
    result = _check(migrated, "complete")
    assert result == {"login": 200, "wrong_password": 200, "cache": "stored"}


def test_the_cache_table_migration_reverses(migrated):
    assert _check(migrated, "unmigrate") == {"after_reverse": False, "after_migrate": True}
