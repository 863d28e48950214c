"""The read-only HSDS 3.0 API (docs/hsds.md, "API"): thin views over queries and documents."""

import json
from functools import cache
from pathlib import Path

from django.http import Http404

from .. import geo, search
from . import documents, params, queries
from .pages import page
from .responses import document_response, endpoint

HSDS_VERSION = "3.0"
OPENAPI_DOCUMENT = Path(__file__).with_name("openapi.json")


def _uuid_or_404(pk, kind):
    try:
        return params.identifier({"id": pk}, "id")
    except params.BadParameter:
        raise Http404(f"There is no {kind} with the id “{pk[:60]}”.") from None


def _page_params(request):
    data = request.GET
    params.response_format(data)
    return params.page(data), params.per_page(data)


def _words(request):
    text = params.text(request.GET, "search")
    return search.query_words(text) if text else []


def _service_filters(request):
    data = request.GET
    filters = {
        "words": _words(request),
        "term": params.identifier(data, "taxonomy_term_id"),
        "taxonomy": params.identifier(data, "taxonomy_id"),
        "organization": params.identifier(data, "organization_id"),
        "modified_after": params.modified_after(data),
        "day": params.day(data),
        "starts": params.clock_time(data, "start_time"),
        "ends": params.clock_time(data, "end_time"),
    }
    if None not in (filters["starts"], filters["ends"]) and filters["ends"] <= filters["starts"]:
        raise params.BadParameter("end_time", "end_time must be later than start_time.")
    return filters


def _newest(*listings):
    return max(listing.updated_at for listing in listings)


@cache
def _openapi():
    return json.loads(OPENAPI_DOCUMENT.read_text())


@endpoint
def root(request):
    return document_response(
        request,
        {
            "version": HSDS_VERSION,
            "openapi_url": request.build_absolute_uri("/api/openapi.json"),
        },
    )


@endpoint
def openapi(request):
    document = _openapi() | {"servers": [{"url": request.build_absolute_uri("/api")}]}
    return document_response(request, document)


@endpoint
def service_list(request):
    number, size = _page_params(request)
    minimal = params.boolean(request.GET, "minimal")
    full = params.boolean(request.GET, "full")
    shape = (
        documents.service_minimal
        if minimal
        else documents.service_full
        if full
        else documents.service_item
    )
    entries = queries.service_entries(_service_filters(request)).values_list(
        "service_id", flat=True
    )
    nested = full and not minimal

    def contents(ids):
        return [shape(service) for service in queries.services(ids, nested=nested)]

    return document_response(request, page(entries, number, size, contents))


@endpoint
def service_detail(request, pk):
    service = queries.service(_uuid_or_404(pk, "service"))
    if service is None:
        raise Http404(f"There is no service with the id “{pk}”.")
    return document_response(
        request, documents.service_full(service), _newest(service, service.organization)
    )


def _organization_documents(organizations, nested, full_services):
    if not nested:
        return [documents.organization_item(org) for org in organizations]
    return [
        documents.organization_full(org, org.api_services, full_services) for org in organizations
    ]


@endpoint
def organization_list(request):
    number, size = _page_params(request)
    full_services = params.boolean(request.GET, "full_service")
    nested = params.boolean(request.GET, "full") or full_services
    entries = queries.organization_entries(_words(request)).values_list(
        "organization_id", flat=True
    )

    def contents(ids):
        organizations = queries.organizations(ids, nested=nested, full_services=full_services)
        return _organization_documents(organizations, nested, full_services)

    return document_response(request, page(entries, number, size, contents))


@endpoint
def organization_detail(request, pk):
    full_services = params.boolean(request.GET, "full_service")
    found = queries.organizations(
        [_uuid_or_404(pk, "organization")], nested=True, full_services=full_services
    )
    if not found:
        raise Http404(f"There is no organization with the id “{pk}”.")
    organization = found[0]
    return document_response(
        request,
        documents.organization_full(organization, organization.api_services, full_services),
        _newest(organization, *organization.api_services),
    )


@endpoint
def taxonomy_list(request):
    number, size = _page_params(request)
    rows = queries.taxonomies(_words(request))
    return document_response(
        request, page(rows, number, size, lambda rows: [documents.taxonomy(n) for _pk, n in rows])
    )


@endpoint
def taxonomy_detail(request, pk):
    name = queries.public_taxonomies().get(str(_uuid_or_404(pk, "taxonomy")))
    if name is None:
        raise Http404(f"There is no taxonomy with the id “{pk}”.")
    return document_response(request, documents.taxonomy(name))


@endpoint
def taxonomy_term_list(request):
    number, size = _page_params(request)
    data = request.GET
    rows = queries.terms(
        taxonomy=params.identifier(data, "taxonomy_id"),
        parent=params.identifier(data, "parent_id"),
        top_only=params.boolean(data, "top_only"),
        words=_words(request),
    )
    return document_response(
        request,
        page(rows, number, size, lambda terms: [documents.taxonomy_term(t) for t in terms]),
    )


@endpoint
def taxonomy_term_detail(request, pk):
    term = queries.terms().filter(pk=_uuid_or_404(pk, "taxonomy term")).first()
    if term is None:
        raise Http404(f"There is no taxonomy term with the id “{pk}”.")
    return document_response(request, documents.taxonomy_term(term))


def _place_filters(request):
    filters = _service_filters(request)
    filters["postcode"] = params.postcode(request.GET)
    meters = params.proximity(request.GET)
    filters["point"] = None
    if meters is not None:
        if not filters["postcode"]:
            raise params.BadParameter("proximity", "proximity needs a postcode to measure from.")
        filters["point"] = geo.zip_centroid(filters["postcode"])
        if filters["point"] is None:
            raise params.BadParameter(
                "postcode", f"We do not know where the ZIP code {filters['postcode']} is."
            )
        filters["miles"] = meters / queries.METERS_PER_MILE
    return filters


def _service_at_location_documents(rows, full):
    """The documents of these (id, service id) rows, from their services' documents."""
    by_service = {
        service.pk: documents.service_at_locations(documents.service_full(service))
        for service in queries.services(list(dict.fromkeys(sid for _pk, sid in rows)))
    }
    found = (by_service.get(sid, {}).get(str(pk)) for pk, sid in rows)
    return [pair[1] if full else pair[0] for pair in found if pair is not None]


@endpoint
def service_at_location_list(request):
    number, size = _page_params(request)
    full = params.boolean(request.GET, "full")
    rows = queries.service_at_locations(_place_filters(request))
    return document_response(
        request,
        page(rows, number, size, lambda rows: _service_at_location_documents(rows, full)),
    )


@endpoint
def service_at_location_detail(request, pk):
    pk = _uuid_or_404(pk, "service at location")
    row = queries.service_at_locations({}).filter(pk=pk).first()
    service = queries.service(row[1]) if row else None
    found = documents.service_at_locations(documents.service_full(service)) if service else {}
    if str(pk) not in found:
        raise Http404(f"There is no service at location with the id “{pk}”.")
    return document_response(request, found[str(pk)][1], _newest(service, service.organization))


@endpoint
def not_found(request, path=""):
    raise Http404("There is no such endpoint. The API's endpoints are listed at /api/openapi.json.")
