"""Logo uploads: accept only real PNG, JPEG or WebP images of a sane size.

Every accepted image is decoded and re-encoded with Pillow, which drops EXIF
(including GPS positions) and anything else hidden in the file, and a small
thumbnail is made for pages. SVG is refused: it can carry scripts.

Stored files get random names (the uploader's file name can say who made it
or where), and a replaced, cleared or deleted organization's logo files are
deleted once the change is committed.
"""

import io
import secrets
import warnings
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

MAX_BYTES = 2 * 1024 * 1024
# 4,000 × 4,000: far more than a logo needs, far less than a decompression bomb.
MAX_PIXELS = 16_000_000
THUMBNAIL_SIZE = (160, 160)
FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}

NOT_AN_IMAGE = _("Upload a PNG, JPEG or WebP image. Other files, including SVG, are not accepted.")


def _open(upload):
    if upload.size > MAX_BYTES:
        raise ValidationError(_("The image is larger than 2 MB. Please upload a smaller one."))
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            # Pillow warns, then raises, on huge images: treat both as refusal.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(upload)
            if image.format not in FORMATS:
                raise ValidationError(NOT_AN_IMAGE)
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise ValidationError(
                    _("The image is too large (%(w)d × %(h)d pixels). At most 4,000 × 4,000.")
                    % {"w": width, "h": height}
                )
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(NOT_AN_IMAGE) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(_("The image is too large. At most 4,000 × 4,000 pixels.")) from None
    return image


def _encode(image, fmt):
    """Write only the pixels: no EXIF, no ICC text chunks, no comments."""
    mode = "RGBA" if image.mode in ("RGBA", "LA", "P", "PA") and fmt != "JPEG" else "RGB"
    clean = Image.new(mode, image.size)
    clean.paste(image.convert(mode))
    out = io.BytesIO()
    clean.save(out, format=fmt, **({"quality": 88} if fmt in ("JPEG", "WEBP") else {}))
    return out.getvalue()


def clean_logo(upload):
    """Return (logo, thumbnail) as files ready to save, or raise ValidationError."""
    image = _open(upload)
    fmt = image.format
    ext = FORMATS[fmt]
    logo = ContentFile(_encode(image, fmt), name=f"logo.{ext}")
    thumb = image.copy()
    thumb.thumbnail(THUMBNAIL_SIZE)
    thumbnail = ContentFile(_encode(thumb, fmt), name=f"logo-160.{ext}")
    return logo, thumbnail


def _random_name(filename, suffix=""):
    ext = Path(filename).suffix.lower()
    if ext.lstrip(".") not in FORMATS.values():
        ext = ""
    return f"logos/{secrets.token_hex(16)}{suffix}{ext}"


def logo_path(instance, filename):
    """Organization.logo's upload_to: logos/<random>.<ext>, never the uploaded name."""
    return _random_name(filename)


def thumbnail_path(instance, filename):
    return _random_name(filename, suffix="-160")


LOGO_FIELDS = ("logo", "logo_thumbnail")


def _delete_after_commit(model, names):
    names = [name for name in names if name]
    if not names:
        return

    def delete():
        storage = model._meta.get_field("logo").storage
        for name in names:
            # Never a file a listing still shows (say, saved from a stale copy).
            if not model.objects.filter(Q(logo=name) | Q(logo_thumbnail=name)).exists():
                storage.delete(name)

    transaction.on_commit(delete)


@receiver(pre_save, sender="directory.Organization")
def _note_replaced_logos(sender, instance, raw=False, **kwargs):
    if raw or instance._state.adding:
        return
    stored = sender.objects.filter(pk=instance.pk).values(*LOGO_FIELDS).first() or {}
    instance._replaced_logo_files = [
        stored[field]
        for field in LOGO_FIELDS
        if stored.get(field) and stored[field] != getattr(instance, field).name
    ]


@receiver(post_save, sender="directory.Organization")
def _delete_replaced_logos(sender, instance, raw=False, **kwargs):
    _delete_after_commit(sender, instance.__dict__.pop("_replaced_logo_files", []))


@receiver(post_delete, sender="directory.Organization")
def _delete_logos_of_deleted(sender, instance, **kwargs):
    _delete_after_commit(sender, [getattr(instance, field).name for field in LOGO_FIELDS])
