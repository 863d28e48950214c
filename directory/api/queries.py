"""What each API endpoint lists, read from the search index.

The index (directory/search_index.py) holds a row for every public
organization (SearchEntry) and public service (ServiceEntry) and nothing
else, so filtering, counting and ordering a page never touch a hidden
listing. The rows of a page are then loaded through `public()` again
(directory/models.py), the one rule of what is public.

Pages are ordered by id: stable while a client walks them, and an index walk
on both databases.
"""

from django.db.models import Exists, OuterRef, Prefetch, Q

from .. import geo, search, synonyms
from ..choices import memoized
from ..exports import _into, service_prefetches
from ..filters import public_services_with
from ..models import (
    Location,
    OpeningInterval,
    Organization,
    Phone,
    SearchEntry,
    Service,
    ServiceAtLocation,
    ServiceEntry,
    ServiceLanguage,
    TaxonomyTerm,
    distance_from,
    in_box,
)
from ..search_index import MINUTES_PER_DAY
from . import documents

METERS_PER_MILE = 1609.344
WEEK = 7 * MINUTES_PER_DAY


# ---------------------------------------------------------------- taxonomies


@memoized
def public_terms():
    """{term id: (code, taxonomy)} of the terms a public service has, and their parents.

    The search form offers the same terms (directory/filters.py): a term only
    a hidden listing uses is not public. Read once per process until the
    index changes (directory/choices.py).
    """
    # One EXISTS per term (a few hundred), not every (service, term) pair:
    # at 100,000 services the pairs took a second to read.
    rows = {
        pk: (code, parent_id, taxonomy, used)
        for pk, code, parent_id, taxonomy, used in TaxonomyTerm.objects.annotate(
            used=public_services_with("taxonomy_terms")
        ).values_list("pk", "code", "parent_id", "taxonomy", "used")
    }
    public = {}
    for pk in [pk for pk, row in rows.items() if row[3]]:
        while pk is not None and pk not in public and pk in rows:
            code, parent_id, taxonomy, _used = rows[pk]
            public[pk] = (code, taxonomy)
            pk = parent_id
    return public


def public_taxonomies():
    """{taxonomy id: name} of the public terms' taxonomies."""
    names = {taxonomy for _code, taxonomy in public_terms().values()}
    return {documents.taxonomy_id(name): name for name in sorted(names)}


def terms(taxonomy=None, parent=None, top_only=False, words=None):
    rows = TaxonomyTerm.objects.filter(pk__in=list(public_terms())).order_by("code", "pk")
    if taxonomy is not None:
        rows = rows.filter(taxonomy=public_taxonomies().get(str(taxonomy)))
    if parent is not None:
        rows = rows.filter(parent_id=parent)
    if top_only:
        rows = rows.filter(parent__isnull=True)
    for word in words or ():
        rows = rows.filter(Q(name__icontains=word) | Q(code__icontains=word))
    return rows


def taxonomies(words=None):
    """[(id, name)] of the public taxonomies, optionally those whose name has these words."""
    found = public_taxonomies().items()
    for word in words or ():
        found = [(pk, name) for pk, name in found if word in search.fold(name)]
    return sorted(found, key=lambda row: (row[1], row[0]))


# ---------------------------------------------------------------- services


def _meaning(words):
    """The words of `search` read as the site's search box reads them (synonyms, stop words)."""
    return synonyms.vocabulary().understand(words)


def _category_tags(term, taxonomy):
    """The index tags of a taxonomy_term_id or taxonomy_id filter ([] matches nothing)."""
    public = public_terms()
    tags = []
    if term is not None:
        tags.append([f"c:{public[term][0]}"] if term in public else [])
    if taxonomy is not None:
        name = public_taxonomies().get(str(taxonomy))
        tags.append([f"c:{code}" for code, of in public.values() if of == name])
    return tags


def _open_between(day, starts, ends):
    """Exists: an opening of the service overlaps this window (UK profile's day/start/end)."""
    days = [day] if day is not None else range(7)
    starts = 0 if starts is None else starts
    ends = MINUTES_PER_DAY if ends is None else ends
    overlap = Q()
    for d in days:
        window = (d * MINUTES_PER_DAY + starts, d * MINUTES_PER_DAY + ends)
        overlap |= Q(starts__lt=window[1], ends__gt=window[0])
        if d == 0:  # Sunday's openings that run past midnight into Monday
            overlap |= Q(starts__lt=window[1] + WEEK, ends__gt=window[0] + WEEK)
    openings = OpeningInterval.objects.filter(overlap, service_id=OuterRef("service_id"))
    return Exists(openings) | Q(tags__has_all=["always"])


