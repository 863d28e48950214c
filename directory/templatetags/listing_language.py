"""The language a listing's text is shown in (directory/listing_translations.py)."""

from django import template
from django.utils.html import format_html

from .. import language_choice

register = template.Library()


@register.filter
def lang_attr(text):
    """` lang="en"` for text shown in its original language on another language's page."""
    lang = getattr(text, "lang", None)
    return format_html(' lang="{}"', lang) if lang else ""


@register.filter
def own_name(code):
    """A language code as the language's own name ("Español", "한국어")."""
    return language_choice.language_name(code)
