"""Logo uploads: only real PNG/JPEG/WebP, small, re-encoded without metadata."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from directory.models import Organization
from tests.factories import make_organization
from tests.test_admin import _change_data, _change_url

pytestmark = pytest.mark.django_db


def _image(fmt="JPEG", size=(400, 300), exif=None, mode="RGB"):
    out = io.BytesIO()
    options = {"exif": exif} if exif is not None else {}
    color = 1 if mode in ("1", "P") else (200, 30, 30, 255)[: len(mode)]
    Image.new(mode, size, color).save(out, format=fmt, **options)
    return out.getvalue()


def _gps_exif():
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (34.0, 3.0, 15.0), 3: "W", 4: (118.0, 14.0, 37.0)}  # GPS
    return exif


def _upload(client, org, content, name):
    data = _change_data(org, logo=SimpleUploadedFile(name, content))
    return client.post(_change_url(org), data)


def test_a_jpeg_is_re_encoded_without_exif_or_gps_and_gets_a_thumbnail(curator_client):
    original = _image(exif=_gps_exif())
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the GPS is there
    org = make_organization()
    r = _upload(curator_client, org, original, "photo.jpg")
    assert r.status_code == 302
    org = Organization.objects.get(pk=org.pk)
    with org.logo.open("rb") as f:
        saved = Image.open(io.BytesIO(f.read()))
    assert saved.format == "JPEG" and saved.size == (400, 300)
    assert not saved.getexif() and "exif" not in saved.info
    with org.logo_thumbnail.open("rb") as f:
        thumb = Image.open(io.BytesIO(f.read()))
    assert max(thumb.size) == 160 and not thumb.getexif()


@pytest.mark.parametrize("fmt,ext", [("PNG", "png"), ("WEBP", "webp")])
def test_png_and_webp_are_accepted(curator_client, fmt, ext):
    org = make_organization()
    r = _upload(curator_client, org, _image(fmt, mode="RGBA"), f"logo.{ext}")
    assert r.status_code == 302
    org = Organization.objects.get(pk=org.pk)
    assert org.logo.name.endswith(f".{ext}") and org.logo_thumbnail.name.endswith(f"-160.{ext}")


SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@pytest.mark.parametrize(
    "content,name,message",
    [
        (SVG, "logo.svg", "Other files, including SVG, are not accepted"),
        (SVG, "logo.png", "Other files, including SVG, are not accepted"),
        (b"just text", "logo.jpg", "Other files, including SVG, are not accepted"),
        (_image("GIF", mode="P"), "logo.gif", "Other files, including SVG, are not accepted"),
        (_image("PNG", size=(5000, 4000), mode="1"), "huge.png", "The image is too large"),
    ],
    ids=["svg", "svg-renamed", "text", "gif", "too-many-pixels"],
)
def test_anything_else_is_refused_with_a_clear_message(curator_client, content, name, message):
    org = make_organization()
    r = _upload(curator_client, org, content, name)
    assert r.status_code == 200
    assert message in r.content.decode()
    assert not Organization.objects.get(pk=org.pk).logo


def test_a_file_over_two_megabytes_is_refused(curator_client):
    org = make_organization()
    big = _image("PNG") + b"\0" * (2 * 1024 * 1024)
    r = _upload(curator_client, org, big, "big.png")
    assert "larger than 2 MB" in r.content.decode()
    assert not Organization.objects.get(pk=org.pk).logo


def test_a_decompression_bomb_is_refused_before_decoding(monkeypatch):
    from django.core.exceptions import ValidationError

    from directory.images import clean_logo

    # Pillow's own limit, lowered so a small file trips it as a bomb would.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    upload = SimpleUploadedFile("bomb.png", _image("PNG", size=(100, 100)))
    with pytest.raises(ValidationError, match="too large"):
        clean_logo(upload)
