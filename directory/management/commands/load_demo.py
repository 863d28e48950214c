"""Load the reference vocabularies and the fictional demo listings.

Used by `make run`. Safe to run again: fixtures carry fixed keys, so a second
run updates rows instead of adding new ones. Demo staff accounts are created
only while DEBUG is on, so a production database never gets known passwords.
Fixture rows skip the search-text rebuild on save (directory/signals.py), so
it is rebuilt here, once per organization, and the typo-correction
vocabulary after it (directory/spelling.py).

Sample events are made here rather than in a fixture: their dates are counted
from today, so the demo always has events in the coming weeks.
"""

import uuid
from datetime import time, timedelta

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone

from directory import search_index
from directory.events import occurrences
from directory.models import (
    Event,
    EventCancellation,
    EventType,
    Language,
    Location,
    Organization,
    Repeat,
    Resource,
    ResourceAudience,
    ResourceKind,
    ResourceTopic,
    ResourceVersion,
    Status,
    Visibility,
)

REFERENCE_FIXTURES = ["languages", "taxonomy", "detention_facilities"]
DEMO_ACCOUNTS = [
    # username, password, group
    ("curator", "demo-curator-pass", "Curators"),
    ("publisher", "demo-publisher-pass", "Publishers"),
]


SAMPLE_NOTE = "Sample event made by load_demo: fictional, like every demo listing."
# slug of the organization, title, type, days from today, start and end hours,
# repeat, languages, and what else differs.
SAMPLE_EVENTS = [
    (
        "puente-legal-clinic-east-la",
        "Sample: Know your rights workshop",
        EventType.WORKSHOP,
        2,
        (18, 0),
        (19, 30),
        Repeat.WEEKLY,
        ["es", "en"],
        {"cancel_third": True},
    ),
    (
        "koreatown-immigrant-justice-center",
        "Sample: DACA renewal clinic",
        EventType.LEGAL_CLINIC,
        9,
        (10, 0),
        (14, 0),
        Repeat.MONTHLY_WEEKDAY,
        ["ko", "en"],
        {"registration": "Call to book a 30-minute slot. Bring your current work permit."},
    ),
    (
        "greater-la-immigrant-justice-coalition",
        "Sample: Online community forum on local enforcement",
        EventType.FORUM,
        10,
        (17, 30),
        (19, 0),
        Repeat.NONE,
        ["en", "es"],
        {"online": True, "online_url": "https://forum.example.org/join"},
    ),
    (
        "casa-de-acogida-esperanza",
        "Sample: Support group for families",
        EventType.SUPPORT_GROUP,
        5,
        (16, 0),
        (17, 30),
        Repeat.EVERY_N_WEEKS,
        ["es"],
        {"confidential_place": True, "accessibility": "Childcare on site. Step-free entrance."},
    ),
    (
        "south-la-rapid-response-network",
        "Sample: Rapid-response volunteer training",
        EventType.TRAINING,
        14,
        (18, 30),
        (21, 0),
        Repeat.NONE,
        ["en", "es"],
        {"visibility": Visibility.PARTNERS, "online": True},
    ),
    (
        "pasadena-asylum-project",
        "Sample: Free legal consultation day",
        EventType.CONSULTATION_DAY,
        20,
        (9, 0),
        (15, 0),
        Repeat.NONE,
        ["es", "fa"],
        {"is_free": True},
    ),
]


def load_sample_events():
    """Create or update the sample events, dated from today; return how many."""
    today = timezone.localdate()
    made = 0
    for slug, title, kind, days, start, end, repeat, codes, extra in SAMPLE_EVENTS:
        organization = Organization.objects.filter(slug=slug).first()
        if organization is None:
            continue
        extra = dict(extra)
        cancel_third = extra.pop("cancel_third", False)
        confidential = extra.pop("confidential_place", False)
        place = Location.objects.filter(
            organization=organization, is_confidential=confidential
        ).first()
        if place is None and not extra.get("online"):
            extra["online"] = True
        event, _created = Event.objects.update_or_create(
            id=uuid.uuid5(uuid.NAMESPACE_URL, f"demo-event:{slug}:{title}"),
            defaults={
                "organization": organization,
                "title": title,
                "event_type": kind,
                "description": f"{title.removeprefix('Sample: ')}. {SAMPLE_NOTE}",
                "starts_on": today + timedelta(days=days),
                "start_time": time(*start),
                "end_time": time(*end),
                "time_zone": "America/Los_Angeles",
                "repeat": repeat,
                "repeat_interval": 2,
                "location": place,
                "status": Status.PUBLISHED,
                "curator_notes": SAMPLE_NOTE,
                "last_verified_on": today,
                **extra,
            },
        )
        event.languages.set(Language.objects.filter(code__in=codes))
        event.cancellations.all().delete()
        if cancel_third:
            third = occurrences(event, limit=3)[-1]
            EventCancellation.objects.create(
                event=event, date=third.date, note="Sample cancellation: no workshop this week."
            )
        made += 1
    return made


