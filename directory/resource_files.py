"""Rights material uploads (know-your-rights guides, rights cards): a PDF or an image.

A PDF is more than pages: it can carry JavaScript, attached files, and actions
that start programs, open other files or send form data to a server. People
who download a guide from us must be able to trust it, so a PDF with any of
those is refused, not silently "fixed". An accepted PDF is written anew from
what pypdf read: that drops whatever was not reachable from the document (old
incremental revisions, trailing data) and so was never looked at, and it
drops the document metadata (author, producer, XMP), which can name who made
the file.

An image is checked and re-encoded exactly as a logo is (see images.py),
which drops EXIF and anything else hidden in the file.

What a file is comes from its content, never from its name or the browser's
content type, and stored files get random names: a file name can say who
made it or where.
"""

import io
import secrets
import warnings
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from directory import images

MAX_BYTES = 10 * 1024 * 1024
MAX_PAGES = 100
# Dictionaries and arrays visited while checking a PDF. A long guide full of
# fonts and images stays far below this; a file built to make us walk forever
# does not.
MAX_NODES = 200_000

NOT_ACCEPTED = _(
    "Upload a PDF, or a PNG, JPEG or WebP image. Other files, including SVG, are not accepted."
)
PDF_TOO_BIG = _("The PDF is larger than %(limit)d MB. Please upload a smaller one.")
UNREADABLE = _(
    "This PDF could not be read or checked: it may be damaged or unusually complex. "
    "Save or export it again as a PDF and upload the new copy."
)
ENCRYPTED = _(
    "This PDF is protected with a password. Remove the password first, then upload it again."
)
TOO_MANY_PAGES = _("This PDF has %(pages)d pages. At most %(max)d pages are accepted.")
HAS_JAVASCRIPT = _("This PDF contains JavaScript, which is not accepted.")
HAS_EMBEDDED_FILES = _("This PDF contains embedded files (attachments), which are not accepted.")
HAS_ACTIONS = _(
    "This PDF contains actions that start programs, open other files, play media or "
    "submit forms, or an XFA form. These are not accepted; ordinary web links are fine."
)

# Action types (/S) that reach outside the document or run something.
# /URI (a plain web link) and /GoTo (a jump inside the document) are allowed.
RISKY_ACTIONS = {
    "/Launch",
    "/GoToR",
    "/GoToE",
    "/SubmitForm",
    "/ImportData",
    "/RichMediaExecute",
    "/Rendition",
    "/Sound",
    "/Movie",
}
# Annotation types that embed players or media which can run content of their own.
RISKY_ANNOTATIONS = {"/RichMedia", "/Screen", "/Movie", "/Sound", "/3D"}
FINDINGS = {"javascript": HAS_JAVASCRIPT, "embedded": HAS_EMBEDDED_FILES, "actions": HAS_ACTIONS}


class _TooComplex(Exception):
    pass


def clean_resource_file(upload):
    """Return the upload as a ContentFile under a random name, or raise ValidationError."""
    upload.seek(0)
    is_pdf = upload.read(5) == b"%PDF-"
    upload.seek(0)
    if is_pdf:
        data, ext = _clean_pdf(upload), "pdf"
    elif _looks_like_an_image(upload):
        data, ext = _clean_image(upload)
    else:
        raise ValidationError(NOT_ACCEPTED, code="not_accepted")
    return ContentFile(data, name=f"{secrets.token_hex(16)}.{ext}")


def _looks_like_an_image(upload):
    """Whether Pillow recognises a PNG, JPEG or WebP header (the pixels are not read here).

    Asked before images._open so that, say, a 5 MB Word file is told which files are
    accepted rather than that "the image" is too big.
    """
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            # Not closed: that would close the upload itself.
            Image.open(upload, formats=tuple(images.FORMATS))
    except Image.DecompressionBombError:
        return True  # an image, and images._open says why it is refused
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return False
    finally:
        upload.seek(0)
    return True


