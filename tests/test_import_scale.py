"""Large imports: written in batches (directory/import_batches.py), still all or nothing."""

import io
import uuid

import pytest
from django.core.management import CommandError, call_command

from directory import search_index
from directory.exports import PUBLIC_HEADER
from directory.imports import import_file
from directory.models import Location, Organization, Phone, Schedule, Service, TaxonomyTerm

pytestmark = pytest.mark.django_db

ORGANIZATIONS = 1000  # two services each: 2,000 rows, several batches


def _row(values):
    return ",".join(f'"{values.get(c, "")}"' for c in PUBLIC_HEADER)


def _file(organizations=ORGANIZATIONS, last=None):
    lines = [",".join(PUBLIC_HEADER)]
    for i in range(organizations):
        org = {
            "organization_id": str(uuid.UUID(int=i + 1)),
            "organization_name": f"Centro {i}",
            "organization_website": f"https://centro{i}.example.org/",
            "organization_kinds": "legal",
            "organization_phones": f"(213) 555-{i % 10000:04d}",
            "city": "Los Angeles",
            "state": "CA",
            "address_1": f"{i} Main St",
        }
        for n in range(2):
            lines.append(
                _row(
                    {
                        **org,
                        "service_name": f"Asylum help {n}",
                        "categories": "legal.asylum",
                        "languages": "es; ko (interpreter)",
                        "populations": "asylum_seekers",
                        "hours": "MO 09:00-17:00; TU 09:00-17:00",
                        "service_phones": f"(213) 555-{n:04d} [hotline]",
                    }
                )
            )
    if last:
        lines[-1] = _row(last)
    return ("\r\n".join(lines) + "\r\n").encode()


def test_a_big_file_imports_whole(tmp_path):
    path = tmp_path / "big.csv"
    path.write_bytes(_file())
    out = io.StringIO()
    call_command("import_listings", str(path), "--publish", stdout=out)
    assert Organization.objects.count() == ORGANIZATIONS
    assert Service.objects.public().count() == 2 * ORGANIZATIONS
    assert Schedule.objects.count() == 4 * ORGANIZATIONS
    assert Phone.objects.count() == 3 * ORGANIZATIONS
    service = Service.objects.get(organization__name="Centro 999", name="Asylum help 1")
    assert [t.code for t in service.taxonomy_terms.all()] == ["legal.asylum"]
    assert sorted(sl.language.code for sl in service.service_languages.all()) == ["es", "ko"]
    assert service.service_at_locations.get().location.address_1 == "999 Main St"
    # What the signals would do, bulk_create or not: the search points and index.
    assert not Location.objects.filter(search_latitude__isnull=True).exists()
    indexed = search_index.snapshot()
    search_index.rebuild()
    assert search_index.snapshot() == indexed
    assert len(indexed["entries"]) == ORGANIZATIONS
    assert all(row[4] for row in indexed["entries"])


def test_history_records_each_created_listing_with_its_categories(tmp_path):
    report = import_file("big.csv", _file(organizations=3), publish=True)
    assert report.errors == []
    service = Service.objects.get(organization__name="Centro 2", name="Asylum help 0")
    created = service.history.get(history_type="+")
    assert [t.taxonomyterm.code for t in created.taxonomy_terms.all()] == ["legal.asylum"]
    assert [p.populationserved.code for p in created.populations.all()] == ["asylum_seekers"]
    org = Organization.objects.get(name="Centro 2")
    assert [k.organizationkind.code for k in org.history.get().kinds.all()] == ["legal"]
    assert Location.objects.get(organization=org).history.count() == 1


def test_an_error_in_the_last_row_of_a_big_file_writes_nothing(tmp_path):
    path = tmp_path / "big.csv"
    path.write_bytes(_file(last={"organization_name": "Late", "year_founded": "nineteen"}))
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_listings", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert not Organization.objects.exists()
    assert not TaxonomyTerm.objects.filter(code="legal.asylum", services__isnull=False).exists()


def test_a_constraint_broken_in_a_batch_is_reported_with_its_row(tmp_path):
    """Two organizations in one file claim the same service id: row by row names the row."""
    sid = str(uuid.uuid4())
    lines = [",".join(PUBLIC_HEADER)]
    for i in range(2):
        lines.append(
            _row(
                {
                    "organization_name": f"Claimant {i}",
                    "organization_website": f"https://c{i}.example.org/",
                    "service_id": sid,
                    "service_name": "Same service",
                }
            )
        )
    report = import_file("clash.csv", ("\r\n".join(lines) + "\r\n").encode())
    assert [(e.row, e.column) for e in report.errors] == [("Row 3", "service_id")]
    assert not report.written and not Organization.objects.exists()


def test_organizations_with_different_ids_are_not_merged_by_name_and_city():
    """An exported directory can hold two "Centro Legal" in one city: the ids tell them apart."""
    data = _file(organizations=2).replace(b"Centro 1", b"Centro 0")
    report = import_file("twins.csv", data)
    assert report.errors == []
    assert Organization.objects.filter(name="Centro 0").count() == 2


def test_rows_without_ids_still_match_by_name_and_city():
    lines = [",".join(PUBLIC_HEADER)]
    for website in ("https://a.example.org/", "https://b.example.org/"):
        lines.append(
            _row(
                {
                    "organization_name": "Centro Único",
                    "organization_website": website,
                    "city": "Fresno",
                    "state": "CA",
                    "service_name": "Help",
                }
            )
        )
    report = import_file("same.csv", ("\r\n".join(lines) + "\r\n").encode())
    assert report.errors == []
    assert Organization.objects.get().website == "https://b.example.org/"


def _hsds(organizations):
    from directory.hsds import json_chunks, services_for_hsds

    import_file("big.csv", _file(organizations), publish=True)
    data = b"".join(json_chunks(services_for_hsds(Service.objects.all())))
    Organization.objects.all().delete()
    return data


def test_an_hsds_list_is_read_an_element_at_a_time(monkeypatch):
    from directory import imports

    data = _hsds(3)
    monkeypatch.setattr(imports, "JSON_PIECE", 50)  # every element spans several pieces
    report = import_file("services.json", data, publish=True)
    assert report.errors == [] and report.written
    assert Service.objects.count() == 6
    assert sorted(Organization.objects.values_list("name", flat=True)) == [
        "Centro 0",
        "Centro 1",
        "Centro 2",
    ]


@pytest.mark.parametrize("cut", [b"", b"]", b",", b"}"])
def test_a_broken_hsds_list_is_one_error_and_writes_nothing(monkeypatch, cut):
    from directory import imports

    data = _hsds(2).rstrip().removesuffix(b"]") + cut
    monkeypatch.setattr(imports, "JSON_PIECE", 64)
    report = import_file("services.json", data)
    if cut == b"]":  # whole again
        assert report.errors == []
        return
    assert [e.row for e in report.errors] == ["File"]
    assert "not a valid JSON file" in report.errors[0].message
    assert not Organization.objects.exists()
