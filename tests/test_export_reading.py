"""Exports read each table once (directory/export_reading.py): the same bytes as before, in a
fixed number of queries, from the command as from the page."""

import csv
import io
import json
import random
import uuid
from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from directory import export_reading, exports, hsds
from directory.models import (
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    Status,
    Visibility,
)
from directory.text import printable
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


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def tricky():
    """What the merge of ordered streams could get wrong."""
    legal = make_term("legal", "Legal help")
    asylum = make_term("legal.asylum", "Asylum", parent=legal)
    food = make_term("food", "Food")
    make_language("ko")
    # Two organizations of one name: HSDS interleaves their services by name.
    first = make_organization("Centro Legal", kinds=["legal", "community"], email="a@example.org")
    second = make_organization("Centro Legal", kinds=["faith"], description='Say "hola", then')
    a1 = make_service(first, "Asylum clinic", terms=[asylum, food], languages=["es", "ko"])
    make_service(second, "Aid desk", terms=[legal], languages=["ko"], fee="paid")
    b2 = make_service(second, "Bond help", description='Bring "papers", ID\nline two')
    make_service(first, "Zeta drafts", status=Status.DRAFT)
    office = make_location(first, [a1], address_1="1 Main St", postal_code="90012")
    make_location(first, [], city="Anaheim", name="Spare office")
    shelter = make_location(
        second,
        [b2],
        city="Pasadena",
        address_1="742 Hidden Way",
        postal_code="90099",
        is_confidential=True,
    )
    # A service at another organization's location: allowed, if never made here.
    ServiceAtLocation.objects.create(service=b2, location=office, description="Tuesdays")
    phone = make_phone(organization=first, number="(213) 555-0100", extension="12")
    phone.languages.set([make_language("es"), make_language("ko")])
    hotline = make_phone(service=a1, number="(213) 555-0199", type="hotline", is_24_hours=True)
    hotline.languages.set([make_language("es")])
    make_phone(service=a1, number="(213) 555-0101", type="text")
    make_hours(a1, 0, (9, 0), (17, 0))
    make_hours(a1, 6, (22, 0), (2, 0))
    at_office = ServiceAtLocation.objects.get(service=a1, location=office)
    Schedule.objects.create(
        service=a1, service_at_location=at_office, weekday=2, opens_at="10:00", closes_at="12:00"
    )
    make_organization("Despensa")  # nothing but its name
    make_organization("Hidden", visibility=Visibility.PARTNERS)
    # Stored before the input check: a control character, first and inside.
    Service.objects.filter(pk=b2.pk).update(name="Bond\x02 help", fee_note="\x01=cmd|' /C calc'!A0")
    Location.objects.filter(pk=shelter.pk).update(transit="Bus\x0b 4")
    return first, second


def _models_csv():
    return b"".join(
        exports.csv_chunks(exports.rows(exports.public_organizations(Organization.objects.all())))
    )


def test_light_csv_has_the_bytes_of_the_models(tricky):
    first, second = tricky
    light = exports.public_organizations(Organization.objects.all(), reading=exports.TABLE)
    data = b"".join(exports.csv_export(light))
    assert data == _models_csv()
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    cells = [
        (r["organization_id"], r["service_name"], r["city"], r["address_1"], r["hours"])
        for r in rows
    ]
    one, two = sorted([str(first.pk), str(second.pk)])
    by_first = [
        (
            str(first.pk),
            "Asylum clinic",
            "Los Angeles",
            "1 Main St",
            "MO 09:00-17:00; SU 22:00-02:00",
        ),
        (str(first.pk), "", "Anaheim", "", ""),  # the spare office's own row
    ]
    by_second = [
        (str(second.pk), "Aid desk", "", "", ""),
        # The other organization's office is listed; the shelter keeps its city only.
        (str(second.pk), "Bond help", "Los Angeles", "1 Main St", ""),
        (str(second.pk), "Bond help", "Pasadena", "", ""),
    ]
    expected = by_first + by_second if one == str(first.pk) else by_second + by_first
    assert cells[:5] == expected
    assert [r["organization_name"] for r in rows[5:]] == ["Despensa"]
    clinic = next(r for r in rows if r["service_name"] == "Asylum clinic")
    assert clinic["languages"] == "es; ko" and clinic["categories"] == "food; legal.asylum"
    assert clinic["service_phones"] == "(213) 555-0199 [hotline, 24h]; (213) 555-0101 [text]"
    assert clinic["organization_kinds"] == "community; legal"
    text = data.decode()
    assert "742 Hidden Way" not in text and "90099" not in text
    assert "Zeta drafts" not in text and "Hidden" not in text


def test_light_vcards_have_the_bytes_of_the_models(tricky):
    models = exports.public_organizations(Organization.objects.all())
    light = exports.public_organizations(Organization.objects.all(), reading=exports.CONTACTS)
    assert b"".join(exports.vcard_chunks(light)) == b"".join(exports.vcard_chunks(models))


