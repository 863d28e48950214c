import json

import pytest
from django.core.management import call_command
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from directory.hsds import json_chunks, services_for_hsds
from directory.imports import import_file
from directory.models import Organization, Schedule, Service, Status, TaxonomyTerm
from tests.factories import (
    make_hours,
    make_location,
    make_organization,
    make_phone,
    make_service,
    make_term,
)


def _sample(hsds_dir, name):
    """An HSDS sample with its impossible latitude (100) made possible."""
    text = (hsds_dir / "samples" / name).read_text()
    return text.replace('"latitude": 100', '"latitude": 10').encode()


def _validator(hsds_dir, name):
    """A validator for one HSDS schema; the files $ref each other by file name."""
    resources = []
    for path in (hsds_dir / "schema").glob("*.json"):
        contents = json.loads(path.read_text())
        resources.append(
            (path.name, Resource.from_contents(contents, default_specification=DRAFT202012))
        )
    registry = Registry().with_resources(resources)
    schema = json.loads((hsds_dir / "schema" / name).read_text())
    return Draft202012Validator(schema, registry=registry, format_checker=FormatChecker())


def _export(tmp_path, **filters):
    out = tmp_path / "services.json"
    call_command("export_listings", "--format", "hsds", "-o", str(out), **filters)
    return json.loads(out.read_text())


@pytest.fixture
def listing(db):
    org = make_organization("Centro Legal", email="info@centro.example.org", description="Help")
    term = make_term("legal", "Legal help")
    child = make_term("legal.asylum", "Asylum", parent=term)
    service = make_service(
        org,
        "Asylum clinic",
        terms=[child],
        languages=["es", "ko"],
        fee="sliding",
        fee_note="$20. Waived for hardship",
    )
    make_phone(organization=org, number="(213) 555-0100", extension="12")
    make_phone(service=service, number="(213) 555-0199", type="hotline")
    make_location(
        org,
        services=[service],
        address_1="1 Main St",
        postal_code="90012",
        latitude=34.05,
        longitude=-118.24,
    )
    make_location(
        org,
        services=[service],
        address_1="99 Secret Lane",
        postal_code="90013",
        is_confidential=True,
        latitude=34.1,
        longitude=-118.3,
    )
    make_hours(service, 0, (9, 0), (17, 0))
    make_hours(service, 6, (22, 0), (2, 0))
    return service


def test_export_validates_against_the_hsds_schemas(listing, tmp_path, hsds_dir):
    data = _export(tmp_path)
    assert len(data) == 1
    validator = _validator(hsds_dir, "service.json")
    errors = [e.message for item in data for e in validator.iter_errors(item)]
    assert errors == []


def test_export_maps_hours_languages_and_terms(listing, tmp_path):
    [service] = _export(tmp_path)
    assert {(s["byday"], s["opens_at"], s["closes_at"]) for s in service["schedules"]} == {
        ("MO", "09:00", "17:00"),
        ("SU", "22:00", "02:00"),
    }
    assert all(s["freq"] == "WEEKLY" for s in service["schedules"])
    assert service["fees_description"] == "Sliding scale. $20. Waived for hardship"
    assert sorted(lang["code"] for lang in service["languages"]) == ["es", "ko"]
    [attribute] = service["attributes"]
    assert attribute["taxonomy_term"]["code"] == "legal.asylum"
    assert service["organization"]["phones"][0]["extension"] == 12
    # Language ids are stable between exports.
    again = _export(tmp_path)[0]
    assert [lang["id"] for lang in again["languages"]] == [
        lang["id"] for lang in service["languages"]
    ]


def test_export_never_contains_a_confidential_location(listing, tmp_path):
    data = _export(tmp_path)
    text = json.dumps(data)
    assert "Secret Lane" not in text and "90013" not in text and "-118.3" not in text
    assert "1 Main St" in text


def test_export_leaves_out_unpublished_rows(listing, tmp_path):
    make_service(listing.organization, "Draft service", status=Status.DRAFT)
    make_service(make_organization("Hidden org", status=Status.DRAFT), "Hidden service")
    names = [s["name"] for s in _export(tmp_path)]
    assert names == ["Asylum clinic"]


