"""The test suite itself: it runs on a bare clone, and quickly."""

import os
import subprocess
import sys
from pathlib import Path

from django.contrib.auth.hashers import get_hasher

from tests.factories import make_staff

ROOT = Path(__file__).resolve().parent.parent
SAMPLES_TEST = "tests/test_hsds.py::test_the_other_samples_import"


def _pytest(*args, **env):
    clean = {k: v for k, v in os.environ.items() if k not in ("CI", "DATABASE_URL", "HSDS_DIR")}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=ROOT,
        env={**clean, "SECRET_KEY": "test-only-not-secret", "SECURE_SSL_REDIRECT": "0", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_without_the_hsds_schemas_their_tests_skip_and_say_why(tmp_path):
    result = _pytest(SAMPLES_TEST, "-rs", HSDS_DIR=str(tmp_path / "missing"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "5 skipped" in result.stdout
    assert f"the HSDS schemas and samples are missing at {tmp_path / 'missing'}" in result.stdout


def test_in_ci_missing_hsds_schemas_fail_the_run(tmp_path):
    result = _pytest(SAMPLES_TEST, HSDS_DIR=str(tmp_path / "missing"), CI="true")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "5 errors" in result.stdout
    assert "Failed: the HSDS schemas and samples are missing" in result.stdout


def test_passwords_are_hashed_fast_in_tests_only(db):
    assert make_staff("tessa", "Curators").password.startswith("md5$")
    # Production settings keep Django's slow, salted default.
    production = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "--no-imports",
            "-c",
            "from django.contrib.auth.hashers import get_hasher; print(get_hasher().algorithm)",
        ],
        cwd=ROOT,
        env={**os.environ, "SECRET_KEY": "test-only-not-secret"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert production.stdout.strip() == "pbkdf2_sha256", production.stderr
    assert get_hasher().algorithm == "md5"
