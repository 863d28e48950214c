"""Which rights material the public sees, and in which language (docs/resources.md)."""

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch

from .models import Resource, ResourceVersion

LANGUAGE_ORDER = [code for code, _name in settings.LANGUAGES]


def public_resources(topic="", language=""):
    """Published resources with at least one version (in `language`, if given), by title."""
    versions = ResourceVersion.objects.filter(resource=OuterRef("pk"))
    if language:
        versions = versions.filter(language=language)
    return (
        Resource.objects.public()
        .filter(Exists(versions), **({"topic": topic} if topic else {}))
        .select_related("source_organization")
        .prefetch_related(Prefetch("versions", ResourceVersion.objects.order_by("language")))
        .order_by("title", "id")
    )


def languages():
    """The languages public resources exist in, in the interface's order of languages."""
    found = set(
        ResourceVersion.objects.filter(resource__in=Resource.objects.public())
        .values_list("language", flat=True)
        .distinct()
    )
    return [code for code in LANGUAGE_ORDER if code in found]


def version_for(resource, *wanted):
    """The resource's version in the first of `wanted` languages it has, else its first."""
    versions = list(resource.versions.all())
    by_language = {version.language: version for version in versions}
    for code in (*wanted, settings.LANGUAGE_CODE):
        if code in by_language:
            return by_language[code]
    return versions[0] if versions else None


def listed(found, wanted, page_language):
    """(resource, the version to show, its address) for a list in `page_language`.

    The version in `wanted` (the language filter) or the page's language; its
    address asks for it (?lang=) when it is not the page's language.
    """
    shown = []
    for resource in found:
        version = version_for(resource, wanted, page_language)
        url = resource.get_absolute_url()
        if version.language != page_language:
            url = f"{url}?lang={version.language}"
        shown.append((resource, version, url))
    return shown
