"""“If immigration agents come to your door”: in every interface language, one tap from every page."""

import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import formats, translation

from directory.views import AGENTS_PAGE_REVIEWED_ON
from tests.factories import make_organization, make_phone

pytestmark = pytest.mark.django_db

LANGUAGES = [code for code, _name in settings.LANGUAGES]
TITLE = "If immigration agents come to your door"
LINK = "Know your rights"


def _url(language, name, *args):
    with translation.override(language):
        return reverse(name, args=args)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_page_is_in_the_language_with_its_review_date(client, language):
    r = client.get(_url(language, "directory:if-agents-come"))
    assert r.status_code == 200
    html = r.content.decode()
    with translation.override(language):
        title = translation.gettext(TITLE)
        silent = translation.gettext(
            "You have the right to remain silent. Say: “I want to remain silent. I want to speak with a lawyer.”"
        )
        reviewed = formats.date_format(AGENTS_PAGE_REVIEWED_ON, "DATE_FORMAT")
    assert f'<html lang="{language}"' in html
    if language != "en":
        assert title != TITLE, "untranslated"
    assert f"<h1>{title}</h1>" in html
    assert silent in html.replace("&#x27;", "'").replace("&quot;", '"')
    assert reviewed in html
    # The hotline and legal-help links lead to searches in the same language.
    search = _url(language, "directory:search")
    assert f'href="{search}?kind=rapid_response"' in html
    assert f'href="{search}?category=legal&amp;fee=free"' in html


@pytest.mark.parametrize("language", ["en", "es", "ko", "ar"])
def test_every_public_page_links_to_it_first_in_the_navigation(client, language):
    org = make_organization("Casa de Ayuda")
    make_phone(organization=org)
    link = _url(language, "directory:if-agents-come")
    with translation.override(language):
        label = translation.gettext(LINK)
    pages = [
        _url(language, "directory:home"),
        _url(language, "directory:search") + "?q=abogado",
        _url(language, "directory:events"),
        _url(language, "directory:who-can-help"),
        _url(language, "directory:suggest"),
        _url(language, "directory:organization-detail", org.slug),
        "/no-such-page/",
    ]
    for page in pages:
        html = client.get(page).content.decode()
        header = html.split("<header", 1)[1].split("</header>", 1)[0]
        nav = header.split('<nav class="site-header__nav"', 1)[1]
        # The first link of the site's navigation.
        found = re.search(r'^[^>]*>\s*<a class="site-rights" href="([^"]+)">([^<]+)</a>', nav)
        assert found, page
        if page != "/no-such-page/":
            assert found.groups() == (link, label), page


def test_the_page_is_in_the_sitemap(client):
    assert "/if-agents-come/" in client.get("/sitemap.xml").content.decode()
