"""The curator backend.

Curators add and edit drafts; publishers can also publish, unpublish,
archive and change who can see a listing. That rule is decided in
directory/publishing.py and asked, on the server, by every form and action
below, not only by hiding buttons.
"""

import re
from heapq import nlargest
from itertools import chain

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.db.models import Count, F
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from . import indexing
from .admin_io import (
    EXPORT_ACTIONS,
    CountyFilter,
    HasEmailFilter,
    OrganizationExportMixin,
    ServiceCountyFilter,
    ServiceExportMixin,
    VerifiedThisYearFilter,
)
from .duplicates import duplicate_pairs, likely_duplicates
from .images import NOT_AN_IMAGE, clean_logo
from .merging import merge_organizations
from .models import (
    Closure,
    DetentionFacility,
    Event,
    EventCancellation,
    Language,
    Location,
    Moderation,
    Organization,
    OrganizationKind,
    OrganizationRedirect,
    OrganizationTranslation,
    Phone,
    PhoneTranslation,
    PopulationServed,
    Report,
    Resource,
    ResourceVersion,
    Schedule,
    SearchSynonym,
    Service,
    ServiceAtLocation,
    ServiceLanguage,
    ServiceTranslation,
    Status,
    Suggestion,
    SyncRun,
    TaxonomyTerm,
)
from .publishing import (
    PUBLISH_REFUSED,
    UNREACHABLE,
    can_publish,
    has_contact_method,
    may_move,
    stored_state,
)
from .resource_files import clean_resource_file

# Curators see whose directory they are editing, in their language.
admin.site.site_header = _("Directory curation")
admin.site.site_title = _("Directory curation")
admin.site.index_title = _("Listings, submissions and verification")


class ListingForm(forms.ModelForm):
    """Refuses status and visibility changes the user may not make, and stale saves.

    `user` is set by the admin (get_form, get_formsets_with_inlines); it is
    the publish rule's to decide what they may change (directory/publishing.py),
    always against the stored row: in History -> Revert the instance is the
    old version.

    Optimistic locking: the form carries the version it was loaded at. If
    someone saved the listing since, the save is refused and the current
    values are shown, instead of silently overwriting them.
    """

    user = None
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Offer only the moves the rule allows; clean() decides anyway.
        stored = stored_state(self.instance) if self.user is not None else None
        for name in ("status", "visibility"):
            field = self.fields.get(name)
            if field is not None and stored is not None:
                field.choices = [
                    c
                    for c in field.choices
                    if may_move(self.user, self.instance, stored=stored, **{name: c[0]})
                ]
        if not self.instance._state.adding:
            self.fields["loaded_version"].initial = self.instance.version

    def _stored(self):
        rows = type(self.instance)._base_manager.filter(pk=self.instance.pk)
        if transaction.get_connection().in_atomic_block:
            rows = rows.select_for_update()  # no other save between this check and ours
        return rows.first() or self.instance

    def clean(self):
        cleaned = super().clean()
        self._check_publish_rule(cleaned)
        loaded = cleaned.get("loaded_version")
        if loaded is None or self.instance._state.adding:
            return cleaned
        current = self._stored()
        if current.version != loaded:
            raise ValidationError(self._conflict_message(current, cleaned), code="conflict")
        return cleaned

    def _conflict_message(self, current, cleaned):
        rows = []
        model_fields = {f.name: f for f in current._meta.concrete_fields}
        for name in self._meta.fields or []:
            field = model_fields.get(name)
            if field is None or name not in cleaned:
                continue
            value = getattr(current, field.attname)
            if value != getattr(cleaned.get(name), "pk", cleaned.get(name)):
                shown = getattr(current, f"get_{name}_display", lambda v=value: v)()
                rows.append((field.verbose_name, shown if shown not in (None, "") else "—"))
        changes = format_html_join("", "<li>{}: {}</li>", rows) if rows else ""
        return format_html(
            "{}<ul>{}</ul>{}",
            _(
                "Someone else saved this listing after you opened it, so your changes were "
                "not saved. It now reads:"
            ),
            changes,
            _("Open the listing again to see their version, then make your changes again."),
        )

    def _check_publish_rule(self, cleaned):
        """Refuse the save if the user may not make the listing what it would become."""
        if self.user is None:
            return
        # An organization has a visibility, a service an organization, an event both.
        own = {f.name for f in self.instance._meta.concrete_fields}
        names = ["status", *(n for n in ("visibility", "organization") if n in own)]
        new = {}
        for name in names:
            if name in self.fields:
                if name not in cleaned:
                    return  # the field itself refused the value
                new[name] = cleaned[name]
            else:  # a field left off the form is saved as the instance has it
                new[name] = getattr(
                    self.instance, "organization_id" if name == "organization" else name
                )
        if not may_move(self.user, self.instance, **new):
            raise ValidationError(PUBLISH_REFUSED, code="publish")


