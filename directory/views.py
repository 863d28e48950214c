import copy
import tempfile
from contextlib import closing
from datetime import date

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.db.models import Prefetch, prefetch_related_objects
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseServerError,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.html import escape
from django.utils.translation import get_language, get_language_bidi, get_language_info
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from . import (
    calendars,
    choices,
    events,
    export_files,
    exports,
    facets,
    hotlines,
    hours,
    language_choice,
    listing_translations,
    outreach,
    phones,
    recent,
    resources,
    share,
)
from .filters import DirectoryFilter
from .forms import EventSearchForm, ReportForm, ResourceFilterForm, SuggestionForm
from .models import (
    Event,
    Organization,
    OrganizationRedirect,
    Service,
    ServiceLanguage,
    Visibility,
    is_partner,
)
from .notifications import notify_curators
from .spam import allow_submission
from .structured_data import event_json_ld, organization_json_ld

RESULTS_PER_PAGE = 20
# How many upcoming events the home page and an organization's page show.
HOME_EVENTS = 3
ORGANIZATION_EVENTS = 5
ICS_TYPE = "text/calendar; charset=utf-8"


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
    """Return the chips: [(filter label, value label, url that removes it)] for each value in use.

    Not the words and the place, which stay in their own fields above the results.
    """
    active = []
    data = filterset.form.cleaned_data
    for name, field in filterset.form.fields.items():
        value = data.get(name)
        if name in ("q", "near", "sort", "radius") or value in (None, "", [], False):
            continue
        labels = dict((str(k), v) for k, v in getattr(field, "choices", ()))
        if isinstance(value, list):
            for code in value:
                active.append((field.label, labels.get(code, code), _without(request, name, code)))
        elif isinstance(value, bool):
            active.append(("", field.label, _without(request, name)))
        else:
            active.append((field.label, labels.get(str(value), value), _without(request, name)))
    return active


def _filter_to_drop(request, filterset):
    """Return (label, url, count) for the filter whose removal gives the most results."""
    counts = facets.counts_without(filterset, list(filterset.active(filterset.form.cleaned_data)))
    best = None
    for name, count in counts.items():
        if count and (best is None or count > best[2]):
            best = (filterset.form.fields[name].label, _without(request, name), count)
    return best


def redirect_merged_or_404(request, slug):
    """Answer for a slug with no organization this visitor may see.

    A slug of an organization merged into another answers with a permanent
    redirect to the survivor, if this visitor may see it; anything else is 404.
    """
    survivor = OrganizationRedirect.objects.survivor_for(slug)
    if survivor is not None and (
        Organization.objects.visible_to(request.user).filter(pk=survivor.pk).exists()
    ):
        return redirect(survivor, permanent=True)
    raise Http404


def _submit(request, form, template, context, thanks_url):
    """Save a valid public submission within the daily limit, and tell curators."""
    status = 200
    if request.method == "POST" and form.is_valid():
        if allow_submission(request):
            submission = form.save()
            notify_curators(submission, request)
            # A page, not a flash message: messages would set a cookie.
            return redirect(thanks_url)
        form.add_error(
            None, _("You have sent many messages today. Please try again tomorrow. Thank you!")
        )
        status = 429
    return render(request, template, {"form": form, **context}, status=status)


def home(request):
    if request.method in ("GET", "HEAD") and language_choice.negotiates_language(request):
        # A first visit to the bare /: the browser's language, if we have it.
        code = language_choice.preferred_language(request.headers.get("Accept-Language"))
        if code != settings.LANGUAGE_CODE:
            response = redirect(language_choice.home_url(code))
            patch_vary_headers(response, ["Accept-Language"])
            return response
    # The same for every visitor until a listing changes (directory/recent.py).
    choices.sync()
    upcoming = events.with_next_dates(Event.objects.public().upcoming().for_listing(), count=1)
    return render(
        request,
        "directory/home.html",
        {
            "hotlines": hotlines.shown(),
            "upcoming_events": upcoming[:HOME_EVENTS],
        },
    )


class _CountedPaginator(Paginator):
    """A paginator told the count, which the facet query has already made."""

    def __init__(self, object_list, per_page, count):
        super().__init__(object_list, per_page)
        self.count = count


def _page_entries(filterset, page):
    """The SearchEntry rows of a results page, with their organizations (or a recent answer)."""
    start = (page.number - 1) * RESULTS_PER_PAGE

    def compute():
        # The page is chosen over the entries alone, so sorting every match carries
        # only their sort keys (a top-N sort in memory), and only its rows are then
        # joined to their organizations; one query. Not the entries' words and
        # vector: large, and the cards show neither.
        entries = filterset.entries
        chosen = entries.values("pk")[start : start + RESULTS_PER_PAGE]
        rows = entries.filter(pk__in=chosen).select_related("organization")
        return list(rows.defer("document", "text"))

    return recent.answer(("page", *recent.search_key(filterset), page.number), compute)


