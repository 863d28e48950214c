"""Every interface language ships a complete, well-formed catalogue, held to its glossary.

One set of checks for every language in LANGUAGES (Spanish keeps its own, stricter ones in
test_translations.py): no untranslated or fuzzy message, placeholders intact, the language's
plural forms, and the glossary's legal terms used in every message that names them.
"""

import re
from pathlib import Path

import pytest
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po
from django.conf import settings
from django.utils.translation import to_locale

ROOT = Path(__file__).resolve().parents[1]
LANGUAGES = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
OTHER_THAN_SPANISH = [code for code in LANGUAGES if code != "es"]

# The glossary's English terms, and the English wording that counts as naming each one.
# Every glossary-<code>.md has exactly these rows (docs/translation/README.md).
GLOSSARY_TERMS = {
    "asylum": r"(?<!\.)\basylum\b",  # not the code legal.asylum, which stays as it is
    "deportation / removal defense": r"\bremoval defen[cs]e|\bdeportation defen[cs]e",
    "DOJ-recognized organization": r"\bDOJ[- ]recognized",
    "accredited representative": r"\baccredited representatives?\b",
    "attorney (lawyer)": r"\battorneys?\b|\blawyers?\b",
    "notario": r"\bnotarios?\b",
    "sanctuary": r"\bsanctuary\b",
    "rapid response": r"\brapid[- ]response\b",
    "know your rights": r"\bknow[- ]your[- ]rights\b",
    "sliding scale": r"\bsliding[- ]scale\b",
    "detention": r"\bdetention\b",
    "bond": r"\bbonds?\b",
}

PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")


def catalogue_path(code):
    return ROOT / "locale" / to_locale(code) / "LC_MESSAGES" / "django.po"


def _messages(code):
    with catalogue_path(code).open("rb") as f:
        catalog = read_po(f, locale=to_locale(code))
    return catalog, [message for message in catalog if message.id]


def _forms(value):
    return value if isinstance(value, tuple) else (value,)


def test_every_interface_language_has_a_catalogue_and_nothing_else_ships():
    assert len(settings.LANGUAGES) >= 20
    shipped = {
        path.parent.parent.name for path in (ROOT / "locale").glob("*/LC_MESSAGES/django.po")
    }
    assert shipped == {to_locale(code) for code in LANGUAGES}


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_catalogue_is_complete(code):
    _catalog, messages = _messages(code)
    untranslated = [m.id for m in messages if not all(_forms(m.string))]
    fuzzy = [m.id for m in messages if m.fuzzy]
    assert untranslated == []
    assert fuzzy == []


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_catalogue_holds_every_spanish_message(code):
    # The Spanish catalogue is the one kept up to date with the code (a new string lands
    # there first); every other catalogue must carry the same messages.
    _catalog, spanish = _messages("es")
    _catalog, messages = _messages(code)
    ids = {(m.context, _forms(m.id)[0]) for m in messages}
    missing = [m.id for m in spanish if (m.context, _forms(m.id)[0]) not in ids]
    assert missing == []


@pytest.mark.parametrize("code", LANGUAGES)
def test_placeholders_survive_translation(code):
    _catalog, messages = _messages(code)
    broken = []
    for message in messages:
        wanted = sorted(PLACEHOLDER.findall(_forms(message.id)[-1]))
        for form in _forms(message.string):
            # A form for one item ("1 organización") may drop the count; nothing else may go.
            found = sorted(PLACEHOLDER.findall(form))
            if found != wanted and not (message.pluralizable and set(found) <= set(wanted)):
                broken.append((message.id, form))
    assert broken == []


@pytest.mark.parametrize("code", LANGUAGES)
def test_plural_forms_are_the_languages_own(code):
    catalog, messages = _messages(code)
    expected = get_plural(to_locale(code))
    assert catalog.num_plurals == expected.num_plurals, catalog.plural_forms
    wrong = [m.id for m in messages if m.pluralizable and len(m.string) != expected.num_plurals]
    assert wrong == []


def glossary(code):
    """{English term: (translation, [accepted spellings in the catalogue])} of glossary-<code>.md.

    Its table: | English | <language> | Must contain | Notes |; "Must contain" lists, separated by
    " / ", the stems one of which every message naming the term contains.
    """
    path = ROOT / "docs" / "translation" / f"glossary-{code}.md"
    rows = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0] in GLOSSARY_TERMS:
            rows[cells[0]] = (cells[1], [stem.strip() for stem in cells[2].split(" / ")])
    return rows


@pytest.mark.parametrize("code", OTHER_THAN_SPANISH)
def test_the_glossary_covers_every_term(code):
    assert sorted(glossary(code)) == sorted(GLOSSARY_TERMS)
    for english, (translation, stems) in glossary(code).items():
        assert translation and all(stems), english
        assert any(stem.lower() in translation.lower() for stem in stems), english


@pytest.mark.parametrize("code", OTHER_THAN_SPANISH)
def test_the_catalogue_uses_the_glossary_everywhere(code):
    _catalog, messages = _messages(code)
    terms = glossary(code)
    strays = []
    for english, pattern in GLOSSARY_TERMS.items():
        stems = [stem.lower() for stem in terms[english][1]]
        for message in messages:
            if not re.search(pattern, _forms(message.id)[0], re.I):
                continue
            for form in _forms(message.string):
                if not any(stem in form.lower() for stem in stems):
                    strays.append((english, _forms(message.id)[0], form))
    assert strays == []
