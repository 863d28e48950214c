"""Two app servers on one PostgreSQL and one Redis share everything that matters.

Two gunicorn processes, with the production config and settings, on two
ports, as behind a load balancer: a lockout counted on one holds on the
other, a partner signed in on one is signed in on the other, and a listing
saved to the database is on both (docs/deployment.md, "Two app servers").
"""

import http.client
import re
from contextlib import ExitStack
from urllib.parse import urlencode

import pytest
import redis
from django.conf import global_settings
from django.contrib.auth.models import Group, User
from django.db import connection

from tests.app_servers import free_port, gunicorn, production_env
from tests.factories import make_organization, make_service

REDIS_URL = "redis://127.0.0.1:6379/14"
PASSWORD = "correct-horse-battery"

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="two app servers share a PostgreSQL database"
)


def _database_url():
    # The test database itself: what this test commits, both servers see.
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


class Browser:
    """One visitor's browser: its cookies go to whichever server answers."""

    def __init__(self):
        self.cookies = {}

    def request(self, port, method, path, form=None):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        content = response.read().decode()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        conn.close()
        return response.status, dict(response.getheaders()), content

    def sign_in(self, port, password):
        _status, _headers, page = self.request(port, "GET", "/partners/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        form = {"csrfmiddlewaretoken": token, "username": "refugio", "password": password}
        return self.request(port, "POST", "/partners/login/", form)[0]


@pytest.fixture
def two_servers(transactional_db, tmp_path):
    redis.Redis.from_url(REDIS_URL).flushdb()
    try:
        with ExitStack() as servers:
            ports = []
            for name in ("a", "b"):
                env = production_env(free_port(), DATABASE_URL=_database_url(), REDIS_URL=REDIS_URL)
                ports.append(servers.enter_context(gunicorn(env, tmp_path / f"{name}.log")))
            yield ports
    finally:
        redis.Redis.from_url(REDIS_URL).flushdb()


def test_two_servers_share_lockouts_sessions_and_listings(two_servers, settings):
    a, b = two_servers
    # Hashed as the servers hash (the suite's fast test hasher is not theirs).
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    partners, _ = Group.objects.get_or_create(name="Partners")
    User.objects.create_user("refugio", password=PASSWORD).groups.add(partners)
    org = make_organization("Safe Harbor")
    make_service(org, "Asylum help")

    # A listing in the database is on both, and both let HTTP caches keep it.
    for port in (a, b):
        status, headers, page = Browser().request(port, "GET", "/search/?q=asylum")
        assert status == 200 and "Safe Harbor" in page
        assert headers["Cache-Control"].startswith("public, max-age=")

    # Signed in on A, the partner is signed in on B (one session table).
    partner = Browser()
    assert partner.sign_in(a, PASSWORD) == 302
    status, headers, _page = partner.request(b, "GET", "/partners/")
    assert status == 200
    assert "private" in headers["Cache-Control"]

    # Four failed sign-ins on A and one on B lock the account (one Redis)...
    attacker = Browser()
    assert [attacker.sign_in(a, "wrong-guess") for _ in range(4)] == [200] * 4
    assert attacker.sign_in(b, "wrong-guess") == 429
    # ...on both servers, even with the right password.
    assert attacker.sign_in(a, PASSWORD) == 429
    assert attacker.sign_in(b, PASSWORD) == 429
    # The counters are in Redis, not in the database's cache table.
    assert redis.Redis.from_url(REDIS_URL).keys("*lockout:*")
