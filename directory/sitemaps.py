from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from . import resources
from .models import Event, Organization


class OrganizationSitemap(Sitemap):
    """Published organizations only, in every language (hreflang alternates)."""

    i18n = True
    alternates = True
    changefreq = "weekly"

    def items(self):
        return Organization.objects.public().only("slug", "updated_at").order_by("name")

    def lastmod(self, organization):
        return organization.updated_at


class EventSitemap(Sitemap):
    """Public events with dates to come (never partners-only or unpublished ones)."""

    i18n = True
    alternates = True
    changefreq = "daily"

    def items(self):
        return Event.objects.public().upcoming().only("pk", "updated_at").order_by("pk")

    def lastmod(self, event):
        return event.updated_at


class ResourceSitemap(Sitemap):
    """Published rights material (with at least one language version)."""

    i18n = True
    alternates = True
    changefreq = "monthly"

    def items(self):
        found = resources.public_resources().select_related(None).prefetch_related(None)
        return found.only("slug", "updated_at")

    def lastmod(self, resource):
        return resource.updated_at


class PageSitemap(Sitemap):
    i18n = True
    alternates = True

    def items(self):
        return [
            "directory:home",
            "directory:search",
            "directory:events",
            "directory:who-can-help",
            "directory:if-agents-come",
            "directory:resources",
        ]

    def location(self, name):
        return reverse(name)


SITEMAPS = {
    "organizations": OrganizationSitemap,
    "events": EventSitemap,
    "resources": ResourceSitemap,
    "pages": PageSitemap,
}
