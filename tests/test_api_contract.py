"""Contract tests: schemathesis drives the API from the OpenAPI documents, as a client's tools would.

For every operation it generates requests (valid ones, and with invalid
values) and sends them to the app through WSGI. Two documents:

- The official HSDS API reference (../shared/hsds/openapi.json, its schema
  URLs pointed at the local copies): any 5xx fails, and so does any response
  that does not match its schema or content type. Its parameters have no
  bounds (page may be -3) and it documents no 400 or 404, so it cannot judge
  those; and its /service_at_locations/{id} names the service schema (an
  upstream mistake), which a service at location cannot match.
- Ours (/api/openapi.json, the reference plus the documented deviations):
  every check schemathesis has, including that valid values are accepted,
  invalid ones refused, and every status code documented.

Each also runs the detail operations with the ids of real public records, so
their 200 answers are checked too, and with the ids of hidden ones, which
must be 404. No answer may carry a word of a hidden listing or of the
confidential place. Examples per operation are bounded and derandomized, so
the run is the same every time and takes well under a minute.
"""

import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from directory.api.documents import taxonomy_id
from directory.api.views import OPENAPI_DOCUMENT
from tests.hsds_schemas import bundled, openapi
from tests.test_api import listings  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db

EXAMPLES = 25
CANARY_WORDS = ("quibble", "vexley", "glimmerhaus", "90033", "34.0487", "118.2094")
# Parameters that depend on each other, which OpenAPI cannot say: proximity
# is measured from a postcode we know, and a window ends after it starts.
KNOWN_ZIP = "90012"


def _no_hidden_listing(ctx, response, case):
    body = response.content.decode("utf-8", "replace").lower()
    found = [word for word in CANARY_WORDS if word in body]
    assert not found, f"a hidden listing or the confidential place shows: {found}"
    assert response.headers.get("access-control-allow-origin") == ["*"]


def _with_dependencies_met(case):
    query = case.query or {}
    if "proximity" in query:
        query["postcode"] = KNOWN_ZIP
    if "start_time" in query and "end_time" in query:
        query.pop("end_time")
    return case


def _schema(document, hsds_dir):
    schema = schemathesis.openapi.from_dict(bundled(document, hsds_dir))
    schema.config.update(base_url="http://testserver/api")
    return schema


def _examples(strategy, app, checks):
    """A Hypothesis test sending EXAMPLES cases of `strategy` to the app."""

    @given(case=strategy)
    @hypothesis_settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        case.call_and_validate(app=app, checks=checks, additional_checks=[_no_hidden_listing])

    return run


def _run(schema, mode, checks, excluded=(), path_parameters=None):
    """Run every operation; return [(operation, what failed)]."""
    app = get_wsgi_application()
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if path_parameters is not None:
            if "{id}" not in operation.path:
                continue
            fixed = {"path_parameters": {"id": path_parameters[operation.path]}}
        else:
            fixed = {}
        strategy = operation.as_strategy(mode, **fixed)
        if mode == GenerationMode.POSITIVE:
            strategy = strategy.map(_with_dependencies_met)
        skip = {check for label, check in excluded if label == operation.label}
        chosen = None if checks is None else [c for c in checks if c not in skip]

        run = _examples(strategy, app, chosen)
        try:
            run()
        except Unsatisfiable:
            assert mode == GenerationMode.NEGATIVE  # nothing invalid to send (a bare path)
        except (AssertionError, Exception, BaseExceptionGroup) as error:
            failures.append((operation.label, str(error)[:2000]))
    return failures


def _public_ids(rows):
    sal = rows["clinic"].service_at_locations.get(location=rows["office"])
    return {
        "/services/{id}": str(rows["clinic"].pk),
        "/organizations/{id}": str(rows["centro"].pk),
        "/taxonomies/{id}": taxonomy_id("advocacy"),
        "/taxonomy_terms/{id}": str(rows["asylum"].pk),
        "/service_at_locations/{id}": str(sal.pk),
    }


OFFICIAL_CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
# The reference's schema for this answer is the service one (see above).
OFFICIAL_MISTAKE = {("GET /service_at_locations/{id}", response_schema_conformance)}


@pytest.fixture
def app_settings(settings):
    """The WSGI app, as Django's test client calls it: on the test's own database connection.

    A WSGI request ends by closing the database connection (close_old_connections),
    which would end the test's transaction on PostgreSQL; the test client
    disconnects it the same way.
    """
    settings.ALLOWED_HOSTS = ["testserver", "localhost"]  # werkzeug sends localhost
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_the_official_reference_finds_no_error(hsds_dir, listings, app_settings, mode):  # noqa: F811
    schema = _schema(openapi(hsds_dir), hsds_dir)
    assert _run(schema, mode, OFFICIAL_CHECKS, OFFICIAL_MISTAKE) == []


def test_the_official_reference_on_public_records(hsds_dir, listings, app_settings):  # noqa: F811
    schema = _schema(openapi(hsds_dir), hsds_dir)
    failures = _run(
        schema,
        GenerationMode.POSITIVE,
        OFFICIAL_CHECKS,
        OFFICIAL_MISTAKE,
        path_parameters=_public_ids(listings),
    )
    assert failures == []


def _ours():
    return json.loads(OPENAPI_DOCUMENT.read_text())


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_our_document_finds_no_error(hsds_dir, listings, app_settings, mode):  # noqa: F811
    schema = _schema(_ours(), hsds_dir)
    assert _run(schema, mode, checks=None) == []


def test_our_document_on_public_and_hidden_records(hsds_dir, listings, app_settings):  # noqa: F811
    schema = _schema(_ours(), hsds_dir)
    assert _run(schema, GenerationMode.POSITIVE, None, path_parameters=_public_ids(listings)) == []
    hidden = listings["hidden"]
    hidden_ids = {
        "/services/{id}": str(hidden[1].pk),
        "/organizations/{id}": str(hidden[0].pk),
        "/taxonomies/{id}": str(hidden[2].pk),
        "/taxonomy_terms/{id}": str(listings["hidden_term"].pk),
        "/service_at_locations/{id}": str(
            listings["clinic"].service_at_locations.get(location=listings["shelter"]).pk
        ),
    }

    def not_found(ctx, response, case):
        assert response.status_code == 404, case.path

    app = get_wsgi_application()
    for path, pk in hidden_ids.items():
        case = schema[path]["GET"].Case(path_parameters={"id": pk})
        case.call_and_validate(app=app, additional_checks=[not_found, _no_hidden_listing])
