"""Merge a duplicate organization into the one that stays.

Services, locations, phones, reports and suggestions move to the survivor
(saved one by one, so each move is in their history); the duplicate's own
history stays in the history tables; its slug becomes a redirect.

Only a publisher may merge: the duplicate leaves the directory (as if
archived) and its services join a listing that may be published or open to
a different audience, both publisher's decisions (directory/publishing.py).
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import indexing
from .models import OrganizationRedirect, Report, SourceId, Status, Suggestion
from .publishing import PUBLISH_REFUSED, may_move

FILLED_FROM_DUPLICATE = ["alternate_name", "description", "website", "email", "year_founded"]


@transaction.atomic
def merge_organizations(survivor, duplicate, *, user):
    """Merge `duplicate` into `survivor` for `user`; raise PermissionDenied if they may not."""
    if survivor.pk == duplicate.pk:
        raise ValueError("An organization cannot be merged into itself.")
    allowed = may_move(user, duplicate, status=Status.ARCHIVED) and all(
        may_move(user, service, organization=survivor) for service in duplicate.services.all()
    )
    if not allowed:
        raise PermissionDenied(PUBLISH_REFUSED)
    with indexing.deferred():  # both organizations refreshed once, at the end
        return _merge(survivor, duplicate)


def _merge(survivor, duplicate):
    for related in (duplicate.services, duplicate.locations, duplicate.phones):
        for obj in related.all():
            obj.organization = survivor
            obj.save()
    Report.objects.filter(organization=duplicate).update(organization=survivor)
    Suggestion.objects.filter(organization=duplicate).update(organization=survivor)
    OrganizationRedirect.objects.filter(organization=duplicate).update(organization=survivor)
    # The duplicate's ids at other publishers now stand for the survivor.
    SourceId.objects.filter(organization=duplicate).update(organization=survivor)
    survivor.kinds.add(*duplicate.kinds.all())
    for name in FILLED_FROM_DUPLICATE:
        if not getattr(survivor, name) and getattr(duplicate, name):
            setattr(survivor, name, getattr(duplicate, name))
    note = _("%(date)s: merged “%(name)s” (%(slug)s) into this listing.") % {
        "date": timezone.localdate().isoformat(),
        "name": duplicate.name,
        "slug": duplicate.slug,
    }
    survivor.curator_notes = "\n".join(filter(None, [survivor.curator_notes, note]))
    survivor.needs_review = survivor.needs_review or duplicate.needs_review
    survivor.save()
    old_slug = duplicate.slug
    duplicate.delete()
    OrganizationRedirect.objects.create(old_slug=old_slug, organization=survivor)
    return survivor