def _save_each(queryset, user, **changes):
    """Save rows one by one, so each change lands in their history.

    In one transaction, the search index refreshed once at its end for all.
    """
    count = 0
    with transaction.atomic(), indexing.deferred():
        for obj in queryset:
            for name, value in changes.items():
                setattr(obj, name, value)
            obj._history_user = user
            obj.save()
            count += 1
    return count


def publication(*first, sourced=False):
    """A listing's "Publication" fieldset: `first` (its status...), then verification and dates.

    `sourced`: the listing can come from other publishers' files, so show their ids.
    """
    fields = [*first, ("last_verified_on", "verified_by"), "curator_notes"]
    fields += ["their_ids"] if sourced else []
    return (_("Publication"), {"fields": [*fields, ("created_at", "updated_at"), "loaded_version"]})


# A typed "example.org" becomes https://example.org (Django 6's default).
HTTPS_BY_DEFAULT = {models.URLField: {"assume_scheme": "https"}}


class ListingAdmin(SimpleHistoryAdmin):
    form = ListingForm
    change_form_template = "admin/directory/listing_change_form.html"
    actions = ["publish", "archive", "mark_verified_today"]
    readonly_fields = ["last_verified_on", "verified_by", "created_at", "updated_at", "their_ids"]
    formfield_overrides = HTTPS_BY_DEFAULT

    def has_publish_permission(self, request):
        return can_publish(request.user, self.model)

    @admin.display(description=_("source ids"))
    def their_ids(self, obj):
        """Which publishers' files name this listing, and by what id (SourceId): read-only."""
        rows = obj.source_ids.order_by("source", "external_id") if obj.pk else []
        return (
            format_html_join(
                mark_safe("<br>"), "{}: {}", ((row.source, row.external_id) for row in rows)
            )
            or "—"
        )

    def has_delete_permission(self, request, obj=None):
        # Deleting is for whoever could take the listing back to a draft:
        # curators delete drafts, only publishers what is published or archived.
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or may_move(request.user, obj, status=Status.DRAFT))

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.user = request.user
        return form

    def get_formsets_with_inlines(self, request, obj=None):
        for formset, inline in super().get_formsets_with_inlines(request, obj):
            if issubclass(formset.form, ListingForm):
                formset.form.user = request.user
            yield formset, inline

    def _movable(self, request, queryset, status):
        """The selected listings the publish rule lets this user give `status`."""
        return [obj for obj in queryset if may_move(request.user, obj, status=status)]

    def _report_refused(self, request, count):
        if count:
            self.message_user(
                request,
                ngettext(
                    "%(count)d listing was not changed: %(reason)s",
                    "%(count)d listings were not changed: %(reason)s",
                    count,
                )
                % {"count": count, "reason": PUBLISH_REFUSED},
                messages.ERROR,
            )

    @admin.action(description=_("Publish selected listings"), permissions=["publish"])
    def publish(self, request, queryset):
        allowed = self._movable(request, queryset, Status.PUBLISHED)
        self._report_refused(request, queryset.count() - len(allowed))
        ready = [obj for obj in allowed if self._can_be_published(obj)]
        skipped = len(allowed) - len(ready)
        updated = _save_each(ready, request.user, status=Status.PUBLISHED)
        self.message_user(
            request,
            ngettext("Published %d listing.", "Published %d listings.", updated) % updated,
            messages.SUCCESS,
        )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%d listing was not published: it has no website, email or phone.",
                    "%d listings were not published: they have no website, email or phone.",
                    skipped,
                )
                % skipped,
                messages.WARNING,
            )

    @admin.action(description=_("Archive selected listings"), permissions=["publish"])
    def archive(self, request, queryset):
        allowed = self._movable(request, queryset, Status.ARCHIVED)
        self._report_refused(request, queryset.count() - len(allowed))
        updated = _save_each(allowed, request.user, status=Status.ARCHIVED)
        self.message_user(
            request,
            ngettext("Archived %d listing.", "Archived %d listings.", updated) % updated,
            messages.SUCCESS,
        )

    @admin.action(description=_("Mark selected listings verified today"), permissions=["change"])
    def mark_verified_today(self, request, queryset):
        updated = _save_each(
            queryset, request.user, last_verified_on=timezone.localdate(), verified_by=request.user
        )
        self.message_user(
            request,
            ngettext("Marked %d listing verified.", "Marked %d listings verified.", updated)
            % updated,
            messages.SUCCESS,
        )

    def _can_be_published(self, obj):
        return True

    def save_model(self, request, obj, form, change):
        if "_mark_verified" in request.POST:
            obj.mark_verified(request.user)
        super().save_model(request, obj, form, change)


