"""COPY stores the same rows bulk_create and simple-history would (directory/copy_insert.py)."""

import datetime
import uuid

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from directory import copy_insert
from directory.models import (
    Language,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceLanguage,
    SourceId,
    Status,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="COPY is PostgreSQL's; elsewhere bulk_create runs"
    ),
]

# What a spreadsheet cell can hold that COPY's text format must escape.
AWKWARD = "Tab\there, line\nbreak, back\\slash \\N, ‘quotes’, 한국어, \r end"


def _listings(n, tag):
    """Unsaved organizations with a location, a service, hours and a phone each."""
    rows = {Organization: [], Location: [], Service: [], Phone: [], Schedule: []}
    for i in range(n):
        org = Organization(
            name=f"{tag} {i} {AWKWARD}",
            slug=f"{tag.lower()}-{i}",
            description=AWKWARD if i % 2 else "",
            year_founded=1990 + i,
            last_verified_on=datetime.date(2026, 11, i + 1),
            status=Status.PUBLISHED,
        )
        rows[Organization].append(org)
        rows[Location].append(
            Location(
                organization=org,
                city="Los Angeles",
                state="CA",
                latitude=34.0522 + i / 1e6 if i % 2 else None,
                longitude=-118.2437 if i % 2 else None,
                search_latitude=34.05 if i % 2 else None,
                search_longitude=-118.24 if i % 2 else None,
                is_confidential=bool(i % 2),
            )
        )
        service = Service(organization=org, name=f"Help {i}", status=Status.PUBLISHED)
        rows[Service].append(service)
        rows[Phone].append(Phone(service=service, number=f"(213) 555-010{i}", is_24_hours=True))
        rows[Schedule].append(
            Schedule(
                service=service,
                weekday=i % 7,
                opens_at=datetime.time(9, 30),
                closes_at=datetime.time(17, 15, 30 if i % 2 else 0),
            )
        )
    return rows


def _stored(model, ids):
    fields = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
    return sorted(model.objects.filter(pk__in=ids).values_list(*fields))


def _without(rows, tag):
    """The rows without what differs between two inserts: ids, names, slugs, the time saved."""
    return [
        tuple(
            v.replace(tag, "X").replace(tag.lower(), "x") if isinstance(v, str) else v
            for v in row
            if not isinstance(v, uuid.UUID | datetime.datetime)
        )
        for row in rows
    ]


def test_copy_stores_what_bulk_create_stores():
    copied, created = _listings(4, "Copied"), _listings(4, "Created")
    for model in copied:  # parents first, as the import does
        copy_insert.insert(model, copied[model])
        model.objects.bulk_create(created[model])
    for model in copied:
        ours = _stored(model, [o.pk for o in copied[model]])
        django = _stored(model, [o.pk for o in created[model]])
        assert len(ours) == 4
        assert sorted(_without(ours, "Copied"), key=repr) == sorted(
            _without(django, "Created"), key=repr
        ), model
    saved = Organization.objects.get(pk=copied[Organization][0].pk)
    assert saved.created_at == copied[Organization][0].created_at  # auto_now_add, as saved
    # The instances are stored ones afterwards, as bulk_create leaves them.
    assert not copied[Organization][0]._state.adding
    assert Organization.objects.get(pk=copied[Organization][1].pk).description == AWKWARD


def test_ids_come_from_the_sequence_when_the_caller_needs_them():
    rows = _listings(2, "Numbered")
    copy_insert.insert(Organization, rows[Organization])
    copy_insert.insert(Service, rows[Service])
    spanish, korean = (
        Language.objects.get_or_create(code="es", defaults={"name": "Spanish"})[0],
        (Language.objects.get_or_create(code="ko", defaults={"name": "Korean"})[0]),
    )
    links = [
        ServiceLanguage(service=rows[Service][0], language=spanish),
        ServiceLanguage(service=rows[Service][1], language=korean),
    ]
    copy_insert.insert(ServiceLanguage, links, need_ids=True)
    assert all(link.pk for link in links)
    assert sorted(ServiceLanguage.objects.values_list("pk", "language__code")) == sorted(
        (link.pk, link.language.code) for link in links
    )
    # Without: the database numbers them.
    ids = [
        SourceId(source="file.csv", kind="organization", external_id="7", organization=o)
        for o in rows[Organization][:1]
    ]
    copy_insert.insert(SourceId, ids)
    assert SourceId.objects.get(external_id="7").organization == rows[Organization][0]


