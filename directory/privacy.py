"""Response headers that keep visitors' browsing to themselves."""

from django.conf import settings


class FormReferrerPolicy:
    """Send `Referrer-Policy: same-origin` on pages that carry a form to send.

    Every other response keeps the site-wide `no-referrer`. A form on a
    `no-referrer` page is sent with `Origin: null` (the Fetch standard says
    so), which Django's CSRF check must refuse. `same-origin` still sends
    nothing to other hosts. A page has such a form exactly when it rendered a
    CSRF token, and then the response (re)sets the CSRF cookie.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.CSRF_COOKIE_NAME in response.cookies:
            response.headers["Referrer-Policy"] = "same-origin"
        return response
