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


@pytest.fixture(scope="module")
def checks(tmp_path_factory):
    """Migrate a fresh SQLite file, run the checks against it, and return their results."""
    database = tmp_path_factory.mktemp("sqlite") / "db.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "SECRET_KEY": "test-only-not-secret",
        "SECURE_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": "testserver",
        "DEBUG": "0",
    }
    result = subprocess.run(
        [sys.executable, "-m", "tests.sqlite_file_checks"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def test_two_saves_at_the_same_moment_both_succeed(checks):
    result = checks["saves"]
    assert result.get("errors") == [], result
    assert result["name"] in ("First", "Second")
    # Readers never wait for the writer.
    assert result["journal_mode"] == "wal"


def test_migrate_alone_leaves_the_admin_and_the_cache_working(checks):
    assert checks["complete"] == {"login": 200, "wrong_password": 200, "cache": "stored"}


def test_the_cache_table_migration_reverses(checks):
    assert checks["unmigrate"] == {"after_reverse": False, "after_migrate": True}
