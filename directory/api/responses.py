"""How every API endpoint answers: JSON, CORS, conditional requests, JSON errors.

- Any site may read the API from a browser (`Access-Control-Allow-Origin: *`),
  and a preflight OPTIONS is answered. Nothing needs credentials: the API
  shows what an anonymous visitor sees, to everyone.
- `ETag` is a digest of the body, so `If-None-Match` answers 304 exactly
  when the client already has these bytes. A single object also gets
  `Last-Modified` (the newest `updated_at` of the listings it shows), for
  `If-Modified-Since`. `Cache-Control` is the public pages' (directory/http_cache.py).
- Errors are JSON too: 400 for a parameter we cannot use (naming it), 404
  for an unknown address or id, 405 for a method other than GET, HEAD or OPTIONS.
- Documents are in English whatever the Accept-Language, so one cached copy
  serves every visitor (the public pages take their language from the address).
"""

import hashlib
import json
from functools import wraps

from django.http import Http404, HttpResponse
from django.utils import translation
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from .. import choices
from .params import BadParameter

JSON = "application/json"
ALLOWED_METHODS = "GET, HEAD, OPTIONS"
PREFLIGHT_MAX_AGE = 86400
REASONS = {400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed"}


def _cors(response):
    response["Access-Control-Allow-Origin"] = "*"
    # ETag is not one of the headers a browser shows a script without this.
    response["Access-Control-Expose-Headers"] = "ETag"
    return response


def document_response(request, document, last_modified=None):
    """A 200 with `document` as JSON, or a 304 when the client's copy is current."""
    body = json.dumps(document, ensure_ascii=False).encode()
    response = HttpResponse(body, content_type=JSON)
    response["ETag"] = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    timestamp = None
    if last_modified is not None:
        timestamp = int(last_modified.timestamp())
        response["Last-Modified"] = http_date(timestamp)
    conditional = get_conditional_response(
        request, etag=response["ETag"], last_modified=timestamp, response=response
    )
    return conditional if conditional is not None else response


def error_response(status, message, parameter=None):
    error = {"status": status, "error": REASONS[status], "message": message}
    if parameter:
        error["parameter"] = parameter
    return _cors(HttpResponse(json.dumps(error), content_type=JSON, status=status))


def endpoint(view):
    """Answer GET and HEAD with the view, OPTIONS with a CORS preflight, and errors as JSON."""

    @wraps(view)
    def answer(request, *args, **kwargs):
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
            response["Access-Control-Allow-Methods"] = ALLOWED_METHODS
            response["Access-Control-Allow-Headers"] = "If-None-Match, If-Modified-Since"
            response["Access-Control-Max-Age"] = str(PREFLIGHT_MAX_AGE)
            response["Allow"] = ALLOWED_METHODS
            return _cors(response)
        if request.method not in ("GET", "HEAD"):
            response = error_response(405, f"The API is read-only: use {ALLOWED_METHODS}.")
            response["Allow"] = ALLOWED_METHODS
            return response
        # The search index's choice lists (public terms) forget themselves when it changed.
        choices.sync()
        try:
            with translation.override("en"):
                response = view(request, *args, **kwargs)
        except BadParameter as error:
            return error_response(400, error.message, error.name)
        except Http404 as error:
            return error_response(404, str(error) or "There is nothing at this address.")
        return _cors(response)

    # Cross-site reads carry no cookie and change nothing: no CSRF token to check.
    answer.csrf_exempt = True
    return answer
