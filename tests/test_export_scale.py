"""Large public exports: streamed whole, in a number of queries that does not grow per row."""

import csv
import io
import json
import runpy
from pathlib import Path

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from directory import exports
from directory.imports import import_file
from tests.test_import_scale import _file

pytestmark = pytest.mark.django_db

ORGANIZATIONS = 450  # two services each


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _directory(organizations=ORGANIZATIONS):
    assert import_file("many.csv", _file(organizations), publish=True).written


def _download(client, fmt, query=""):
    response = client.get(reverse("directory:search-export", args=[fmt]) + query)
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    return b"".join(response.streaming_content)


def test_every_row_of_a_large_search_is_streamed(client):
    _directory()
    rows = list(csv.reader(io.StringIO(_download(client, "csv").decode("utf-8-sig"))))
    assert len(rows) == 1 + 2 * ORGANIZATIONS
    names = {row[1] for row in rows[1:]}
    assert names == {f"Centro {i}" for i in range(ORGANIZATIONS)}
    services = json.loads(_download(client, "json"))
    assert len(services) == 2 * ORGANIZATIONS
    assert _download(client, "vcf").count(b"BEGIN:VCARD") == ORGANIZATIONS


@pytest.mark.parametrize("fmt", ["csv", "json", "vcf"])
def test_export_queries_do_not_grow_with_the_rows(client, fmt, django_assert_max_num_queries):
    _directory(10)
    with CaptureQueriesContext(connection) as few:
        _download(client, fmt)
    _directory(80)  # 90 organizations, 180 services
    with django_assert_max_num_queries(len(few)):
        _download(client, fmt)


def test_an_export_takes_one_query_per_table(client, django_assert_max_num_queries):
    _directory()
    # One query per table, and one for the languages of the listings' translations.
    with django_assert_max_num_queries(25):
        _download(client, "csv")


def test_excel_past_its_limit_is_refused_before_any_byte(client, monkeypatch):
    _directory(3)
    monkeypatch.setattr(exports, "EXCEL_LIMIT", 5)
    response = client.get(reverse("directory:search-export", args=["xlsx"]))
    assert response.status_code == 400
    assert "Content-Disposition" not in response
    text = response.content.decode()
    assert "This search has 6 services" in text and "(5)" in text and "CSV" in text
    response = client.get("/es" + reverse("directory:search-export", args=["xlsx"]))
    assert "Acote la búsqueda" in response.content.decode()
    monkeypatch.setattr(exports, "EXCEL_LIMIT", 6)
    response = client.get(reverse("directory:search-export", args=["xlsx"]))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")


def test_gunicorn_does_not_cut_long_downloads_off():
    """A sync worker is killed `timeout` seconds into any request, mid-download or not."""
    config = runpy.run_path(str(Path(__file__).resolve().parents[1] / "gunicorn.conf.py"))
    assert config["worker_class"] == "gthread" and config["threads"] >= 2


def test_light_rows_export_the_same_bytes_as_the_models(directory):
    """The public CSV and vCards are built from values() rows; the columns see the same data."""
    from directory.models import Organization

    for make, reading in (
        (lambda o: exports.csv_chunks(exports.rows(o)), exports.TABLE),
        (exports.vcard_chunks, exports.CONTACTS),
    ):
        models = b"".join(make(exports.public_organizations(Organization.objects.all())))
        light = exports.public_organizations(Organization.objects.all(), reading=reading)
        assert b"".join(make(light)) == models
