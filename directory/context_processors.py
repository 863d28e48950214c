from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language_info


def site(request):
    return {"SITE_NAME": settings.SITE_NAME}


def language_links(request):
    """The current page, query included, in each language: no cookie needed."""
    path = request.get_full_path()
    return {
        "language_links": [
            (code, get_language_info(code)["name_local"], translate_url(path, code))
            for code, _name in settings.LANGUAGES
        ]
    }
