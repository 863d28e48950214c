"""schema.org JSON-LD for organization and event pages: public fields only.

A confidential location contributes its city and state, never its street
address or coordinates.
"""

import json

from .phones import best_number

# The characters that could end the <script> element or start markup, as
# django.utils.html.json_script escapes them.
_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def _address(location):
    address = {
        "@type": "PostalAddress",
        "addressLocality": location.city,
        "addressRegion": location.state,
        "addressCountry": location.country,
    }
    if not location.is_confidential:
        street = ", ".join(filter(None, [location.address_1, location.address_2]))
        if street:
            address["streetAddress"] = street
        if location.postal_code:
            address["postalCode"] = location.postal_code
    return address


def _place(location):
    place = {"@type": "Place", "address": _address(location)}
    if coordinates := location.public_coordinates:
        place["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": coordinates[0],
            "longitude": coordinates[1],
        }
    return place


def organization_json_ld(organization, request):
    """Return the escaped JSON text for a <script type="application/ld+json">."""
    data = {
        "@context": "https://schema.org",
        "@type": "NGO" if organization.legal_status else "Organization",
        "name": organization.name,
        "url": request.build_absolute_uri(organization.get_absolute_url()),
    }
    if organization.alternate_name:
        data["alternateName"] = organization.alternate_name
    if organization.description:
        data["description"] = organization.description
    if organization.website:
        data["sameAs"] = organization.website
    if organization.email:
        data["email"] = organization.email
    phone = best_number(organization)
    if phone:
        data["telephone"] = phone.number
    locations = list(organization.locations.all())
    if locations:
        data["address"] = _address(locations[0])
        data["location"] = [_place(location) for location in locations]
    services = getattr(organization, "public_services", [])
    if services:
        data["makesOffer"] = [
            {
                "@type": "Offer",
                "itemOffered": {"@type": "Service", "name": s.name, "description": s.description},
            }
            for s in services
        ]
    return json.dumps(data, ensure_ascii=False).translate(_ESCAPES)


def event_json_ld(event, occurrence, request):
    """schema.org Event for an event's page, at its next date (`occurrence`, or None)."""
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "url": request.build_absolute_uri(event.get_absolute_url()),
        "isAccessibleForFree": event.is_free,
        "organizer": {
            "@type": "Organization",
            "name": event.organization.name,
            "url": request.build_absolute_uri(event.organization.get_absolute_url()),
        },
    }
    if event.description:
        data["description"] = event.description
    if occurrence is not None:
        data["startDate"] = occurrence.start.isoformat()
        data["endDate"] = occurrence.end.isoformat()
        data["eventStatus"] = (
            "https://schema.org/EventCancelled"
            if occurrence.cancelled
            else "https://schema.org/EventScheduled"
        )
    places = []
    if event.location_id:
        places.append(_place(event.location))
    if event.online:
        virtual = {"@type": "VirtualLocation"}
        if event.online_url:
            virtual["url"] = event.online_url
        places.append(virtual)
    if places:
        data["location"] = places[0] if len(places) == 1 else places
    mode = "Mixed" if len(places) == 2 else ("Online" if event.online else "Offline")
    data["eventAttendanceMode"] = f"https://schema.org/{mode}EventAttendanceMode"
    languages = [language.code for language in event.languages.all()]
    if languages:
        data["inLanguage"] = languages
    return json.dumps(data, ensure_ascii=False).translate(_ESCAPES)
