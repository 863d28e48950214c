"""Outreach exports (directory/outreach.py): what an organizer downloads from the results page.

Each test follows the links the results page renders, and compares the files
with what the page lists: the same organizations, in the same order, in the
page's language.
"""

import csv
import io
import re
from datetime import date
from html import unescape

import pytest
import vobject
from django.utils import translation
from openpyxl import load_workbook

from directory.exports import csv_chunks, public_organizations, rows
from directory.imports import import_file
from directory.models import Organization, PhoneType, Status, Visibility
from tests.factories import (
    make_hours,
    make_language,
    make_location,
    make_organization,
    make_phone,
    make_service,
    make_term,
)

pytestmark = pytest.mark.django_db

# Near ZIP 90033 (Boyle Heights): (name, latitude, longitude), nearest first.
PLACES = [
    ("Boyle Heights Legal", 34.0440, -118.2100),
    ("Lincoln Heights Clinic", 34.0700, -118.2050),
    ("Downtown Help Center", 34.0500, -118.2500),
    ("Long Beach Advocates", 33.7700, -118.1900),
]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def world():
    legal = make_term("legal", "Legal help")
    food = make_term("food", "Food")
    make_language("es", "Spanish")
    make_language("ko", "Korean")
    made = {}
    for position, (name, lat, lon) in enumerate(PLACES):
        org = make_organization(
            name,
            email=f"hello{position}@example.org",
            doj_recognized=position == 0,
            doj_recognition_expires_on=date(2031, 3, 1) if position == 0 else None,
            accredited_representatives_full=2 if position == 0 else 0,
            accredited_representatives_partial=1 if position == 0 else 0,
            attorneys_on_staff=3 if position == 1 else 0,
            last_verified_on=date(2026, 9, 12),
        )
        service = make_service(
            org,
            f"{name} asylum clinic",
            terms=[legal],
            languages=["es"] if position != 2 else ["ko"],
            fee="free" if position != 3 else "sliding",
        )
        make_location(
            org,
            [service],
            address_1=f"{position + 1} Main St",
            postal_code="90033",
            latitude=lat,
            longitude=lon,
        )
        make_hours(service, 0, (9, 0), (17, 0))
        make_hours(service, 1, (9, 0), (17, 0))
        # A fax first in storage order: never the number to call.
        make_phone(f"(213) 555-01{position}9", organization=org, type=PhoneType.FAX)
        make_phone(f"(213) 555-01{position}0", organization=org, type=PhoneType.VOICE)
        if position == 0:
            make_phone(
                "(213) 555-0999",
                service=service,
                type=PhoneType.HOTLINE,
                is_24_hours=True,
                description="Intake line",
            )
            make_phone("(213) 555-0888", organization=org, type=PhoneType.TEXT)
        made[name] = org
    pantry = make_organization("Despensa Comunitaria", last_verified_on=date(2026, 1, 5))
    groceries = make_service(pantry, "Groceries", terms=[food], languages=["es"])
    make_location(pantry, [groceries], latitude=34.0450, longitude=-118.2150)
    # A shelter at a confidential address: its city only, its distance only as a band.
    shelter = make_organization("Refugio Seguro", description='=HYPERLINK("http://evil")')
    beds = make_service(shelter, "Safe beds", terms=[legal], languages=["es"])
    make_location(
        shelter,
        [beds],
        name="Glimmerhaus annex",
        address_1="913 Vexley Lane",
        postal_code="91199",
        is_confidential=True,
        latitude=34.0460,
        longitude=-118.2120,
    )
    make_phone("+1 213 555 0177", service=beds, type=PhoneType.HOTLINE)
    # Never in a public export.
    secret = make_organization("Zorblatt Collective", visibility=Visibility.PARTNERS)
    hidden = make_service(secret, "Zorblatt asylum clinic", terms=[legal], languages=["es"])
    make_location(secret, [hidden], latitude=34.0441, longitude=-118.2101)
    make_phone("(555) 555-7001", organization=secret)
    draft = make_organization("Quibbleford Draft", status=Status.DRAFT)
    make_service(draft, "Quibbleford asylum clinic", terms=[legal])
    make_service(made["Boyle Heights Legal"], "Unpublished Snarfwick", status=Status.DRAFT)
    return made