def _results(entries, filterset):
    """The organizations of a page of SearchEntry rows, loaded for the result cards."""
    now = filterset.now
    services = filterset.services_of([entry.organization_id for entry in entries])
    organizations = []
    for entry in entries:
        # A copy: the entries may be a recent answer other requests reuse.
        organization = copy.copy(entry.organization)
        organization._prefetched_objects_cache = {}
        organization.distance = getattr(entry, "distance", None)
        organization.distance_is_approximate = getattr(entry, "distance_is_approximate", False)
        organization.places = entry.places
        organization.index_tags = entry.tags  # the card's "what it is" (its kinds)
        organizations.append(organization)
    prefetch_related_objects(
        organizations,
        Prefetch(
            "services",
            queryset=services.prefetch_related("languages", "schedules", "closures"),
            to_attr="matching_services",
        ),
    )
    phones.attach_phones(organizations, [s for o in organizations for s in o.matching_services])
    for organization in organizations:
        _with_hours(organization.matching_services, now)
        organization.best_phone = phones.best_number(organization, organization.matching_services)
    services = [
        service for organization in organizations for service in organization.matching_services
    ]
    listing_translations.show_in(get_language(), services=services)
    return organizations


@require_GET
def search(request):
    filterset = DirectoryFilter(request.GET, queryset=Organization.objects.public())
    filterset.qs  # noqa: B018 (runs the filters: entries, services and notices)
    count, facet_options = facets.count_and_facets(filterset)
    if count == 0 and filterset.corrected:
        # A correction that finds nothing is no help (and may be a word only
        # a listing that left had): show the search as typed.
        filterset.search_as_typed()
        count, facet_options = facets.count_and_facets(filterset)
    paginator = _CountedPaginator(filterset.entries, RESULTS_PER_PAGE, count)
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
    page.object_list = _results(_page_entries(filterset, page), filterset)
    active_filters = _active_filters(request, filterset)
    context = {
        "filter": filterset,
        "page": page,
        "count": count,
        "facets": facet_options,
        "active_filters": active_filters,
        "filters_count": len(active_filters),
        "drop": _filter_to_drop(request, filterset) if count == 0 else None,
        # Shown inline, not through django.contrib.messages: its storage would
        # set a cookie on an anonymous visitor.
        "notices": filterset.notices,
    }
    return render(request, "directory/search.html", context)


def organization_detail(request, slug):
    organization = (
        Organization.objects.visible_to(request.user)
        .prefetch_related(
            Prefetch(
                "services",
                queryset=Service.objects.visible_to(request.user).prefetch_related(
                    Prefetch(
                        "service_languages",
                        queryset=ServiceLanguage.objects.select_related("language"),
                    ),
                    "taxonomy_terms",
                    "populations",
                    "schedules",
                    "closures",
                    "detention_facilities",
                ),
                to_attr="public_services",
            ),
            "locations",
            "kinds",
        )
        .filter(slug=slug)
        .first()
    )
    if organization is None:
        return redirect_merged_or_404(request, slug)
    # The organization's and its services' phones in one query (and their languages).
    phones.attach_phones([organization], organization.public_services)
    partners_only = organization.visibility == Visibility.PARTNERS
    _with_hours(organization.public_services, timezone.now())
    organization.contact_phones = phones.in_offer_order(organization.phones.all())
    for service in organization.public_services:
        service.contact_phones = phones.in_offer_order(service.phones.all())
    shows_original = listing_translations.show_in(
        get_language(),
        [organization],
        organization.public_services,
        [*organization.contact_phones]
        + [p for service in organization.public_services for p in service.contact_phones],
    )
    upcoming = Event.objects.visible_to(request.user).filter(organization=organization)
    context = {
        "organization": organization,
        "upcoming_events": events.with_next_dates(upcoming.upcoming().for_listing(), count=1)[
            :ORGANIZATION_EVENTS
        ],
        # The feed is public events only: none for a partners-only organization.
        "events_feed": None
        if partners_only
        else calendars.webcal_url(
            request, reverse("directory:organization-events-feed", args=[organization.slug])
        ),
        "shows_original": shows_original,
        "original_language": get_language_info(settings.LANGUAGE_CODE)["name_translated"],
        # Structured data is for search engines: never for partners-only listings.
        "json_ld": None if partners_only else organization_json_ld(organization, request),
        "stale_days": settings.VERIFICATION_STALE_DAYS,
    }
    response = render(request, "directory/organization_detail.html", context)
    if partners_only:
        # Never kept by a shared cache or the browser's history cache.
        patch_cache_control(response, private=True, no_store=True)
    return response


