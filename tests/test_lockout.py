"""Sign-in lockout: brute force stops, but an attacker cannot lock a curator out.

Every test signs in over HTTP, on the admin login and the partner login, from
addresses set with REMOTE_ADDR.
"""

import io
import logging

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.urls import reverse

from tests.cache_contents import stored_in_cache
from tests.factories import make_staff

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
ATTACKER, OWNER, ELSEWHERE = "203.0.113.66", "198.51.100.20", "192.0.2.30"


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(params=["admin", "partner"])
def login(request, db):
    """(login URL, username) for a curator on the admin or a partner on the partner login."""
    if request.param == "admin":
        make_staff("carla", "Curators")
        return reverse("admin:login"), "carla"
    user = User.objects.create_user("refugio", password=PASSWORD)
    user.groups.add(Group.objects.get(name="Partners"))
    return reverse("directory:partner-login"), "refugio"


def _post(client, url, username, password, address):
    client.cookies.clear()  # each attempt as a new browser would make it
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


def _fail(client, url, username, address, times):
    return [_post(client, url, username, "wrong-guess", address).status_code for _ in range(times)]


def _signs_in(response):
    return response.status_code == 302 and "_auth_user_id" in response.client.session


def test_five_failures_from_one_address_lock_that_address_only(client, login):
    url, username = login
    assert _fail(client, url, username, ATTACKER, 5) == [200, 200, 200, 200, 429]
    # The attacker's address is locked, even with the right password...
    r = _post(client, url, username, PASSWORD, ATTACKER)
    assert r.status_code == 429 and "Account locked for now" in r.content.decode()
    # ...but the owner, from their own address, signs in.
    assert _signs_in(_post(client, url, username, PASSWORD, OWNER))


def test_one_address_cannot_push_the_lock_onto_every_address(client, login, settings):
    url, username = login
    settings.LOGIN_FAILURE_LIMIT_ANY_ADDRESS = 10
    # Refused attempts after the lock try no password, so they do not count.
    _fail(client, url, username, ATTACKER, 30)
    assert _signs_in(_post(client, url, username, PASSWORD, OWNER))


def test_failures_spread_over_many_addresses_lock_the_username_everywhere(client, login, settings):
    url, username = login
    settings.LOGIN_FAILURE_LIMIT_ANY_ADDRESS = 10
    for address in ("203.0.113.1", "203.0.113.2", "203.0.113.3"):
        _fail(client, url, username, address, 4 if address != "203.0.113.3" else 2)
    r = _post(client, url, username, PASSWORD, OWNER)
    assert r.status_code == 429 and not _signs_in(r)
    # An administrator lifts it, for every address at once.
    out = io.StringIO()
    call_command("axes_reset_username", username, stdout=out)
    assert "10 attempts removed" in out.getvalue()
    assert _signs_in(_post(client, url, username, PASSWORD, OWNER))


def test_an_administrator_unlocks_the_attackers_address_too(client, login):
    url, username = login
    _fail(client, url, username, ATTACKER, 5)
    call_command("axes_reset_username", username, stdout=io.StringIO())
    assert _signs_in(_post(client, url, username, PASSWORD, ATTACKER))


def test_an_ipv6_network_counts_as_one_address(client, login):
    url, username = login
    for host in range(1, 6):
        _fail(client, url, username, f"2001:db8:1:2::{host}", 1)
    assert _post(client, url, username, PASSWORD, "2001:db8:1:2::99").status_code == 429
    assert _signs_in(_post(client, url, username, PASSWORD, "2001:db8:9:9::1"))


def test_a_lock_at_the_default_limits(settings):
    """The username-wide limit is far above the per-address one."""
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.LOGIN_FAILURE_LIMIT_ANY_ADDRESS == 50


def test_nothing_keeps_a_password_typed_as_the_username_or_the_address(client, login, caplog):
    url, username = login
    typed = "Tr0ub4dor-typed-in-the-wrong-box"
    caplog.set_level(logging.DEBUG)
    _fail(client, url, typed, ATTACKER, 6)
    _fail(client, url, username, ATTACKER, 6)
    assert _signs_in(_post(client, url, username, PASSWORD, OWNER))
    assert "locked" in caplog.text  # axes does log the lock...
    for secret in (typed, username, ATTACKER, OWNER):  # ...naming no one
        assert secret not in caplog.text
    stored = stored_in_cache()
    assert stored.count("lockout:") >= 4
    for secret in (typed, username, ATTACKER, OWNER):
        assert secret not in stored
    assert not AccessAttempt.objects.exists()
    assert not AccessLog.objects.exists()
    assert not AccessFailureLog.objects.exists()
