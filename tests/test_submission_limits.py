"""The public forms' daily limit and single-use tokens, driven like a visitor would.

Each post GETs the form first and sends back the token the page carried;
time-machine moves the clock.
"""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from directory.models import Report, Suggestion
from tests.factories import make_organization

pytestmark = pytest.mark.django_db

SUGGEST = "/suggest/"
PHONE = {"REMOTE_ADDR": "203.0.113.9", "HTTP_USER_AGENT": "Phone/1.0"}
SUGGESTION = {
    "name": "Centro de Ayuda Legal",
    "description": "Free asylum help",
    "city": "Fresno",
    "state": "CA",
    "website": "",
    "phone": "(559) 555-0101",
    "email": "",
    "contact": "",
    "homepage": "",
}


@pytest.fixture
def clock(settings):
    """The site's clock at 9:00 one morning, moved only by the test."""
    start = datetime(2025, 3, 4, 9, 0, tzinfo=ZoneInfo(settings.TIME_ZONE))
    with time_machine.travel(start, tick=False) as traveller:
        yield traveller


def _token(page):
    return re.search(r'name="started" value="([^"]+)"', page).group(1)


def _send(client, clock, url=SUGGEST, data=SUGGESTION, **headers):
    """Open the form, take a while to fill it in, send it."""
    token = _token(client.get(url, **headers).content.decode())
    clock.shift(timedelta(seconds=20))
    return client.post(url, {**data, "started": token}, **headers)


def test_the_daily_limit_holds_all_day_and_resets_the_next(client, clock, settings):
    settings.SUBMISSIONS_PER_DAY = 2
    assert [_send(client, clock, **PHONE).status_code for _ in range(3)] == [302, 302, 429]
    clock.shift(timedelta(hours=6))  # 15:00 the same day
    r = _send(client, clock, **PHONE)
    assert r.status_code == 429 and "try again tomorrow" in r.content.decode()
    clock.shift(timedelta(hours=8, minutes=55))  # 23:55
    assert _send(client, clock, **PHONE).status_code == 429
    clock.shift(timedelta(minutes=10))  # 00:05 the next day
    assert _send(client, clock, **PHONE).status_code == 302
    assert Suggestion.objects.count() == 3


def test_another_browser_on_the_same_address_does_not_reset_the_limit(client, clock, settings):
    settings.SUBMISSIONS_PER_DAY = 2
    for _ in range(2):
        assert _send(client, clock, **PHONE).status_code == 302
    laptop = {**PHONE, "HTTP_USER_AGENT": "Laptop/2.0"}
    assert _send(client, clock, **laptop).status_code == 429
    assert Suggestion.objects.count() == 2


def test_a_forged_forwarded_for_header_does_not_reset_the_limit(client, clock, settings):
    """Behind the proxy, only the address the proxy itself added counts."""
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SUBMISSIONS_PER_DAY = 2
    codes = [
        _send(
            client,
            clock,
            REMOTE_ADDR="10.0.0.2",  # the proxy
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.9",
            HTTP_X_FORWARDED_PROTO="https",
        ).status_code
        for n in range(3)
    ]
    assert codes == [302, 302, 429]
    other = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    assert _send(client, clock, HTTP_X_FORWARDED_PROTO="https", **other).status_code == 302


def test_a_sent_token_cannot_be_sent_again(client, clock):
    token = _token(client.get(SUGGEST, **PHONE).content.decode())
    clock.shift(timedelta(seconds=20))
    assert client.post(SUGGEST, {**SUGGESTION, "started": token}, **PHONE).status_code == 302
    replay = {**SUGGESTION, "name": "Second Try Center", "started": token}
    r = client.post(SUGGEST, replay, **PHONE)
    page = r.content.decode()
    assert r.status_code == 200
    assert "This form was already sent once" in page
    assert 'value="Second Try Center"' in page  # what was typed is kept
    assert Suggestion.objects.count() == 1
    # The page shown again carries a new token, so the visitor can still send it.
    fresh = _token(page)
    assert fresh != token
    clock.shift(timedelta(seconds=20))
    assert client.post(SUGGEST, {**replay, "started": fresh}, **PHONE).status_code == 302
    assert Suggestion.objects.filter(name="Second Try Center").count() == 1


def test_a_report_token_works_once_too(client, clock):
    org = make_organization()
    url = reverse("directory:organization-report", args=[org.slug])
    data = {"reason": "wrong_phone", "details": "Nobody answers", "contact": "", "homepage": ""}
    token = _token(client.get(url).content.decode())
    clock.shift(timedelta(seconds=20))
    assert client.post(url, {**data, "started": token}).status_code == 302
    for _ in range(3):
        r = client.post(url, {**data, "started": token})
        assert "This form was already sent once" in r.content.decode()
        assert "Nobody answers" in r.content.decode()
    assert Report.objects.count() == 1


def test_a_form_sent_back_with_a_mistake_keeps_its_token_usable(client, clock):
    token = _token(client.get(SUGGEST).content.decode())
    clock.shift(timedelta(seconds=20))
    r = client.post(SUGGEST, {**SUGGESTION, "name": "", "started": token})
    assert r.status_code == 200 and "already sent" not in r.content.decode()
    assert client.post(SUGGEST, {**SUGGESTION, "started": token}).status_code == 302


def test_a_flood_of_cache_entries_does_not_wipe_the_count(client, clock, settings):
    from django.core.cache import cache

    settings.SUBMISSIONS_PER_DAY = 1
    assert _send(client, clock, **PHONE).status_code == 302
    for n in range(400):  # as many other visitors' counters and used tokens
        cache.set(f"zz-other-visitor-{n}", 1, timeout=3600)
    assert _send(client, clock, **PHONE).status_code == 429
