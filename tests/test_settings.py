"""Production settings: safe by default, and `check --deploy` is clean."""

import logging
import os
import subprocess
import sys
from pathlib import Path

from directory.log_filters import ScrubVisitorDetails

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "SECRET_KEY": "a-long-production-like-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "directory.example.org",
    "DEBUG": "0",
}


def _manage(*args, env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DEBUG", "SECRET_KEY", "SECURE_SSL_REDIRECT")
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_refuses_to_start_without_a_secret_key_in_production():
    env = {**PRODUCTION_ENV, "SECRET_KEY": ""}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_debug_gets_a_development_key():
    result = _manage("check", env={"DEBUG": "1", "SECRET_KEY": ""})
    assert result.returncode == 0, result.stderr


def test_a_bad_boolean_fails_loudly():
    result = _manage("check", env={**PRODUCTION_ENV, "DEBUG": "maybe"})
    assert "DEBUG must be true or false" in result.stderr


def test_uploads_go_to_object_storage_when_a_bucket_is_given():
    code = (
        "from django.conf import settings; s = settings.STORAGES['default']; "
        "print(s['BACKEND']); o = s['OPTIONS']; "
        "print(o['bucket_name'], o['endpoint_url'], o['custom_domain'], o['querystring_auth'])"
    )
    env = {
        **PRODUCTION_ENV,
        "S3_BUCKET": "directory-media",
        "S3_ENDPOINT_URL": "https://s3.example.net",
        "S3_CUSTOM_DOMAIN": "directory.example.org/media",
    }
    result = _manage("shell", "--no-imports", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:2] == [
        "storages.backends.s3.S3Storage",
        "directory-media https://s3.example.net directory.example.org/media False",
    ]
    # Without a bucket: the local media folder, as before.
    result = _manage("shell", "--no-imports", "-c", code.split("; o =")[0], env=PRODUCTION_ENV)
    assert result.stdout.strip() == "django.core.files.storage.FileSystemStorage"


def _log(msg, *args):
    record = logging.LogRecord("django.server", logging.INFO, __file__, 1, msg, args, None)
    ScrubVisitorDetails().filter(record)
    return record.getMessage()


def test_request_logs_drop_the_query_string():
    line = _log('"%s" %s %s', "GET /es/search/?q=asilo&near=90033 HTTP/1.1", 200, 512)
    assert line == '"GET /es/search/ HTTP/1.1" 200 512'
    assert "asilo" not in line and "90033" not in line


def test_security_headers_are_sent(client, settings, db):
    r = client.get("/")
    assert r.headers["Referrer-Policy"] == "no-referrer"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["X-Frame-Options"] == "DENY"
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