def _event_search(request):
    """The /events/ form bound to the query string, and the public events it finds."""
    form = EventSearchForm(request.GET or None, languages=events.offered_languages())
    form.is_valid()  # an invalid field is left out; the others still filter
    data = getattr(form, "cleaned_data", {})
    found, notices = events.search(Event.objects.public(), data)
    return form, found, notices


@require_GET
def event_list(request):
    form, found, notices = _event_search(request)
    paginator = Paginator(found, RESULTS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query = query.urlencode()
    feed = reverse("directory:events-feed") + (f"?{query}" if query else "")
    context = {
        "form": form,
        "page": page,
        "count": paginator.count,
        "notices": notices,
        "feed_url": calendars.webcal_url(request, feed),
        "feed_download": feed,
        "csv_url": reverse("directory:events-export") + (f"?{query}" if query else ""),
    }
    return render(request, "directory/event_list.html", context)


def _visible_event(request, pk):
    """The event if this visitor may see it (partners: partners-only ones too), else 404."""
    event = Event.objects.visible_to(request.user).for_listing().filter(pk=pk).first()
    if event is None:
        raise Http404
    partners_only = Visibility.PARTNERS in (event.visibility, event.organization.visibility)
    return event, partners_only


def _private_if(partners_only, response):
    if partners_only:
        # Never kept by a shared cache or the browser's history cache.
        patch_cache_control(response, private=True, no_store=True)
    return response


@require_GET
def event_detail(request, pk):
    event, partners_only = _visible_event(request, pk)
    dates = events.occurrences(event, limit=events.DETAIL_DATES)
    upcoming = next((o for o in dates if not o.cancelled), None)
    context = {
        "event": event,
        "dates": dates,
        "repeat_text": events.repeat_description(event),
        "place": calendars.place_text(event),
        # Structured data is for search engines: never for partners-only events.
        "json_ld": None
        if partners_only
        else event_json_ld(event, upcoming or (dates[0] if dates else None), request),
        "ics_url": reverse("directory:event-ics", args=[event.pk]),
    }
    return _private_if(partners_only, render(request, "directory/event_detail.html", context))


def _ics_response(body, filename):
    response = HttpResponse(body, content_type=ICS_TYPE)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_GET
def event_ics(request, pk):
    event, partners_only = _visible_event(request, pk)
    body = calendars.calendar([event], request, event.title)
    return _private_if(partners_only, _ics_response(body, "event.ics"))


@require_GET
def events_feed(request):
    """All public upcoming events, or those of an /events/ search (its query string)."""
    _form, found, _notices = _event_search(request)
    body = calendars.calendar(found, request, _("Events") + f" · {settings.SITE_NAME}")
    return _ics_response(body, "events.ics")


@require_GET
def organization_events_feed(request, slug):
    organization = get_object_or_404(Organization.objects.public(), slug=slug)
    found = events.with_next_dates(
        Event.objects.public().filter(organization=organization).upcoming().for_listing()
    )
    return _ics_response(calendars.calendar(found, request, organization.name), "events.ics")


@require_GET
def events_export(request):
    """The events of an /events/ search as CSV, for outreach lists (public fields only)."""
    _form, found, _notices = _event_search(request)
    rows = exports.event_rows(found, request.build_absolute_uri)
    response = StreamingHttpResponse(exports.csv_chunks(rows), content_type=EXPORT_TYPES["csv"])
    response["Content-Disposition"] = 'attachment; filename="events.csv"'
    return response


def who_can_help(request):
    return render(request, "directory/who_can_help.html")


# When the "If immigration agents come to your door" text was last checked; the page says so.
# Change it with the text, whoever reviews it (docs/rights-page.md).
AGENTS_PAGE_REVIEWED_ON = date(2026, 12, 3)


def if_agents_come(request):
    return render(
        request, "directory/if_agents_come.html", {"reviewed_on": AGENTS_PAGE_REVIEWED_ON}
    )


def resource_list(request):
    form = ResourceFilterForm(request.GET or None, languages=resources.languages())
    topic = language = ""
    if form.is_valid():
        topic, language = form.cleaned_data["topic"], form.cleaned_data["language"]
    found = resources.public_resources(topic, language)
    page = Paginator(found, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    shown = resources.listed(page.object_list, language, get_language())
    context = {"form": form, "page": page, "shown": shown, "count": page.paginator.count}
    return render(request, "directory/resource_list.html", context)


def resource_detail(request, slug):
    resource = get_object_or_404(resources.public_resources(), slug=slug)
    # ?lang= picks a version; else the reader's language, else the original.
    version = resources.version_for(resource, request.GET.get("lang", ""), get_language())
    context = {
        "resource": resource,
        "version": version,
        "others": [v for v in resource.versions.all() if v != version],
        "version_bidi": get_language_info(version.language)["bidi"],
    }
    return render(request, "directory/resource_detail.html", context)


@require_GET
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


@require_http_methods(["GET", "POST"])
def suggest(request):
    form = SuggestionForm(request.POST or None)
    return _submit(request, form, "directory/suggest.html", {}, reverse("directory:suggest-thanks"))


def suggest_thanks(request):
    return render(request, "directory/submission_thanks.html", {"organization": None})


@require_http_methods(["GET", "POST"])
def report_problem(request, slug):
    organization = get_object_or_404(Organization.objects.visible_to(request.user), slug=slug)
    form = ReportForm(request.POST or None)
    form.instance.organization = organization
    return _submit(
        request,
        form,
        "directory/report.html",
        {"organization": organization},
        reverse("directory:report-thanks", args=[slug]),
    )


def report_thanks(request, slug):
    organization = get_object_or_404(Organization.objects.visible_to(request.user), slug=slug)
    return render(request, "directory/submission_thanks.html", {"organization": organization})


class PartnerLoginView(auth_views.LoginView):
    """Sign-in for partner organizations (not staff: staff use the admin)."""

    template_name = "directory/partner_login.html"
    redirect_authenticated_user = True
    next_page = reverse_lazy("directory:partner-listings")


def partner_listings(request):
    """Partners-only listings, for signed-in partners; everyone else gets 404."""
    if not is_partner(request.user):
        raise Http404
    organizations = Organization.objects.visible_to(request.user).filter(
        visibility=Visibility.PARTNERS
    )
    upcoming = Event.objects.visible_to(request.user).partners_only().upcoming().for_listing()
    context = {"organizations": organizations, "upcoming_events": events.with_next_dates(upcoming)}
    return render(request, "directory/partner_listings.html", context)


# The public search's downloads (export_files), and the outreach files' types.
PUBLIC_EXPORTS = ("csv", "xlsx", "vcf", "json")
EXPORT_TYPES = {
    ext: export_files.CONTENT_TYPES[export_files.BY_EXTENSION[ext]] for ext in PUBLIC_EXPORTS
}


@require_GET
def search_export(request, fmt):
    """The current search as a file: CSV, Excel, vCard or HSDS JSON (streamed)."""
    if fmt not in PUBLIC_EXPORTS:
        raise Http404
    organizations, services = exports.search(request.GET)
    # ?lang=ko: HSDS with the listings' text in Korean wherever a curator translated it.
    language = (request.GET.get("lang") or None) if fmt == "json" else None
    if language is not None and language not in listing_translations.languages():
        return HttpResponse(
            _("“%(value)s” is not one of: %(allowed)s.")
            % {"value": language, "allowed": ", ".join(listing_translations.languages())},
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    export = export_files.Export(
        export_files.BY_EXTENSION[fmt], organizations, services, text_language=language
    )
    return export_files.response(export)


def _search_url(request):
    """The results page of this export's or sheet's search (its query string, without `page`)."""
    query = request.GET.copy()
    query.pop("page", None)
    return f"{reverse('directory:search')}?{query.urlencode()}"


def _attachment(chunks, fmt, stem):
    response = StreamingHttpResponse(chunks, content_type=EXPORT_TYPES[fmt])
    filename = f"{stem}-{exports.export_filename(fmt)}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def search_outreach(request, fmt):
    """The current search for outreach: one row per organization, in the screen's order."""
    if fmt not in ("csv", "xlsx"):
        raise Http404
    filterset = exports.search_filter(request.GET)
    site = f"{request.scheme}://{request.get_host()}"
    listed = outreach.in_screen_order(filterset)
    rows = outreach.outreach_rows(listed, site, filterset.point)
    if fmt == "csv":
        chunks = outreach.in_language(get_language(), exports.csv_chunks(rows))
        return _attachment(chunks, fmt, "outreach")
    # The workbook is built before the first byte can be sent.
    organizations = filterset.queryset.filter(pk__in=filterset.entries.values("organization_id"))
    count = exports.exported_services_count(organizations, filterset.services)
    if count > exports.EXCEL_LIMIT:
        return HttpResponse(
            exports.excel_limit_message(count),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    search_url = site + _search_url(request)
    output = tempfile.TemporaryFile()
    outreach.write_xlsx(
        outreach.OUTREACH_COLUMNS,
        rows,
        lambda written: outreach.about_rows(filterset, search_url, written),
        output,
    )
    output.seek(0)
    return FileResponse(
        output,
        as_attachment=True,
        filename=f"outreach-{exports.export_filename(fmt)}",
        content_type=EXPORT_TYPES[fmt],
    )


@require_GET
def search_calls(request):
    """The current search as a call list: one row per number a person can call."""
    filterset = exports.search_filter(request.GET)
    site = f"{request.scheme}://{request.get_host()}"
    rows = outreach.call_rows(outreach.in_screen_order(filterset), site)
    return _attachment(
        outreach.in_language(get_language(), exports.csv_chunks(rows)), "csv", "call-list"
    )


@require_GET
def search_sheet(request):
    """The current search as a printable one- or two-page handout, in the screen's order."""
    filterset = exports.search_filter(request.GET)
    # One more than the sheet holds, so it knows when it left some out.
    listed = outreach.in_screen_order(filterset, chunk_size=exports.SHEET_LIMIT + 1)
    with closing(listed):  # the sheet stops early: end the export's snapshot now
        groups, truncated = exports.resource_sheet(listed)
    services = [e.service for _name, entries in groups for e in entries if e.service]
    listing_translations.show_in(get_language(), services=services)
    upcoming = []
    if request.GET.get("events"):
        # ?events=1: the next public events of the organizations on the sheet.
        on_sheet = {e.organization.id for _name, entries in groups for e in entries}
        upcoming = events.with_next_dates(
            Event.objects.public().filter(organization__in=on_sheet).upcoming().for_listing(),
            count=1,
        )[: exports.SHEET_EVENTS]
    context = {
        "groups": groups,
        "upcoming_events": upcoming,
        "truncated": truncated,
        "limit": exports.SHEET_LIMIT,
        "generated_on": timezone.localdate(),
        "site_host": request.get_host(),
        "search_url": _search_url(request),
    }
    return render(request, "directory/resource_sheet.html", context)


@require_GET
def share_qr(request):
    """The QR code (SVG) of a public page of this site, for printed flyers.

    `?path=` is a local path only, of a page this visitor may see: anything
    else is 400 or 404, never a QR code of an address someone chose.
    """
    try:
        path, match = share.resolve_public(request.GET.get("path", ""))
        audience = share.audience(match, request.user)
        if audience is None:
            raise Http404
        svg = share.qr_svg(request.build_absolute_uri(path))
    except share.BadAddress as error:
        return HttpResponseBadRequest(str(error), content_type="text/plain; charset=utf-8")
    except share.NotShareable:
        raise Http404 from None
    response = HttpResponse(svg, content_type="image/svg+xml")
    if audience == "partners":
        # As the page itself: never kept by a shared cache or the browser's history.
        patch_cache_control(response, private=True, no_store=True)
    return response


def _hotlines_if_they_load():
    """The home page's 24-hour lines, or none: an error page renders even with the database down."""
    try:
        choices.sync()  # as the home page: the recent answer of this index's generation
        return hotlines.shown()
    except Exception:
        return []


def _error_page_context():
    # The language links lead to each language's home page: the address asked for
    # exists in none, and a 404 must not repeat it (it may name a hidden listing).
    links = [
        (code, language_choice.language_name(code), language_choice.home_url(code))
        for code, _name in settings.LANGUAGES
    ]
    return {"hotlines": _hotlines_if_they_load(), "language_links": links}


def page_not_found(request, exception):
    """404, in the language of the address (/es/...), with the search box and the hotlines."""
    return render(request, "404.html", _error_page_context(), status=404)


def server_error(request):
    """500, with the search box and the hotlines if they load; never an error itself."""
    try:
        return render(request, "500.html", _error_page_context(), status=500)
    except Exception:
        # Whatever broke may break the page too (templates, sessions): plain text, same language.
        message = escape(_("Something went wrong on our side. Please try again in a moment."))
        direction = ' dir="rtl"' if get_language_bidi() else ""
        return HttpResponseServerError(
            f'<!doctype html><html lang="{get_language()}"{direction}><meta charset="utf-8">'
            f"<title>{message}</title><h1>{message}</h1></html>",
            content_type="text/html; charset=utf-8",
        )
