"""ISO codes from what data files write: countries (3166) and languages (639).

HSDS `address.country` should be an ISO 3166-1 alpha-2 code, but publishers
also write alpha-3 codes ("DEU") and names ("Germany", "Alemania"); a
language may come as a name only ("Spanish") or a three-letter code
("spa"). Babel (already a dependency, for locale formats) has CLDR's
territory and language names in every language and the aliases, so no
table of our own is needed.
"""

import unicodedata
from functools import cache

from babel import Locale
from babel.core import get_global
from django.conf import settings

# CLDR regions that are not countries (European Union, United Nations,
# Eurozone, Outlying Oceania, Unknown Region).
NOT_COUNTRIES = {"EU", "EZ", "UN", "QO", "ZZ"}
# Names CLDR does not list that publishers write.
OTHER_NAMES = {
    "united states of america": "US",
    "great britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
}


def _key(text):
    """Case, accents, "the" and punctuation do not matter in a name."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch if ch.isalnum() else " " for ch in text if not unicodedata.combining(ch))
    words = text.split()
    if words[:1] == ["the"]:
        words = words[1:]
    return " ".join(words)


@cache
def _codes():
    return {
        code
        for code in Locale("en").territories
        if len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES
    }


@cache
def _by_name():
    names = {}
    languages = {"en"} | {code.split("-")[0] for code, _name in settings.LANGUAGES}
    for language in sorted(languages):
        try:
            territories = Locale.parse(language).territories
        except (ValueError, LookupError):
            continue
        for code, name in territories.items():
            if code in _codes():
                names.setdefault(_key(name), code)
    for alias, targets in get_global("territory_aliases").items():
        if len(targets) == 1 and targets[0] in _codes() and alias.isalpha():
            names.setdefault(_key(alias), targets[0])
    names.update(OTHER_NAMES)
    return names


def country_code(value):
    """Return the alpha-2 code for a code or name, or None when it names no country."""
    value = (value or "").strip()
    if len(value) == 2 and value.upper() in _codes():
        return value.upper()
    if not value:
        return None
    return _by_name().get(_key(value))


@cache
def _languages_by_name():
    names = {}
    for code, name in Locale("en").languages.items():
        if "_" not in code:
            names.setdefault(_key(name), code)
    return names


def language_code(code="", name=""):
    """Return our code for an ISO 639 code ("es", "spa") or an English name ("Spanish").

    A two-letter code, or one Babel does not know, is kept as given (lower
    case); "" when there is neither a code nor a name we know.
    """
    code = (code or "").strip().lower()
    if code:
        alias = get_global("language_aliases").get(code)
        return alias if len(code) == 3 and alias and len(alias) == 2 else code
    return _languages_by_name().get(_key(name or ""), "") if name else ""
