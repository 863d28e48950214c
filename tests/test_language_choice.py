"""The bare / follows the browser's language; every other address keeps its own."""

import pytest

from directory.language_choice import preferred_language

pytestmark = pytest.mark.django_db

PUBLIC = "public, max-age=60, stale-while-revalidate=300"


@pytest.mark.parametrize(
    "header, expected",
    [
        ("es", "es"),
        ("es-MX;q=0.9,en;q=0.8", "es"),
        ("en;q=0.5,es-MX;q=0.9", "es"),
        ("en-US,en;q=0.9,es;q=0.8", "en"),
        ("de", "en"),
        ("de-CH,de;q=0.9,es;q=0.5", "es"),
        ("fr-CA,fr;q=0.9,es;q=0.5", "fr"),
        ("ko-KR,ko;q=0.9,en;q=0.5", "ko"),
        ("zh-TW,zh;q=0.9", "zh-hant"),
        ("zh-CN,zh;q=0.9", "zh-hans"),
        ("zh", "zh-hans"),
        ("fil-PH,fil;q=0.9,en;q=0.5", "tl"),
        ("tl", "tl"),
        ("ht-HT,fr;q=0.5", "ht"),
        ("ar-EG", "ar"),
        ("", "en"),
        (None, "en"),
        ("*", "en"),
    ],
)
def test_the_preferred_supported_language_wins(header, expected):
    assert preferred_language(header) == expected


@pytest.mark.parametrize("header", ["es", "es-MX;q=0.9,en;q=0.8"])
def test_a_spanish_browser_on_the_bare_home_goes_to_spanish(client, header):
    response = client.get("/", headers={"accept-language": header})
    assert response.status_code == 302
    assert response["Location"] == "/es/"
    assert response["Vary"] == "Accept-Language"
    assert response["Cache-Control"] == PUBLIC
    assert not response.cookies
    assert "Set-Cookie" not in response


@pytest.mark.parametrize("header", ["en-US", "de", "pl-PL", None])
def test_any_other_browser_gets_the_english_home(client, header):
    headers = {"accept-language": header} if header else {}
    response = client.get("/", headers=headers)
    assert response.status_code == 200
    assert "Find immigration help" in response.content.decode()
    # It varies by the header and nothing else: no Cookie, no cookie set.
    assert response["Vary"] == "Accept-Language"
    assert response["Cache-Control"] == PUBLIC
    assert not response.cookies


def test_other_addresses_never_redirect_by_header(client):
    response = client.get("/search/?q=x", headers={"accept-language": "es"})
    assert response.status_code == 200
    assert '<html lang="en"' in response.content.decode()
    assert not response.has_header("Vary")
    assert not response.cookies
    assert client.get("/es/", headers={"accept-language": "en"}).status_code == 200


def test_english_chosen_on_purpose_has_a_home_that_never_redirects(client):
    response = client.get("/en/", headers={"accept-language": "es"})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en"' in html and "Find immigration help" in html
    assert response["Cache-Control"] == PUBLIC
    assert not response.has_header("Vary")
    # Its switcher leads to the Spanish home, and Spanish pages lead back here, not to /.
    assert 'href="/es/" hreflang="es" lang="es">Español</a>' in html
    spanish = client.get("/es/search/?q=asilo").content.decode()
    assert 'class="site-header__name" href="/es/"' in spanish
    assert 'href="/search/?q=asilo" hreflang="en" lang="en">English</a>' in spanish
    assert 'href="/en/" hreflang="en" lang="en">English</a>' in client.get("/es/").content.decode()


def test_the_english_header_leads_home_without_a_redirect(client):
    html = client.get("/search/").content.decode()
    assert 'class="site-header__name" href="/en/"' in html


# The twenty interface languages issue 13 asks for; most have no catalogue yet.
TWENTY = [
    ("en", "English"),
    ("es", "Spanish"),
    ("zh-hans", "Simplified Chinese"),
    ("zh-hant", "Traditional Chinese"),
    ("ko", "Korean"),
    ("vi", "Vietnamese"),
    ("tl", "Tagalog"),
    ("hy", "Armenian"),
    ("fa", "Persian"),
    ("ru", "Russian"),
    ("ja", "Japanese"),
    ("km", "Khmer"),
    ("ar", "Arabic"),
    ("th", "Thai"),
    ("pa", "Punjabi"),
    ("hi", "Hindi"),
    ("pt", "Portuguese"),
    ("fr", "French"),
    ("ht", "Haitian Creole"),
    ("uk", "Ukrainian"),
]


def switcher(html):
    start = html.index('<nav class="language-switcher"')
    return html[start : html.index("</nav>", start)]


def test_the_switcher_keeps_the_page_and_its_query(client):
    nav = switcher(client.get("/search/?q=asilo&language=ko").content.decode())
    assert '<span lang="en" aria-current="true">English</span>' in nav
    assert (
        '<a href="/es/search/?q=asilo&amp;language=ko" hreflang="es" lang="es">Español</a>' in nav
    )
    nav = switcher(client.get("/es/search/?q=asilo&language=ko").content.decode())
    assert '<a href="/search/?q=asilo&amp;language=ko" hreflang="en" lang="en">English</a>' in nav
    assert '<span lang="es" aria-current="true">Español</span>' in nav


def test_the_switcher_names_each_language_in_itself(client, settings):
    settings.LANGUAGES = TWENTY
    nav = switcher(client.get("/search/?q=asilo").content.decode())
    for code, name in [
        ("es", "Español"),
        ("zh-hans", "简体中文"),
        ("ko", "한국어"),
        ("tl", "Tagalog"),
        ("hy", "Հայերեն"),
        ("fa", "فارسی"),
        ("km", "ខ្មែរ"),
        ("pa", "ਪੰਜਾਬੀ"),
        ("fr", "Français"),
        ("ht", "Kreyòl ayisyen"),
    ]:
        assert f'href="/{code}/search/?q=asilo" hreflang="{code}" lang="{code}">{name}</a>' in nav
    assert nav.count("<li>") == 20
    # No language is named in English but English itself.
    for _code, english in TWENTY[1:]:
        if english != "Tagalog":
            assert english not in nav