def test_curator_csv_export_has_the_bytes_of_its_rows(tricky):
    for services_only in (False, True):
        listed = lambda: exports.organizations_for_export(  # noqa: E731
            Organization.objects.all(), Service.objects.all(), curator=True
        )
        table = exports.rows(listed(), curator=True, services_only=services_only)
        fast = exports.csv_export(listed(), curator=True, services_only=services_only)
        assert b"".join(fast) == b"".join(exports.csv_chunks(table))


def _models_hsds():
    """HSDS services from model instances, as services_for_hsds read them before."""
    services = (
        Service.objects.public()
        .select_related("organization")
        .prefetch_related(
            *exports.service_prefetches(phone_languages=True),
            exports._into(
                "organization__phones",
                Phone.objects.order_by("type", "number", "id").prefetch_related(
                    exports._into("languages")
                ),
            ),
        )
        .order_by("organization__name", "name", "id")
    )
    for service in services:  # the order a service's languages were added in
        service._export_service_languages.sort(key=lambda sl: sl.pk)
    return b"".join(hsds.json_chunks(services))


def test_light_hsds_has_the_bytes_of_the_models(tricky):
    light = b"".join(hsds.json_chunks(hsds.services_for_hsds(Service.objects.all())))
    assert light == _models_hsds()
    services = json.loads(light)
    first, second = tricky
    # Two "Centro Legal": their services by name, each with its own organization.
    assert [(s["name"], s["organization"]["id"]) for s in services] == [
        ("Aid desk", str(second.pk)),
        ("Asylum clinic", str(first.pk)),
        ("Bond\x02 help", str(second.pk)),
    ]
    clinic = services[1]
    phones = clinic["organization"]["phones"]
    assert [lang["code"] for lang in phones[0]["languages"]] == ["ko", "es"]  # by name
    assert [lang["code"] for lang in clinic["phones"][0]["languages"]] == ["es"]
    assert [s["byday"] for s in clinic["service_at_locations"][0]["schedules"]] == ["WE"]
    assert [
        s["location"]["addresses"][0]["address_1"] for s in services[2]["service_at_locations"]
    ] == ["1 Main St"]  # the shelter is left out
    assert "742 Hidden Way" not in light.decode()


def test_hsds_languages_are_in_the_order_they_were_added(tricky):
    services = json.loads(b"".join(hsds.json_chunks(hsds.services_for_hsds(Service.objects.all()))))
    clinic = next(s for s in services if s["organization"].get("email") == "a@example.org")
    assert [lang["code"] for lang in clinic["languages"]] == ["es", "ko"]


def test_stable_ids_are_uuid5():
    for parts in [("a",), (uuid.uuid4(), "address"), ("x", "document", 3), ("é", "ß")]:
        assert hsds.stable_id(*parts) == str(
            uuid.uuid5(hsds.NAMESPACE, ":".join(str(p) for p in parts))
        )


def test_csv_segments_quote_as_whole_rows():
    """A row written as segments joined by commas is the row csv.writer writes."""
    pick = random.Random(10)
    alphabet = ["a", "é", ",", '"', "\n", "\r", " ", ";", "'", "=", "\t", ""]
    for _ in range(2000):
        row = ["".join(pick.choices(alphabet, k=pick.randint(0, 4))) for _ in range(6)]
        cut = sorted(pick.sample(range(1, 6), 2))
        segments = [row[: cut[0]], row[cut[0] : cut[1]], row[cut[1] :]]
        joined = ",".join(exports._csv_segment(s) for s in segments) + "\r\n"
        assert joined == exports._csv_line(row)


def test_control_characters_are_dropped_as_per_cell(tricky):
    light = exports.public_organizations(Organization.objects.all(), reading=exports.TABLE)
    rows = list(
        csv.DictReader(io.StringIO(b"".join(exports.csv_export(light)).decode("utf-8-sig")))
    )
    bond = next(r for r in rows if r["service_name"] == "Bond help")
    # The control character hid a formula: it is neutralised, as if dropped first.
    assert bond["fee_note"] == "'=cmd|' /C calc'!A0"
    assert bond["service_description"] == 'Bring "papers", ID\nline two'
    assert not any("\x01" in v or "\x02" in v for r in rows for v in r.values())


def _download(client, fmt, query=""):
    response = client.get(reverse("directory:search-export", args=[fmt]) + query)
    assert response.status_code == 200
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize(
    ("fmt", "command_format", "query", "options"),
    [
        ("csv", "csv", "", []),
        ("vcf", "vcf", "", []),
        ("json", "hsds", "", []),
        ("csv", "csv", "?category=legal&language=ko", ["--category", "legal", "--language", "ko"]),
        ("json", "hsds", "?category=legal", ["--category", "legal"]),
        ("vcf", "vcf", "?q=asylum", ["--q", "asylum"]),
    ],
)
def test_the_command_writes_the_bytes_of_the_download(
    client, tricky, tmp_path, fmt, command_format, query, options
):
    out = tmp_path / "out"
    call_command("export_listings", "--format", command_format, "-o", str(out), *options)
    assert out.read_bytes() == _download(client, fmt, query)
    assert len(out.read_bytes()) > 100


