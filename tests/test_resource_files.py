"""Rights material uploads: only plain PDFs and real images, rewritten, under random names.

The PDFs are built here with pypdf, so each risky feature is tested on its own.
"""

import io
import os
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from directory import resource_files
from directory.resource_files import clean_resource_file

NOT_ACCEPTED = "Upload a PDF, or a PNG, JPEG or WebP image."
UNREADABLE = "This PDF could not be read or checked"
JAVASCRIPT = "This PDF contains JavaScript"
EMBEDDED = "This PDF contains embedded files"
ACTIONS = "This PDF contains actions that start programs, open other files"


def _dict(**entries):
    """A PDF dictionary from keyword arguments: S="/Launch" gives /S /Launch."""
    result = DictionaryObject()
    for key, value in entries.items():
        if isinstance(value, str):
            value = NameObject(value) if value.startswith("/") else TextStringObject(value)
        result[NameObject(f"/{key}")] = value
    return result


def _pdf(build=None, pages=1):
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(200, 200)
    if build:
        build(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _link(action, subtype="/Link"):
    """A builder adding an annotation with the given action to the first page."""

    def build(writer):
        rect = ArrayObject([NumberObject(n) for n in (10, 10, 100, 30)])
        annotation = _dict(Type="/Annot", Subtype=subtype, Rect=rect)
        if action is not None:
            annotation[NameObject("/A")] = action
        writer.add_annotation(0, annotation)

    return build


def _clean(data, name="guide.pdf"):
    return clean_resource_file(SimpleUploadedFile(name, data, content_type="application/pdf"))


def _refusal(data, name="guide.pdf"):
    with pytest.raises(ValidationError) as caught:
        _clean(data, name)
    return " ".join(caught.value.messages)


def _image(fmt, size=(300, 200), exif_artist=None):
    image = Image.new("RGB", size, "teal")
    options = {}
    if exif_artist:
        exif = Image.Exif()
        exif[0x013B] = exif_artist  # Artist
        options["exif"] = exif
    out = io.BytesIO()
    image.save(out, format=fmt, **options)
    return out.getvalue()


# Plain PDFs


def test_a_plain_pdf_is_rewritten_under_a_random_name():
    result = _clean(_pdf(pages=3), name="Maria Lopez - rights card FINAL.pdf")
    assert re.fullmatch(r"[0-9a-f]{32}\.pdf", result.name)
    data = result.read()
    assert data.startswith(b"%PDF-")
    assert len(PdfReader(io.BytesIO(data)).pages) == 3


def test_two_uploads_of_the_same_file_get_different_names():
    data = _pdf()
    first, second = _clean(data, name="card.pdf"), _clean(data, name="card.pdf")
    assert first.name != second.name
    assert "card" not in first.name and "card" not in second.name


def test_document_metadata_is_dropped():
    def build(writer):
        writer.add_metadata({"/Author": "Maria Lopez", "/Producer": "Casa Legal Scanner"})
        writer.xmp_metadata = (
            b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>'
            b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><dc:creator>Maria Lopez XMP</dc:creator>'
            b'</x:xmpmeta><?xpacket end="w"?>'
        )

    original = _pdf(build)
    assert original.count(b"Maria Lopez") == 2  # the test file does carry both
    data = _clean(original).read()
    assert b"Maria" not in data and b"Casa Legal" not in data
    reader = PdfReader(io.BytesIO(data))
    assert not (reader.metadata or {}).get("/Author")
    assert "/Metadata" not in reader.trailer["/Root"]


def test_data_after_the_end_of_the_file_is_not_kept():
    data = _clean(_pdf() + b"\n% Maria Lopez, Casa del Migrante, draft 3\n").read()
    assert b"Maria" not in data


def test_a_plain_web_link_is_accepted_and_kept():
    link = _link(_dict(S="/URI", URI="https://example.org/know-your-rights"))
    data = _clean(_pdf(link)).read()
    annotation = PdfReader(io.BytesIO(data)).pages[0]["/Annots"][0].get_object()
    assert annotation["/A"]["/URI"] == "https://example.org/know-your-rights"


def test_a_link_within_the_document_is_accepted():
    jump = _dict(S="/GoTo", D=ArrayObject([NumberObject(0), NameObject("/Fit")]))
    assert _clean(_pdf(_link(jump), pages=2)).name.endswith(".pdf")


def test_a_100_page_pdf_is_accepted_and_a_101_page_one_is_not():
    assert len(PdfReader(io.BytesIO(_clean(_pdf(pages=100)).read())).pages) == 100
    assert _refusal(_pdf(pages=101)) == ("This PDF has 101 pages. At most 100 pages are accepted.")


# Risky PDFs


def test_javascript_run_on_opening_is_refused():
    assert _refusal(_pdf(lambda w: w.add_open_action(JavaScript("app.alert(1)")))) == (
        "This PDF contains JavaScript, which is not accepted."
    )


def test_javascript_behind_a_link_is_refused():
    assert JAVASCRIPT in _refusal(_pdf(_link(_dict(S="/JavaScript", JS="app.alert(1)"))))


def test_javascript_on_opening_a_page_is_refused():
    def build(writer):
        page = writer.pages[0]
        page[NameObject("/AA")] = _dict(O=_dict(S="/JavaScript", JS="app.alert(1)"))

    assert JAVASCRIPT in _refusal(_pdf(build))


def test_a_name_spelled_with_escapes_is_still_found():
    # /J#61vaScript is /JavaScript to a viewer, and /J#53 is /JS.
    original = _pdf(_link(_dict(S="/JavaScript", JS="app.alert(1)")))
    disguised = original.replace(b"/S /JavaScript", b"/S /J#61vaScript").replace(b"/JS ", b"/J#53 ")
    assert b"/JavaScript" not in disguised and b"/JS " not in disguised
    assert JAVASCRIPT in _refusal(disguised)


def test_an_attached_file_is_refused():
    refusal = _refusal(_pdf(lambda w: w.add_attachment("notes.txt", b"the real address")))
    assert refusal == "This PDF contains embedded files (attachments), which are not accepted."


def test_a_file_attachment_annotation_is_refused():
    spec = _dict(Type="/Filespec", F="notes.txt")
    build = _link(None, subtype="/FileAttachment")

    def with_spec(writer):
        build(writer)
        writer.pages[0]["/Annots"][0].get_object()[NameObject("/FS")] = spec

    assert EMBEDDED in _refusal(_pdf(with_spec))


@pytest.mark.parametrize(
    "action",
    [
        {"S": "/Launch", "F": "C:\\Windows\\System32\\cmd.exe"},
        {"S": "/GoToR", "F": "other.pdf", "D": ArrayObject([NumberObject(0)])},
        {"S": "/SubmitForm", "F": _dict(FS="/URL", F="https://collect.example/form")},
        {"S": "/ImportData", "F": "answers.fdf"},
        {"S": "/Rendition", "OP": NumberObject(0)},
    ],
    ids=lambda action: action["S"],
)
def test_an_action_reaching_outside_the_document_is_refused(action):
    assert ACTIONS in _refusal(_pdf(_link(_dict(**action))))


def test_a_risky_action_chained_after_a_web_link_is_refused():
    link = _dict(S="/URI", URI="https://example.org/", Next=_dict(S="/Launch", F="run.exe"))
    assert ACTIONS in _refusal(_pdf(_link(link)))


def test_a_risky_action_on_opening_the_document_is_refused():
    def build(writer):
        writer._root_object[NameObject("/OpenAction")] = _dict(S="/Launch", F="run.exe")

    assert ACTIONS in _refusal(_pdf(build))


def test_rich_media_is_refused():
    assert ACTIONS in _refusal(_pdf(_link(None, subtype="/RichMedia")))


def test_an_xfa_form_is_refused():
    def build(writer):
        writer._root_object[NameObject("/AcroForm")] = _dict(
            Fields=ArrayObject(), XFA="<xdp:xdp xmlns:xdp='http://ns.adobe.com/xdp/'/>"
        )

    assert ACTIONS in _refusal(_pdf(build))


def test_every_kind_found_is_named():
    def build(writer):
        writer.add_open_action(JavaScript("app.alert(1)"))
        writer.add_attachment("notes.txt", b"x")

    refusal = _refusal(_pdf(build))
    assert JAVASCRIPT in refusal and EMBEDDED in refusal and ACTIONS not in refusal


def test_a_reference_cycle_does_not_hang_the_check():
    def build(writer):
        action = _dict(S="/URI", URI="https://example.org/")
        reference = writer._add_object(action)
        action[NameObject("/Next")] = reference  # the action follows itself
        _link(reference)(writer)

    assert _clean(_pdf(build)).name.endswith(".pdf")


def test_a_tree_too_large_to_check_is_refused(monkeypatch):
    monkeypatch.setattr(resource_files, "MAX_NODES", 5)
    assert UNREADABLE in _refusal(_pdf(pages=10))


def test_a_password_protected_pdf_is_refused():
    def build(writer):
        writer.encrypt("pw")

    assert _refusal(_pdf(build)) == (
        "This PDF is protected with a password. Remove the password first, then upload it again."
    )


def test_a_pdf_over_10_mb_is_refused():
    data = b"%PDF-1.7\n" + b"0" * (10 * 1024 * 1024)
    assert _refusal(data) == "The PDF is larger than 10 MB. Please upload a smaller one."


def test_a_broken_pdf_is_refused():
    assert UNREADABLE in _refusal(b"%PDF-1.7\n garbage")


@pytest.mark.parametrize("cut", [20, 100, 200, 300, -40, -10])
def test_a_damaged_pdf_is_refused_or_repaired_never_an_error(cut):
    original = _pdf(_link(_dict(S="/URI", URI="https://example.org/")), pages=2)
    for damaged in (original[:cut], original[:cut] + b"\x00\xff" * 8 + original[cut + 16 :]):
        try:
            result = _clean(damaged)
        except ValidationError as refusal:
            assert refusal.messages and all(refusal.messages)
        else:
            assert result.read().startswith(b"%PDF-")


# Not PDFs


def test_html_named_pdf_is_refused():
    html = b"<!doctype html><html><script>alert(1)</script></html>"
    assert _refusal(html, name="guide.pdf") == (
        "Upload a PDF, or a PNG, JPEG or WebP image. Other files, including SVG, are not accepted."
    )


def test_svg_is_refused():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    assert NOT_ACCEPTED in _refusal(svg, name="card.svg")


def test_a_pdf_marker_not_at_the_start_is_refused():
    assert NOT_ACCEPTED in _refusal(b"<html>\n" + _pdf())


def test_a_large_file_of_another_kind_is_told_what_is_accepted():
    # Not "the image is larger than 2 MB": it is not an image at all.
    refusal = _refusal(b"PK\x03\x04" + b"\0" * (3 * 1024 * 1024), name="guide.docx")
    assert NOT_ACCEPTED in refusal


def test_a_gif_is_refused():
    assert NOT_ACCEPTED in _refusal(_image("GIF"), name="card.gif")


def test_an_empty_file_is_refused():
    assert NOT_ACCEPTED in _refusal(b"", name="guide.pdf")


# Images


def test_a_png_is_re_encoded_without_exif():
    original = _image("PNG", exif_artist="Maria Lopez")
    assert b"Maria Lopez" in original and Image.open(io.BytesIO(original)).getexif()
    result = _clean(original, name="Maria Lopez card.png")
    assert re.fullmatch(r"[0-9a-f]{32}\.png", result.name)
    data = result.read()
    assert b"Maria" not in data
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG" and image.size == (300, 200)
    assert not image.getexif()


def test_a_jpeg_named_pdf_is_accepted_as_an_image():
    original = _image("JPEG", exif_artist="Maria Lopez")
    result = _clean(original, name="card.pdf")
    assert re.fullmatch(r"[0-9a-f]{32}\.jpg", result.name)
    image = Image.open(io.BytesIO(result.read()))
    assert image.format == "JPEG" and not image.getexif()


def test_a_webp_is_accepted():
    result = _clean(_image("WEBP"), name="card.webp")
    assert result.name.endswith(".webp")
    assert Image.open(io.BytesIO(result.read())).format == "WEBP"


def test_images_keep_the_logo_size_limit():
    noise = Image.frombytes("RGB", (1000, 1000), os.urandom(3_000_000))
    out = io.BytesIO()
    noise.save(out, format="PNG")
    assert len(out.getvalue()) > 2 * 1024 * 1024
    assert _refusal(out.getvalue(), name="card.png") == (
        "The image is larger than 2 MB. Please upload a smaller one."
    )


def test_javascript_in_a_catalog_found_by_repair_is_refused():
    # The trailer's /Root names the page tree, not the catalog; pypdf then searches for
    # the catalog and would write that one, so it must be the one checked.
    original = _pdf(lambda w: w.add_open_action(JavaScript("app.alert(1)")))
    trailer_root = re.search(rb"/Root (\d+) 0 R", original)
    pages = re.search(rb"(\d+) 0 obj\s*<<\s*/Type /Pages", original)
    assert trailer_root and pages and trailer_root.group(1) != pages.group(1)
    misdirected = original.replace(trailer_root.group(0), b"/Root " + pages.group(1) + b" 0 R")
    assert JAVASCRIPT in _refusal(misdirected)
