"""Logo uploads: accept only real PNG, JPEG or WebP images of a sane size.

Every accepted image is decoded and re-encoded with Pillow, which drops EXIF
(including GPS positions) and anything else hidden in the file, and a small
thumbnail is made for pages. SVG is refused: it can carry scripts.
"""

import io
import warnings
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
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
    stem = Path(upload.name).stem[:50] or "logo"
    ext = FORMATS[fmt]
    logo = ContentFile(_encode(image, fmt), name=f"{stem}.{ext}")
    thumb = image.copy()
    thumb.thumbnail(THUMBNAIL_SIZE)
    thumbnail = ContentFile(_encode(thumb, fmt), name=f"{stem}-160.{ext}")
    return logo, thumbnail
