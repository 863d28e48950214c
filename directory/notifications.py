"""Emails to curators. Each says what arrived and links to the admin; the
sender's optional contact details stay in the admin."""

import logging

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


def curator_emails():
    return sorted(
        set(
            User.objects.filter(
                is_active=True, is_staff=True, groups__name__in=["Curators", "Publishers"]
            )
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )


def notify_curators(submission, request):
    recipients = curator_emails()
    if not recipients:
        return
    opts = submission._meta
    url = request.build_absolute_uri(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[submission.pk])
    )
    # In the site's language, whatever language the visitor who sent it was reading.
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("New %(kind)s: %(summary)s") % {
            "kind": opts.verbose_name,
            "summary": str(submission)[:80],
        }
        body = _("Something new is waiting in the moderation queue:\n\n%(url)s\n") % {"url": url}
    try:
        send_mail(subject, body, None, recipients)
    except OSError:
        # The submission is saved and shows in the queue; a mail outage must
        # not turn the sender's thank-you into an error page.
        logger.exception("Could not email curators about a new %s", opts.model_name)
