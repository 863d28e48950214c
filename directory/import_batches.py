"""Writing a large import in batches: new organizations in bulk, the rest one by one.

A record that matches nothing stored (no id, website, or name and city of an
existing organization, and no stored id among its rows) is validated with
the models' own field rules and clean(), then inserted with the others of
its batch by bulk_create, with its history written in bulk too (one "+"
record per row, holding its many-to-many values). The database checks its
constraints at the insert; if any row of a batch breaks one, the batch is
undone and written again row by row (imports._Writer), which reports the
offending row as it always has. Records that match stored rows take that
row-by-row path from the start.

bulk_create sends no signals, so what they would do is done here: search
points before the insert, the search index (directory.indexing) after it.
"""

import uuid

from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from . import copy_insert, indexing
from .geo import SHARE_MILES, bounding_box, search_point
from .imports import _Writer
from .models import (
    Language,
    Location,
    Organization,
    OrganizationKind,
    Phone,
    PopulationServed,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceLanguage,
    SourceId,
    Status,
    TaxonomyTerm,
)
from .publishing import can_publish

# Organizations per bulk insert: big enough to amortize a query, small
# enough that redoing a failed batch row by row stays quick.
BATCH_SIZE = 500
M2M = [(Organization, "kinds"), (Service, "taxonomy_terms"), (Service, "populations")]
M2M_PHONE = (Phone, "languages")
LANGUAGE_COLUMNS = ["service_id", "language_id", "via"]
SCHEDULE_COLUMNS = [
    "id",
    "service_id",
    "service_at_location_id",
    "weekday",
    "opens_at",
    "closes_at",
]


class _Batch:
    def __init__(self, report):
        self.records = []
        self.outcomes = len(report.outcomes)
        self.errors = len(report.errors)
        self.slugs = []
        self.rows = {model: [] for model in (Organization, Location, Service, Phone)}
        self.places = []  # ServiceAtLocation instances (hours and descriptions name them)
        # Rows too many and too simple for an instance each: tuples in these columns.
        self.values = {
            ServiceLanguage: [],  # service, language, via
            Schedule: [],  # SCHEDULE_COLUMNS
        }
        self.through = {}  # (model, field name) -> [(owner id, target id)]
        self.confidential = []
        self.check_contact = []
        self.sal_hours = []  # (service, sal, hours)
        self.source_ids = []

    def link(self, model, name, owner, targets):
        """Plan the many-to-many rows of `owner`, as (owner id, target id)."""
        rows = self.through.setdefault((model, name), [])
        seen = set()
        for target in targets:
            if target.pk not in seen:
                seen.add(target.pk)
                rows.append((owner.pk, target.pk))


