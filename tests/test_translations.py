"""The Spanish catalog is complete: no untranslated or fuzzy message."""

import re
from pathlib import Path

from babel.messages.pofile import read_po

CATALOG = Path(__file__).resolve().parents[1] / "locale" / "es" / "LC_MESSAGES" / "django.po"


def test_every_spanish_message_is_translated():
    with CATALOG.open("rb") as f:
        catalog = read_po(f, locale="es")
    untranslated, fuzzy = [], []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            untranslated.append(message.id)
        if message.fuzzy:
            fuzzy.append(message.id)
    assert untranslated == []
    assert fuzzy == []


def _spanish():
    """{msgid: msgstr} of the catalogue (a plural's msgid is its singular; its msgstr, each form)."""
    with CATALOG.open("rb") as f:
        catalog = read_po(f, locale="es")
    messages = {}
    for message in catalog:
        if not message.id:
            continue
        msgid = message.id[0] if isinstance(message.id, tuple) else message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        messages[msgid] = strings
    return messages


def test_the_spanish_the_issue_found_wrong_is_fixed():
    es = {msgid: strings[0] for msgid, strings in _spanish().items()}
    # "abogacía" is the legal profession, not advocacy.
    assert "abogacía" not in es["Organizing and advocacy"]
    assert [msgid for msgid, msgstr in es.items() if "abogac" in msgstr.lower()] == []
    # The suggestion form: the organization's details, unmistakably not the visitor's own.
    for field in ["their website", "their phone", "their email"]:
        assert es[field].endswith("de la organización"), field
        assert not es[field].lower().startswith("su "), field
    assert "contactarle" in es["your email or phone (optional)"]
    # Labels that begin with ¿ are not capitalised by Django (capfirst sees the "¿").
    assert es["what do they do?"].startswith("¿Qué")
    assert es["what is wrong?"] == "¿Qué está mal?"
    assert "ciudad, estado" in es["Near (ZIP code or City, ST)"]
    assert "ST" not in es["Near (ZIP code or City, ST)"]


# Django's own msgids, which date formats share: Spanish weekdays are lower-case
# there ("Abre el lunes"), and our catalogue overrides Django's.
LOWER_CASE_IN_SPANISH = {
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
}


def _first_letter(text):
    for character in text:
        if character.isalpha():
            return character
        if character in "%{":  # a placeholder comes first: nothing to compare
            return None
    return None


def test_spanish_starts_with_a_capital_where_english_does():
    wrong = []
    for msgid, strings in _spanish().items():
        english = _first_letter(msgid)
        if msgid in LOWER_CASE_IN_SPANISH or english is None or not english.isupper():
            continue
        for msgstr in strings:
            spanish = _first_letter(msgstr)
            if spanish is not None and not spanish.isupper():
                wrong.append((msgid, msgstr))
    assert wrong == []


def test_inverted_question_and_exclamation_marks_open_a_capital():
    wrong = [
        msgstr
        for strings in _spanish().values()
        for msgstr in strings
        for opening in re.findall(r"[¿¡]\W*(\w)", msgstr)
        if opening.islower()
    ]
    assert wrong == []


def test_spanish_speaks_to_the_visitor_as_usted():
    informal = re.compile(r"\b(tú|tu|tus|te|ti|contigo|puedes|quieres|tienes|necesitas|llámanos)\b")
    assert [
        s for strings in _spanish().values() for s in strings if informal.search(s.lower())
    ] == []


# The same legal and service words everywhere (docs: a frightened reader must
# recognise the word from one page to the next).
TERMS = [
    (r"(?<![.\w])asylum\b", r"asilo"),  # not the code legal.asylum
    (r"sliding scale", r"tarifa según ingresos"),
    (r"accredited representative", r"representantes? (acreditad|con acreditación)"),
    (r"DOJ-recognized", r"reconocidas? por el DOJ"),
    (r"\bnotario", r"notario"),
    (r"\bbond\b", r"fianza"),
    (r"\bdetention\b|\bdetained\b", r"detenci|detenid"),
    (r"\bsanctuary\b", r"santuario"),
    (r"rapid.response", r"respuesta rápida"),
    (r"know.your.rights", r"conozca sus derechos"),
    (r"\battorneys?\b|\blawyers?\b", r"abogad"),
    (r"\bremoval\b|\bdeportation\b", r"deportación"),
    (r"\badvocacy\b", r"incidencia"),
]


def test_legal_and_service_terms_are_translated_the_same_way_everywhere():
    wrong = []
    for msgid, strings in _spanish().items():
        for english, spanish in TERMS:
            if re.search(english, msgid, re.I):
                wrong += [(msgid, s) for s in strings if not re.search(spanish, s, re.I)]
    assert wrong == []


def test_spanish_dates_read_month_de_year():
    from datetime import date

    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override("es"):
        note = render_to_string(
            "includes/verification_note.html",
            {"organization": _Listing(last_verified_on=date(2024, 9, 12))},
        )
    assert "septiembre de 2024" in note


class _Listing:
    def __init__(self, last_verified_on):
        self.last_verified_on = last_verified_on

    def is_stale(self, *args):
        return False