CANARIES = ["Zorblatt", "7001", "Quibbleford", "Snarfwick", "Vexley", "91199", "Glimmerhaus"]


def _page(client, query, prefix=""):
    return client.get(f"{prefix}/search/?{query}").content.decode()


def _on_screen(html):
    return [
        unescape(name) for name in re.findall(r'class="result__name"><a [^>]*>([^<]+)</a>', html)
    ]


def _link(html, label):
    """The href of the results page's link with this text (the download a visitor clicks)."""
    found = re.search(r'<a href="([^"]+)"[^>]*>' + re.escape(label) + "</a>", html)
    assert found, label
    return unescape(found.group(1))


def _body(response):
    assert response.status_code == 200, response.content[:300]
    return b"".join(response.streaming_content) if response.streaming else response.content


def _records(data):
    """The CSV as a mail merge reads it: Python's csv module, Excel's UTF-8 byte-order mark."""
    assert data.startswith(b"\xef\xbb\xbf")
    with io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="") as text:
        return list(csv.DictReader(text))


def _download(client, query, label="Spreadsheet (CSV)", prefix=""):
    return _body(client.get(_link(_page(client, query, prefix), label)))


SEARCHES = [
    "",
    "q=asylum",
    "near=90033",
    "near=90033&sort=name",
    "q=asylum&near=90033&radius=10",
    "category=legal&fee=free",
    "language=es",
    "sort=verified",
]


@pytest.mark.parametrize("prefix", ["", "/es"])
@pytest.mark.parametrize("query", SEARCHES)
def test_outreach_csv_lists_the_screen_in_its_order(client, world, query, prefix):
    html = _page(client, query, prefix)
    on_screen = _on_screen(html)
    assert on_screen, query
    label = "Spreadsheet (CSV)" if not prefix else "Hoja de cálculo (CSV)"
    records = _records(_body(client.get(_link(html, label))))
    column = "Organization" if not prefix else "Organización"
    assert [r[column] for r in records] == on_screen


def test_a_distance_search_is_nearest_first_with_the_distance_shown(client, world):
    records = _records(_download(client, "category=legal&near=90033"))
    names = [r["Organization"] for r in records]
    assert names.index("Boyle Heights Legal") < names.index("Long Beach Advocates")
    boyle = records[names.index("Boyle Heights Legal")]
    assert re.fullmatch(r"\d+\.\d mi away", boyle["Distance"])
    shelter = records[names.index("Refugio Seguro")]
    assert "approximate: confidential address" in shelter["Distance"]


def test_one_readable_row_per_organization(client, world):
    records = _records(_download(client, "q=asylum&near=90033"))
    assert len(records) == len({r["Listing page"] for r in records})
    boyle = next(r for r in records if r["Organization"] == "Boyle Heights Legal")
    assert boyle["What they offer"] == "Legal help"
    assert boyle["Languages"] == "Spanish"
    assert boyle["Cost"] == "Free"
    assert boyle["Address"] == "1 Main St, Los Angeles, CA 90033"
    assert (boyle["City"], boyle["State"], boyle["ZIP code"]) == ("Los Angeles", "CA", "90033")
    # The matching service's 24-hour hotline, never the fax stored first.
    assert boyle["Phone to call"] == "(213) 555-0999"
    assert boyle["About this number"] == (
        "Hotline, 24 hours, Intake line (Boyle Heights Legal asylum clinic)"
    )
    assert boyle["Hotline"] == "(213) 555-0999"
    assert boyle["Text (SMS)"] == "(213) 555-0888"
    assert boyle["Email"] == "hello0@example.org"
    assert boyle["Hours"] == "Mon–Tue 09:00–17:00"
    assert boyle["DOJ recognition"] == "Recognized by the DOJ until March 1, 2031"
    assert boyle["DOJ-accredited representatives"] == (
        "2 representatives with full accreditation; 1 representative with partial accreditation"
    )
    assert boyle["Last verified"] == "2026-09-12"
    assert (
        boyle["Listing page"]
        == "http://testserver" + world["Boyle Heights Legal"].get_absolute_url()
    )
    lincoln = next(r for r in records if r["Organization"] == "Lincoln Heights Clinic")
    assert lincoln["Phone to call"] == "(213) 555-0110"
    assert lincoln["About this number"] == "Voice"
    assert lincoln["Attorneys on staff"] == "3"
    assert "555-0119" not in repr(records)  # no fax anywhere


