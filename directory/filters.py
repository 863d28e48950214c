"""The public search: every filter is a GET parameter, so results can be bookmarked."""

import django_filters
from django import forms
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from . import geo
from .models import (
    DetentionFacility,
    Kind,
    Language,
    Population,
    Service,
    TaxonomyTerm,
)
from .search import MAX_QUERY_LENGTH

RADIUS_CHOICES = [
    (5, _("5 miles")),
    (10, _("10 miles")),
    (25, _("25 miles")),
    (50, _("50 miles")),
    (100, _("100 miles")),
]
DEFAULT_RADIUS = 25
FEE_CHOICES = [("free", _("Free only")), ("sliding", _("Free or sliding scale"))]
CREDENTIAL_CHOICES = [
    ("doj", _("DOJ-recognized organization")),
    ("attorney", _("Attorney on staff")),
    ("accredited", _("DOJ-accredited representative")),
]
SORT_CHOICES = [
    ("relevance", _("Best match")),
    ("distance", _("Nearest")),
    ("name", _("Name")),
    ("verified", _("Recently verified")),
]
_UNUSABLE = _("“%(filter)s” had a value we could not use, so it was ignored.")
# Filters that narrow services: an organization matches when ONE of its
# public services matches all of them at once.
SERVICE_FILTERS = (
    "category",
    "language",
    "fee",
    "population",
    "detention",
    "facility",
    "open_now",
    "remote",
)


class LenientMultipleChoiceField(forms.MultipleChoiceField):
    """Keep the known codes and drop unknown ones (remembered in `.ignored`)."""

    def clean(self, value):
        value = [str(v) for v in (value or [])]
        known = {str(key) for key, _label in self.choices}
        self.ignored = [v for v in value if v not in known]
        return list(dict.fromkeys(v for v in value if v in known))


class LenientMultipleChoiceFilter(django_filters.MultipleChoiceFilter):
    field_class = LenientMultipleChoiceField


# Every choice list below comes from public services only: a value that only
# a hidden listing uses (a partners-only service's language, a draft's
# category or facility) must not even be a known choice.


def _term_choices():
    """Categories a public service has, and the parents above them (one query)."""
    used_by_public = Service.taxonomy_terms.through.objects.filter(
        taxonomyterm=OuterRef("pk"), service__in=Service.objects.public().values("pk")
    )
    terms = list(TaxonomyTerm.objects.only("code", "name").annotate(public=Exists(used_by_public)))
    used = [term.code for term in terms if term.public]
    return [
        (term.code, term.display_name)
        for term in terms
        if any(code == term.code or code.startswith(f"{term.code}.") for code in used)
    ]


def _language_choices():
    # Only languages a public service offers, or the list would be hundreds long.
    rows = Language.objects.filter(services__in=Service.objects.public().values("pk")).distinct()
    return sorted(((lang.code, lang.display_name) for lang in rows), key=lambda c: c[1])


def _facility_choices():
    serving = Service.objects.public().filter(serves_detained=True)
    facilities = DetentionFacility.objects.filter(services__in=serving.values("pk")).distinct()
    # An empty first choice, or the browser would send the first facility with
    # every search made from the form.
    return [("", _("Any facility"))] + [(str(f.pk), str(f)) for f in facilities]


