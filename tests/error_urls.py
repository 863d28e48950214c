"""The site's URLconf plus a page that fails, to test the 500 page (tests/test_error_pages.py)."""

from django.conf.urls.i18n import i18n_patterns
from django.urls import path

from advocacy.urls import handler404, handler500, urlpatterns

__all__ = ["handler404", "handler500", "urlpatterns"]


def broken(request):
    raise RuntimeError("a bug")


urlpatterns = [
    *urlpatterns,
    *i18n_patterns(path("broken/", broken), prefix_default_language=False),
]
