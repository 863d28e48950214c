"""Listings in the reader's language: a curator's translation where there is one, else the original.

Curators translate an organization's or a service's words into any interface
language (OrganizationTranslation, ServiceTranslation). A page calls
`show_in(language, organizations, services)` once: one query per model loads
the translations of every listing on the page, and each listing gets `.shown`,
{field: Shown}, the text to print. A Shown is a str that also knows the
language it is in when that is not the reader's (`.lang`), so the template marks it
`lang="en"` (a screen reader then reads it with the right voice) and the page can
say plainly that some text is in its original language.
"""

from django.conf import settings

from .models import (
    OrganizationTranslation,
    PhoneTranslation,
    ServiceTranslation,
    translation_languages,
)

ORGANIZATION_FIELDS = ("alternate_name", "description")
SERVICE_FIELDS = (
    "name",
    "description",
    "eligibility",
    "application_process",
    "fee_note",
    "required_documents",
)


class Shown(str):
    """Text to show, with `.lang` set when it is not in the reader's language."""

    lang = None

    @classmethod
    def of(cls, text, lang=None):
        shown = cls(text)
        shown.lang = lang if text else None
        return shown


def _translations(model, key, ids, language):
    if language == settings.LANGUAGE_CODE or not ids:
        return {}
    rows = model.objects.filter(**{f"{key}__in": ids}, language=language)
    return {getattr(row, f"{key}_id"): row for row in rows}


def _lay_over(listing, translation, fields, language):
    original = None if language == settings.LANGUAGE_CODE else settings.LANGUAGE_CODE
    listing.shown = {}
    for field in fields:
        theirs = getattr(translation, field, "") if translation else ""
        if theirs:
            listing.shown[field] = Shown.of(theirs)
        else:
            listing.shown[field] = Shown.of(getattr(listing, field), original)
    listing.shows_original = any(text.lang for text in listing.shown.values())


def show_in(language, organizations=(), services=(), phones=()):
    """Give each listing `.shown` in this language; return whether any text is the original.

    Each of `phones` gets `.shown_description`, the same way.
    """
    by_org = _translations(
        OrganizationTranslation, "organization", [o.pk for o in organizations], language
    )
    by_service = _translations(ServiceTranslation, "service", [s.pk for s in services], language)
    by_phone = _translations(PhoneTranslation, "phone", [p.pk for p in phones], language)
    for phone in phones:
        _lay_over(phone, by_phone.get(phone.pk), ("description",), language)
        phone.shown_description = phone.shown["description"]
    for organization in organizations:
        # The organization's own name is never translated: a translated one shows under it.
        _lay_over(organization, by_org.get(organization.pk), ORGANIZATION_FIELDS, language)
    for service in services:
        _lay_over(service, by_service.get(service.pk), SERVICE_FIELDS, language)
        service.shown_documents = [
            line.strip()
            for line in service.shown["required_documents"].splitlines()
            if line.strip()
        ]
    return any(listing.shows_original for listing in [*organizations, *services, *phones])


def search_words(organization_ids, service_ids):
    """{organization id: ([names], [texts])} of every translation, for the search index.

    Only of the services given (the public ones): a draft's words must not make its
    organization findable.
    """
    words = {}
    organizations = OrganizationTranslation.objects.filter(organization_id__in=organization_ids)
    for organization_id, name, text in organizations.values_list(
        "organization_id", *ORGANIZATION_FIELDS
    ):
        names, texts = words.setdefault(organization_id, ([], []))
        names.append(name)
        texts.append(text)
    services = ServiceTranslation.objects.filter(service_id__in=service_ids).values_list(
        "service__organization_id", *SERVICE_FIELDS
    )
    for organization_id, name, *texts in services:
        names, descriptions = words.setdefault(organization_id, ([], []))
        names.append(name)
        descriptions.extend(texts)
    return words


# ---------------------------------------------------------------- in CSV and Excel files

# The columns a translation travels in, `<column>@<language>` (docs/import-format.md):
# a translated field -> the column of its original.
ORGANIZATION_COLUMNS = {
    "alternate_name": "organization_alternate_name",
    "description": "organization_description",
}
SERVICE_COLUMNS = {
    "name": "service_name",
    "description": "service_description",
    "eligibility": "eligibility",
    "application_process": "application_process",
    "fee_note": "fee_note",
    "required_documents": "required_documents",
}
TRANSLATED_COLUMNS = {*ORGANIZATION_COLUMNS.values(), *SERVICE_COLUMNS.values()}


def languages():
    """The codes a listing can be translated into, in settings.LANGUAGES order."""
    return [code for code, _name in translation_languages()]


def column(original, language):
    return f"{original}@{language}"


def split_column(name):
    """("service_description", "ko") for "service_description@ko"; (name, None) without "@"."""
    original, at, language = name.partition("@")
    return (original, language) if at else (name, None)


def used_languages(organizations, services):
    """The languages any of these organizations or services has a translation in, in order."""
    # One query: a UNION of the two tables' languages.
    used = set(
        OrganizationTranslation.objects.filter(organization__in=organizations)
        .order_by()
        .values_list("language", flat=True)
        .union(
            ServiceTranslation.objects.filter(service__in=services)
            .order_by()
            .values_list("language", flat=True)
        )
    )
    return [code for code in languages() if code in used]
