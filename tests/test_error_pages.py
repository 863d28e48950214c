"""404 and 500 pages: in the visitor's language, with the search box and the hotlines."""

import pytest
from django.db import OperationalError
from django.test import Client

from directory import views
from directory.models import PhoneType
from tests.factories import make_organization, make_phone

pytestmark = pytest.mark.django_db

SEARCH_FORM = '<form class="search-box" method="get" action="'


@pytest.fixture
def hotline():
    org = make_organization("Rapid Response Network")
    return make_phone("(213) 555-0111", organization=org, type=PhoneType.HOTLINE, is_24_hours=True)


@pytest.fixture
def visitor():
    """A browser's view of the site: errors come back as pages, not exceptions."""
    return Client(raise_request_exception=False)


def test_django_debug_pages_are_off_in_the_tests(settings):
    assert settings.DEBUG is False


@pytest.mark.parametrize(
    ("address", "lang", "heading", "search"),
    [
        ("/no-such-page/", "en", "This page does not exist", 'action="/search/"'),
        ("/o/no-such-listing/", "en", "This page does not exist", 'action="/search/"'),
        ("/es/no-such-page/", "es", "Esta página no existe", 'action="/es/search/"'),
        ("/es/o/no-such-listing/", "es", "Esta página no existe", 'action="/es/search/"'),
    ],
)
def test_a_missing_page_is_404_in_its_language_with_search_and_hotlines(
    visitor, hotline, address, lang, heading, search
):
    r = visitor.get(address)
    assert r.status_code == 404
    page = r.content.decode()
    assert f'<html lang="{lang}">' in page
    assert f"<h1>{heading}</h1>" in page
    assert SEARCH_FORM in page and search in page
    assert 'href="tel:+12135550111"' in page
    assert "Rapid Response Network" in page
    assert not r.cookies and "Set-Cookie" not in r.headers
    assert "Not Found" not in page


def test_a_spanish_404_speaks_spanish_throughout(visitor, hotline):
    page = visitor.get("/es/no-such-page/").content.decode()
    assert "Líneas de ayuda las 24 horas" in page
    assert "¿Qué necesita?" in page
    assert "What do you need?" not in page


def test_a_failing_page_is_500_with_search_and_hotlines(visitor, hotline, settings):
    settings.ROOT_URLCONF = "tests.error_urls"
    r = visitor.get("/es/broken/")
    assert r.status_code == 500
    page = r.content.decode()
    assert '<html lang="es">' in page
    assert "<h1>Algo salió mal de nuestro lado</h1>" in page
    assert SEARCH_FORM in page and 'action="/es/search/"' in page
    assert 'href="tel:+12135550111"' in page
    assert not r.cookies
    english = visitor.get("/broken/").content.decode()
    assert "<h1>Something went wrong on our side</h1>" in english


def test_the_500_page_renders_when_the_database_is_down(visitor, hotline, settings, monkeypatch):
    settings.ROOT_URLCONF = "tests.error_urls"

    def database_down():
        raise OperationalError("could not connect to server")

    # The cache table (the index's generation) is the first thing read, then the phones.
    monkeypatch.setattr(views.choices, "sync", database_down)
    r = visitor.get("/broken/")
    assert r.status_code == 500
    page = r.content.decode()
    assert "<h1>Something went wrong on our side</h1>" in page
    assert SEARCH_FORM in page
    assert "tel:" not in page  # no hotlines, and no second error


def test_the_500_page_falls_back_to_plain_text_when_it_cannot_render(
    visitor, settings, monkeypatch
):
    settings.ROOT_URLCONF = "tests.error_urls"

    def broken_render(*args, **kwargs):
        raise RuntimeError("templates are broken too")

    monkeypatch.setattr(views, "render", broken_render)
    r = visitor.get("/es/broken/")
    assert r.status_code == 500
    assert r["Content-Type"] == "text/html; charset=utf-8"
    page = r.content.decode()
    assert '<html lang="es">' in page
    assert "Algo salió mal de nuestro lado." in page


def test_the_404_page_renders_when_the_database_is_down(visitor, monkeypatch):
    def database_down():
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(views.hotlines, "twenty_four_hour_lines", database_down)
    monkeypatch.setattr(views.recent, "answer", lambda key, compute: compute())
    r = visitor.get("/es/no-such-page/")
    assert r.status_code == 404
    assert "<h1>Esta página no existe</h1>" in r.content.decode()


def test_a_404_does_not_repeat_the_address_asked_for(visitor):
    """It may name a hidden listing; the language links lead to each home page instead."""
    page = visitor.get("/es/o/secret-shelter-name/").content.decode()
    assert "secret-shelter-name" not in page
    # /en/, the English home that never redirects by Accept-Language (language_choice.py).
    assert '<link rel="alternate" hreflang="en" href="/en/">' in page
    assert '<a href="/en/" hreflang="en" lang="en">English</a>' in page
