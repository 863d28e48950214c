import tempfile

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from . import exports, facets, hours, hsds
from .filters import DirectoryFilter
from .models import Organization, Phone, Service, Status
from .structured_data import organization_json_ld

RESULTS_PER_PAGE = 20


def _with_hours(services, now):
    for service in services:
        service.hours_status = hours.status(service, now)
    return services


def _without(request, name, value=None):
    """Return the current query string minus one filter value (or the whole filter)."""
    params = request.GET.copy()
    params.pop("page", None)
    if value is None:
        params.pop(name, None)
    else:
        params.setlist(name, [v for v in params.getlist(name) if v != value])
    return f"?{params.urlencode()}" if params else "?"


def _active_filters(request, filterset):
    """Return [(label, url that removes it)] for each value the search uses."""
    active = []
    data = filterset.form.cleaned_data
    for name, field in filterset.form.fields.items():
        value = data.get(name)
        if name in ("sort", "radius") or value in (None, "", [], False):
            continue
        if isinstance(value, list):
            labels = dict((str(k), v) for k, v in field.choices)
            for code in value:
                active.append(
                    (f"{field.label}: {labels.get(code, code)}", _without(request, name, code))
                )
        elif isinstance(value, bool):
            active.append((str(field.label), _without(request, name)))
        else:
            labels = dict((str(k), v) for k, v in getattr(field, "choices", ()))
            shown = labels.get(str(value), value)
            active.append((f"{field.label}: {shown}", _without(request, name)))
    return active


def _filter_to_drop(request, filterset):
    """Return (label, url, count) for the filter whose removal gives the most results."""
    data = filterset.form.cleaned_data
    best = None
    for name in filterset.active(data):
        orgs, _services = filterset.apply(
            filterset.queryset, {k: v for k, v in data.items() if k != name}
        )
        count = orgs.order_by().count()
        if count and (best is None or count > best[2]):
            best = (filterset.form.fields[name].label, _without(request, name), count)
    return best


def home(request):
    hotlines = (
        Phone.objects.filter(is_24_hours=True)
        .filter(
            Q(organization__status=Status.PUBLISHED, service__isnull=True)
            | Q(service__in=Service.objects.public())
        )
        .select_related("organization", "service__organization")
        .order_by("number")[:12]
    )
    for phone in hotlines:
        phone.owner = phone.organization or phone.service.organization
    return render(request, "directory/home.html", {"hotlines": hotlines})


@require_GET
def search(request):
    filterset = DirectoryFilter(request.GET, queryset=Organization.objects.public())
    results = filterset.qs.prefetch_related(
        Prefetch(
            "services",
            queryset=filterset.services.prefetch_related(
                "languages", "taxonomy_terms", "schedules", "closures"
            ),
            to_attr="matching_services",
        ),
        "locations",
        "kinds",
    )
    paginator = Paginator(results, RESULTS_PER_PAGE)
    requested = request.GET.get("page", "1")
    # Anything but a positive number means the first page; past the end (or a
    # number too long to read), the last.
    asked = int(requested) if requested.isdigit() and len(requested) < 10 else 0
    if requested.isdigit() and (len(requested) >= 10 or asked > paginator.num_pages):
        asked = paginator.num_pages
        filterset.notices.append(
            _("There is no page %(asked)s; this is the last page.") % {"asked": requested[:10]}
        )
    page = paginator.get_page(asked or 1)
    now = timezone.now()
    for organization in page.object_list:
        _with_hours(organization.matching_services, now)
    context = {
        "filter": filterset,
        "page": page,
        "count": paginator.count,
        "facets": facets.compute(filterset),
        "active_filters": _active_filters(request, filterset),
        "drop": _filter_to_drop(request, filterset) if paginator.count == 0 else None,
        # Shown inline, not through django.contrib.messages: its storage would
        # set a cookie on an anonymous visitor.
        "notices": filterset.notices,
    }
    return render(request, "directory/search.html", context)


def organization_detail(request, slug):
    organization = get_object_or_404(
        Organization.objects.public().prefetch_related(
            Prefetch(
                "services",
                queryset=Service.objects.public().prefetch_related(
                    "service_languages__language",
                    "taxonomy_terms",
                    "populations",
                    "schedules",
                    "closures",
                    "phones__languages",
                    "detention_facilities",
                ),
                to_attr="public_services",
            ),
            "locations",
            "phones__languages",
            "kinds",
        ),
        slug=slug,
    )
    _with_hours(organization.public_services, timezone.now())
    context = {
        "organization": organization,
        "json_ld": organization_json_ld(organization, request),
        "stale_days": settings.VERIFICATION_STALE_DAYS,
    }
    return render(request, "directory/organization_detail.html", context)


def who_can_help(request):
    return render(request, "directory/who_can_help.html")


@require_GET
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "vcf": "text/vcard; charset=utf-8",
    "json": "application/json",
}


@require_GET
def search_export(request, fmt):
    """The current search as a file: CSV, Excel, vCard or HSDS JSON (streamed)."""
    if fmt not in EXPORT_TYPES:
        raise Http404
    organizations, services = exports.search(request.GET)
    if fmt == "json":
        chunks = hsds.json_chunks(
            hsds.services_for_hsds(services.filter(organization__in=organizations.values("pk")))
        )
    else:
        listed = exports.public_organizations(organizations, services)
        if fmt == "xlsx":
            output = tempfile.TemporaryFile()
            exports.write_xlsx(exports.rows(listed), output)
            output.seek(0)
            return FileResponse(
                output,
                as_attachment=True,
                filename=exports.export_filename(fmt),
                content_type=EXPORT_TYPES[fmt],
            )
        chunks = (
            exports.vcard_chunks(listed)
            if fmt == "vcf"
            else exports.csv_chunks(exports.rows(listed))
        )
    response = StreamingHttpResponse(chunks, content_type=EXPORT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{exports.export_filename(fmt)}"'
    return response


@require_GET
def search_sheet(request):
    """The current search as a printable one- or two-page handout."""
    organizations, services = exports.search(request.GET)
    groups, truncated = exports.resource_sheet(
        exports.public_organizations(organizations, services)
    )
    filterset_query = request.GET.copy()
    filterset_query.pop("page", None)
    context = {
        "groups": groups,
        "truncated": truncated,
        "limit": exports.SHEET_LIMIT,
        "generated_on": timezone.localdate(),
        "site_host": request.get_host(),
        "search_url": f"{reverse('directory:search')}?{filterset_query.urlencode()}",
    }
    return render(request, "directory/resource_sheet.html", context)
