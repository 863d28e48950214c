from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language

from .language_choice import HOME_VIEWS, home_url, language_name


def site(request):
    return {"SITE_NAME": settings.SITE_NAME}


def language_links(request):
    """The current page, query included, in each language: no cookie needed.

    The home page's links are its addresses that never redirect (/en/, /es/):
    language_choice.py says why. Also the header's link home, for the same reason.
    """
    path = request.get_full_path()
    match = getattr(request, "resolver_match", None)
    on_home = match is not None and match.view_name in HOME_VIEWS
    query = request.META.get("QUERY_STRING", "")

    def link(code):
        if on_home:
            return home_url(code) + (f"?{query}" if query else "")
        return translate_url(path, code)

    return {
        "language_links": [
            (code, language_name(code), link(code)) for code, _name in settings.LANGUAGES
        ],
        "home_url": home_url(get_language()),
    }
