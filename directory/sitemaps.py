from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Organization


class OrganizationSitemap(Sitemap):
    """Published organizations only, in every language (hreflang alternates)."""

    i18n = True
    alternates = True
    changefreq = "weekly"

    def items(self):
        return Organization.objects.public().only("slug", "updated_at").order_by("name")

    def lastmod(self, organization):
        return organization.updated_at


class PageSitemap(Sitemap):
    i18n = True
    alternates = True

    def items(self):
        return ["directory:home", "directory:search", "directory:who-can-help"]

    def location(self, name):
        return reverse(name)


SITEMAPS = {"organizations": OrganizationSitemap, "pages": PageSitemap}
