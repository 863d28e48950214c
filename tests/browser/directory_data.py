"""Demo-like listings for the browser tests, made with tests/factories.py.

Browser tests need a transactional database, which is flushed after each test:
that also removes what migration 0002 seeded (organization kinds, populations,
roles), so make_directory() puts back what the pages need: the kinds and
populations, the languages fixture and the two categories the listings use;
seed_roles() puts back the Curators and Publishers groups for the admin journeys.
"""

import importlib
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader

from directory import indexing
from directory.models import (
    Fee,
    Organization,
    OrganizationKind,
    PhoneType,
    PopulationServed,
    Repeat,
    Schedule,
    Service,
    TaxonomyTerm,
)
from tests.factories import (
    cancel,
    make_event,
    make_location,
    make_organization,
    make_phone,
    make_resource,
    make_service,
    make_term,
)

seed = importlib.import_module("directory.migrations.0002_seed_vocabularies_and_roles")
moderation_roles = importlib.import_module(
    "directory.migrations.0006_partners_and_moderation_roles"
)

# The 20 listings that match the phone journey's search, plus others that must not.
MATCHING = 20
RESULTS_QUERY = "?category=legal.removal-defense&language=es&fee=free&open_now=true"
EVERY_DAY = range(7)


@dataclass
class Directory:
    first: Organization
    first_service: Service
    matching: list = field(default_factory=list)
    others: list = field(default_factory=list)
    event: object = None
    resource: object = None


def seed_vocabularies():
    """Create the reference rows the listings use (idempotent)."""
    for code in seed.KINDS:
        OrganizationKind.objects.get_or_create(code=code)
    for code in seed.POPULATIONS:
        PopulationServed.objects.get_or_create(code=code)
    call_command("loaddata", "languages", verbosity=0)
    legal = make_term("legal", "Legal help")
    make_term("legal.removal-defense", "Removal defense", parent=legal)


def _legal_aid(n, name, *, fee=Fee.FREE, languages=("es", "en"), open_now=True, city="Los Angeles"):
    org = make_organization(
        name,
        slug=f"legal-aid-{n}",
        kinds=["legal"],
        last_verified_on=date.today(),
        description="Free immigration lawyers and DOJ-accredited representatives.",
    )
    make_phone(f"(213) 555-{n:04d}", organization=org, type=PhoneType.VOICE)
    service = make_service(
        org,
        "Deportation defense",
        terms=TaxonomyTerm.objects.filter(code="legal.removal-defense"),
        languages=languages,
        fee=fee,
        description="Representation in immigration court for people facing deportation.",
    )
    make_location(
        org,
        services=[service],
        address_1=f"{100 + n} E Cesar E Chavez Ave",
        city=city,
        postal_code="90033",
        latitude=34.0437 + n / 1000,
        longitude=-118.2101,
    )
    if open_now:
        # Open around the clock, so "open now" holds whenever the suite runs:
        # midnight to noon, and noon to midnight (a closing time before the
        # opening time ends the next day).
        Schedule.objects.bulk_create(
            Schedule(service=service, weekday=day, opens_at=opens, closes_at=closes)
            for day in EVERY_DAY
            for opens, closes in [(time(0), time(12)), (time(12), time(0))]
        )
        # bulk_create sends no signals: bring the search index up to date, as
        # every bulk write path does.
        indexing.refresh([org.pk])
    return org, service


def seed_roles():
    """Put back the staff groups, with the permissions their migrations give them."""
    # The migrations' own code, run against the models as migrated.
    migrated = MigrationLoader(connection).project_state().apps
    seed.forwards(migrated, None)
    moderation_roles.forwards(migrated, None)


@transaction.atomic  # one commit, not hundreds: much faster on PostgreSQL
def make_directory():
    seed_vocabularies()
    first, first_service = _legal_aid(0, "Eastside Immigrant Defense")
    directory = Directory(first=first, first_service=first_service, matching=[first])
    for n in range(1, MATCHING):
        directory.matching.append(_legal_aid(n, f"Legal Aid Clinic {n:02d}")[0])
    directory.others += [
        _legal_aid(50, "Paid Counsel Group", fee=Fee.PAID)[0],
        _legal_aid(51, "Vietnamese Legal Services", languages=("vi", "en"))[0],
        _legal_aid(52, "Closed Today Law Office", open_now=False)[0],
    ]
    # A weekly clinic at the first organization's place, with its second date cancelled.
    directory.event = make_event(
        first,
        "Know your rights workshop",
        location=first.locations.first(),
        online=False,
        repeat=Repeat.WEEKLY,
        languages=["es", "en"],
        registration="Call to save a seat.",
    )
    cancel(directory.event, directory.event.starts_on + timedelta(weeks=1), "Holiday")
    make_event(first, "Online DACA renewal clinic", event_type="legal_clinic", languages=["es"])
    directory.resource = make_resource(
        "Your rights at the door",
        source_organization=first,
        reviewed_on=date(2026, 11, 2),
        reviewed_by="An immigration attorney",
        versions={
            "en": ("Your rights at the door", "Keep the door closed.\n\nAsk for a warrant."),
            "es": ("Sus derechos en la puerta", "Mantenga la puerta cerrada."),
            "fa": ("حقوق شما دم در", "در را بسته نگه دارید."),
        },
    )
    return directory
