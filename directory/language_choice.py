"""Which language a visitor reads: the address says, except on the bare home page.

Every public address carries its language (/es/..., English unprefixed), so a
shared link opens in the language it was shared in and no cookie is needed.
Only the bare `/`, where someone types the site's name, looks at the
browser's Accept-Language and sends a Spanish browser to `/es/`. English
chosen on purpose has its own home address, `/en/`, which never redirects:
the header and the language switcher lead there, or an English reader with a
Spanish browser could never reach the English home page.
"""

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import get_language_info
from django.utils.translation.trans_real import parse_accept_lang_header

# Browsers name some languages by codes Django does not know: Chrome and Android send "fil"
# for Filipino, which our Tagalog catalogue serves.
ALIASES = {"fil": "tl"}

# The bare home page: the one address whose answer depends on Accept-Language.
NEGOTIATED_PATH = "/"
HOME_VIEWS = {"directory:home", "home-en"}


def negotiates_language(request):
    """True for a request of the bare `/`, whose response varies by Accept-Language."""
    return request.path_info == NEGOTIATED_PATH


def preferred_language(accept_language):
    """The supported language the header prefers most (q-values respected), or the default.

    "es-MX" counts as Spanish; an unsupported language is passed over.
    """
    for code, _quality in parse_accept_lang_header(accept_language or ""):
        if code == "*":
            break
        primary, _, region = code.partition("-")
        code = ALIASES.get(primary.lower(), primary) + (f"-{region}" if region else "")
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


def home_url(code):
    """The home page in this language, at an address that never redirects."""
    if code == settings.LANGUAGE_CODE:
        return reverse("home-en")
    with translation.override(code):
        return reverse("directory:home")


# Names in their own language that Django lacks (tl, ht) or gives in English (km, pa).
OWN_NAMES = {
    "tl": "Tagalog",
    "ht": "Kreyòl ayisyen",
    "km": "ខ្មែរ",
    "pa": "ਪੰਜਾਬੀ",
}


def language_name(code):
    """The language's name in itself, capitalised as a menu item ("Español", not "español")."""
    if code in OWN_NAMES:
        return OWN_NAMES[code]
    return capfirst(get_language_info(code)["name_local"])