class NeedsVerificationFilter(admin.SimpleListFilter):
    title = _("verification")
    parameter_name = "verification"

    def lookups(self, request, model_admin):
        return [("stale", _("Needs verification")), ("fresh", _("Recently verified"))]

    def queryset(self, request, queryset):
        if self.value() == "stale":
            return queryset.stale()
        if self.value() == "fresh":
            return queryset.exclude(pk__in=queryset.stale().values("pk"))
        return queryset


class PhoneInline(admin.TabularInline):
    model = Phone
    extra = 0
    show_change_link = True  # a phone's own page has its translations
    fields = ["number", "extension", "type", "is_24_hours", "description", "languages"]
    autocomplete_fields = ["languages"]


class TranslationInline(admin.StackedInline):
    """A listing's words in other interface languages; the listing keeps the original."""

    extra = 0
    classes = ["collapse"]


class OrganizationTranslationInline(TranslationInline):
    model = OrganizationTranslation
    fields = ["language", "alternate_name", "description"]


class PhoneTranslationInline(TranslationInline):
    model = PhoneTranslation
    fields = ["language", "description"]
    classes = []  # the reason to open a phone's page


class ServiceTranslationInline(TranslationInline):
    model = ServiceTranslation
    fields = [
        "language",
        "name",
        "description",
        "eligibility",
        "application_process",
        "fee_note",
        "required_documents",
    ]


class OrganizationPhoneInline(PhoneInline):
    fk_name = "organization"
    exclude = ["service"]


class ServicePhoneInline(PhoneInline):
    fk_name = "service"
    exclude = ["organization"]


class LocationInline(admin.StackedInline):
    model = Location
    extra = 0
    show_change_link = True
    fieldsets = [
        (None, {"fields": ["name", "is_confidential"]}),
        (
            _("Address"),
            {
                "fields": [
                    ("address_1", "address_2"),
                    ("city", "county"),
                    ("state", "postal_code", "country"),
                ]
            },
        ),
        (_("Map position"), {"fields": [("latitude", "longitude")], "classes": ["collapse"]}),
        (_("Getting there"), {"fields": ["accessibility", "transit"], "classes": ["collapse"]}),
    ]


class ServiceInlineFormSet(forms.BaseInlineFormSet):
    """Deleting a service inline is checked as ListingAdmin.has_delete_permission does.

    A form ticked for deletion is not validated, so the rule is asked here.
    """

    def clean(self):
        super().clean()
        for form in self.deleted_forms:
            if form.instance.pk and not may_move(
                self.form.user, form.instance, status=Status.DRAFT
            ):
                raise ValidationError(PUBLISH_REFUSED, code="publish")


class ServiceInline(admin.TabularInline):
    """A short view of the organization's services; each opens in full."""

    model = Service
    form = ListingForm
    formset = ServiceInlineFormSet
    extra = 0
    show_change_link = True
    fields = ["name", "status", "fee", "last_verified_on"]
    readonly_fields = ["last_verified_on"]


