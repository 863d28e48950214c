"""Tiny factories for test rows: only the fields a test cares about."""

import itertools
from datetime import date, time, timedelta

from django.contrib.auth.models import Group, User

from directory.models import (
    Event,
    EventCancellation,
    Language,
    Location,
    Organization,
    OrganizationKind,
    Phone,
    Resource,
    ResourceVersion,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceLanguage,
    Status,
    TaxonomyTerm,
)

_seq = itertools.count(1)


def make_organization(name=None, status=Status.PUBLISHED, kinds=(), **fields):
    n = next(_seq)
    name = name or f"Organization {n}"
    fields.setdefault("slug", f"org-{n}")
    fields.setdefault("website", f"https://org{n}.example.org/")
    org = Organization.objects.create(name=name, status=status, **fields)
    if kinds:
        org.kinds.set(OrganizationKind.objects.filter(code__in=kinds))
    return org


def make_service(
    organization=None, name=None, status=Status.PUBLISHED, terms=(), languages=(), **fields
):
    organization = organization or make_organization()
    service = Service.objects.create(
        organization=organization, name=name or f"Service {next(_seq)}", status=status, **fields
    )
    if terms:
        service.taxonomy_terms.set(terms)
    for code in languages:
        ServiceLanguage.objects.create(service=service, language=make_language(code))
    return service


def make_language(code="es", name=None):
    names = {"es": "Spanish", "en": "English", "vi": "Vietnamese", "ko": "Korean", "zh": "Chinese"}
    language, _ = Language.objects.get_or_create(
        code=code, defaults={"name": name or names.get(code, code)}
    )
    return language


def make_term(code, name=None, parent=None):
    return TaxonomyTerm.objects.create(code=code, name=name or code.title(), parent=parent)


def make_location(organization, services=(), **fields):
    fields.setdefault("city", "Los Angeles")
    fields.setdefault("state", "CA")
    location = Location.objects.create(organization=organization, **fields)
    for service in services:
        ServiceAtLocation.objects.create(service=service, location=location)
    return location


def make_phone(number="(213) 555-0100", **fields):
    return Phone.objects.create(number=number, **fields)


def make_hours(service, weekday, opens, closes):
    return Schedule.objects.create(
        service=service, weekday=weekday, opens_at=time(*opens), closes_at=time(*closes)
    )


def make_staff(username, group, password="correct-horse-battery"):
    user = User.objects.create_user(username, password=password, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


def verified_login(client, user):
    """Sign a staff member in with both factors, as after the real flow."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device, _ = TOTPDevice.objects.get_or_create(user=user, name="test", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def make_event(organization=None, title=None, status=Status.PUBLISHED, languages=(), **fields):
    """A published one-off evening workshop a week from today, online unless given a place."""
    organization = organization or make_organization()
    fields.setdefault("starts_on", date.today() + timedelta(days=7))
    fields.setdefault("start_time", time(18))
    fields.setdefault("end_time", time(20))
    fields.setdefault("time_zone", "America/Los_Angeles")
    if "location" not in fields:
        fields.setdefault("online", True)
    event = Event.objects.create(
        organization=organization,
        title=title or f"Event {next(_seq)}",
        status=status,
        **fields,
    )
    for code in languages:
        event.languages.add(make_language(code))
    return event


def make_resource(title=None, status=Status.PUBLISHED, versions=None, **fields):
    """Published rights material; `versions` is {language: (title, text)}, English by default."""
    title = title or f"Resource {next(_seq)}"
    fields.setdefault("kind", "card")
    fields.setdefault("topic", "agents")
    resource = Resource.objects.create(
        title=title, slug=fields.pop("slug", f"resource-{next(_seq)}"), status=status, **fields
    )
    for language, (version_title, text) in (versions or {"en": (title, "Stay calm.")}).items():
        ResourceVersion.objects.create(
            resource=resource, language=language, title=version_title, text=text
        )
    return resource


def cancel(event, day, note=""):
    return EventCancellation.objects.create(event=event, date=day, note=note)
