"""The shared cache on Redis (REDIS_URL): what one app server counts, another sees."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = "redis://127.0.0.1:6379/15"
ATTACKER = "203.0.113.66"

# Another app server: its own process, configured only by the environment.
ANOTHER_SERVER = """
import django
django.setup()
from django.test import RequestFactory
from directory.lockout import LockoutHandler, address_digest
request = RequestFactory().post("/partners/login/", REMOTE_ADDR=%r)
request.axes_ip_address = address_digest(request)
print("locked" if LockoutHandler().is_locked(request, {"username": "refugio"}) else "open")
"""


def another_server_says():
    env = {**os.environ, "REDIS_URL": REDIS_URL, "DJANGO_SETTINGS_MODULE": "advocacy.settings"}
    result = subprocess.run(
        [sys.executable, "-c", ANOTHER_SERVER % ATTACKER],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.fixture
def redis_cache(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
    cache.clear()
    yield
    cache.clear()


@pytest.mark.django_db
def test_a_lockout_counted_by_one_server_holds_on_another(client, redis_cache):
    user = User.objects.create_user("refugio", password="correct-horse-battery")
    user.groups.add(Group.objects.get(name="Partners"))
    url = reverse("directory:partner-login")
    assert another_server_says() == "open"
    statuses = [
        client.post(
            url, {"username": "refugio", "password": "wrong-guess"}, REMOTE_ADDR=ATTACKER
        ).status_code
        for _ in range(5)
    ]
    assert statuses == [200, 200, 200, 200, 429]
    assert another_server_says() == "locked"


def test_redis_url_selects_djangos_redis_backend():
    env = {**os.environ, "REDIS_URL": REDIS_URL, "DJANGO_SETTINGS_MODULE": "advocacy.settings"}
    code = "import django; django.setup(); from django.conf import settings; print(settings.CACHES)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert "django.core.cache.backends.redis.RedisCache" in result.stdout, result.stderr
    assert REDIS_URL in result.stdout
