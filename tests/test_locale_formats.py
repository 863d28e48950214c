"""Dates, times and numbers in each language's own way (Django's formats, ours for tl and ht)."""

import datetime
import subprocess

import pytest
from django.utils import formats, translation

from tests.factories import make_organization

pytestmark = pytest.mark.django_db

DAY = datetime.date(2024, 9, 3)
TIME = datetime.time(17, 30)


@pytest.fixture
def catalogues(tmp_path, settings):
    """Tagalog and Haitian Creole catalogues holding only the month names.

    Django formats a language only once some catalogue for it exists; the real
    catalogues will carry these msgids too.
    """
    months = {"tl": "Setyembre", "ht": "septanm"}
    for code, september in months.items():
        folder = tmp_path / code / "LC_MESSAGES"
        folder.mkdir(parents=True)
        po = folder / "django.po"
        po.write_text(
            'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
            f'msgid "September"\nmsgstr "{september}"\n',
            encoding="utf-8",
        )
        subprocess.run(["msgfmt", "-o", folder / "django.mo", po], check=True)
    settings.LOCALE_PATHS = [tmp_path, *settings.LOCALE_PATHS]
    settings.LANGUAGES = [*settings.LANGUAGES, ("tl", "Tagalog"), ("ht", "Haitian Creole")]


@pytest.mark.parametrize(
    "code, date, time, number",
    [
        ("tl", "Setyembre 3, 2024", "5:30 PM", "3.2"),
        ("ht", "3 septanm 2024", "17:30", "3,2"),
        # Django's own, unchanged: Spanish writes a decimal comma.
        ("es", "3 de septiembre de 2024", "17:30", "3,2"),
        ("en", "Sept. 3, 2024", "5:30 p.m.", "3.2"),
    ],
)
def test_each_language_formats_in_its_own_way(catalogues, code, date, time, number):
    with translation.override(code):
        assert formats.date_format(DAY, "DATE_FORMAT") == date
        assert formats.time_format(TIME, "TIME_FORMAT") == time
        assert formats.number_format(3.2, 1) == number


def test_a_spanish_page_shows_the_month_in_spanish(client):
    org = make_organization("Safe Harbor", last_verified_on=DAY)
    page = client.get(f"/es{org.get_absolute_url()}").content.decode()
    assert "septiembre de 2024" in page


def test_a_distance_takes_the_decimal_separator_of_the_language():
    from types import SimpleNamespace

    from directory.templatetags.distances import distance_label

    result = SimpleNamespace(distance=3.24, distance_is_approximate=False)
    with translation.override("es"):
        assert distance_label(result) == "a 3,2 millas"
    with translation.override("en"):
        assert distance_label(result) == "3.2 mi away"


@pytest.mark.parametrize("code", ["tl", "ht"])
def test_languages_django_has_no_catalogue_for_name_months_and_days_in_their_own_words(code):
    # Django ships no tl or ht catalogue, so ours carries its month and day names.
    english, own = [], []
    for language, names in (("en", english), (code, own)):
        with translation.override(language):
            for month in range(1, 13):
                day = datetime.date(2024, month, 1)
                names.append(formats.date_format(day, "F"))  # "September"
                names.append(formats.date_format(day, "E"))  # the month's alternative form
                names.append(formats.date_format(day, "N"))  # "Sept."
            for offset in range(7):
                day = datetime.date(2024, 9, 2 + offset)
                names.append(formats.date_format(day, "l"))  # "Monday"
                names.append(formats.date_format(day, "D"))  # "Mon"
    same = [name for name, theirs in zip(english, own, strict=True) if name == theirs]
    assert same == []