class BatchWriter(_Writer):
    def __init__(self, report, publish, user=None, source=""):
        super().__init__(report, publish, user, source)
        self.languages = {lang.code: lang for lang in Language.objects.all()}
        self.terms = {t.code: t for t in TaxonomyTerm.objects.all()}
        self.terms_by_pk = {t.pk: t for t in self.terms.values()}
        self.kinds = {k.code: k for k in OrganizationKind.objects.all()}
        self.populations = {p.code: p for p in PopulationServed.objects.all()}
        self.slugs = set(Organization.objects.values_list("slug", flat=True))
        # A curator's import is checked against stored rows (publishing.may_move), row by row.
        self.bulk = user is None or (can_publish(user, Organization) and can_publish(user, Service))
        self.planned = set()  # websites and (name, city) of this import's new organizations
        self.created = set()  # their ids

    # -- reference data, looked up once

    def unique_slug(self, name):
        from django.utils.text import slugify

        base = (slugify(name) or "organization")[:190]
        slug, n = base, 1
        while slug in self.slugs:
            n += 1
            slug = f"{base}-{n}"
        self.slugs.add(slug)
        return slug

    def language(self, record, code, name):
        code = (code or "").strip().lower()
        if code and code not in self.languages:
            language = super().language(record, code, name)
            if language is None:
                return None
            self.languages[code] = language
        return self.languages.get(code)

    def term(self, record, data):
        known = (data.id and self.terms_by_pk.get(data.id)) or self.terms.get(data.code)
        if known:
            return self.filled(known, data)
        term = super().term(record, data)
        if term is not None:
            self.terms[term.code] = self.terms_by_pk[term.pk] = term
            if term.parent is not None:  # perhaps a placeholder_parent
                self.terms[term.parent.code] = self.terms_by_pk[term.parent.pk] = term.parent
        return term

    # -- the loop

    def write_all(self, records, progress=None):
        for start in range(0, len(records), BATCH_SIZE):
            chunk = records[start : start + BATCH_SIZE]
            stored = self._stored(chunk) if self.bulk else None
            batch = _Batch(self.report)
            for record in chunk:
                if stored is not None and not self._matches(record, stored):
                    self._plan(batch, record)
                else:
                    self._flush(batch)
                    batch = _Batch(self.report)
                    self._one_by_one(record)
                if progress:
                    progress()
            self._flush(batch)

    def _one_by_one(self, record):
        try:
            with transaction.atomic():
                self.write_organization(record)
        except IntegrityError as exc:
            self.error(record.source, "", _("This row conflicts with existing data: %s") % exc)

    def _stored(self, chunk):
        """What of this chunk's records the database already holds, in a few queries."""
        ids = {"org": set(), "rows": set()}
        websites, names, external = set(), set(), set()
        for record in chunk:
            if record.id:
                ids["org"].add(record.id)
            external.add(record.external_id)
            external.update(s.external_id for s in record.services)
            external.update(loc.external_id for loc in record.locations.values())
            if record.fields.get("website"):
                websites.add(record.fields["website"].lower())
            names.add(record.fields["name"].lower())
            for location in record.locations.values():
                if location.id:
                    ids["rows"].add(location.id)
            for phone in record.phones or []:
                if phone.id:
                    ids["rows"].add(phone.id)
            for service in record.services:
                ids["rows"].update(filter(None, [service.id]))
                ids["rows"].update(p.id for p in service.phones or [] if p.id)
                ids["rows"].update(h[3] for h in service.hours or [] if h[3])
                for _key, sal_id, _description, hours in service.locations:
                    ids["rows"].update(filter(None, [sal_id]))
                    ids["rows"].update(h[3] for h in hours or [] if h[3])
        rows = ids["rows"]
        by_website, by_name = {}, {}
        stored_websites = (
            Organization.objects.annotate(w=Lower("website"))
            .filter(w__in=websites)
            .values_list("w", "pk")
        )
        for website, pk in stored_websites:
            by_website.setdefault(website, set()).add(pk)
        stored_names = (
            Location.objects.annotate(n=Lower("organization__name"))
            .filter(n__in=names)
            .values_list("n", "city", "organization_id")
        )
        for name, city, pk in stored_names:
            by_name.setdefault((name, city), set()).add(pk)
        external.discard("")
        sourced = SourceId.objects.filter(source=self.source, external_id__in=external)
        return {
            "sourced": set(sourced.values_list("kind", "external_id")) if external else set(),
            "ids": set(Organization.objects.filter(pk__in=ids["org"]).values_list("pk", flat=True)),
            "websites": by_website,
            "names": by_name,
            "rows": any(
                model.objects.filter(pk__in=rows).exists()
                for model in (Location, Phone, Service, ServiceAtLocation, Schedule)
            )
            if rows
            else False,
        }

    def _matches(self, record, stored):
        """Whether the record may match a stored row, or one written earlier in this file."""
        website = (record.fields.get("website") or "").lower()
        name = record.fields["name"].lower()
        cities = {loc.fields.get("city") for loc in record.locations.values()} - {"", None}
        keys = [("website", website)] if website else []
        keys += [("name", name, city) for city in cities]
        if stored["rows"] or record.id in stored["ids"]:
            return True
        if record.translations or any(service.translations for service in record.services):
            return True  # translations are written row by row, with their history
        external = {("organization", record.external_id)}
        external.update(("service", s.external_id) for s in record.services)
        external.update(("location", loc.external_id) for loc in record.locations.values())
        if external & stored["sourced"]:
            return True
        has_id = record.id or record.external_id
        if not has_id and any(key in self.planned for key in keys):
            return True
        candidates = set(stored["websites"].get(website, ()))
        for city in cities:
            candidates |= stored["names"].get((name, city), set())
        if has_id:  # see match_organization
            candidates -= self.created
        if candidates:
            return True
        self.planned.update(keys)
        return False

    def match_organization(self, record):
        """The stored organization the record updates, if any.

        A record with an id is never matched to another organization this
        same import created: the file itself says they are two.
        """
        org, matched_by = super().match_organization(record)
        has_id = record.id or record.external_id
        by_id = matched_by == _("source id") or org is not None and org.pk == record.id
        if org is not None and has_id and not by_id and org.pk in self.created:
            return None, ""
        return org, matched_by

    def outcome(self, record, instance, created, matched_by=""):
        if created and isinstance(instance, Organization):
            self.created.add(instance.pk)
        super().outcome(record, instance, created, matched_by)

    # -- one new organization, planned into the batch

    def _valid(self, record, instance, exclude=()):
        from django.core.exceptions import ValidationError

        try:
            instance.full_clean(
                exclude=list(exclude), validate_unique=False, validate_constraints=False
            )
        except ValidationError as exc:
            self.validation_errors(record, exc)
            return False
        return True

    def _plan(self, batch, record):
        batch.records.append(record)
        org = Organization(status=Status.DRAFT)
        if record.id:
            org.id = record.id
        org.slug = self.unique_slug(record.fields["name"])
        batch.slugs.append(org.slug)
        for name, value in record.fields.items():
            setattr(org, name, value)
        if self.publish:
            org.status = Status.PUBLISHED
        if not self._valid(record, org):
            return
        batch.rows[Organization].append(org)
        self._plan_source_id(batch, "organization", record.external_id, org)
        self.outcome(record, org, True)
        if record.kinds is not None:
            batch.link(Organization, "kinds", org, [self.kinds[c] for c in record.kinds])
        phones = self._plan_phones(batch, record, record.phones or [], organization=org)
        locations = {
            key: self._plan_location(batch, lr, org) for key, lr in record.locations.items()
        }
        services = [self._plan_service(batch, sr, org, locations) for sr in record.services]
        if self.publish and not (org.website or org.email or any(p.number for p in phones)):
            batch.check_contact.append((record, org, services))

    def _plan_phones(self, batch, record, phones, **owner):
        planned, seen = [], set()
        for data in phones:
            key = (data.number[:30], str(data.extension)[:10])
            if key in seen:
                continue
            seen.add(key)
            phone = Phone(number=key[0], extension=key[1], **owner)
            if data.id:
                phone.id = data.id
            phone.type = data.type
            phone.is_24_hours = data.is_24_hours
            if data.description:
                phone.description = data.description[:200]
            if not self._valid(record, phone, exclude=["organization", "service"]):
                continue
            batch.rows[Phone].append(phone)
            planned.append(phone)
            if data.languages:
                languages = [self.language(record, code, name) for code, name in data.languages]
                batch.link(Phone, "languages", phone, [lang for lang in languages if lang])
        return planned

    def _plan_location(self, batch, record, org):
        location = Location(organization=org)
        if record.id:
            location.id = record.id
        for name, value in record.fields.items():
            setattr(location, name, value)
        if not self._valid(record, location, exclude=["organization"]):
            return None
        self._plan_source_id(batch, "location", record.external_id, location)
        neighbours = ()
        if location.is_confidential:
            neighbours = list(Location.objects.confidential_near(location))
            neighbours += [other for other in batch.confidential if _near(other, location)]
            batch.confidential.append(location)
        point = search_point(location, None, neighbours)
        location.search_latitude, location.search_longitude = point or (None, None)
        batch.rows[Location].append(location)
        self.outcome(record, location, True)
        return location

    def _plan_service(self, batch, record, org, locations):
        service = Service(organization=org, status=Status.DRAFT)
        if record.id:
            service.id = record.id
        for name, value in record.fields.items():
            setattr(service, name, value)
        service.status = self.status_for(record, service.status)
        if not self._valid(record, service, exclude=["organization"]):
            return None
        batch.rows[Service].append(service)
        self._plan_source_id(batch, "service", record.external_id, service)
        self.outcome(record, service, True)
        if record.terms is not None:
            terms = [self.term(record, t) for t in record.terms]
            batch.link(Service, "taxonomy_terms", service, [t for t in terms if t])
        if record.populations is not None:
            batch.link(
                Service, "populations", service, [self.populations[c] for c in record.populations]
            )
        seen = set()
        for code, name, via in record.languages or []:
            language = self.language(record, code, name)
            if language and language.pk not in seen:
                seen.add(language.pk)
                batch.values[ServiceLanguage].append((service.pk, language.pk, via))
        phones = self._plan_phones(batch, record, record.phones or [], service=service)
        self._plan_hours(batch, service, record.hours or [])
        sals = {}
        for key, sal_id, description, hours in record.locations:
            location = locations.get(key)
            if location is None:
                continue
            sal = sals.get(location.pk)
            if sal is None:
                sal = sals[location.pk] = ServiceAtLocation(service=service, location=location)
                if sal_id:
                    sal.id = sal_id
                batch.places.append(sal)
            if description:
                sal.description = description[:300]
            if hours is not None:
                batch.sal_hours = [h for h in batch.sal_hours if h[1] is not sal]
                batch.sal_hours.append((service, sal, hours))
        return service, bool(service.url or service.email or phones)

    def _plan_source_id(self, batch, kind, external_id, instance):
        if external_id:
            batch.source_ids.append(
                SourceId(source=self.source, kind=kind, external_id=external_id, **{kind: instance})
            )

    def _plan_hours(self, batch, service, hours, sal=None):
        sal_id = sal.pk if sal is not None else None
        for weekday, opens, closes, row_id in hours:
            batch.values[Schedule].append(
                (row_id or uuid.uuid4(), service.pk, sal_id, weekday, opens, closes)
            )

    # -- the batch, inserted

    def _flush(self, batch):
        if not batch.records:
            return
        for record, org, services in batch.check_contact:
            if not any(s and s[1] for s in services):
                self.error(
                    record.source,
                    "",
                    _("%s cannot be published: it has no website, email or phone.") % org.name,
                )
        for service, sal, hours in batch.sal_hours:
            self._plan_hours(batch, service, hours, sal)
        try:
            with transaction.atomic():
                self._insert(batch)
        except IntegrityError:
            # Some row breaks a constraint: write the batch row by row, which
            # names it (the errors and outcomes planned above are dropped).
            del self.report.outcomes[batch.outcomes :]
            del self.report.errors[batch.errors :]
            self.slugs.difference_update(batch.slugs)
            for record in batch.records:
                self._one_by_one(record)
            return
        indexing.refresh([org.pk for org in batch.rows[Organization]])

    def _insert(self, batch):
        when = timezone.now()
        history = {}
        for model in (Organization, Location, Service, Phone):
            copy_insert.insert(model, batch.rows[model])
        links = {}
        for (model, name), rows in batch.through.items():
            field = model._meta.get_field(name)
            columns = [field.m2m_column_name(), field.m2m_reverse_name()]
            through = field.remote_field.through
            # Their ids first: the history rows name them.
            links[model, name] = copy_insert.insert_values(through, columns, rows, need_ids=True)
        for model in (Organization, Location, Service, Phone):
            history[model] = copy_insert.insert_history(
                model, batch.rows[model], user=self.user, when=when
            )
        for (model, name), rows in batch.through.items():
            field = model._meta.get_field(name)
            m2m_history = getattr(model.history.model, name).model
            columns = ["history_id", "id", field.m2m_column_name(), field.m2m_reverse_name()]
            copy_insert.insert_values(
                m2m_history,
                columns,
                (
                    (history[model][owner], link, owner, target)
                    for link, (owner, target) in zip(links[model, name], rows, strict=True)
                ),
            )
        copy_insert.insert(ServiceAtLocation, batch.places)
        copy_insert.insert_values(ServiceLanguage, LANGUAGE_COLUMNS, batch.values[ServiceLanguage])
        copy_insert.insert_values(Schedule, SCHEDULE_COLUMNS, batch.values[Schedule])
        copy_insert.insert(SourceId, batch.source_ids)


def _near(other, location):
    """Location.objects.confidential_near's test, for locations not stored yet."""
    if other.search_latitude is None:
        return False
    if location.latitude is None:
        return (
            other.latitude is None
            and other.city.lower() == location.city.lower()
            and other.state.lower() == location.state.lower()
        )
    if other.latitude is None:
        return False
    min_lat, max_lat, min_lon, max_lon = bounding_box(
        (location.latitude, location.longitude), SHARE_MILES
    )
    return min_lat <= other.latitude <= max_lat and min_lon <= other.longitude <= max_lon