def service_entries(filters):
    """ServiceEntry rows of the public services matching the filters, in id order.

    `filters` may hold organization, term, taxonomy, words (search),
    modified_after, and day / starts / ends (minutes after midnight).
    """
    entries = ServiceEntry.objects.all()
    if filters.get("organization") is not None:
        entries = entries.filter(organization_id=filters["organization"])
    for tags in _category_tags(filters.get("term"), filters.get("taxonomy")):
        if not tags:
            return entries.none()
        entries = entries.filter(tags__has_any=tags)
    if filters.get("words"):
        # The public search's match: the organization's words and its services'.
        matched = search.matching(SearchEntry.objects.all(), _meaning(filters["words"]))
        entries = entries.filter(organization_id__in=matched.values("organization_id"))
    if filters.get("modified_after") is not None:
        # As the documents' last_modified: the later of the service's and its
        # organization's, kept in the index (directory/search_index.py).
        entries = entries.filter(last_modified__gte=filters["modified_after"])
    if any(filters.get(name) is not None for name in ("day", "starts", "ends")):
        entries = entries.filter(
            _open_between(filters.get("day"), filters.get("starts"), filters.get("ends"))
        )
    return entries.order_by("service_id")


def _phones():
    return Phone.objects.order_by("type", "number", "id").prefetch_related(_into("languages"))


# What a one-to-one service document reads besides the service and its
# organization: its interpreted languages (interpretation_services).
_ONE_TO_ONE_PREFETCHES = [
    _into("service_languages", ServiceLanguage.objects.select_related("language").order_by("id"))
]
# The lists it leaves out, given as empty so the serializer reads none of them
# (exports.related reads a prefetched `_export_<name>` list when there is one).
_LEFT_OUT = ("taxonomy_terms", "phones", "schedules", "service_at_locations")


def services(ids, nested=True):
    """The public services with these ids, in this order, loaded for their documents.

    `nested=False` loads only what one-to-one documents show (a page's default).
    """
    loaded = Service.objects.public().filter(pk__in=ids).select_related("organization")
    if nested:
        loaded = loaded.prefetch_related(
            *service_prefetches(phone_languages=True), _into("organization__phones", _phones())
        )
    else:
        loaded = loaded.prefetch_related(*_ONE_TO_ONE_PREFETCHES)
    by_id = {service.pk: service for service in loaded}
    if not nested:
        _leave_out_lists(by_id.values())
        for service in by_id.values():
            service.organization._export_phones = []
    return [by_id[pk] for pk in ids if pk in by_id]


def _leave_out_lists(services):
    for service in services:
        for name in _LEFT_OUT:
            setattr(service, f"_export_{name}", [])


def service(pk):
    found = services([pk])
    return found[0] if found else None


# ---------------------------------------------------------------- organizations


def organization_entries(words=None):
    """SearchEntry rows of the public organizations (matching `words`, best first)."""
    entries = SearchEntry.objects.all()
    if words:
        return search.matching(entries, _meaning(words)).order_by("-rank", "organization_id")
    return entries.order_by("organization_id")


def organizations(ids, nested=False, full_services=False):
    """The public organizations with these ids, in this order.

    `nested` loads their public locations (`api_locations`) and public
    services (`api_services`), fully with `full_services`.
    """
    prefetches = [_into("phones", _phones())]
    if nested:
        # Each service's `organization` is the one loaded here, phones and all.
        services = Service.objects.public().order_by("name", "id")
        services = services.prefetch_related(
            *(service_prefetches(phone_languages=True) if full_services else _ONE_TO_ONE_PREFETCHES)
        )
        prefetches += [
            Prefetch(
                "locations",
                queryset=Location.objects.filter(is_confidential=False).order_by(
                    "city", "name", "id"
                ),
                to_attr="api_locations",
            ),
            Prefetch("services", queryset=services, to_attr="api_services"),
        ]
    loaded = Organization.objects.public().filter(pk__in=ids).prefetch_related(*prefetches)
    by_id = {organization.pk: organization for organization in loaded}
    if nested and not full_services:
        _leave_out_lists(s for org in by_id.values() for s in org.api_services)
    return [by_id[pk] for pk in ids if pk in by_id]


# ---------------------------------------------------------------- services at locations


def service_at_locations(filters):
    """ServiceAtLocation rows of public services at public places, as [(id, service id)] rows.

    As `service_entries`, plus postcode (five digits) and point + miles
    (proximity, nearest first). A confidential location is never listed: its
    service's document leaves it out too (directory/hsds.py).
    """
    # EXISTS, not IN: the database then walks the places (nearest, or in id
    # order) and checks each one's service, instead of every service's places.
    public_service = service_entries(filters).order_by().filter(service_id=OuterRef("service_id"))
    rows = ServiceAtLocation.objects.filter(Exists(public_service), location__is_confidential=False)
    if filters.get("postcode") and filters.get("point") is None:
        rows = rows.filter(location__postal_code__startswith=filters["postcode"])
    if filters.get("point") is not None:
        # The place's own columns, in the same join: a subquery per row
        # measured each of 5,000 places near a city twice.
        point, miles = filters["point"], filters["miles"]
        rows = (
            rows.filter(in_box(geo.bounding_box(point, miles), "location__"))
            .annotate(distance=distance_from(point, "location__"))
            .filter(distance__lte=miles)
            .order_by("distance", "id")
        )
    else:
        rows = rows.order_by("id")
    return rows.values_list("id", "service_id")
