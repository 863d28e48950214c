"""schema.org JSON-LD for an organization page: public fields only.

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
