"""Right-to-left languages: the page says so, the layout mirrors, numbers stay left to right."""

import re
from pathlib import Path

import pytest

from tests.factories import make_organization, make_phone, make_service

pytestmark = pytest.mark.django_db

CSS_DIR = Path(__file__).resolve().parents[1] / "static" / "css"
WITH_RTL = [("en", "English"), ("es", "Spanish"), ("ar", "Arabic"), ("fa", "Persian")]


@pytest.mark.parametrize("code", ["ar", "fa"])
def test_a_right_to_left_language_sets_dir_rtl(client, settings, code):
    settings.LANGUAGES = WITH_RTL
    html = client.get(f"/{code}/search/?q=asilo").content.decode()
    assert f'<html lang="{code}" dir="rtl">' in html


def test_left_to_right_languages_keep_the_default_direction(client, settings):
    settings.LANGUAGES = WITH_RTL
    assert '<html lang="es">' in client.get("/es/").content.decode()
    assert '<html lang="en">' in client.get("/search/").content.decode()


def test_phone_numbers_stay_left_to_right_in_arabic(client, settings):
    settings.LANGUAGES = WITH_RTL
    org = make_organization("Safe Harbor")
    make_service(org, "Court accompaniment")
    make_phone("(213) 555-0100", organization=org)
    make_phone("(213) 555-0150", organization=org, type="fax")
    page = client.get(f"/ar{org.get_absolute_url()}").content.decode()
    assert 'dir="rtl"' in page
    # "(213) 555-0100" in a right-to-left line would read "555-0100 (213)".
    # The words are Arabic ("Call", "Fax"); the number in them stays left to right.
    assert re.search(
        r'<a class="call" href="tel:\+12135550100">[^<]+<bdi dir="ltr">\(213\) 555-0100</bdi>', page
    )
    assert re.search(r'[^<>]+ <bdi dir="ltr">\(213\) 555-0150</bdi>', page)
    results = client.get("/ar/search/?q=harbor").content.decode()
    assert '<bdi dir="ltr">(213) 555-0100</bdi>' in results


@pytest.mark.parametrize("stylesheet", ["site.css", "forms.css", "sheet.css"])
def test_the_stylesheet_uses_logical_directions(stylesheet):
    """margin-inline-start, not margin-left: the layout mirrors under dir="rtl".

    Off-screen parking too: `left: -10000px` under dir="rtl" widens the page sideways.
    """
    assert sorted(path.name for path in CSS_DIR.glob("*.css")) == [
        "forms.css",
        "sheet.css",
        "site.css",
    ]
    css = re.sub(r"/\*.*?\*/", "", (CSS_DIR / stylesheet).read_text(), flags=re.S)
    physical = re.findall(
        r"(?:margin|padding|border)-(?:left|right)\b[^;]*"
        r"|(?<![-\w])(?:left|right)\s*:[^;]*"
        r"|float\s*:\s*(?:left|right)"
        r"|text-align\s*:\s*(?:left|right)"
        r"|clear\s*:\s*(?:left|right)",
        css,
    )
    assert physical == []
    # Four-value shorthands name the right before the left: only symmetric ones are allowed.
    for value in re.findall(r"(?:margin|padding)\s*:\s*([^;}]+)", css):
        parts = value.split()
        assert len(parts) < 4 or parts[1] == parts[3], value
