"""Spam defences for the public forms, without CAPTCHAs.

CAPTCHAs shut out people using screen readers and send visitors' data to
another company, so we use three quiet checks instead:

- a honeypot field that people never see (hidden with CSS; labelled "leave
  empty" for screen readers), which robots fill in;
- a minimum fill time, from a signed timestamp put in the form when it is
  shown: robots send forms within a second;
- a daily limit per client. The client is a keyed hash (HMAC with SECRET_KEY)
  of address, browser and day, kept as a counter in the cache for a day. The
  address itself is never stored, and the hash changes every day.
"""

import hashlib
import hmac
import time

from django import forms
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

HONEYPOT = "homepage"
# A form left open longer than this must be sent again (a fresh timestamp).
MAX_FORM_AGE = 24 * 60 * 60
_signer = signing.TimestampSigner(salt="directory.spam.started")


def new_started_token():
    return _signer.sign(f"{time.time():.3f}")


class SpamDefences(forms.Form):
    """Mix into a public form, before forms.ModelForm."""

    homepage = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    started = forms.CharField(required=False, widget=forms.HiddenInput)

    @property
    def started_token(self):
        """A fresh timestamp each time the form is shown, so a resend can pass."""
        return new_started_token()

    @property
    def public_fields(self):
        return [f for f in self if f.name not in (HONEYPOT, "started")]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get(HONEYPOT):
            raise ValidationError(
                _("Please leave the field “Leave this field empty” empty, then send again."),
                code="honeypot",
            )
        try:
            started = float(_signer.unsign(cleaned.get("started") or "", max_age=MAX_FORM_AGE))
        except (signing.BadSignature, ValueError):
            raise ValidationError(
                _("This form was open too long or was changed. Please send it again."),
                code="expired",
            ) from None
        if time.time() - started < settings.SUBMISSION_MIN_SECONDS:
            raise ValidationError(
                _("That was very quick. Please check your answers, then send again."),
                code="too_fast",
            )
        return cleaned


def _client_key(request):
    if settings.SECURE_PROXY_SSL_HEADER:
        address = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[0].strip()
    else:
        address = ""
    address = address or request.META.get("REMOTE_ADDR", "")
    browser = request.META.get("HTTP_USER_AGENT", "")
    day = timezone.now().date().isoformat()
    message = f"{address}\n{browser}\n{day}".encode()
    digest = hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()
    return f"submissions:{digest}"


def allow_submission(request):
    """Count one submission for this client today; False once over the limit."""
    key = _client_key(request)
    cache.add(key, 0, timeout=MAX_FORM_AGE)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=MAX_FORM_AGE)
        count = 1
    return count <= settings.SUBMISSIONS_PER_DAY
