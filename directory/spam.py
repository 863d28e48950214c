"""Spam defences for the public forms, without CAPTCHAs.

CAPTCHAs shut out people using screen readers and send visitors' data to
another company, so we use three quiet checks instead:

- a honeypot field that people never see (hidden with CSS; labelled "leave
  empty" for screen readers), which robots fill in;
- a minimum fill time, from a signed timestamp put in the form when it is
  shown: robots send forms within a second;
- each shown form's token works once: a sent token's digest is kept in the
  cache until the token would expire anyway, so one token cannot be replayed
  for many posts;
- a daily limit per client. The client is a keyed hash (HMAC with SECRET_KEY)
  of the address and the day (`directory/clients.py`), kept as a counter in
  the cache until the day ends. The address itself is never stored, and the
  hash changes every day.
"""

import hashlib
import secrets
import time
from datetime import datetime, timedelta

from django import forms
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .clients import client_address, count, keyed_digest

HONEYPOT = "homepage"
# A form left open longer than this must be sent again (a fresh timestamp).
MAX_FORM_AGE = 24 * 60 * 60
_signer = signing.TimestampSigner(salt="directory.spam.started")


def new_started_token():
    # A random part makes every token unique, even two shown in the same instant.
    return _signer.sign(f"{time.time():.3f}/{secrets.token_hex(8)}")


def _first_use(token):
    """Record the token as used; False if it was used before."""
    digest = hashlib.sha256(token.encode()).hexdigest()
    return cache.add(f"submissions:used:{digest}", 1, timeout=MAX_FORM_AGE + 60)


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
            token = cleaned.get("started") or ""
            started = float(_signer.unsign(token, max_age=MAX_FORM_AGE).split("/")[0])
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
        # Spent only by an otherwise valid form: a form sent back with a mistake
        # gets a fresh token anyway.
        if not self.errors and not _first_use(token):
            raise ValidationError(
                _(
                    "This form was already sent once. If you want to send it again, "
                    "check it and send it once more."
                ),
                code="replayed",
            )
        return cleaned


def _end_of_today():
    """Today's date in the site's time zone, and the seconds until it ends."""
    now = timezone.localtime()
    midnight = timezone.make_aware(
        datetime.combine(now.date() + timedelta(days=1), datetime.min.time())
    )
    return now.date(), max(1, int((midnight - now).total_seconds()) + 1)


def allow_submission(request):
    """Count one submission for this client today; False once over the limit.

    The browser is not part of the key: changing the User-Agent must not
    start a new count.
    """
    day, seconds_left = _end_of_today()
    key = "submissions:" + keyed_digest("submissions", day.isoformat(), client_address(request))
    return count(key, timeout=seconds_left) <= settings.SUBMISSIONS_PER_DAY
