"""The actions at the top of an organization's page: call, text, directions."""

from django import template

from .. import phones

register = template.Library()


@register.simple_tag
def listing_actions(organization):
    """Return {"call", "text", "location", "directions", "visit"} for the page's top.

    Each but `visit` may be None.

    `location` is the first location (a confidential one shows only its city);
    `directions` the first public one with coordinates, for the directions link.
    """
    call, text = phones.call_and_text(organization, organization.public_services)
    locations = list(organization.locations.all())
    directions = next((place for place in locations if place.public_coordinates), None)
    services = organization.public_services
    return {
        # The services with hours or documents to bring, shown right after these.
        "visit": [
            s
            for s in services
            if s.hours_status[0]
            or s.appointment_only
            or s.schedules.all()
            or s.hours_note
            or s.required_documents
        ],
        "call": call,
        "text": text,
        "location": directions or (locations[0] if locations else None),
        "directions": directions,
    }