SAMPLE_RESOURCE_NOTE = "Sample resource made by load_demo: written for the demo, not reviewed."
# slug, kind, topic, audience, source organization's slug, {language: (title, text)}
SAMPLE_RESOURCES = [
    (
        "sample-rights-at-the-door",
        ResourceKind.RIGHTS_CARD,
        ResourceTopic.AGENTS,
        ResourceAudience.EVERYONE,
        "puente-legal-clinic-east-la",
        {
            "en": (
                "Sample: Your rights at the door",
                "[Sample resource] Keep the door closed. Ask to see a warrant signed by a "
                "judge.\n\nYou have the right to remain silent. Do not sign anything before "
                "you speak with a lawyer.",
            ),
            "es": (
                "Ejemplo: Sus derechos en la puerta",
                "[Recurso de ejemplo] Mantenga la puerta cerrada. Pida ver una orden firmada "
                "por un juez.\n\nTiene derecho a guardar silencio. No firme nada antes de "
                "hablar con un abogado.",
            ),
            "ko": (
                "예시: 문 앞에서의 권리",
                "[예시 자료] 문을 닫아 두십시오. 판사가 서명한 영장을 보여 달라고 "
                "요청하십시오.\n\n귀하는 묵비권이 있습니다. 변호사와 상담하기 전에는 "
                "아무것에도 서명하지 마십시오.",
            ),
        },
    ),
    (
        "sample-family-preparedness-checklist",
        ResourceKind.CHECKLIST,
        ResourceTopic.FAMILY_PLAN,
        ResourceAudience.FAMILIES,
        "",
        {
            "en": (
                "Sample: Family preparedness checklist",
                "[Sample resource] Choose who will care for your children and tell the "
                "school.\n\nKeep copies of birth certificates and passports in one place "
                "a trusted person can reach.\n\nLearn by heart the phone number of a lawyer "
                "and of a rapid response hotline.",
            ),
            "es": (
                "Ejemplo: Lista para preparar a su familia",
                "[Recurso de ejemplo] Elija quién cuidará de sus hijos e informe a la "
                "escuela.\n\nGuarde copias de actas de nacimiento y pasaportes en un lugar "
                "al que pueda llegar una persona de confianza.\n\nAprenda de memoria el "
                "teléfono de un abogado y de una línea de respuesta rápida.",
            ),
        },
    ),
    (
        "sample-spot-notario-fraud",
        ResourceKind.GUIDE,
        ResourceTopic.FRAUD,
        ResourceAudience.EVERYONE,
        "",
        {
            "en": (
                "Sample: How to spot notario fraud",
                "[Sample resource] In the United States a notario is not a lawyer and may not "
                "give legal advice.\n\nOnly attorneys and accredited representatives of "
                "DOJ-recognized organizations may help with your immigration case.",
            ),
            "es": (
                "Ejemplo: Cómo reconocer el fraude de notarios",
                "[Recurso de ejemplo] En los Estados Unidos un notario no es abogado y no "
                "puede dar asesoría legal.\n\nSolo los abogados y los representantes "
                "acreditados de organizaciones reconocidas por el DOJ pueden ayudarle con su "
                "caso de inmigración.",
            ),
            "zh-hans": (
                "示例：如何识别“公证人”欺诈",
                "[示例资料] 在美国，“公证人”（notario）不是律师，不得提供法律建议。\n\n"
                "只有律师和司法部认可组织的认可代表才能协助处理您的移民案件。",
            ),
        },
    ),
]


def load_sample_resources():
    """Published sample rights material in a few languages; updated in place on a rerun."""
    for slug, kind, topic, audience, source, versions in SAMPLE_RESOURCES:
        resource, _created = Resource.objects.update_or_create(
            slug=slug,
            defaults={
                "title": versions["en"][0],
                "kind": kind,
                "topic": topic,
                "audience": audience,
                "source_organization": Organization.objects.filter(slug=source).first(),
                "source_name": "" if source else "Demo data",
                "status": Status.PUBLISHED,
                "curator_notes": SAMPLE_RESOURCE_NOTE,
            },
        )
        for language, (title, text) in versions.items():
            ResourceVersion.objects.update_or_create(
                resource=resource, language=language, defaults={"title": title, "text": text}
            )
    return len(SAMPLE_RESOURCES)


class Command(BaseCommand):
    help = "Load reference data and fictional demo listings (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reference-only", action="store_true", help="Load only the reference vocabularies."
        )

    def handle(self, *args, reference_only=False, **options):
        fixtures = REFERENCE_FIXTURES + ([] if reference_only else ["demo", "demo_translations"])
        call_command("loaddata", *fixtures, verbosity=options["verbosity"])
        # Also after the reference data alone: renamed categories change listings' text.
        search_index.rebuild()
        if reference_only:
            return
        count = load_sample_events()
        self.stdout.write(f"{count} sample events dated from today.")
        count = load_sample_resources()
        self.stdout.write(f"{count} sample resources.")
        if not settings.DEBUG:
            self.stdout.write("DEBUG is off: no demo accounts created.")
            return
        for username, password, group in DEMO_ACCOUNTS:
            user, created = User.objects.get_or_create(
                username=username, defaults={"is_staff": True}
            )
            if created:
                user.set_password(password)
                user.save()
            user.groups.add(Group.objects.get(name=group))
        self.stdout.write(
            self.style.SUCCESS("Demo data loaded (all organizations are fictional sample data).")
        )
        self.stdout.write("Sign in at /admin/ as a demo curator or publisher:")
        for username, password, group in DEMO_ACCOUNTS:
            self.stdout.write(f"  {group[:-1]:<10} username {username!r}, password {password!r}")
