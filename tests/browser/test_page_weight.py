"""Page weight: a page of 20 results must stay light for a cheap phone on a slow network."""

import gzip
import re

import pytest
from django.urls import reverse

from tests.browser.checks import assert_no_wasted_request
from tests.browser.conftest import PHONE
from tests.browser.directory_data import MATCHING, RESULTS_QUERY

pytestmark = pytest.mark.browser

BUDGET = 60 * 1024
# WhiteNoise serves hashed names with a ten-year, immutable cache lifetime.
FAR_FUTURE = re.compile(r"max-age=(\d+)")


def compressed_size(request):
    """Bytes on the wire for one response, compressed as production serves it.

    WhiteNoise compresses static files itself, so for those the browser's own
    count is used. Django does not compress HTML; the TLS proxy in front of it
    does (docs/deployment.md), so the HTML is counted gzip-compressed.
    """
    sizes = request.sizes()
    response = request.response()
    if response.headers.get("content-encoding"):
        body = sizes["responseBodySize"]
    else:
        body = len(gzip.compress(response.body(), compresslevel=6))
    return sizes["responseHeadersSize"] + body


def test_a_page_of_20_results_transfers_under_60_kb(directory, open_context):
    context = open_context(PHONE)
    page = context.new_page()

    page.goto(reverse("directory:search") + RESULTS_QUERY)

    assert page.locator(".results__list > li").count() == MATCHING == 20
    total = sum(compressed_size(request) for request in context.requests)
    listing = {request.url: compressed_size(request) for request in context.requests}
    assert total < BUDGET, f"{total} bytes: {listing}"


def test_the_results_page_makes_no_avoidable_request(directory, open_context, live_server):
    context = open_context(PHONE)
    page = context.new_page()

    page.goto(reverse("directory:search") + RESULTS_QUERY)

    assert_no_wasted_request(context)
    document, *assets = context.requests
    assert document.resource_type == "document"
    assert "stylesheet" in [request.resource_type for request in assets]
    for request in assets:
        # Hashed static names can be cached for good: a second page needs none of them.
        assert request.url.startswith(f"{live_server.url}/static/")
        max_age = FAR_FUTURE.search(request.response().headers.get("cache-control", ""))
        assert max_age and int(max_age.group(1)) >= 365 * 24 * 3600, request.url
