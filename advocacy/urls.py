from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from directory.sitemaps import SITEMAPS
from directory.views import home, robots_txt

urlpatterns = [
    # Before the admin, which would otherwise answer for these paths.
    path("admin/two-factor/", include("directory.two_factor")),
    path("admin/", admin.site.urls),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", robots_txt, name="robots-txt"),
    # The HSDS API: data, not pages, so outside the language prefixes (docs/hsds.md).
    path("api/", include("directory.api.urls")),
    # English chosen on purpose: the bare / may redirect by Accept-Language
    # (directory/language_choice.py), this address never does.
    path("en/", home, name="home-en"),
]

# Public pages carry the language in the URL (/es/...): no cookie needed.
urlpatterns += i18n_patterns(
    path("", include("directory.urls")),
    prefix_default_language=False,
)

# In the visitor's language, with the search box and the hotlines (DEBUG shows Django's own).
handler404 = "directory.views.page_not_found"
handler500 = "directory.views.server_error"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