def _clean_image(upload):
    try:
        image = images._open(upload)
    except ValidationError as error:
        # Here a PDF is accepted too, so say so instead of the logo wording.
        if getattr(error, "message", None) is images.NOT_AN_IMAGE:
            raise ValidationError(NOT_ACCEPTED, code="not_accepted") from None
        raise
    return images._encode(image, image.format), images.FORMATS[image.format]


@contextmanager
def _reading():
    """Any error while pypdf parses the upload means the file cannot be used, never a 500.

    pypdf raises PdfReadError (PdfStreamError is one), but a malformed file can also
    set off KeyError, TypeError, RecursionError and others deep inside it, so all are
    caught; the blocks inside are kept to what reads the file.
    """
    try:
        yield
    except Exception:  # PdfReadError, PdfStreamError, _TooComplex and the rest alike
        raise ValidationError(UNREADABLE, code="unreadable") from None


def _clean_pdf(upload):
    if upload.size > MAX_BYTES:
        raise ValidationError(
            PDF_TOO_BIG, code="too_big", params={"limit": MAX_BYTES // (1024 * 1024)}
        )
    data = upload.read()
    with _reading():
        reader = PdfReader(io.BytesIO(data), strict=False)
        encrypted = reader.is_encrypted
    if encrypted:
        raise ValidationError(ENCRYPTED, code="encrypted")
    with _reading():
        pages = len(reader.pages)
    if pages > MAX_PAGES:
        raise ValidationError(
            TOO_MANY_PAGES, code="too_many_pages", params={"pages": pages, "max": MAX_PAGES}
        )
    with _reading():
        # root_object, not the trailer's /Root: pypdf may have searched for the catalog,
        # and what it found is what gets written.
        found = _active_content(reader.root_object)
    if found:
        raise ValidationError(
            [ValidationError(message, code="active_content") for message in found]
        )
    with _reading():
        return _rewrite(reader)


def _active_content(root):
    """The refusal messages for what the object tree under the catalog holds, in a fixed order.

    Everything reachable is walked (names tree, open action, /AA on catalog, pages,
    fields and annotations, /AcroForm, resources): a risky action can hide anywhere
    an action is allowed, and a viewer will find it there.
    """
    found = set()
    seen = set()  # indirect objects already walked: page trees point back to parents
    if root.indirect_reference is not None:
        seen.add((root.indirect_reference.idnum, root.indirect_reference.generation))
    stack = [root]
    nodes = 0
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            ref = (obj.idnum, obj.generation)
            if ref in seen:
                continue
            seen.add(ref)
            obj = obj.get_object()
        if isinstance(obj, DictionaryObject):
            found |= _inspect(obj)
            children = list(obj.values())  # unresolved, so references go through `seen`
        elif isinstance(obj, ArrayObject):
            children = list(obj)
        else:
            continue
        nodes += 1
        if nodes > MAX_NODES:
            raise _TooComplex
        stack.extend(children)
    return [message for key, message in FINDINGS.items() if key in found]


def _inspect(obj):
    found = set()
    action, subtype, kind = (_name(obj.get(key)) for key in ("/S", "/Subtype", "/Type"))
    if "/JavaScript" in obj or "/JS" in obj or action == "/JavaScript":
        found.add("javascript")
    if (
        "/EmbeddedFiles" in obj
        or "/EF" in obj  # a file specification carrying the file itself
        or subtype == "/FileAttachment"
        or kind == "/EmbeddedFile"
    ):
        found.add("embedded")
    if action in RISKY_ACTIONS or subtype in RISKY_ANNOTATIONS or "/XFA" in obj:
        found.add("actions")
    return found


def _name(value):
    """The value as a name (str), or None: a malformed file may put anything there."""
    value = value.get_object() if isinstance(value, IndirectObject) else value
    return str(value) if isinstance(value, str) else None


def _rewrite(reader):
    writer = PdfWriter(clone_from=reader)
    # Document metadata can name the author, their organization or their software.
    writer.metadata = None
    writer.xmp_metadata = None
    # Without this the dropped metadata would still be written, just unreferenced.
    writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