def test_history_rows_are_what_simple_history_writes(admin_user):
    when = timezone.now()
    copied, created = _listings(3, "Copied"), _listings(3, "Created")
    for rows in (copied, created):
        copy_insert.insert(Organization, rows[Organization])
    ours = copy_insert.insert_history(
        Organization, copied[Organization], user=admin_user, when=when
    )
    Organization.history.bulk_history_create(
        created[Organization],
        default_user=admin_user,
        default_change_reason=None,
        default_date=when,
    )
    history = Organization.history.model
    fields = [f.attname for f in history._meta.concrete_fields if f.attname != "history_id"]

    def rows(orgs, tag):
        stored = history.objects.filter(id__in=[o.pk for o in orgs]).values_list(*fields)
        return sorted(_without(stored, tag), key=repr)

    assert rows(copied[Organization], "Copied") == rows(created[Organization], "Created")
    assert set(ours) == {o.pk for o in copied[Organization]}
    assert history.objects.get(history_id=ours[copied[Organization][0].pk]).history_type == "+"
    assert history.objects.filter(history_user=admin_user).count() == 6


def test_a_broken_constraint_is_djangos_integrity_error():
    rows = _listings(1, "Twice")
    copy_insert.insert(Organization, rows[Organization])
    again = Organization(name="Other", slug="twice-0")  # the slug is unique
    with pytest.raises(IntegrityError), transaction.atomic():
        copy_insert.insert(Organization, [again])
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    assert Organization.objects.filter(slug="twice-0").count() == 1


def test_rows_given_as_values_are_stored_as_the_orm_would_store_them(db):
    """insert_values: plain tuples in, the same rows as bulk_create out; ids in order when asked."""
    from directory import copy_insert
    from directory.models import Language, Organization, OrganizationKind, Service, ServiceLanguage

    org = Organization.objects.create(name="Values Org", slug="values-org")
    service = Service.objects.create(organization=org, name="Consultas")
    spanish, korean = (
        Language.objects.get_or_create(code="es", defaults={"name": "Spanish"})[0],
        Language.objects.get_or_create(code="ko", defaults={"name": "Korean"})[0],
    )
    copy_insert.insert_values(
        ServiceLanguage,
        ["service_id", "language_id", "via"],
        [(service.pk, spanish.pk, "staff"), (service.pk, korean.pk, "interpreter")],
    )
    assert sorted(service.service_languages.values_list("language__code", "via")) == [
        ("es", "staff"),
        ("ko", "interpreter"),
    ]
    kinds = list(OrganizationKind.objects.order_by("code")[:2])  # the migrations' kinds
    assert len(kinds) == 2
    through = Organization.kinds.through
    ids = copy_insert.insert_values(
        through,
        ["organization_id", "organizationkind_id"],
        [(org.pk, kind.pk) for kind in kinds],
        need_ids=True,
    )
    stored = dict(through.objects.filter(organization=org).values_list("organizationkind_id", "id"))
    assert [stored[kind.pk] for kind in kinds] == ids
    assert {k.pk for k in org.kinds.all()} == {k.pk for k in kinds}


def test_lists_are_stored_as_text_arrays_whatever_they_hold():
    values = ["c:legal.asylum", 'say "hi"', "a,b", "{braces}", "back\\slash", AWKWARD, "NULL", ""]
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE copied_tags (tags text[])")
        copy_insert.copy_rows("copied_tags", ["tags"], [(values,), ([],)])
        cursor.execute("SELECT tags FROM copied_tags")
        assert [row[0] for row in cursor.fetchall()] == [values, []]
