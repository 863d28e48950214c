"""Logo files on disk: random names, and no file left behind by a replace, clear or delete.

Uploads go through the admin change form into a temporary MEDIA_ROOT
(tests/conftest.py points it at tmp_path).
"""

import io
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from directory.models import Organization
from tests.factories import make_organization
from tests.test_admin import _change_data, _change_url

pytestmark = pytest.mark.django_db


def _png(color):
    out = io.BytesIO()
    Image.new("RGB", (300, 200), color).save(out, format="PNG")
    return out.getvalue()


def _upload(client, org, name="Casa del Migrante - logo FINAL (2).png", color="red", **extra):
    org = Organization.objects.get(pk=org.pk)  # the current version for the form
    logo = SimpleUploadedFile(name, _png(color)) if name else None
    data = _change_data(org, **({"logo": logo} if logo else {}), **extra)
    r = client.post(_change_url(org), data)
    assert r.status_code == 302, r.content.decode()[:2000]
    return Organization.objects.get(pk=org.pk)


def _files(settings):
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_a_logo_is_stored_under_a_random_name(curator_client, settings):
    org = _upload(curator_client, make_organization())
    assert re.fullmatch(r"logos/[0-9a-f]{32}\.png", org.logo.name)
    assert re.fullmatch(r"logos/[0-9a-f]{32}-160\.png", org.logo_thumbnail.name)
    assert _files(settings) == sorted([org.logo.name, org.logo_thumbnail.name])
    assert not any("Casa" in name or "FINAL" in name for name in _files(settings))


def test_replacing_a_logo_deletes_the_old_files_after_the_commit(
    curator_client, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        old = _upload(curator_client, make_organization(), color="red")
    old_files = sorted([old.logo.name, old.logo_thumbnail.name])
    with django_capture_on_commit_callbacks(execute=True):
        new = _upload(curator_client, old, color="blue")
        assert set(old_files) <= set(_files(settings))  # not before the commit
    assert _files(settings) == sorted([new.logo.name, new.logo_thumbnail.name])
    assert not set(old_files) & set(_files(settings))


def test_clearing_a_logo_deletes_its_files(
    curator_client, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        org = _upload(curator_client, make_organization())
    assert len(_files(settings)) == 2
    with django_capture_on_commit_callbacks(execute=True):
        org = _upload(curator_client, org, name=None, **{"logo-clear": "on"})
    assert not org.logo and not org.logo_thumbnail
    assert _files(settings) == []


def test_saving_without_a_new_logo_keeps_the_files(
    curator_client, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        org = _upload(curator_client, make_organization())
    files = _files(settings)
    with django_capture_on_commit_callbacks(execute=True):
        org = _upload(curator_client, org, name=None, description="Updated")
    assert org.description == "Updated"
    assert _files(settings) == files == sorted([org.logo.name, org.logo_thumbnail.name])


def test_deleting_an_organization_deletes_its_logo(
    admin_client, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        org = _upload(admin_client, make_organization())
    assert len(_files(settings)) == 2
    url = reverse("admin:directory_organization_delete", args=[org.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not Organization.objects.filter(pk=org.pk).exists()
    assert _files(settings) == []