def test_a_confidential_address_is_on_request_and_hidden_listings_are_absent(client, world):
    data = _download(client, "category=legal")
    for canary in CANARIES:
        assert canary.encode() not in data, canary
    shelter = next(r for r in _records(data) if r["Organization"] == "Refugio Seguro")
    assert shelter["Address"] == "Address on request"
    assert (shelter["City"], shelter["ZIP code"]) == ("Los Angeles", "")
    # The description is not exported; a formula-looking cell would be neutralised.
    assert shelter["Phone to call"] == "'+1 213 555 0177"


def test_the_spanish_download_is_in_spanish(client, world):
    english = _download(client, "q=asylum")
    spanish = _download(client, "q=asylum", "Hoja de cálculo (CSV)", prefix="/es")
    assert english != spanish
    boyle = next(r for r in _records(spanish) if r["Organización"] == "Boyle Heights Legal")
    assert boyle["Costo"] == "Gratis"
    assert boyle["Idiomas"] == "Español"
    assert boyle["Página del directorio"].startswith("http://testserver/es/o/")
    assert "DOJ" in boyle["Reconocimiento del DOJ"] and "2031" in boyle["Reconocimiento del DOJ"]


def test_outreach_excel_opens_ready_to_use(client, world):
    html = _page(client, "category=legal&near=90033")
    on_screen = _on_screen(html)
    r = client.get(_link(html, "Excel"))
    assert r["Content-Disposition"].startswith('attachment; filename="outreach-directory-')
    workbook = load_workbook(io.BytesIO(_body(r)))
    sheet, about = workbook.worksheets
    assert sheet.freeze_panes == "A2"
    header = [c.value for c in sheet[1]]
    assert (
        sheet.auto_filter.ref
        == f"A1:{sheet.cell(1, len(header)).column_letter}{len(on_screen) + 1}"
    )
    assert sheet.column_dimensions["A"].width >= 30
    assert all(sheet.column_dimensions[c.column_letter].width for c in sheet[1])
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == on_screen
    column = {name: index for index, name in enumerate(header)}
    boyle = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == "Boyle Heights Legal")
    verified = boyle[column["Last verified"]]
    assert verified.is_date and verified.value.date() == date(2026, 9, 12)
    phone = boyle[column["Phone to call"]]
    assert (phone.data_type, phone.number_format) == ("s", "@")
    assert boyle[column["Hours"]].alignment.wrap_text
    shelter = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == "Refugio Seguro")
    # Text, never a formula: shown as typed, with Excel's own quote prefix.
    hotline = shelter[column["Phone to call"]]
    assert (hotline.value, hotline.data_type, hotline.quotePrefix) == ("+1 213 555 0177", "s", True)
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)
    facts = dict(about.iter_rows(values_only=True))
    assert facts["Type of help"] == "Legal help"
    assert facts["Near (ZIP code or City, ST)"].startswith("90033")
    assert facts["Organizations"] == len(on_screen)
    assert facts["Downloaded on"].date() == date.today()
    assert facts["Results page"].startswith("http://testserver/search/?")
    assert "notario" in facts["Warning"]


def test_spanish_excel_sheets_and_headers(client, world):
    data = _download(client, "q=asylum", "Excel", prefix="/es")
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["Organizaciones", "Acerca de esta búsqueda"]
    assert workbook.worksheets[0]["A1"].value == "Organización"