class DirectoryFilter(django_filters.FilterSet):
    """Organizations matching the search form.

    The filters are declared for the form and its validation; filter_queryset
    combines them, because the service filters must match one service
    together. Invalid values are ignored and explained in `notices`.
    """

    q = django_filters.CharFilter(label=_("What do you need?"))
    near = django_filters.CharFilter(label=_("Near (ZIP code or City, ST)"))
    radius = django_filters.TypedChoiceFilter(
        label=_("Within"), choices=RADIUS_CHOICES, coerce=int, empty_value=None
    )
    category = LenientMultipleChoiceFilter(label=_("Type of help"), choices=_term_choices)
    kind = LenientMultipleChoiceFilter(label=_("Kind of organization"), choices=Kind.choices)
    language = LenientMultipleChoiceFilter(label=_("Language spoken"), choices=_language_choices)
    fee = django_filters.ChoiceFilter(label=_("Cost"), choices=FEE_CHOICES)
    credential = LenientMultipleChoiceFilter(
        label=_("Legal credentials"), choices=CREDENTIAL_CHOICES
    )
    detention = django_filters.BooleanFilter(
        label=_("Helps people in detention"), widget=forms.CheckboxInput
    )
    facility = django_filters.TypedChoiceFilter(
        label=_("Detention facility"), choices=_facility_choices, coerce=int, empty_value=None
    )
    open_now = django_filters.BooleanFilter(label=_("Open now"), widget=forms.CheckboxInput)
    remote = django_filters.BooleanFilter(
        label=_("Available by phone or video"), widget=forms.CheckboxInput
    )
    population = LenientMultipleChoiceFilter(label=_("Serves"), choices=Population.choices)
    sort = django_filters.ChoiceFilter(label=_("Sort by"), choices=SORT_CHOICES, empty_label=None)

    def __init__(self, data=None, *args, **kwargs):
        self.notices = []
        # Narrowed by filter_queryset; exports and views prefetch from it.
        self.services = Service.objects.public()
        if data is not None:
            data = self._sanitized(data)
        super().__init__(data, *args, **kwargs)
        # Callable choices would run their query every time they are read.
        for field in self.form.fields.values():
            if hasattr(field, "choices"):
                field.choices = list(field.choices)

    def _sanitized(self, data):
        """Drop NUL bytes everywhere and shorten an overlong query."""
        data = data.copy()
        for key in list(data):
            data.setlist(key, [v.replace("\x00", "") for v in data.getlist(key)])
        # Defaults, so the form shows (and sends again) what the search actually
        # does: a value the select cannot show would be sent as its first option.
        defaults = {
            "radius": str(DEFAULT_RADIUS),
            "sort": "relevance" if data.get("q") else "distance" if data.get("near") else "name",
        }
        for name, choices in (("radius", RADIUS_CHOICES), ("sort", SORT_CHOICES)):
            if data.get(name) not in {str(value) for value, _label in choices}:
                if data.get(name):
                    self.notices.append(_UNUSABLE % {"filter": self.base_filters[name].label})
                data[name] = defaults[name]
        q = data.get("q", "")
        if len(q) > MAX_QUERY_LENGTH:
            data["q"] = q[:MAX_QUERY_LENGTH]
            self.notices.append(_("Your search was long, so only its beginning was used."))
        return data

    @property
    def point(self):
        """The (lat, lon) searched near, or None."""
        if not hasattr(self, "_point"):
            near = (
                self.form.cleaned_data.get("near") if self.is_bound and self.form.is_valid() else ""
            )
            self._point = geo.locate(near) if near else None
        return self._point

    @cached_property
    def time_zones(self):
        """The time zones services use, looked up once for every `apply`."""
        return set(
            Service.objects.public().order_by().values_list("time_zone", flat=True).distinct()
        )

    def filter_queryset(self, queryset):
        self._collect_notices()
        orgs, self.services = self.apply(queryset, self.form.cleaned_data)
        return orgs

    def _collect_notices(self):
        for field in self.form.fields.values():
            for code in getattr(field, "ignored", ()):
                self.notices.append(
                    _("“%(value)s” is not a known choice for “%(filter)s”, so it was ignored.")
                    % {"value": code[:50], "filter": field.label}
                )
        for name in self.form.errors:
            label = self.form.fields[name].label if name in self.form.fields else name
            self.notices.append(_UNUSABLE % {"filter": label})
        near = self.form.cleaned_data.get("near")
        if near and self.point is None:
            self.notices.append(
                _("We could not find “%(place)s”. Try a 5-digit ZIP code or “City, ST”.")
                % {"place": near[:100]}
            )

    def active(self, data):
        """Return {name: value} of the filters that narrow the results."""
        return {
            name: value
            for name, value in data.items()
            if value not in (None, "", [], False) and name not in ("sort", "radius")
        }

    def apply(self, queryset, data):
        """Return (organizations, their matching public services) for cleaned data."""
        services = Service.objects.public()
        if data.get("category"):
            services = services.in_categories(data["category"])
        if data.get("language"):
            services = services.speaking(data["language"])
        if data.get("fee"):
            services = services.with_fee(data["fee"])
        if data.get("population"):
            services = services.serving(data["population"])
        if data.get("detention") or data.get("facility"):
            services = services.serving_detained(data.get("facility"))
        if data.get("remote"):
            services = services.remote()
        if data.get("open_now"):
            services = services.open_at(timezone.now(), self.time_zones)
        if any(data.get(name) for name in SERVICE_FILTERS):
            queryset = queryset.offering(services)
        if data.get("kind"):
            queryset = queryset.of_kinds(data["kind"])
        if data.get("credential"):
            queryset = queryset.with_credentials(data["credential"])
        if data.get("q"):
            queryset = queryset.matching(data["q"])
        if data.get("near") and self.point:
            queryset = queryset.near(self.point, data.get("radius") or DEFAULT_RADIUS)
        return self._sorted(queryset, data), services

    def _sorted(self, queryset, data):
        sort = data.get("sort") or (
            "relevance" if data.get("q") else "distance" if self.point else "name"
        )
        if sort == "relevance" and data.get("q"):
            # Stale listings sink below fresh ones, but stay findable.
            return queryset.annotate_freshness().order_by("-is_fresh", "-rank", "name")
        if sort == "distance" and data.get("near") and self.point:
            return queryset.order_by(F("distance").asc(nulls_last=True), "name")
        if sort == "verified":
            return queryset.order_by(F("last_verified_on").desc(nulls_last=True), "name")
        return queryset.order_by("name")