class OrganizationForm(ListingForm):
    """Also re-encodes logos, warns about likely duplicates when adding, and
    refuses a published organization nobody could reach."""

    save_anyway = forms.BooleanField(
        label=_("Save even if it looks like a duplicate"),
        required=False,
        help_text=_("Tick only after checking the possible duplicates listed above."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "logo" in self.fields:
            self.fields["logo"].error_messages["invalid_image"] = NOT_AN_IMAGE

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if isinstance(logo, UploadedFile):
            logo, self._logo_thumbnail = clean_logo(logo)
        elif logo is False:  # "Clear" was ticked
            self._logo_thumbnail = ""
        return logo

    def clean(self):
        cleaned = super().clean()
        self._check_reachable(cleaned)
        if self.instance._state.adding and cleaned.get("name") and not cleaned.get("save_anyway"):
            found = likely_duplicates(
                cleaned["name"],
                cleaned.get("website", ""),
                phones=self._inline_values("phones", "number"),
                cities=self._inline_values("locations", "city"),
            )
            if found:
                links = format_html_join(
                    "",
                    '<li><a href="{}">{}</a> ({})</li>',
                    (
                        (_admin_url(org), org.name, ", ".join(reasons))
                        for org, reasons in found[:10]
                    ),
                )
                raise ValidationError(
                    format_html(
                        "{}<ul>{}</ul>{}",
                        _("This organization may already be listed:"),
                        links,
                        _(
                            "If it is a different one, tick “Save even if it looks like a duplicate”."
                        ),
                    ),
                    code="duplicate",
                )
        return cleaned

    def _check_reachable(self, cleaned):
        """A published organization needs a way to reach it, counting the inlines being sent.

        The inline formsets are validated after this form and nothing is
        saved unless all are valid, so their submitted values are what will
        be stored. History -> Revert sends no inlines: the stored ones count.
        """
        status = cleaned.get("status", self.instance.status)
        if status != Status.PUBLISHED:
            return
        org = Organization(
            pk=self.instance.pk,
            website=cleaned.get("website", self.instance.website),
            email=cleaned.get("email", self.instance.email),
        )
        org._state.adding = self.instance._state.adding
        phones = self._inline_rows("phones")
        services = self._inline_rows("services")
        if not has_contact_method(
            org,
            phones=None
            if phones is None
            else [row.get("number", "") for row in phones if not row["DELETE"]],
            services=None
            if services is None
            else {row["id"]: None if row["DELETE"] else row.get("status") for row in services},
        ):
            raise ValidationError(UNREACHABLE, code="unreachable")

    def _inline_rows(self, prefix):
        """The rows sent in an inline, as {field: value, "DELETE": bool}; None if none was sent."""
        total = self.data.get(f"{prefix}-TOTAL_FORMS")
        if total is None or not str(total).isdigit():
            return None
        pattern = re.compile(rf"^{prefix}-(\d+)-(\w+)$")
        rows = {}
        for key, value in self.data.items():
            match = pattern.match(key)
            if match and int(match[1]) < int(total):
                rows.setdefault(int(match[1]), {})[match[2]] = str(value).strip()
        for row in rows.values():
            row["DELETE"] = bool(row.get("DELETE"))
            row.setdefault("id", "")
        return list(rows.values())

    def _inline_values(self, prefix, name):
        """Values typed into an inline (phones, locations) not marked for deletion."""
        return [
            row[name]
            for row in self._inline_rows(prefix) or []
            if row.get(name) and not row["DELETE"]
        ]

    def save(self, commit=True):
        thumbnail = getattr(self, "_logo_thumbnail", None)
        if thumbnail is not None:
            self.instance.logo_thumbnail = thumbnail
        return super().save(commit)


def _admin_url(obj):
    return reverse(f"admin:directory_{obj._meta.model_name}_change", args=[obj.pk])


@admin.register(Organization)
class OrganizationAdmin(OrganizationExportMixin, ListingAdmin):
    form = OrganizationForm
    actions = [*ListingAdmin.actions, *EXPORT_ACTIONS, "merge"]
    list_display = [
        "name",
        "status",
        "visibility",
        "needs_review",
        "city_list",
        "last_verified_on",
        "updated_at",
    ]
    list_filter = [
        "status",
        "visibility",
        "needs_review",
        NeedsVerificationFilter,
        VerifiedThisYearFilter,
        "kinds",
        CountyFilter,
        HasEmailFilter,
        ("services__taxonomy_terms", admin.RelatedOnlyFieldListFilter),
        ("services__languages", admin.RelatedOnlyFieldListFilter),
        "doj_recognized",
    ]
    search_fields = [
        "name",
        "alternate_name",
        "locations__city",
        "phones__number",
        "services__phones__number",
        "email",
        "website",
    ]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [
        ServiceInline,
        LocationInline,
        OrganizationPhoneInline,
        OrganizationTranslationInline,
    ]
    date_hierarchy = "updated_at"
    fieldsets = [
        (None, {"fields": ["name", "slug", "alternate_name", "kinds", "description"]}),
        (_("Contact"), {"fields": ["website", "email"]}),
        (
            _("Legal credentials"),
            {
                "description": _(
                    "These help people avoid notario fraud: only attorneys and "
                    "accredited representatives of DOJ-recognized organizations may "
                    "give immigration legal advice."
                ),
                "fields": [
                    ("doj_recognized", "doj_recognition_expires_on"),
                    ("accredited_representatives_full", "accredited_representatives_partial"),
                    "attorneys_on_staff",
                ],
            },
        ),
        (_("About"), {"fields": ["year_founded", "legal_status", "logo"], "classes": ["collapse"]}),
        publication(("status", "visibility"), "needs_review", sourced=True),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("locations")

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            name, options = fieldsets[0]
            fieldsets = [(name, {**options, "fields": [*options["fields"], "save_anyway"]})]
            fieldsets += super().get_fieldsets(request, obj)[1:]
        return fieldsets

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("dashboard/", view(self.dashboard_view), name="directory_dashboard"),
            path("duplicates/", view(self.duplicates_view), name="directory_duplicates"),
            *super().get_urls(),
        ]

    def dashboard_view(self, request):
        """Verification at a glance: what to check next, and what changed."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        orgs = Organization.objects.all()
        by_status = dict(orgs.values_list("status").annotate(n=Count("pk")).order_by())
        recent = nlargest(
            20,
            chain.from_iterable(
                model.history.select_related("history_user").order_by("-history_date")[:20]
                for model in (Organization, Service, Location, Phone)
            ),
            key=lambda record: record.history_date,
        )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Verification dashboard"),
            "opts": self.model._meta,
            "statuses": [(label, by_status.get(value, 0)) for value, label in Status.choices],
            # Never verified first, then the longest ago.
            "due": orgs.exclude(status=Status.ARCHIVED)
            .stale()
            .order_by(F("last_verified_on").asc(nulls_first=True), "name")[:50],
            "needs_review": orgs.filter(needs_review=True)[:50],
            "reports": Report.objects.open().select_related("organization")[:50],
            "suggestions": Suggestion.objects.open()[:50],
            "recent": recent,
            "stale_days": settings.VERIFICATION_STALE_DAYS,
        }
        return TemplateResponse(request, "admin/directory/dashboard.html", context)

    def duplicates_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": _("Possible duplicates"),
            "opts": self.model._meta,
            "pairs": duplicate_pairs(),
            "can_merge": self.has_publish_permission(request),
        }
        return TemplateResponse(request, "admin/directory/duplicates.html", context)

    @admin.action(description=_("Merge two selected organizations"), permissions=["publish"])
    def merge(self, request, queryset):
        orgs = list(queryset.order_by("created_at"))
        if len(orgs) != 2:
            self.message_user(
                request, _("Select exactly two organizations to merge."), messages.ERROR
            )
            return None
        survivor_pk = request.POST.get("survivor")
        if survivor_pk and "confirm" in request.POST:
            survivor = next((o for o in orgs if str(o.pk) == survivor_pk), None)
            if survivor is not None:
                duplicate = next(o for o in orgs if o.pk != survivor.pk)
                name = duplicate.name
                try:
                    merge_organizations(survivor, duplicate, user=request.user)
                except PermissionDenied:
                    self.message_user(request, PUBLISH_REFUSED, messages.ERROR)
                    return None
                self.message_user(
                    request,
                    _("Merged “%(old)s” into “%(new)s”. Its old address now redirects here.")
                    % {"old": name, "new": survivor.name},
                    messages.SUCCESS,
                )
                return redirect(_admin_url(survivor))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Merge organizations"),
            "opts": self.model._meta,
            "organizations": orgs,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/directory/merge.html", context)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "kinds":
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description=_("cities"))
    def city_list(self, obj):
        return ", ".join(sorted({loc.city for loc in obj.locations.all()}))

    def _can_be_published(self, obj):
        return has_contact_method(obj)


class ServiceLanguageInline(admin.TabularInline):
    model = ServiceLanguage
    extra = 1
    autocomplete_fields = ["language"]


class ServiceAtLocationInline(admin.TabularInline):
    model = ServiceAtLocation
    extra = 0

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Offer only the organization's own locations.
        if db_field.name == "location":
            org_id = request.resolver_match.kwargs.get("object_id")
            service = Service.objects.filter(pk=org_id).first() if org_id else None
            if service:
                kwargs["queryset"] = Location.objects.filter(organization=service.organization_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ScheduleInline(admin.TabularInline):
    model = Schedule
    extra = 0
    fields = ["weekday", "opens_at", "closes_at", "service_at_location"]


class ClosureInline(admin.TabularInline):
    model = Closure
    extra = 0


@admin.register(Service)
class ServiceAdmin(ServiceExportMixin, ListingAdmin):
    actions = ListingAdmin.actions + EXPORT_ACTIONS
    list_display = ["name", "organization", "status", "fee", "last_verified_on"]
    list_filter = [
        "status",
        NeedsVerificationFilter,
        VerifiedThisYearFilter,
        ("organization__kinds", admin.RelatedOnlyFieldListFilter),
        ServiceCountyFilter,
        HasEmailFilter,
        "fee",
        ("taxonomy_terms", admin.RelatedOnlyFieldListFilter),
        ("languages", admin.RelatedOnlyFieldListFilter),
        "serves_detained",
    ]
    list_select_related = ["organization"]
    search_fields = ["name", "organization__name", "description", "phones__number", "email"]
    autocomplete_fields = ["organization", "taxonomy_terms", "detention_facilities"]
    inlines = [
        ServiceLanguageInline,
        ServiceAtLocationInline,
        ScheduleInline,
        ClosureInline,
        ServicePhoneInline,
        ServiceTranslationInline,
    ]
    fieldsets = [
        (None, {"fields": ["organization", "name", "description", "taxonomy_terms"]}),
        (_("Who it is for"), {"fields": ["populations", "eligibility", ("fee", "fee_note")]}),
        (
            _("How to get it"),
            {
                "fields": [
                    ("walk_in", "by_appointment", "by_hotline", "online"),
                    ("remote_by_phone", "remote_by_video"),
                    "application_process",
                    "required_documents",
                    ("url", "email"),
                ]
            },
        ),
        (
            _("Where"),
            {"fields": [("area_type", "area_names"), "serves_detained", "detention_facilities"]},
        ),
        (_("Hours"), {"fields": [("open_24_7", "appointment_only"), "time_zone", "hours_note"]}),
        publication("status", sourced=True),
    ]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "populations":
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class EventCancellationInline(admin.TabularInline):
    model = EventCancellation
    extra = 0


@admin.register(Event)
class EventAdmin(ListingAdmin):
    list_display = ["title", "organization", "event_type", "starts_on", "repeat", "status"]
    list_filter = ["status", "visibility", "event_type", "repeat", "online", "is_free"]
    list_select_related = ["organization"]
    search_fields = ["title", "organization__name", "description"]
    autocomplete_fields = ["organization", "languages"]
    date_hierarchy = "starts_on"
    inlines = [EventCancellationInline]
    fieldsets = [
        (
            None,
            {"fields": ["organization", "service", "event_type", "title", "description"]},
        ),
        (
            _("When"),
            {
                "fields": [
                    ("starts_on", "start_time", "end_time"),
                    "time_zone",
                    ("repeat", "repeat_interval", "repeat_until"),
                ]
            },
        ),
        (
            _("Where"),
            {"fields": ["location", ("online", "online_url")]},
        ),
        (
            _("Taking part"),
            {
                "fields": [
                    "languages",
                    ("is_free", "fee_note"),
                    "registration",
                    "registration_url",
                    "accessibility",
                ]
            },
        ),
        publication("status", "visibility"),
    ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Editing an event: offer only its organization's locations and services.
        if db_field.name in ("location", "service"):
            object_id = request.resolver_match.kwargs.get("object_id")
            event = Event.objects.filter(pk=object_id).first() if object_id else None
            if event:
                model = Location if db_field.name == "location" else Service
                kwargs["queryset"] = model.objects.filter(organization=event.organization_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def _https_by_default(field, **kwargs):
    # A typed "example.org" becomes https://example.org (Django 6's default).
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class ResourceVersionForm(forms.ModelForm):
    class Meta:
        model = ResourceVersion
        fields = ["language", "title", "text", "file", "link"]
        formfield_callback = _https_by_default

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if isinstance(upload, UploadedFile):
            # By content: a real PDF without scripts or attachments, or an image re-encoded.
            return clean_resource_file(upload)
        return upload


class ResourceVersionInline(admin.StackedInline):
    model = ResourceVersion
    form = ResourceVersionForm
    extra = 1
    formfield_overrides = HTTPS_BY_DEFAULT


@admin.register(Resource)
class ResourceAdmin(ListingAdmin):
    list_display = ["title", "kind", "topic", "reviewed_on", "status"]
    list_filter = ["status", "kind", "topic", "audience"]
    search_fields = ["title", "versions__title", "source_name", "source_organization__name"]
    autocomplete_fields = ["source_organization"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [ResourceVersionInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", ("kind", "topic", "audience")]}),
        (
            _("Source and review"),
            {
                "fields": [
                    ("source_organization", "source_name"),
                    ("reviewed_on", "reviewed_by"),
                    "not_legal_advice",
                ]
            },
        ),
        publication("status"),
    ]


@admin.register(Location)
class LocationAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "organization", "city", "state", "is_confidential"]
    list_filter = ["is_confidential", "state"]
    list_select_related = ["organization"]
    search_fields = ["name", "city", "county", "postal_code", "organization__name"]
    autocomplete_fields = ["organization"]
    fieldsets = (
        LocationInline.fieldsets[:1]
        + [(None, {"fields": ["organization"]})]
        + LocationInline.fieldsets[1:]
    )


@admin.register(TaxonomyTerm)
class TaxonomyTermAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_BY_DEFAULT
    list_display = ["code", "name", "parent", "open_eligibility_code", "service_count"]
    list_filter = ["taxonomy"]
    search_fields = ["code", "name", "description"]
    autocomplete_fields = ["parent"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("parent")
            .annotate(n_services=Count("services"))
        )

    @admin.display(description=_("services"), ordering="n_services")
    def service_count(self, obj):
        return obj.n_services


@admin.register(Language)
class LanguageAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "native_name"]
    search_fields = ["code", "name", "native_name"]


@admin.register(SearchSynonym)
class SearchSynonymAdmin(SimpleHistoryAdmin):
    """The words the public search understands (directory/synonyms.py, docs/search.md).

    A change applies to the next search in every process: saving renews the
    index's generation token (directory/signals.py).
    """

    list_display = ["concept", "language", "words", "stands_for", "is_stop_words"]
    list_filter = ["language", "is_stop_words"]
    search_fields = ["concept", "words", "notes"]
    fields = [
        "concept",
        "language",
        "words",
        "is_stop_words",
        "languages",
        "categories",
        "filters",
        "notes",
    ]

    @admin.display(description=_("also finds"))
    def stands_for(self, obj):
        return ", ".join(part for part in (obj.languages, obj.categories, obj.filters) if part)


@admin.register(DetentionFacility)
class DetentionFacilityAdmin(admin.ModelAdmin):
    list_display = ["name", "city", "state"]
    list_filter = ["state"]
    search_fields = ["name", "city"]


@admin.register(OrganizationKind, PopulationServed)
class ChoiceTagAdmin(admin.ModelAdmin):
    """Fixed vocabularies: visible for reference, changed only in code."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SyncRun)
class SyncRunAdmin(ChoiceTagAdmin):
    """What each manage.py sync_hsds run read and changed: kept as a record, never edited."""

    list_display = ["started_at", "source", "modified_after", "items", "created", "updated"]
    list_display += ["archived", "warnings", "succeeded"]
    list_filter = ["succeeded", "source"]
    date_hierarchy = "started_at"
    fields = ["source", "url", "started_at", "finished_at", "modified_after", "newest_seen"]
    fields += ["pages", "items", "created", "updated", "archived", "warnings", "succeeded"]
    fields += ["failure"]
    fields += ["error_list", "change_list"]
    readonly_fields = ["error_list", "change_list"]

    @admin.display(description=_("errors"))
    def error_list(self, run):
        return format_html_join("\n", "<p>{}</p>", ((error,) for error in run.errors))

    @admin.display(description=_("changes"))
    def change_list(self, run):
        return format_html_join(
            "\n", "<p>{}: {} “{}”</p>", ((c["action"], c["model"], c["name"]) for c in run.changes)
        )


@admin.register(Phone)
class PhoneAdmin(SimpleHistoryAdmin):
    """Phones are edited inline; this page is for their history."""

    list_display = ["number", "type", "organization", "service"]
    list_select_related = ["organization", "service"]
    search_fields = ["number", "organization__name", "service__name"]
    autocomplete_fields = ["organization", "service", "languages"]
    inlines = [PhoneTranslationInline]


class ModerationAdmin(admin.ModelAdmin):
    """The queue: submissions come from the public and never change a listing by themselves."""

    list_filter = ["status"]
    actions = ["accept", "reject"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def get_readonly_fields(self, request, obj=None):
        editable = {"curator_note"}
        return [f.name for f in self.model._meta.fields if f.name not in editable | {"id"}]

    @admin.action(description=_("Accept selected submissions"), permissions=["change"])
    def accept(self, request, queryset):
        count = self._moderate(request, queryset, "accept")
        self.message_user(
            request,
            ngettext("Accepted %d submission.", "Accepted %d submissions.", count) % count,
            messages.SUCCESS,
        )

    @admin.action(description=_("Reject selected submissions"), permissions=["change"])
    def reject(self, request, queryset):
        count = self._moderate(request, queryset, "reject")
        self.message_user(
            request,
            ngettext("Rejected %d submission.", "Rejected %d submissions.", count) % count,
            messages.SUCCESS,
        )

    def _moderate(self, request, queryset, decision):
        """Accept or reject the still-new submissions; return how many."""
        new = list(queryset.filter(status=Moderation.NEW))
        for submission in new:
            getattr(submission, decision)(request.user)
        return len(new)


@admin.register(Suggestion)
class SuggestionAdmin(ModerationAdmin):
    list_display = ["name", "city", "state", "status", "created_at", "draft_link"]
    search_fields = ["name", "city", "website", "description"]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "possible_duplicates"]

    @admin.display(description=_("possible duplicates"))
    def possible_duplicates(self, obj):
        """Check before accepting: it may be listed already."""
        found = likely_duplicates(
            obj.name,
            obj.website,
            phones=[obj.phone],
            cities=[obj.city],
            exclude_pk=obj.organization_id,
        )
        if not found:
            return "—"
        return format_html_join(
            ", ",
            '<a href="{}">{}</a> ({})',
            ((_admin_url(org), org.name, ", ".join(reasons)) for org, reasons in found),
        )

    @admin.display(description=_("draft"))
    def draft_link(self, obj):
        if obj.organization_id is None:
            return "—"
        return format_html('<a href="{}">{}</a>', _admin_url(obj.organization), obj.organization)


@admin.register(Report)
class ReportAdmin(ModerationAdmin):
    list_display = ["organization", "reason", "status", "created_at"]
    list_filter = ["status", "reason"]
    list_select_related = ["organization"]
    search_fields = ["organization__name", "details"]


@admin.register(OrganizationRedirect)
class OrganizationRedirectAdmin(admin.ModelAdmin):
    list_display = ["old_slug", "organization", "created_at"]
    list_select_related = ["organization"]
    search_fields = ["old_slug", "organization__name"]
    autocomplete_fields = ["organization"]
