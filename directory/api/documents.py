"""The API's documents: our rows in the shapes the HSDS 3.0 API reference returns.

Every document is built from directory.hsds's serializers, the same ones the
HSDS export uses, so the API and the export cannot disagree on what of a
listing is public (a confidential location never appears, not even its city).

Pages hold "one-to-one" documents (the reference's compiled *_list schemas:
an object's own fields, and its one-to-one neighbours' own fields); details
and `full=true` hold fully nested ones.
"""

from .. import hsds

# Our own taxonomy; imported terms keep the name of theirs.
TAXONOMY_DESCRIPTIONS = {
    "advocacy": "The directory's own categories of help for immigrants.",
}


def one_to_one(document, nested=()):
    """The document's own fields, and the own fields of its `nested` objects."""
    return {
        key: one_to_one(value) if key in nested else value
        for key, value in document.items()
        if key in nested or not isinstance(value, list | dict)
    }


def service_item(service):
    """A page's service: its own fields and its organization's."""
    return one_to_one(hsds.service_to_hsds(service), nested=("organization",))


def service_minimal(service):
    """`minimal=true`: what the schema requires, and when it last changed."""
    document = hsds.service_to_hsds(service)
    return {key: document[key] for key in ("id", "name", "status", "last_modified")}


def service_full(service):
    return hsds.service_to_hsds(service)


def organization_item(organization):
    return one_to_one(hsds.organization_to_hsds(organization))


def organization_full(organization, services, full_services=False):
    """An organization with its phones, its public locations and `services`.

    The services are one-to-one documents, or fully nested with `full_services`
    (`full_service=true`), in both cases without the organization again.
    """
    document = hsds.organization_to_hsds(organization)
    locations = [hsds.location_to_hsds(location) for location in organization.api_locations]
    if locations := [location for location in locations if location is not None]:
        document["locations"] = locations
    nested = []
    for service in services:
        service_document = hsds.service_to_hsds(service)
        del service_document["organization"]
        nested.append(service_document if full_services else one_to_one(service_document))
    document["services"] = nested
    return document


def service_at_locations(service_document):
    """{id: (one-to-one document, full document)} of a service's public places.

    They come from the service's own document, which leaves confidential
    locations out: what it does not show, no place of the API shows.
    """
    service_only = {k: v for k, v in service_document.items() if k != "service_at_locations"}
    item_service = one_to_one(service_document, nested=("organization",))
    documents = {}
    for sal in service_document.get("service_at_locations", []):
        item = one_to_one(sal, nested=("location",)) | {"service": item_service}
        documents[sal["id"]] = (item, sal | {"service": service_only})
    return documents


def taxonomy_id(name):
    return hsds.stable_id("taxonomy", name)


def taxonomy(name):
    document = {
        "id": taxonomy_id(name),
        "name": name,
        "description": TAXONOMY_DESCRIPTIONS.get(name, f"Terms from the taxonomy “{name}”."),
    }
    if name.startswith(("http://", "https://")):
        document["uri"] = name
    return document


def taxonomy_term(term):
    return hsds.term_to_hsds(term) | {
        "taxonomy_id": taxonomy_id(term.taxonomy),
        "taxonomy_detail": taxonomy(term.taxonomy),
    }
