"""One dispatcher (directory/export_files.py): a format is the same file wherever it is asked for."""

import io
import json
from datetime import date

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from directory.models import Organization


def _body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def _command(tmp_path, name, *args):
    out = tmp_path / f"export.{name}"
    call_command("export_listings", "--format", name, "-o", str(out), *args, stderr=io.StringIO())
    return out.read_bytes()


def _cells(data):
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return [[list(row) for row in sheet.iter_rows(values_only=True)] for sheet in book.worksheets]


@pytest.mark.parametrize(
    ("extension", "name", "content_type"),
    [
        ("csv", "csv", "text/csv; charset=utf-8"),
        ("vcf", "vcf", "text/vcard; charset=utf-8"),
        ("json", "hsds", "application/json"),
        ("xlsx", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ],
)
def test_the_public_download_is_the_commands_file(
    client, directory, tmp_path, extension, name, content_type
):
    r = client.get(f"/search/export.{extension}?q=consulta")
    assert r.status_code == 200
    assert r["Content-Type"] == content_type
    assert f'filename="directory-{date.today():%Y-%m-%d}.{extension}"' in r["Content-Disposition"]
    download, made = _body(r), _command(tmp_path, name, "--q", "consulta")
    if extension == "xlsx":  # a zip: the same cells, whatever its timestamps
        assert _cells(download) == _cells(made)
    else:
        assert download == made
    assert b"SECRET-CURATOR-NOTE" not in made and b"DRAFT-ONLY" not in made


def test_hsds_stays_public_for_curators_too(curator_client, directory):
    """A curator's HSDS of every organization, drafts selected too, is the public HSDS."""
    everyone = list(Organization.objects.values_list("pk", flat=True))
    r = curator_client.post(
        reverse("admin:directory_organization_changelist"),
        {"action": "export_hsds", "_selected_action": everyone},
    )
    assert f'filename="curator-directory-{date.today():%Y-%m-%d}.json"' in r["Content-Disposition"]
    curators = json.loads(_body(r))
    public = json.loads(_body(curator_client.get("/search/export.json")))
    assert curators == public and len(public) == 5


def test_an_unknown_format_is_not_found(client, db):
    assert client.get("/search/export.zip").status_code == 404
    assert client.get("/search/export.pdf").status_code == 404