def test_export_streams_in_chunks(listing):
    stream = json_chunks(services_for_hsds(Service.objects.all()))
    assert iter(stream) is stream  # a generator, not the whole document
    chunks = list(stream)
    assert chunks[0].startswith(b"[") and chunks[-1].endswith(b"]\n")
    assert len(json.loads(b"".join(chunks))) == 1


def test_the_full_service_sample_imports_with_everything_it_carries(hsds_dir, db):
    report = import_file("service_full.json", _sample(hsds_dir, "service_full.json"))
    assert report.errors == []
    assert report.written
    service = Service.objects.get(name="Community Counselling")
    assert service.status == Status.DRAFT
    assert service.organization.name == "Example Organization Inc."
    assert service.organization.status == Status.DRAFT
    assert service.languages.filter(code="ur").exists()
    # The sample's unknown taxonomy term is kept, with its own taxonomy.
    assert TaxonomyTerm.objects.filter(code="code", taxonomy="taxonomy").exists()
    # Its schedule (valid in 2005 only, three times, weeks 41 and 42...) is no weekly
    # hours: a note and a warning, not Thursday and Friday rows every week.
    assert not Schedule.objects.filter(service=service).exists()
    assert service.hours_note.startswith("Every week, on Thursday, Friday, on day 2,3,4")
    assert "schedules[0]" in {w.column for w in report.warnings}
    assert service.locations.filter(city="MyCity", state="MyState").exists()
    assert service.phones.filter(extension="100").exists()
    assert service.fee == "paid"
    assert service.fee_note.startswith("Non-NHS patients")
    assert service.locations.get(city="MyCity").latitude == 10


def test_the_samples_impossible_latitude_is_an_error(hsds_dir, db):
    data = (hsds_dir / "samples" / "service_full.json").read_bytes()
    report = import_file("service_full.json", data)
    assert {(e.column, e.message) for e in report.errors} == {
        (
            f"{path}.latitude",
            "The latitude must be between -90 and 90, not 100.",
        )
        for path in ("organization.locations[0]", "service_at_locations[0].location")
    }
    assert not report.written and Service.objects.count() == 0


@pytest.mark.parametrize(
    "sample",
    [
        "service_list.json",
        "organization_full.json",
        "organization_list.json",
        "service_at_location_full.json",
        "service_at_location_list.json",
    ],
)
def test_the_other_samples_import(hsds_dir, db, sample):
    report = import_file(sample, _sample(hsds_dir, sample))
    assert report.errors == []
    assert Organization.objects.filter(name="Example Organization Inc.").exists() or (
        Service.objects.filter(name="Community Counselling").exists()
    )


def test_hsds_round_trip_keeps_ids_and_matches_on_reimport(listing, tmp_path):
    data = _export(tmp_path)
    payload = json.dumps(data).encode()
    Organization.objects.all().delete()
    report = import_file("services.json", payload, publish=True)
    assert report.errors == []
    service = Service.objects.get(pk=listing.pk)
    assert service.organization.pk == listing.organization.pk
    assert service.schedules.count() == 2
    assert set(service.languages.values_list("code", flat=True)) == {"es", "ko"}
    assert (service.fee, service.fee_note) == ("sliding", "$20. Waived for hardship")
    again_data = _export(tmp_path)
    for item in data + again_data:
        item.pop("last_modified")
    assert again_data == data
    again = import_file("services.json", payload, publish=True)
    assert again.created == []
    assert {o.matched_by for o in again.updated if o.model == "organization"} == {"id"}


def test_a_broken_hsds_file_is_rejected_whole(db):
    payload = json.dumps(
        [
            {
                "name": "Good",
                "organization": {"name": "Good org", "website": "https://good.example.org"},
            },
            {"name": "No org", "status": "active"},
            {"name": "Bad email", "email": "not-an-email", "organization": {"name": "Other"}},
        ]
    ).encode()
    report = import_file("x.json", payload)
    assert not report.written
    assert Organization.objects.count() == 0
    assert [(e.row, e.column) for e in report.errors] == [
        ("Item 2", "organization"),
        ("Item 3", "email"),
    ]