def test_the_command_writes_the_cells_of_the_excel_download(client, tricky, tmp_path):
    out = tmp_path / "out.xlsx"
    call_command("export_listings", "--format", "xlsx", "-o", str(out))
    command = list(load_workbook(out).active.iter_rows(values_only=True))
    page = list(
        load_workbook(io.BytesIO(_download(client, "xlsx"))).active.iter_rows(values_only=True)
    )
    assert command == page and len(command) > 5


def _directory(size, start=0):
    for i in range(start, start + size):
        org = make_organization(f"Org {i:03d}", kinds=["legal"])
        make_phone(organization=org, number=f"(213) 555-{i:04d}").languages.set(
            [make_language("es")]
        )
        location = make_location(org, [], address_1=f"{i} Main St")
        for n in range(2):
            service = make_service(
                org, f"Service {n}", terms=[make_term(f"t{i}-{n}")], languages=["es"]
            )
            ServiceAtLocation.objects.create(service=service, location=location)
            make_phone(service=service, number=f"(213) 555-9{n:03d}").languages.set(
                [make_language("ko")]
            )
            make_hours(service, n, (9, 0), (17, 0))


@pytest.mark.parametrize("fmt", ["csv", "vcf", "json", "xlsx"])
def test_export_queries_do_not_grow_with_the_organizations(
    client, fmt, django_assert_max_num_queries
):
    _directory(3)
    with CaptureQueriesContext(connection) as few:
        assert _download(client, fmt)
    _directory(60, start=3)  # 63 organizations, 126 services, with everything related
    with django_assert_max_num_queries(len(few)):
        _download(client, fmt)
    assert len(few) <= 26  # one of them: which languages the listings are translated into


def test_the_command_runs_a_fixed_number_of_queries(tmp_path, django_assert_max_num_queries):
    _directory(2)
    counts = {}
    for size in (2, 40):
        if size > 2:
            _directory(size - 2, start=2)
        for fmt in ("csv", "hsds"):
            with CaptureQueriesContext(connection) as queries:
                call_command("export_listings", "--format", fmt, "-o", str(tmp_path / fmt))
            counts.setdefault(fmt, []).append(len(queries))
    assert counts["csv"][0] == counts["csv"][1] and counts["hsds"][0] == counts["hsds"][1]


def _temporary_tables():
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_class WHERE relpersistence = 't'")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_an_export_reads_one_snapshot(tricky):
    """Every stream of an export is read in one transaction that sees the same rows."""
    stream = export_reading.organizations(
        Organization.objects.public(), Service.objects.published()
    )
    next(stream)
    if connection.vendor == "postgresql":
        assert connection.in_atomic_block
        with connection.cursor() as cursor:
            cursor.execute("SHOW transaction_isolation")
            assert cursor.fetchone()[0] == "repeatable read"
        assert _temporary_tables() == 2  # the organizations and services, numbered
    else:
        # SQLite: no transaction (an IMMEDIATE one would lock writers out).
        assert not connection.in_atomic_block
    assert len(list(stream)) == 2
    assert not connection.in_atomic_block and _temporary_tables() == 0
    with transaction.atomic():  # inside a caller's transaction: that one, tables dropped
        stream = export_reading.organizations(
            Organization.objects.public(), Service.objects.published()
        )
        assert len(list(stream)) == 3
        assert _temporary_tables() == 0


def test_vcard_text_is_escaped_as_before():
    def before(value):
        value = printable(value).replace("\r\n", "\n").replace("\r", "\n")
        return (
            value.replace("\\", "\\\\").replace("\n", "\\n").replace(",", "\\,").replace(";", "\\;")
        )

    for value in [
        "a,b;c\\d",
        "x\r\ny\rz\n",
        "\x01a\r\x02\nb",
        "é 中 한",
        "\u2028x",
        "\r\x01\n",
        "",
    ]:
        assert exports._vcard_escape(value) == before(value)


def test_a_replica_lines_rows_up_by_name_with_the_same_bytes(tricky, monkeypatch):
    """Where temporary tables cannot be made (a read replica), rows are sorted by names."""

    def exports_now():
        light = exports.public_organizations(Organization.objects.all(), reading=exports.TABLE)
        services = hsds.services_for_hsds(Service.objects.all())
        return b"".join(exports.csv_export(light)), b"".join(hsds.json_chunks(services))

    numbered = exports_now()

    @contextmanager
    def by_name(alias, organizations, services, service_order):
        yield export_reading._ByName(alias, organizations, services, service_order)

    monkeypatch.setattr(export_reading, "_lineup", by_name)
    assert exports_now() == numbered
    assert numbered[0] == _models_csv() and numbered[1] == _models_hsds()
