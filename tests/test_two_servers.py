"""Two app servers on one PostgreSQL and one Redis share everything that matters.

Two gunicorn processes, with the production config and settings, on two
ports, as behind a load balancer: a lockout counted on one holds on the
other, a partner signed in on one is signed in on the other, and a listing
saved to the database is on both (docs/deployment.md, "Two app servers").
"""

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
import redis
from django.conf import global_settings
from django.contrib.auth.models import Group, User
from django.db import connection

from tests.factories import make_organization, make_service

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = "redis://127.0.0.1:6379/14"
PASSWORD = "correct-horse-battery"

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="two app servers share a PostgreSQL database"
)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url():
    # The test database itself: what this test commits, both servers see.
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def _env(port):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GUNICORN"))}
    return {
        **env,
        "DEBUG": "0",
        "SECRET_KEY": "two-servers-test-only-not-secret",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": REDIS_URL,
        "PYTHONUNBUFFERED": "1",
    }


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


def _wait_until_serving(server, port, deadline):
    while time.monotonic() < deadline and server.poll() is None:
        try:
            if Browser().request(port, "GET", "/robots.txt")[0] == 200:
                return True
        except OSError:
            pass
        time.sleep(0.2)
    return False


@pytest.fixture
def two_servers(transactional_db, tmp_path):
    redis.Redis.from_url(REDIS_URL).flushdb()
    servers, ports = [], []
    try:
        for name in ("a", "b"):
            port = _free_port()
            log = open(tmp_path / f"{name}.log", "wb")
            servers.append(
                subprocess.Popen(
                    [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py"]
                    + ["--no-control-socket", "advocacy.wsgi"],
                    cwd=ROOT,
                    env=_env(port),
                    stdout=log,
                    stderr=log,
                )
            )
            ports.append(port)
        deadline = time.monotonic() + 60
        for server, port, name in zip(servers, ports, "ab", strict=True):
            assert _wait_until_serving(server, port, deadline), (
                tmp_path / f"{name}.log"
            ).read_text()
        yield ports
    finally:
        for server in servers:
            server.send_signal(signal.SIGTERM)
        for server in servers:
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
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