def test_call_list_has_one_row_per_callable_number(client, world):
    html = _page(client, "q=asylum&near=90033")
    on_screen = _on_screen(html)
    records = _records(_body(client.get(_link(html, "Call list (CSV)"))))
    boyle = [r for r in records if r["Organization"] == "Boyle Heights Legal"]
    assert [r["Number"] for r in boyle] == ["(213) 555-0999", "(213) 555-0100"]
    hotline, office = boyle
    assert hotline["Who answers"] == "Boyle Heights Legal asylum clinic"
    assert hotline["Hours"] == "24 hours"
    assert hotline["Languages"] == "Spanish"
    assert office["Who answers"] == "Boyle Heights Legal"
    assert office["Hours"] == "Mon–Tue 09:00–17:00"
    numbers = " ".join(r["Number"] for r in records)
    assert "555-0109" not in numbers and "555-0888" not in numbers  # no fax, no text line
    # Organizations in the screen's order.
    assert list(dict.fromkeys(r["Organization"] for r in records)) == on_screen
    for canary in CANARIES:
        assert canary not in repr(records)


def test_vcards_hold_only_numbers_to_call_or_text_labelled(client, world):
    data = _download(client, "q=asylum", "Phone contacts (vCard)")
    assert b"FAX" not in data and b"555-0109" not in data
    card = next(
        c for c in vobject.readComponents(data.decode()) if c.fn.value == "Boyle Heights Legal"
    )
    labels = {line.group: line.value for line in card.contents["x-ablabel"]}
    numbers = {tel.value: labels[tel.group] for tel in card.contents["tel"]}
    assert numbers == {
        "(213) 555-0100": "Voice",
        "(213) 555-0888": "Text (SMS)",
        "(213) 555-0999": "Hotline, 24 hours",
    }


def test_the_printable_sheet_agrees_with_the_exports(client, world):
    query = "category=legal&near=90033"
    html = _page(client, query)
    exported = [
        r["Organization"] for r in _records(_body(client.get(_link(html, "Spreadsheet (CSV)"))))
    ]
    sheet = client.get(_link(html, "Printable sheet")).content.decode()
    printed = [
        unescape(n) for n in re.findall(r'class="sheet__name"><strong>([^<]+)</strong>', sheet)
    ]
    assert sorted(printed) == sorted(exported)
    # Grouped by category, each group in the screen's (and the files') order.
    assert printed == [name for name in exported if name in printed]


def test_the_query_count_does_not_grow_with_rows(client, world):
    def count(url):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            _body(client.get(url))
        return len(queries)

    urls = ["/search/outreach.csv?q=asylum", "/search/calls.csv?q=asylum"]
    before = [count(url) for url in urls]
    legal = world["Boyle Heights Legal"].services.first().taxonomy_terms.get()
    for i in range(12):
        org = make_organization(f"Extra asylum group {i}")
        service = make_service(org, f"Extra asylum service {i}", terms=[legal], languages=["es"])
        make_location(org, [service], latitude=34.05, longitude=-118.21)
        make_phone(f"(213) 555-02{i:02d}", service=service)
        make_hours(service, 2, (10, 0), (12, 0))
    assert [count(url) for url in urls] == before


def test_the_data_export_is_still_the_import_format_byte_for_byte(client, world):
    html = _page(client, "")
    url = _link(html, "Data (CSV)")
    assert url.startswith("/search/export.csv")
    first = _body(client.get(url))
    assert first == b"".join(csv_chunks(rows(public_organizations(Organization.objects.all()))))
    assert first.startswith(b"\xef\xbb\xbforganization_id,")
    Organization.objects.all().delete()
    report = import_file("all.csv", first, publish=True)
    assert report.errors == []
    assert _body(client.get(url)) == first
    assert _link(html, "Data (Excel)").startswith("/search/export.xlsx")


def test_unknown_outreach_format_is_404(client, world):
    assert client.get("/search/outreach.exe").status_code == 404
