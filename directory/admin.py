"""The curator backend.

Curators add and edit drafts; publishers can also publish, unpublish and
archive. The rule is enforced in the forms and actions below, on the server,
not only by hiding buttons.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .admin_io import (
    EXPORT_ACTIONS,
    CountyFilter,
    HasEmailFilter,
    OrganizationExportMixin,
    ServiceCountyFilter,
    ServiceExportMixin,
    VerifiedThisYearFilter,
)
from .models import (
    CURATOR_STATUSES,
    Closure,
    DetentionFacility,
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
    Status,
    TaxonomyTerm,
)

PUBLISH_REFUSED = _("Only publishers can publish, unpublish or archive listings.")


def can_publish(user, model):
    return user.has_perm(f"directory.publish_{model._meta.model_name}")


class ListingForm(forms.ModelForm):
    """Refuses status changes the user may not make."""

    can_publish = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("status")
        if field is not None and not self.can_publish:
            allowed = CURATOR_STATUSES | {self._old_status()}
            field.choices = [c for c in field.choices if c[0] in allowed]

    def _old_status(self):
        return Status.DRAFT if self.instance._state.adding else self.instance.status

    def clean_status(self):
        new, old = self.cleaned_data["status"], self._old_status()
        if new != old and not self.can_publish and not {new, old} <= CURATOR_STATUSES:
            raise ValidationError(PUBLISH_REFUSED)
        return new


class ListingAdmin(admin.ModelAdmin):
    form = ListingForm
    actions = ["publish", "archive", "mark_verified_today"]
    readonly_fields = ["last_verified_on", "verified_by", "created_at", "updated_at"]
    # A typed "example.org" becomes https://example.org (Django 6's default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_publish_permission(self, request):
        return can_publish(request.user, self.model)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.can_publish = self.has_publish_permission(request)
        return form

    def get_formsets_with_inlines(self, request, obj=None):
        for formset, inline in super().get_formsets_with_inlines(request, obj):
            if issubclass(formset.form, ListingForm):
                formset.form.can_publish = can_publish(request.user, inline.model)
            yield formset, inline

    @admin.action(description=_("Publish selected listings"), permissions=["publish"])
    def publish(self, request, queryset):
        ready = [obj for obj in queryset if self._can_be_published(obj)]
        skipped = queryset.count() - len(ready)
        updated = self.model.objects.filter(pk__in=[o.pk for o in ready]).update(
            status=Status.PUBLISHED, updated_at=timezone.now()
        )
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
        updated = queryset.update(status=Status.ARCHIVED, updated_at=timezone.now())
        self.message_user(
            request,
            ngettext("Archived %d listing.", "Archived %d listings.", updated) % updated,
            messages.SUCCESS,
        )

    @admin.action(description=_("Mark selected listings verified today"), permissions=["change"])
    def mark_verified_today(self, request, queryset):
        updated = queryset.update(
            last_verified_on=timezone.localdate(),
            verified_by=request.user,
            updated_at=timezone.now(),
        )
        self.message_user(
            request,
            ngettext("Marked %d listing verified.", "Marked %d listings verified.", updated)
            % updated,
            messages.SUCCESS,
        )

    def _can_be_published(self, obj):
        return True


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


class OrganizationPhoneFormSet(forms.BaseInlineFormSet):
    """A published organization needs at least one way to reach it."""

    def clean(self):
        super().clean()
        org = self.instance
        if org.status != Status.PUBLISHED or org.website or org.email:
            return
        kept = [
            f
            for f in self.forms
            if f.cleaned_data.get("number") and not f.cleaned_data.get("DELETE")
        ]
        service_phones = (
            Phone.objects.filter(service__organization=org).exists() if org.pk else False
        )
        if not kept and not service_phones:
            raise ValidationError(
                _(
                    "A published organization needs at least one way to reach it: "
                    "a website, an email or a phone number."
                )
            )


class PhoneInline(admin.TabularInline):
    model = Phone
    extra = 0
    fields = ["number", "extension", "type", "is_24_hours", "description", "languages"]
    autocomplete_fields = ["languages"]


class OrganizationPhoneInline(PhoneInline):
    fk_name = "organization"
    formset = OrganizationPhoneFormSet
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


class ServiceInline(admin.TabularInline):
    """A short view of the organization's services; each opens in full."""

    model = Service
    form = ListingForm
    extra = 0
    show_change_link = True
    fields = ["name", "status", "fee", "last_verified_on"]
    readonly_fields = ["last_verified_on"]


@admin.register(Organization)
class OrganizationAdmin(OrganizationExportMixin, ListingAdmin):
    actions = ListingAdmin.actions + EXPORT_ACTIONS
    list_display = ["name", "status", "city_list", "last_verified_on", "updated_at"]
    list_filter = [
        "status",
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
    inlines = [ServiceInline, LocationInline, OrganizationPhoneInline]
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
        (
            _("Publication"),
            {
                "fields": [
                    "status",
                    ("last_verified_on", "verified_by"),
                    "curator_notes",
                    ("created_at", "updated_at"),
                ]
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("locations")

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "kinds":
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description=_("cities"))
    def city_list(self, obj):
        return ", ".join(sorted({loc.city for loc in obj.locations.all()}))

    def _can_be_published(self, obj):
        return obj.has_contact_method()


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
        (_("Hours"), {"fields": [("open_24_7", "appointment_only"), "time_zone"]}),
        (
            _("Publication"),
            {
                "fields": [
                    "status",
                    ("last_verified_on", "verified_by"),
                    "curator_notes",
                    ("created_at", "updated_at"),
                ]
            },
        ),
    ]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "populations":
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
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
