"""The public search: every filter is a GET parameter, so results can be bookmarked."""

import django_filters
from django import forms
from django.db import connections, router
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import choices, geo, hours, search, spelling, synonyms
from .choices import memoized
from .models import (
    DetentionFacility,
    Kind,
    Language,
    Location,
    OpeningInterval,
    Population,
    SearchEntry,
    Service,
    ServiceEntry,
    ServiceLanguage,
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
# category or facility) must not even be a known choice. Each is read once
# per process until the index changes (directory/choices.py).


def public_services_with(field):
    """Exists: a public service uses this row (through the many-to-many `field`)."""
    through = Service._meta.get_field(field).remote_field.through
    column = {"taxonomy_terms": "taxonomyterm", "detention_facilities": "detentionfacility"}
    return Exists(
        through.objects.filter(
            **{column[field]: OuterRef("pk")}, service__in=ServiceEntry.objects.values("pk")
        )
    )


@memoized
def _terms():
    """Categories a public service has, and the parents above them."""
    rows = list(
        TaxonomyTerm.objects.annotate(public=public_services_with("taxonomy_terms")).values_list(
            "code", "name", "public"
        )
    )
    used = [code for code, _name, public in rows if public]
    return [
        (code, name)
        for code, name, _public in rows
        if any(u == code or u.startswith(f"{code}.") for u in used)
    ]


@memoized
def _languages():
    if connections[router.db_for_read(SearchEntry)].vendor == "postgresql":
        # A probe of the index's tags (GIN) a language: 27 ms at 100,000
        # services, where joining 170,000 service languages to the public
        # services takes 130-200 ms. SQLite has no such index: there the join
        # is the faster (110 ms against 170 at 10,000).
        offered = Q(pk__in=[])
        for code in Language.objects.values_list("code", flat=True):
            tagged = SearchEntry.objects.filter(tags__has_all=[f"l:{code}"])
            offered |= Q(code=code) & Exists(tagged)
    else:
        offered = Exists(
            ServiceLanguage.objects.filter(
                language=OuterRef("pk"), service__in=ServiceEntry.objects.values("pk")
            )
        )
    return list(Language.objects.filter(offered).values_list("code", "name", "native_name"))


@memoized
def _facilities():
    serving = ServiceEntry.objects.filter(tags__has_all=["det"]).values("pk")
    through = Service.detention_facilities.through.objects.filter(
        detentionfacility=OuterRef("pk"), service__in=serving
    )
    return [(str(f.pk), str(f)) for f in DetentionFacility.objects.filter(Exists(through))]


# DISTINCT reads every opening (450,000 rows, 50 ms at 100,000 services);
# stepping from one zone to the next down the (time_zone, ...) index reads
# one index entry a zone.
_ZONES = """
WITH RECURSIVE z(tz) AS (
    SELECT MIN(time_zone) FROM {table}
    UNION ALL
    SELECT (SELECT MIN(time_zone) FROM {table} WHERE time_zone > z.tz) FROM z
    WHERE z.tz IS NOT NULL
)
SELECT tz FROM z WHERE tz IS NOT NULL
"""


@memoized
def time_zones():
    """The time zones public services keep hours in."""
    with connections[router.db_for_read(OpeningInterval)].cursor() as cursor:
        cursor.execute(_ZONES.format(table=OpeningInterval._meta.db_table))
        return [zone for (zone,) in cursor.fetchall()]


def read_choices():
    """Read every choice list into this process (directory/warmup.py)."""
    for read in (_terms, _languages, _facilities, time_zones):
        read()


# Labels are translated when read, so each request gets its own language.


def _term_choices():
    return [(code, gettext(name)) for code, name in _terms()]


def _language_choices():
    rows = [
        (code, Language(name=name, native_name=native).display_name)
        for code, name, native in _languages()
    ]
    return sorted(rows, key=lambda choice: choice[1])


def _facility_choices():
    # An empty first choice, or the browser would send the first facility with
    # every search made from the form.
    return [("", _("Any facility")), *_facilities()]


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

    def __init__(self, data=None, *args, now=None, **kwargs):
        self.notices = []
        choices.sync()
        # One moment for every count and result of the page.
        self.now = now or timezone.now()
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
        for name, options in (("radius", RADIUS_CHOICES), ("sort", SORT_CHOICES)):
            if data.get(name) not in {str(value) for value, _label in options}:
                if data.get(name):
                    self.notices.append(_UNUSABLE % {"filter": self.base_filters[name].label})
                data[name] = defaults[name]
        q = data.get("q", "")
        if len(q) > MAX_QUERY_LENGTH:
            data["q"] = q[:MAX_QUERY_LENGTH]
            self.notices.append(_("Your search was long, so only its beginning was used."))
        return data

    @cached_property
    def typed(self):
        """The words typed, folded as the index stores them (directory/search.py)."""
        q = self.form.cleaned_data.get("q") if self.is_bound and self.form.is_valid() else ""
        return search.query_words(q or "")

    @cached_property
    def groups(self):
        """What the words typed mean: groups a listing must each match (directory/synonyms.py).

        Words the vocabulary does not know have their typos corrected
        (directory/spelling.py); `corrected` then holds the words searched
        for, for "Showing results for". A search typed as `=words` is not
        corrected.
        """
        return self._understood(correct=not self._as_typed())

    def _as_typed(self):
        return ((self.form.cleaned_data.get("q") or "") if self.typed else "").startswith("=")

    def _understood(self, correct=True):
        vocabulary = synonyms.vocabulary()
        groups = vocabulary.understand(self.typed)
        unknown = [g.shown for g in groups if not g.known]
        if not correct or not unknown:
            return groups
        corrections = dict(spelling.correct(unknown, extra=vocabulary.spelling))
        if not any(corrections.values()):
            return groups
        groups = [
            vocabulary.word_group(corrections[g.shown])
            if not g.known and corrections.get(g.shown)
            else g
            for g in groups
        ]
        self.corrected = [corrections.get(word) or word for word in self.typed]
        return groups

    corrected = None

    @property
    def typed_url(self):
        """This search, with the words as typed and no correction."""
        params = self.data.copy()
        params.pop("page", None)
        params["q"] = "=" + (self.form.cleaned_data.get("q") or "").lstrip("=")
        return f"?{params.urlencode()}"

    def search_as_typed(self):
        """Drop the typo corrections (they found nothing) and search again."""
        self.corrected = None
        self.__dict__["groups"] = self._understood(correct=False)
        self.entries, self.services = self.apply(self.form.cleaned_data)

    @property
    def place(self):
        """The Place searched near (directory/geo.py), or None."""
        if not hasattr(self, "_place"):
            near = (
                self.form.cleaned_data.get("near") if self.is_bound and self.form.is_valid() else ""
            )
            self._place = geo.find_place(near) if near else None
        return self._place

    @property
    def point(self):
        """The (lat, lon) searched near, or None."""
        return self.place.point if self.place else None

    def filter_queryset(self, queryset):
        """The organizations matching the form, for exports and the resource sheet.

        The results page reads `entries` instead (ordered SearchEntry rows).
        """
        self._collect_notices()
        self.entries, self.services = self.apply(self.form.cleaned_data)
        return queryset.filter(pk__in=self.entries.values("organization_id"))

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
        if near and self.place is None:
            self.notices.append(
                _(
                    "We could not find the place “%(place)s”, so the results are not limited "
                    "by distance. Try a ZIP code (90033), a city (Fresno, CA) or a "
                    "neighborhood (Boyle Heights)."
                )
                % {"place": near[:100]}
            )
        elif near and self.place.corrected:
            self.notices.append(
                _("We could not find “%(typed)s”, so we used the nearest name: %(place)s.")
                % {"typed": near[:100], "place": self.place.name}
            )
        elif near and self.place.others:
            self.notices.append(
                _(
                    "Several places are called “%(typed)s”: these results are near %(place)s. "
                    "For another one, add its state, as in “%(example)s”."
                )
                % {"typed": near[:100], "place": self.place.name, "example": self.place.others[0]}
            )

    def active(self, data):
        """Return {name: value} of the filters that narrow the results."""
        return {
            name: value
            for name, value in data.items()
            if value not in (None, "", [], False) and name not in ("sort", "radius")
        }

    def apply(self, data):
        """Return (ordered SearchEntry rows, their matching public services) for cleaned data."""
        entries, matching = self.match(data)
        services = Service.objects.public()
        if matching is not None:
            services = services.filter(pk__in=matching.values("service_id"))
        return self._sorted(entries, data), services

    def narrows_organizations(self, data):
        """Whether filters other than the service filters narrow the organizations."""
        return any(data.get(name) for name in ("kind", "credential", "q")) or bool(
            data.get("near") and self.point
        )

    def services_of(self, organization_ids):
        """The matching public services of these organizations (a page of results).

        As `services`, but "open now" looks only at these organizations' openings.
        """
        data = self.form.cleaned_data
        groups = service_groups(data)
        if not groups and not data.get("open_now"):
            return Service.objects.public()
        matching = ServiceEntry.objects.filter(
            *groups.values(), organization_id__in=organization_ids
        )
        if data.get("open_now"):
            matching = matching.filter(hours.open_now_q(self.now, time_zones(), organization_ids))
        return Service.objects.public().filter(pk__in=matching.values("service_id"))

    def match(self, data):
        """Return (SearchEntry rows, ServiceEntry rows of the matching services or None).

        The services are None when no filter narrows services.
        """
        groups = service_groups(data)
        entries = SearchEntry.objects.all()
        services = None
        if len(groups) == 1 and not data.get("open_now"):
            # An organization's tags hold every value of its services: exact
            # for one service filter.
            entries = entries.filter(*groups.values())
            services = ServiceEntry.objects.filter(*groups.values())
        elif groups or data.get("open_now"):
            # Several must hold for one service together.
            services = ServiceEntry.objects.filter(*groups.values())
            if data.get("open_now"):
                services = services.filter(hours.open_now_q(self.now, time_zones()))
            # EXISTS, not IN: PostgreSQL can then walk the entries in page
            # order and stop at a page, instead of joining them all first.
            entries = entries.filter(Exists(services.filter(organization_id=OuterRef("pk"))))
        if data.get("kind"):
            entries = entries.filter(tags__has_any=[f"k:{code}" for code in data["kind"]])
        if data.get("credential"):
            entries = entries.filter(tags__has_any=[f"cr:{code}" for code in data["credential"]])
        if data.get("q"):
            entries = search.matching(entries, self.groups)
        if data.get("near") and self.point:
            entries = near(entries, self.point, data.get("radius") or DEFAULT_RADIUS)
        return entries, services

    def _sorted(self, entries, data):
        sort = data.get("sort") or (
            "relevance" if data.get("q") else "distance" if self.point else "name"
        )
        if sort == "relevance" and data.get("q"):
            # Stale listings sink below fresh ones, but stay findable.
            return entries.annotate_freshness().order_by("-is_fresh", "-rank", "name")
        if sort == "distance" and data.get("near") and self.point:
            return entries.order_by(F("distance").asc(nulls_last=True), "name")
        if sort == "verified":
            return entries.order_by(F("last_verified_on").desc(nulls_last=True), "name")
        return entries.order_by("name")


def service_groups(data):
    """Return {filter name: Q on tags} for the filters a single service must match together."""
    groups = {}
    if data.get("category"):
        groups["category"] = Q(tags__has_any=[f"c:{code}" for code in data["category"]])
    if data.get("language"):
        groups["language"] = Q(tags__has_any=[f"l:{code}" for code in data["language"]])
    if data.get("fee"):
        groups["fee"] = Q(tags__has_all=[f"fee:{data['fee']}"])
    if data.get("population"):
        groups["population"] = Q(tags__has_any=[f"p:{code}" for code in data["population"]])
    if data.get("detention") or data.get("facility"):
        wanted = ["det"] + ([f"fac:{data['facility']}"] if data.get("facility") else [])
        groups["detention"] = Q(tags__has_all=wanted)
    if data.get("remote"):
        groups["remote"] = Q(tags__has_all=["remote"])
    return groups


def near(entries, point, miles):
    """Entries within `miles` of `point`, annotated with `distance` (miles).

    `distance` is to the nearest location's search point (a decoy for a
    confidential one, see geo.search_point); `distance_is_approximate` says
    the nearest is confidential. Nationwide services reach everyone: their
    organizations stay in, with no distance.
    """
    box = geo.bounding_box(point, miles)
    nearest = (
        Location.objects.filter(organization=OuterRef("organization_id"))
        .within(box)
        .with_distance(point)
        .order_by("distance", "-is_confidential", "pk")
    )
    nationwide = Q(tags__has_all=["nationwide"])
    return (
        entries.filter(
            Q(organization_id__in=Location.objects.within(box).values("organization_id"))
            | nationwide
        )
        .annotate(
            distance=Subquery(nearest.values("distance")[:1]),
            # A confidential nearest location's distance is to its decoy, and is
            # shown only as a band (directory/templatetags/distances.py).
            distance_is_approximate=Subquery(nearest.values("is_confidential")[:1]),
        )
        .filter(Q(distance__lte=miles) | nationwide)
    )
