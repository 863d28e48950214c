"""The shared cache on Redis (REDIS_URL): what one app server counts, another sees."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent
# One Redis database per test worker (pytest-xdist): each test empties its own.
_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
REDIS_URL = f"redis://127.0.0.1:6379/{15 - _WORKER % 8}"
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


@pytest.mark.django_db
def test_a_search_answered_by_one_worker_is_reused_by_another(
    client, redis_cache, django_assert_max_num_queries
):
    from directory import recent
    from tests.factories import make_organization, make_service

    make_service(make_organization("Centro Legal", description="Asylum applications."))
    first = client.get("/search/?q=asylum")
    assert [o.name for o in first.context["page"].object_list] == ["Centro Legal"]
    recent._answers.clear()  # another worker: nothing of its own yet
    with django_assert_max_num_queries(5) as queries:
        again = client.get("/search/?q=asylum")
    # The count and the page came from Redis; only the cards' services were read.
    assert not any("directory_searchentry" in q["sql"] for q in queries.captured_queries)
    assert [o.name for o in again.context["page"].object_list] == ["Centro Legal"]
    assert again.context["count"] == 1
    # What was searched is not readable in Redis: the answers' keys are digests.
    keys = [key.decode() for key in cache._cache.get_client().scan_iter("*answer*")]
    assert keys and all(re.fullmatch(r":1:directory:answer:[0-9a-f]{64}", k) for k in keys)
    assert "asylum" not in " ".join(keys)


@pytest.mark.django_db
def test_a_write_is_seen_at_once_by_every_worker(client, redis_cache):
    from directory import recent
    from tests.factories import make_organization, make_service

    make_service(make_organization("Centro Legal", description="Asylum applications."))
    assert client.get("/search/?q=asylum").context["count"] == 1
    make_service(make_organization("Second Clinic", description="Asylum help."))
    recent._answers.clear()
    r = client.get("/search/?q=asylum")
    assert r.context["count"] == 2
    assert sorted(o.name for o in r.context["page"].object_list) == [
        "Centro Legal",
        "Second Clinic",
    ]
