"""Cache-Control for HTTP caches in front of the app (a CDN, a proxy).

Public pages carry no cookie and are the same for every anonymous visitor,
so a shared cache may keep them for a short while: that is what lets the
directory take a rush of visitors. Everything else stays out of shared
caches: partner pages, forms (their CSRF cookie is the visitor's own),
the admin, exports, and anything sent to a signed-in user.
"""

from django.conf import settings
from django.utils.cache import patch_cache_control, patch_vary_headers

from .language_choice import negotiates_language

# URL names whose anonymous GET a shared cache may keep. Exports are left out:
# they are large, rarely asked for twice, and would push pages out of the cache.
PUBLIC_PAGES = {
    "directory:home",
    "home-en",
    "directory:search",
    "directory:search-sheet",
    "directory:who-can-help",
    "directory:organization-detail",
    "directory:events",
    "directory:event-detail",
    # The QR code of one of these pages; a partners-only page's is no-store (views.share_qr).
    "directory:share-qr",
    "sitemap",
    "robots-txt",
    # The HSDS API (directory/api/): what an anonymous visitor sees, to everyone.
    "api:root",
    "api:openapi",
    "api:services",
    "api:service",
    "api:organizations",
    "api:organization",
    "api:taxonomies",
    "api:taxonomy",
    "api:taxonomy-terms",
    "api:taxonomy-term",
    "api:service-at-locations",
    "api:service-at-location",
}
# A signed-in partner sees partners-only listings here, at the same address:
# a shared cache must tell the two apart (and a private response is never shared).
VARY_BY_COOKIE = {"directory:organization-detail", "directory:event-detail"}


def signed_in(request):
    # The session cookie alone says "maybe signed in": reading request.user
    # without one costs no query.
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        return True
    user = getattr(request, "user", None)
    return bool(user and user.is_authenticated)


def cache_policy(request, response):
    """Say "public", "private" or None (leave the headers as they are)."""
    if response.cookies or signed_in(request):
        return "private"
    match = request.resolver_match
    if (
        request.method in ("GET", "HEAD")
        and (
            response.status_code == 200
            # The bare / sends a Spanish browser to /es/: that answer is as public.
            or (response.status_code == 302 and negotiates_language(request))
        )
        and match is not None
        and match.view_name in PUBLIC_PAGES
        and not response.has_header("Cache-Control")
    ):
        return "public"
    return None


class PublicPageCacheControl:
    """Mark anonymous public pages cacheable by shared caches, and the rest not."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = cache_policy(request, response)
        if policy == "private":
            patch_cache_control(response, private=True)
        elif policy == "public":
            patch_cache_control(
                response,
                public=True,
                max_age=settings.PUBLIC_CACHE_SECONDS,
                stale_while_revalidate=settings.PUBLIC_CACHE_STALE_SECONDS,
            )
            vary_only_where_it_varies(response, request)
        return response


def vary_only_where_it_varies(response, request):
    """Keep a public page's `Vary` to what its content really depends on.

    Django adds `Vary: Cookie` whenever a middleware looked at the session,
    and `Vary: Accept-Language` to addresses without a language prefix; but
    public pages take their language from the address alone (/es/...), and
    most are the same for everyone. A needless `Vary` splits a shared cache
    into one copy per browser. The bare / is the exception: it redirects by
    Accept-Language (directory/language_choice.py).
    """
    view_name = request.resolver_match.view_name
    needless = set() if negotiates_language(request) else {"accept-language"}
    if view_name not in VARY_BY_COOKIE:
        needless.add("cookie")
    kept = [
        field.strip()
        for field in response.get("Vary", "").split(",")
        if field.strip() and field.strip().lower() not in needless
    ]
    del response["Vary"]
    if kept:
        response["Vary"] = ", ".join(kept)
    if view_name in VARY_BY_COOKIE:
        patch_vary_headers(response, ["Cookie"])
    if negotiates_language(request):
        patch_vary_headers(response, ["Accept-Language"])
