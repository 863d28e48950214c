"""Who may publish, and what a published organization needs.

Two rules that protect people, each decided here and called by every path
that could break it (docs/architecture.md, "One rule, one place"):

- `may_move`: curators move listings between draft and in review; anything
  that involves published or archived, and any change of who can see a
  listing, is a publisher's decision. Change forms, inline services, bulk
  actions, deletion, the admin import, History -> Revert and merge ask it.
- `has_contact_method`: a published organization has a way to reach it that
  the public can see. The bulk publish action, the change form, History ->
  Revert and the import ask it.
"""

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from .models import (
    CURATOR_STATUSES,
    Event,
    Organization,
    Phone,
    Resource,
    Service,
    Status,
    Visibility,
)

PUBLISH_REFUSED = _(
    "Only publishers can publish, unpublish or archive listings, or change who can see them."
)
UNREACHABLE = _(
    "A published organization needs at least one way to reach it: a website, an email, "
    "a phone number, or a published service with a phone, an email or a web address."
)


def can_publish(user, model):
    return user.has_perm(f"directory.publish_{model._meta.model_name}")


def stored_state(listing):
    """Return (status, visibility, organization id) of the listing as stored.

    A listing not saved yet starts as a draft open to everyone (a service:
    with its organization's visibility and no organization yet).
    An event has a visibility of its own.
    """
    if isinstance(listing, Event):
        row = (
            Event._base_manager.filter(pk=listing.pk)
            .values_list("status", "visibility", "organization_id")
            .first()
        )
        return row or (Status.DRAFT, Visibility.PUBLIC, None)
    if isinstance(listing, Resource):  # open to everyone, and of no organization
        status = Resource._base_manager.filter(pk=listing.pk).values_list("status", flat=True)
        return status.first() or Status.DRAFT, Visibility.PUBLIC, None
    if isinstance(listing, Service):
        row = (
            Service._base_manager.filter(pk=listing.pk)
            .values_list("status", "organization__visibility", "organization_id")
            .first()
        )
        if row is None:
            return Status.DRAFT, _visibility_of(listing.organization_id), None
        return row
    row = (
        Organization._base_manager.filter(pk=listing.pk)
        .values_list("status", "visibility", "pk")
        .first()
    )
    return row or (Status.DRAFT, Visibility.PUBLIC, None)


def _visibility_of(organization_id):
    rows = Organization._base_manager.filter(pk=organization_id)
    return rows.values_list("visibility", flat=True).first() or Visibility.PUBLIC


def may_move(user, listing, status=None, visibility=None, organization=None, stored=None):
    """Return whether `user` may give `listing` this status and visibility.

    The listing moves from its stored row (looked up by pk), never from the
    instance's attributes: a form's instance can be a historical version or
    already carry the new values. None means "unchanged". A service has its
    organization's visibility, so for a service pass the `organization` it
    will belong to; moving a published service (or event) elsewhere is a
    publisher's decision too. `stored` is stored_state(listing), if already read. `user`
    is None only for the operator at the command line.
    """
    if user is None or can_publish(user, type(listing)):
        return True
    old_status, old_visibility, old_organization = stored or stored_state(listing)
    new_status = status or old_status
    new_visibility = visibility or old_visibility
    if isinstance(listing, Service | Event) and organization is not None:
        organization_id = getattr(organization, "pk", organization)
        if isinstance(listing, Service):
            new_visibility = _visibility_of(organization_id)
        if old_organization is not None and organization_id != old_organization:
            if not {old_status, new_status} <= CURATOR_STATUSES:
                return False
    if new_visibility != old_visibility:
        return False
    return new_status == old_status or {old_status, new_status} <= CURATOR_STATUSES


def has_contact_method(organization, phones=None, services=None):
    """Return whether the public could reach this organization.

    A website, an email, one of its own phones, or a published service of
    its with a phone, an email or a web address (what its public page
    shows). A change form passes what it is about to save: `phones`, the
    numbers in its phone inline; `services`, {service pk: status or None
    when deleted} from its service inline, where a service left out keeps
    its stored status. None means "as stored".
    """
    if organization.website or organization.email:
        return True
    saved = organization.pk is not None and not organization._state.adding
    if phones is None:
        phones = organization.phones.values_list("number", flat=True) if saved else []
    if any(str(number).strip() for number in phones):
        return True
    if not saved:
        return False
    reachable = Service.objects.filter(organization=organization).filter(
        ~Q(url="") | ~Q(email="") | Exists(Phone.objects.filter(service=OuterRef("pk")))
    )
    statuses = {str(pk): status for pk, status in reachable.values_list("pk", "status")}
    if services is not None:
        submitted = {str(pk): status for pk, status in services.items()}
        statuses = {pk: submitted.get(pk, status) for pk, status in statuses.items()}
        statuses = {pk: status for pk, status in statuses.items() if status is not None}
    return Status.PUBLISHED in statuses.values()
