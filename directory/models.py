"""The directory's data, aligned with Open Referral HSDS 3.0.

Model and field names follow HSDS where HSDS has the concept (organization,
service, location, phone, schedule, language, taxonomy_term,
service_at_location), so exports are mappings rather than translations.
Objects that HSDS exports carry a UUID primary key, as HSDS requires.
"""

import uuid
from datetime import date, timedelta
from math import cos as math_cos
from math import radians as math_radians

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import BooleanField, Case, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .fields import TagsField
from .images import logo_path, thumbnail_path
from .text import CleanTextMixin


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "review", _("In review")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


# A curator may move a listing between these; anything touching the others
# (publishing, unpublishing, archiving) needs the publish permission.
CURATOR_STATUSES = {Status.DRAFT, Status.IN_REVIEW}


def _stale_cutoff(today=None):
    return (today or date.today()) - timedelta(days=settings.VERIFICATION_STALE_DAYS)


class History(HistoricalRecords):
    """HistoricalRecords that ignores m2m changes made from the other side.

    simple-history records `term.services.add(service)` against the term,
    which has no history, and fails. Such changes only happen in code (the
    admin edits these relations from the listing's side), so skip them. Rows
    loaded from a fixture get no history, their many-to-many values neither
    (`_loaded_raw`, see directory/signals.py).
    """

    def m2m_changed(self, instance, action, attr, pk_set, reverse, **kwargs):
        if not reverse and not getattr(instance, "_loaded_raw", False):
            super().m2m_changed(instance, action, attr, pk_set, reverse, **kwargs)


class ListingQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Status.PUBLISHED)

    def stale(self, today=None):
        """Listings never verified, or not verified within VERIFICATION_STALE_DAYS."""
        cutoff = _stale_cutoff(today)
        return self.filter(Q(last_verified_on__isnull=True) | Q(last_verified_on__lt=cutoff))

    def annotate_freshness(self, today=None):
        """Add `is_fresh` (verified within VERIFICATION_STALE_DAYS), for ranking.

        Search orders by `-is_fresh` before its own ranking, so stale listings
        sink below fresh ones without disappearing.
        """
        return self.annotate(
            is_fresh=Case(
                When(last_verified_on__gte=_stale_cutoff(today), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )


class Listing(CleanTextMixin, models.Model):
    """What organizations and services share: a lifecycle and verification."""

    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Status.choices,
        default=Status.DRAFT,
        help_text=_("Only published listings are shown to the public."),
    )
    last_verified_on = models.DateField(
        _("last verified on"),
        null=True,
        blank=True,
        help_text=_(
            "The day someone confirmed these details with the organization. "
            "Saving does not change it; use “Mark verified”."
        ),
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    curator_notes = models.TextField(
        _("curator notes"),
        blank=True,
        help_text=_("Internal notes for curators. Never shown publicly or exported."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Optimistic locking: every save bumps it, and the admin refuses a form
    # loaded at an older version (see ListingForm.clean).
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            # From the stored row, not this instance: restoring an old version
            # from history must not move the counter backwards.
            stored = type(self)._base_manager.filter(pk=self.pk).values_list("version", flat=True)
            self.version = (stored.first() or 0) + 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
        super().save(*args, **kwargs)

    @property
    def is_published(self):
        return self.status == Status.PUBLISHED

    @property
    def is_stale(self):
        if self.last_verified_on is None:
            return True
        age = date.today() - self.last_verified_on
        return age.days > settings.VERIFICATION_STALE_DAYS

    def mark_verified(self, user, on=None):
        self.last_verified_on = on or timezone.localdate()
        self.verified_by = user


def _status_constraint(model_name):
    return models.CheckConstraint(
        condition=Q(status__in=Status.values), name=f"{model_name}_status_valid"
    )


class NaturalKeyManager(models.Manager):
    """Look rows up by their code, so fixtures can refer to them by name."""

    def get_by_natural_key(self, code):
        return self.get(code=code)


class Language(CleanTextMixin, models.Model):
    code = models.CharField(
        _("code"),
        max_length=12,
        unique=True,
        help_text=_("ISO 639-1 code where there is one (es), else ISO 639-3 (mix)."),
    )
    name = models.CharField(_("English name"), max_length=80)
    native_name = models.CharField(_("native name"), max_length=80, blank=True)

    objects = NaturalKeyManager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("language")
        verbose_name_plural = _("languages")

    def __str__(self):
        return self.display_name

    def natural_key(self):
        return (self.code,)

    @property
    def display_name(self):
        """The name in the reader's language, with the native name beside it."""
        name = gettext(self.name)
        if self.native_name and self.native_name != name:
            return f"{name} ({self.native_name})"
        return name


def code_or_below(codes, field="code"):
    """Return a Q for these taxonomy codes and every code below them (codes are path-like)."""
    q = Q(**{f"{field}__in": list(codes)})
    for code in codes:
        q |= Q(**{f"{field}__startswith": f"{code}."})
    return q


class TaxonomyTermQuerySet(models.QuerySet):
    def with_descendants(self):
        """Return these terms and every term below them."""
        return TaxonomyTerm.objects.filter(
            Q(pk__in=self.values("pk")) | code_or_below(self.values_list("code", flat=True))
        )


class TaxonomyTermManager(NaturalKeyManager.from_queryset(TaxonomyTermQuerySet)):
    pass


class TaxonomyTerm(CleanTextMixin, models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.CharField(
        _("code"),
        max_length=100,
        unique=True,
        validators=[
            RegexValidator(
                r"^[a-z0-9_-]+(\.[a-z0-9_-]+)*$",
                _("Use lower-case letters, digits and hyphens, with dots between levels."),
            )
        ],
        help_text=_(
            "Stable, dotted code such as legal.asylum. A child's code starts with "
            "its parent's. Never change a code once published: exports use it."
        ),
    )
    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    taxonomy = models.CharField(
        _("taxonomy"),
        max_length=50,
        default="advocacy",
        help_text=_("Which vocabulary the term comes from. Imported terms keep theirs."),
    )
    open_eligibility_code = models.CharField(
        _("Open Eligibility code"),
        max_length=50,
        blank=True,
        help_text=_("The matching Open Eligibility term, where one fits."),
    )
    term_uri = models.URLField(_("term URI"), blank=True)

    objects = TaxonomyTermManager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("taxonomy term")
        verbose_name_plural = _("taxonomy terms")
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=models.F("id")), name="taxonomyterm_not_own_parent"
            )
        ]

    def __str__(self):
        return self.display_name

    def natural_key(self):
        return (self.code,)

    @property
    def display_name(self):
        return gettext(self.name)

    @property
    def depth(self):
        return self.code.count(".")

    def clean(self):
        if self.parent_id and not self.code.startswith(f"{self.parent.code}."):
            raise ValidationError(
                {"code": _("A child term's code must start with its parent's code and a dot.")}
            )


class Kind(models.TextChoices):
    LEGAL = "legal", _("Legal services provider")
    COMMUNITY = "community", _("Community / advocacy organization")
    FAITH = "faith", _("Faith community")
    MENTAL_HEALTH = "mental_health", _("Mental-health provider")
    MUTUAL_AID = "mutual_aid", _("Mutual-aid network")
    RAPID_RESPONSE = "rapid_response", _("Rapid-response network")
    YOUTH = "youth", _("Youth organization")
    WORKER = "worker", _("Worker center / union")
    COALITION = "coalition", _("Coalition")
    PUBLIC_AGENCY = "public_agency", _("Public agency")


class Population(models.TextChoices):
    DETAINED = "detained", _("People in immigration detention")
    CHILDREN = "children", _("Children and unaccompanied minors")
    FAMILIES = "families", _("Families")
    YOUTH = "youth", _("Youth")
    SURVIVORS = "survivors", _("Survivors of violence or trafficking")
    LGBTQ = "lgbtq", _("LGBTQ+ people")
    ASYLUM_SEEKERS = "asylum_seekers", _("Asylum seekers")
    WORKERS = "workers", _("Workers")
    ELDERS = "elders", _("Older adults")
    ANY_STATUS = "any_status", _("Anyone, regardless of immigration status")


class ChoiceTag(models.Model):
    """A fixed vocabulary stored as rows, so it can be filtered and counted.

    The rows are created by a migration, one per choice; the label comes from
    the choices class, so it is translated.
    """

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self):
        return str(self.get_code_display())

    def natural_key(self):
        return (self.code,)


class OrganizationKind(ChoiceTag):
    code = models.CharField(_("code"), max_length=20, unique=True, choices=Kind.choices)

    objects = NaturalKeyManager()

    class Meta(ChoiceTag.Meta):
        verbose_name = _("organization kind")
        verbose_name_plural = _("organization kinds")
        constraints = [
            models.CheckConstraint(condition=Q(code__in=Kind.values), name="kind_code_valid")
        ]


class PopulationServed(ChoiceTag):
    code = models.CharField(_("code"), max_length=20, unique=True, choices=Population.choices)

    objects = NaturalKeyManager()

    class Meta(ChoiceTag.Meta):
        verbose_name = _("population served")
        verbose_name_plural = _("populations served")
        constraints = [
            models.CheckConstraint(
                condition=Q(code__in=Population.values), name="population_code_valid"
            )
        ]


class DetentionFacilityManager(models.Manager):
    def get_by_natural_key(self, name, state):
        return self.get(name=name, state=state)


class DetentionFacility(CleanTextMixin, models.Model):
    name = models.CharField(_("name"), max_length=200)
    city = models.CharField(_("city"), max_length=100)
    state = models.CharField(_("state"), max_length=2, help_text=_("Two-letter code, e.g. CA."))

    objects = DetentionFacilityManager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("detention facility")
        verbose_name_plural = _("detention facilities")
        constraints = [
            models.UniqueConstraint(fields=["name", "state"], name="facility_unique_name_state")
        ]

    def __str__(self):
        return f"{self.name} ({self.city}, {self.state})"

    def natural_key(self):
        return (self.name, self.state)


PARTNERS_GROUP = "Partners"


def is_partner(user):
    """Whether a signed-in account may see partners-only listings."""
    if not (user.is_authenticated and user.is_active):
        return False
    cached = getattr(user, "_is_partner", None)
    if cached is None:
        cached = user._is_partner = user.groups.filter(name=PARTNERS_GROUP).exists()
    return cached


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Everyone")
    PARTNERS = "partners", _("Partners only")


class OrganizationQuerySet(ListingQuerySet):
    def public(self):
        """What anonymous visitors, exports, sitemaps and the API may show."""
        return self.published().filter(visibility=Visibility.PUBLIC)

    def visible_to(self, user):
        """Published listings this visitor may see: partners also see partners-only ones."""
        return self.published() if is_partner(user) else self.public()


class LegalStatus(models.TextChoices):
    NONPROFIT_501C3 = "501c3", _("501(c)(3) nonprofit")
    FISCALLY_SPONSORED = "fiscal_sponsor", _("Fiscally sponsored project")
    OTHER_NONPROFIT = "nonprofit", _("Other nonprofit")
    RELIGIOUS = "religious", _("Religious organization")
    UNINCORPORATED = "unincorporated", _("Unincorporated group")
    GOVERNMENT = "government", _("Government agency")
    FOR_PROFIT = "for_profit", _("For-profit business")


class Organization(Listing):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(
        _("slug"),
        max_length=200,
        unique=True,
        help_text=_("The last part of the listing's web address. Changing it breaks old links."),
    )
    alternate_name = models.CharField(
        _("alternate name"),
        max_length=200,
        blank=True,
        help_text=_(
            "Another name people know it by, such as an acronym or a name in another language."
        ),
    )
    description = models.TextField(
        _("description"),
        blank=True,
        help_text=_("A plain-language summary of what the organization does."),
    )
    website = models.URLField(_("website"), max_length=300, blank=True)
    email = models.EmailField(_("email"), blank=True)
    year_founded = models.PositiveSmallIntegerField(
        _("year founded"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1700), MaxValueValidator(2100)],
    )
    legal_status = models.CharField(
        _("nonprofit status"), max_length=20, blank=True, choices=LegalStatus.choices
    )
    logo = models.ImageField(
        _("logo"),
        upload_to=logo_path,
        blank=True,
        help_text=_("PNG, JPEG or WebP, at most 2 MB. It is re-encoded, which removes metadata."),
    )
    logo_thumbnail = models.ImageField(
        _("logo thumbnail"), upload_to=thumbnail_path, blank=True, editable=False
    )
    visibility = models.CharField(
        _("visibility"),
        max_length=10,
        choices=Visibility.choices,
        default=Visibility.PUBLIC,
        help_text=_(
            "“Partners only” listings are shown to signed-in partner organizations and "
            "never to the public, in exports or in sitemaps: use it for rapid-response "
            "contacts and sanctuary sites."
        ),
    )
    needs_review = models.BooleanField(
        _("needs review"),
        default=False,
        help_text=_(
            "Set when a curator accepts a problem report. The listing stays public; "
            "untick once the details are checked."
        ),
    )
    kinds = models.ManyToManyField(
        OrganizationKind, verbose_name=_("kinds"), blank=True, related_name="organizations"
    )

    # Legal credentials: these let people avoid notario fraud.
    doj_recognized = models.BooleanField(
        _("DOJ-recognized organization"),
        default=False,
        help_text=_(
            "Recognized by the Department of Justice (EOIR Recognition & Accreditation "
            "program): a nonprofit allowed to give immigration legal help through "
            "accredited representatives. Check the EOIR roster before ticking this."
        ),
    )
    doj_recognition_expires_on = models.DateField(
        _("DOJ recognition expires on"),
        null=True,
        blank=True,
        help_text=_("From the EOIR roster. Recognition must be renewed every six years."),
    )
    accredited_representatives_full = models.PositiveSmallIntegerField(
        _("fully accredited representatives"),
        default=0,
        help_text=_(
            "DOJ-accredited representatives with full accreditation: they may "
            "appear in immigration court and before DHS."
        ),
    )
    accredited_representatives_partial = models.PositiveSmallIntegerField(
        _("partially accredited representatives"),
        default=0,
        help_text=_("Partially accredited representatives may practise before DHS (USCIS) only."),
    )
    attorneys_on_staff = models.PositiveSmallIntegerField(
        _("attorneys on staff"),
        default=0,
        help_text=_("Licensed attorneys who give immigration legal help here."),
    )

    objects = OrganizationQuerySet.as_manager()
    # Without `version`: a restored old version then carries the current one,
    # so the optimistic lock sees it as up to date.
    history = History(m2m_fields=[kinds], excluded_fields=["version"])

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        permissions = [
            ("publish_organization", _("Can publish, unpublish and archive organizations")),
        ]
        constraints = [
            _status_constraint("organization"),
            models.CheckConstraint(
                condition=Q(year_founded__isnull=True)
                | Q(year_founded__gte=1700, year_founded__lte=2100),
                name="organization_year_founded_range",
            ),
            models.CheckConstraint(condition=~Q(slug=""), name="organization_slug_not_empty"),
            models.CheckConstraint(
                condition=Q(doj_recognized=True) | Q(doj_recognition_expires_on__isnull=True),
                name="organization_expiry_needs_recognition",
            ),
            models.CheckConstraint(
                condition=Q(visibility__in=Visibility.values), name="organization_visibility_valid"
            ),
        ]
        indexes = [
            # The public directory filters on status on every request.
            models.Index(fields=["status", "name"], name="org_status_name_idx"),
            # The verification dashboard sorts by age of verification.
            models.Index(fields=["last_verified_on"], name="org_verified_idx"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("directory:organization-detail", kwargs={"slug": self.slug})

    @property
    def accredited_representatives(self):
        return self.accredited_representatives_full + self.accredited_representatives_partial

    @property
    def recognition_is_current(self):
        if not self.doj_recognized:
            return False
        expires = self.doj_recognition_expires_on
        return expires is None or expires >= date.today()

    def has_contact_method(self):
        """Return whether the public can reach the organization somehow.

        This spans tables (phones, services), so it cannot be a database
        constraint; every publish path checks it (directory/publishing.py).
        """
        from .publishing import has_contact_method

        return has_contact_method(self)

    def clean(self):
        errors = {}
        if self.doj_recognition_expires_on and not self.doj_recognized:
            errors["doj_recognition_expires_on"] = _(
                "An expiry date only makes sense for a DOJ-recognized organization."
            )
        if errors:
            raise ValidationError(errors)


class Fee(models.TextChoices):
    FREE = "free", _("Free")
    SLIDING_SCALE = "sliding", _("Sliding scale")
    LOW_COST = "low_cost", _("Low cost")
    PAID = "paid", _("Paid")


class AreaType(models.TextChoices):
    LOCAL = "local", _("Cities or counties")
    STATE = "state", _("States")
    NATIONWIDE = "nationwide", _("Nationwide")


class ServiceQuerySet(ListingQuerySet):
    def public(self):
        """Published services of published organizations open to everyone."""
        return self.published().filter(
            organization__status=Status.PUBLISHED, organization__visibility=Visibility.PUBLIC
        )

    def visible_to(self, user):
        return self.published().filter(
            organization__in=Organization.objects.visible_to(user).values("pk")
        )


class Service(Listing):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="services",
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    url = models.URLField(_("web page"), max_length=300, blank=True)
    email = models.EmailField(_("email"), blank=True)
    taxonomy_terms = models.ManyToManyField(
        TaxonomyTerm, verbose_name=_("categories"), blank=True, related_name="services"
    )
    fee = models.CharField(_("fees"), max_length=10, choices=Fee.choices, default=Fee.FREE)
    fee_note = models.CharField(
        _("fee note"),
        max_length=300,
        blank=True,
        help_text=_("E.g. “$50 consultation, waived for hardship”."),
    )
    eligibility = models.TextField(
        _("eligibility"), blank=True, help_text=_("Who can use this service, in plain words.")
    )
    populations = models.ManyToManyField(
        PopulationServed, verbose_name=_("populations served"), blank=True, related_name="services"
    )
    languages = models.ManyToManyField(
        Language,
        verbose_name=_("languages"),
        through="ServiceLanguage",
        blank=True,
        related_name="services",
    )
    application_process = models.TextField(
        _("how to get help"),
        blank=True,
        help_text=_("The steps to get this service, in plain words."),
    )
    walk_in = models.BooleanField(_("walk-ins welcome"), default=False)
    by_appointment = models.BooleanField(_("by appointment"), default=False)
    by_hotline = models.BooleanField(_("through a hotline"), default=False)
    online = models.BooleanField(_("online"), default=False)
    remote_by_phone = models.BooleanField(
        _("available remotely by phone"),
        default=False,
        help_text=_("Can be used without visiting, by phone."),
    )
    remote_by_video = models.BooleanField(_("available remotely by video"), default=False)
    required_documents = models.TextField(
        _("documents to bring"), blank=True, help_text=_("One per line.")
    )
    area_type = models.CharField(
        _("service area"), max_length=12, choices=AreaType.choices, default=AreaType.LOCAL
    )
    area_names = models.CharField(
        _("areas served"),
        max_length=300,
        blank=True,
        help_text=_("Counties, cities or states, separated by semicolons. Empty when nationwide."),
    )
    serves_detained = models.BooleanField(
        _("serves people in immigration detention"), default=False
    )
    detention_facilities = models.ManyToManyField(
        DetentionFacility,
        verbose_name=_("detention facilities"),
        blank=True,
        related_name="services",
    )
    open_24_7 = models.BooleanField(_("open 24 hours, 7 days"), default=False)
    appointment_only = models.BooleanField(
        _("hours by appointment only"),
        default=False,
        help_text=_("Tick when there are no fixed opening hours."),
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=50,
        blank=True,
        help_text=_("For opening hours, e.g. America/New_York. Empty means the site's time zone."),
    )
    hours_note = models.TextField(
        _("other hours"),
        blank=True,
        help_text=_(
            "Hours that are not the same every week, in plain words, e.g. “First Monday of "
            "the month, 9:00–12:00”. Shown with the weekly hours."
        ),
    )
    locations = models.ManyToManyField(
        "Location",
        verbose_name=_("locations"),
        through="ServiceAtLocation",
        blank=True,
        related_name="services",
    )

    objects = ServiceQuerySet.as_manager()
    history = History(m2m_fields=[taxonomy_terms, populations], excluded_fields=["version"])

    class Meta:
        ordering = ["name"]
        verbose_name = _("service")
        verbose_name_plural = _("services")
        permissions = [("publish_service", _("Can publish, unpublish and archive services"))]
        constraints = [
            _status_constraint("service"),
            models.CheckConstraint(condition=Q(fee__in=Fee.values), name="service_fee_valid"),
            models.CheckConstraint(
                condition=Q(area_type__in=AreaType.values), name="service_area_type_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "organization"], name="service_status_org_idx"),
            # Fee and remote filters on the public search.
            models.Index(fields=["fee"], name="service_fee_idx"),
            # Search filters: ?detention=1 (serves_detained), ?remote=1
            # (remote_by_phone / remote_by_video), nationwide services with ?near=.
            models.Index(fields=["serves_detained"], name="service_detained_idx"),
            models.Index(fields=["remote_by_phone", "remote_by_video"], name="service_remote_idx"),
            models.Index(fields=["area_type"], name="service_area_type_idx"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return f"{self.organization.get_absolute_url()}#service-{self.pk}"

    @property
    def required_documents_list(self):
        return [line.strip() for line in self.required_documents.splitlines() if line.strip()]

    @property
    def tz(self):
        from zoneinfo import ZoneInfo

        return ZoneInfo(self.time_zone or settings.TIME_ZONE)

    def clean(self):
        if self.time_zone:
            from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

            try:
                ZoneInfo(self.time_zone)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValidationError({"time_zone": _("Unknown time zone.")}) from None


def translation_languages():
    """The interface languages a listing's text can be translated into (all but the site's)."""
    return [(code, name) for code, name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


class ListingTranslation(CleanTextMixin, models.Model):
    """A listing's words in one interface language; the listing itself keeps the original.

    The original stays on the listing, so search, exports, imports and the
    admin lists read one row as before; directory/listing_translations.py
    lays the reader's language over it.
    """

    language = models.CharField(_("language"), max_length=10, choices=translation_languages)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class OrganizationTranslation(ListingTranslation):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="translations"
    )
    alternate_name = models.CharField(
        _("name in this language"),
        max_length=200,
        blank=True,
        help_text=_("Shown under the organization's own name, which is never translated."),
    )
    description = models.TextField(_("description"), blank=True)
    history = History()

    class Meta:
        verbose_name = _("translation")
        verbose_name_plural = _("translations")
        ordering = ["language"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "language"], name="organization_translation_unique"
            )
        ]

    def __str__(self):
        return f"{self.organization} ({self.language})"


class ServiceTranslation(ListingTranslation):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="translations")
    name = models.CharField(_("name"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    eligibility = models.TextField(_("eligibility"), blank=True)
    application_process = models.TextField(_("how to get help"), blank=True)
    fee_note = models.CharField(_("fee note"), max_length=200, blank=True)
    required_documents = models.TextField(
        _("documents to bring"), blank=True, help_text=_("One per line.")
    )
    history = History()

    class Meta:
        verbose_name = _("translation")
        verbose_name_plural = _("translations")
        ordering = ["language"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "language"], name="service_translation_unique"
            )
        ]

    def __str__(self):
        return f"{self.service} ({self.language})"


class LanguageVia(models.TextChoices):
    STAFF = "staff", _("Spoken by staff")
    INTERPRETER = "interpreter", _("Through an interpreter")


class ServiceLanguage(models.Model):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="service_languages")
    language = models.ForeignKey(Language, verbose_name=_("language"), on_delete=models.PROTECT)
    via = models.CharField(
        _("how"), max_length=12, choices=LanguageVia.choices, default=LanguageVia.STAFF
    )

    class Meta:
        verbose_name = _("service language")
        verbose_name_plural = _("service languages")
        constraints = [
            models.UniqueConstraint(fields=["service", "language"], name="service_language_unique"),
            models.CheckConstraint(
                condition=Q(via__in=LanguageVia.values), name="service_language_via_valid"
            ),
        ]

    def __str__(self):
        return f"{self.language} ({self.get_via_display()})"


class LocationQuerySet(models.QuerySet):
    def confidential_near(self, location):
        """Other confidential locations that may share `location`'s decoy (geo.search_point)."""
        from .geo import SHARE_MILES, bounding_box

        others = self.filter(is_confidential=True, search_latitude__isnull=False).exclude(
            pk=location.pk
        )
        if location.latitude is None:  # anchored on the city centroid, as are these
            return others.filter(
                latitude__isnull=True, city__iexact=location.city, state__iexact=location.state
            )
        min_lat, max_lat, min_lon, max_lon = bounding_box(
            (location.latitude, location.longitude), SHARE_MILES
        )
        return others.filter(
            latitude__range=(min_lat, max_lat), longitude__range=(min_lon, max_lon)
        )

    def within(self, box):
        return self.filter(in_box(box))

    def with_distance(self, point):
        """Annotate `distance` in miles from `point` (haversine, in SQL)."""
        return self.annotate(distance=distance_from(point))


def in_box(box, prefix=""):
    """A Q: the search point is inside (min_lat, max_lat, min_lon, max_lon).

    `prefix` ("location__") tests a related location in the same query.
    """
    min_lat, max_lat, min_lon, max_lon = box
    return models.Q(
        **{
            f"{prefix}search_latitude__range": (min_lat, max_lat),
            f"{prefix}search_longitude__range": (min_lon, max_lon),
        }
    )


def distance_from(point, prefix=""):
    """The distance in miles from `point` to the search point (haversine, in SQL)."""
    from django.db.models.functions import ASin, Cos, Power, Radians, Sin, Sqrt

    from .geo import EARTH_RADIUS_MILES

    latitude, longitude = f"{prefix}search_latitude", f"{prefix}search_longitude"
    lat, lon = (math_radians(v) for v in point)
    dlat = (Radians(latitude) - lat) / 2
    dlon = (Radians(longitude) - lon) / 2
    h = Power(Sin(dlat), 2) + Cos(Radians(latitude)) * math_cos(lat) * Power(Sin(dlon), 2)
    return models.ExpressionWrapper(
        2 * EARTH_RADIUS_MILES * ASin(Sqrt(h)), output_field=models.FloatField()
    )


class Location(CleanTextMixin, models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="locations",
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    address_1 = models.CharField(_("address"), max_length=200, blank=True)
    address_2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100)
    county = models.CharField(_("county"), max_length=100, blank=True)
    # Wider than a US code: imported HSDS data may name a province or region.
    state = models.CharField(
        _("state"), max_length=50, help_text=_("Two-letter code for a US state, e.g. CA.")
    )
    postal_code = models.CharField(_("ZIP code"), max_length=10, blank=True)
    country = models.CharField(_("country"), max_length=2, default="US")
    latitude = models.FloatField(
        _("latitude"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.FloatField(
        _("longitude"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    accessibility = models.TextField(
        _("accessibility"),
        blank=True,
        help_text=_("Step-free access, accessible restroom, ASL, etc."),
    )
    transit = models.TextField(
        _("transit"), blank=True, help_text=_("Bus and train lines nearby, parking.")
    )
    is_confidential = models.BooleanField(
        _("confidential address"),
        default=False,
        help_text=_(
            "Tick for sanctuary sites, shelters and anywhere a public address could "
            "put people at risk. Only the city and state are then shown publicly; "
            "the street address and coordinates never leave the admin."
        ),
    )
    # The point distance searches use, set before saving by geo.search_point: the
    # real coordinates (else the ZIP or city centroid), or for a confidential
    # location a decoy drawn once, 3-5 miles from its real place. Never shown.
    search_latitude = models.FloatField(null=True, editable=False)
    search_longitude = models.FloatField(null=True, editable=False)

    objects = LocationQuerySet.as_manager()
    # The search point is derived from the address (set_search_point).
    history = History(excluded_fields=["search_latitude", "search_longitude"])

    class Meta:
        ordering = ["organization", "name", "city"]
        indexes = [
            # ?near= prefilters locations with a bounding box on these.
            models.Index(
                fields=["search_latitude", "search_longitude"], name="location_search_point_idx"
            ),
        ]
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="location_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="location_longitude_range",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="location_coordinates_pair",
            ),
        ]

    def __str__(self):
        return self.name or f"{self.city}, {self.state}"

    @property
    def public_address_lines(self):
        """Return the address lines that may be shown publicly."""
        locality = ", ".join(filter(None, [self.city, f"{self.state} {self.postal_code}".strip()]))
        if self.is_confidential:
            return [f"{self.city}, {self.state}"]
        return [line for line in (self.address_1, self.address_2, locality) if line]

    @property
    def public_coordinates(self):
        if self.is_confidential or self.latitude is None:
            return None
        return (self.latitude, self.longitude)

    def clean(self):
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError(_("Give both latitude and longitude, or neither."))

    def set_search_point(self):
        """Called before every save, fixture loads included (directory/signals.py)."""
        from .geo import search_point

        previous, neighbours = None, ()
        if self.is_confidential:  # keeps or shares a decoy (geo.search_point)
            previous = Location.objects.filter(pk=self.pk).first()
            neighbours = Location.objects.confidential_near(self)
        point = search_point(self, previous, neighbours)
        self.search_latitude, self.search_longitude = point or (None, None)


class ServiceAtLocation(CleanTextMixin, models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="service_at_locations"
    )
    location = models.ForeignKey(
        Location,
        verbose_name=_("location"),
        on_delete=models.CASCADE,
        related_name="service_at_locations",
    )
    description = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("service at location")
        verbose_name_plural = _("services at locations")
        constraints = [
            models.UniqueConstraint(
                fields=["service", "location"], name="service_at_location_unique"
            )
        ]

    def __str__(self):
        return f"{self.service} @ {self.location}"


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class Schedule(models.Model):
    """Weekly opening hours: one row per day and opening.

    A closing time earlier than the opening time means the service closes
    after midnight. Rows with a service_at_location are hours at that place,
    overriding the service's own hours there.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="schedules")
    service_at_location = models.ForeignKey(
        ServiceAtLocation,
        verbose_name=_("at location"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="schedules",
        help_text=_("Leave empty for the service's usual hours."),
    )
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    opens_at = models.TimeField(_("opens at"))
    closes_at = models.TimeField(_("closes at"))

    class Meta:
        ordering = ["weekday", "opens_at"]
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        constraints = [
            models.CheckConstraint(
                condition=Q(weekday__gte=0, weekday__lte=6), name="schedule_weekday_valid"
            ),
            models.CheckConstraint(
                condition=~Q(opens_at=models.F("closes_at")), name="schedule_not_empty"
            ),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens_at:%H:%M}–{self.closes_at:%H:%M}"

    @property
    def is_overnight(self):
        return self.closes_at < self.opens_at


class Closure(CleanTextMixin, models.Model):
    """A day a service is closed despite its usual hours (a holiday)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="closures")
    date = models.DateField(_("date"))
    note = models.CharField(
        _("note"), max_length=200, blank=True, help_text=_("E.g. “Thanksgiving”.")
    )

    class Meta:
        ordering = ["date"]
        verbose_name = _("holiday closure")
        verbose_name_plural = _("holiday closures")
        constraints = [
            models.UniqueConstraint(fields=["service", "date"], name="closure_unique_day")
        ]

    def __str__(self):
        return f"{self.date}: {self.note}" if self.note else str(self.date)


class PhoneType(models.TextChoices):
    VOICE = "voice", pgettext_lazy("phone type", "Voice")
    HOTLINE = "hotline", _("Hotline")
    TEXT = "text", _("Text (SMS)")
    FAX = "fax", _("Fax")


class PhoneQuerySet(models.QuerySet):
    def public(self):
        """Phones of public organizations (their own) and of public services."""
        return self.filter(
            Q(service__isnull=True, organization__in=Organization.objects.public().values("pk"))
            | Q(service__in=Service.objects.public().values("pk"))
        )


class Phone(CleanTextMixin, models.Model):
    """A phone number of an organization, or of one of its services."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="phones"
    )
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.CASCADE, related_name="phones"
    )
    number = models.CharField(_("number"), max_length=30, help_text=_("E.g. (213) 555-0123."))
    extension = models.CharField(_("extension"), max_length=10, blank=True)
    type = models.CharField(
        _("type"), max_length=10, choices=PhoneType.choices, default=PhoneType.VOICE
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    is_24_hours = models.BooleanField(_("answered 24 hours"), default=False)
    languages = models.ManyToManyField(
        Language, verbose_name=_("languages"), blank=True, related_name="phones"
    )

    objects = PhoneQuerySet.as_manager()
    history = History(m2m_fields=[languages])

    class Meta:
        ordering = ["type", "number"]
        verbose_name = _("phone")
        verbose_name_plural = _("phones")
        constraints = [
            models.CheckConstraint(condition=Q(type__in=PhoneType.values), name="phone_type_valid"),
            models.CheckConstraint(
                condition=Q(organization__isnull=False) | Q(service__isnull=False),
                name="phone_has_owner",
            ),
            models.CheckConstraint(condition=~Q(number=""), name="phone_number_not_empty"),
        ]

    def __str__(self):
        return f"{self.number} ext. {self.extension}" if self.extension else self.number

    @property
    def tel_uri(self):
        """Return the number as a tel: or sms: URI target (digits and +)."""
        digits = "".join(ch for ch in self.number if ch.isdigit() or ch == "+")
        if len(digits) == 10 and not digits.startswith("+"):
            digits = f"+1{digits}"
        return digits

    @property
    def link(self):
        """Return the href that reaches this number: sms: for a text line, none for a fax."""
        if self.type == PhoneType.FAX:
            return ""
        scheme = "sms" if self.type == PhoneType.TEXT else "tel"
        return f"{scheme}:{self.tel_uri}"


class PhoneTranslation(ListingTranslation):
    """What a phone is for ("Spanish line, evenings"), in one interface language."""

    phone = models.ForeignKey(Phone, on_delete=models.CASCADE, related_name="translations")
    description = models.CharField(_("description"), max_length=200, blank=True)
    history = History()

    class Meta:
        verbose_name = _("translation")
        verbose_name_plural = _("translations")
        ordering = ["language"]
        constraints = [
            models.UniqueConstraint(fields=["phone", "language"], name="phone_translation_unique")
        ]

    def __str__(self):
        return f"{self.phone} ({self.language})"


class OrganizationRedirectManager(models.Manager):
    def survivor_for(self, old_slug):
        """The organization an old, merged-away slug now points to, or None."""
        found = self.select_related("organization").filter(old_slug=old_slug).first()
        return found.organization if found else None


class OrganizationRedirect(models.Model):
    """An old slug of an organization merged into another: its URL redirects."""

    old_slug = models.SlugField(_("old slug"), max_length=200, unique=True)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="redirects",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = OrganizationRedirectManager()

    class Meta:
        ordering = ["old_slug"]
        verbose_name = _("organization redirect")
        verbose_name_plural = _("organization redirects")

    def __str__(self):
        return f"{self.old_slug} → {self.organization.slug}"


class Moderation(models.TextChoices):
    NEW = "new", _("New")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class SubmissionQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=Moderation.NEW)


class Submission(CleanTextMixin, models.Model):
    """Something sent by the public. It never changes a listing by itself."""

    status = models.CharField(
        _("status"), max_length=10, choices=Moderation.choices, default=Moderation.NEW
    )
    curator_note = models.TextField(
        _("curator note"), blank=True, help_text=_("Why it was accepted or rejected. Internal.")
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    contact = models.CharField(
        _("your email or phone (optional)"),
        max_length=200,
        blank=True,
        help_text=_("Only if you want us to be able to ask you a question. Never published."),
    )
    created_at = models.DateTimeField(_("received at"), auto_now_add=True)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    def _handle(self, user, status, note=""):
        self.status = status
        self.handled_by = user
        self.handled_at = timezone.now()
        if note:
            self.curator_note = note

    def reject(self, user, note=""):
        self._handle(user, Moderation.REJECTED, note)
        self.save()


class Suggestion(Submission):
    """A new organization suggested by the public."""

    name = models.CharField(_("name of the organization"), max_length=200)
    description = models.TextField(
        _("what do they do?"), blank=True, help_text=_("For example: free legal help, a hotline.")
    )
    city = models.CharField(_("city"), max_length=100, blank=True)
    state = models.CharField(_("state"), max_length=2, blank=True, help_text=_("E.g. CA."))
    website = models.URLField(_("their website"), max_length=300, blank=True)
    phone = models.CharField(_("their phone"), max_length=30, blank=True)
    email = models.EmailField(_("their email"), blank=True)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("draft created"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="suggestions",
    )

    class Meta(Submission.Meta):
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=Moderation.values), name="suggestion_status_valid"
            )
        ]

    def __str__(self):
        return self.name

    def accept(self, user, note=""):
        """Create a prefilled draft organization; a curator completes and publishes it."""
        from django.utils.text import slugify

        base = slugify(self.name)[:180] or "organization"
        slug, n = base, 1
        while Organization.objects.filter(slug=slug).exists():
            n += 1
            slug = f"{base}-{n}"
        org = Organization.objects.create(
            name=self.name,
            slug=slug,
            description=self.description,
            website=self.website,
            email=self.email,
            status=Status.DRAFT,
            curator_notes=gettext("Created from a public suggestion."),
        )
        if self.phone:
            Phone.objects.create(organization=org, number=self.phone)
        if self.city and self.state:
            Location.objects.create(organization=org, city=self.city, state=self.state.upper())
        self.organization = org
        self._handle(user, Moderation.ACCEPTED, note)
        self.save()
        return org


class ReportReason(models.TextChoices):
    WRONG_PHONE = "wrong_phone", _("The phone number is wrong")
    MOVED = "moved", _("They moved")
    CLOSED = "closed", _("They closed")
    UNSAFE = "unsafe", _("It is unsafe or fraudulent")
    OTHER = "other", _("Something else")


class Report(Submission):
    """A problem with a listing, reported by the public."""

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="reports",
    )
    reason = models.CharField(_("what is wrong?"), max_length=12, choices=ReportReason.choices)
    details = models.TextField(_("details"), blank=True)

    class Meta(Submission.Meta):
        verbose_name = _("problem report")
        verbose_name_plural = _("problem reports")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=Moderation.values), name="report_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(reason__in=ReportReason.values), name="report_reason_valid"
            ),
        ]

    def __str__(self):
        return f"{self.organization}: {self.get_reason_display()}"

    def accept(self, user, note=""):
        """Flag the listing for review; the listing itself stays as it is."""
        Organization.objects.filter(pk=self.organization_id).update(needs_review=True)
        self._handle(user, Moderation.ACCEPTED, note)
        self.save()


class SourceId(models.Model):
    """Another publisher's id for one of our listings, so its next file updates that listing.

    `source` names the publisher: the import's --source, by default the file's
    name, or the address a sync reads. Each of our rows may carry ids from
    several sources, and one source's id stands for one row.
    """

    class Kind(models.TextChoices):
        ORGANIZATION = "organization", _("organization")
        SERVICE = "service", _("service")
        LOCATION = "location", _("location")

    source = models.CharField(_("source"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    external_id = models.CharField(_("their id"), max_length=255)
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="source_ids"
    )
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.CASCADE, related_name="source_ids"
    )
    location = models.ForeignKey(
        "Location", null=True, blank=True, on_delete=models.CASCADE, related_name="source_ids"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("source id")
        verbose_name_plural = _("source ids")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "kind", "external_id"], name="sourceid_one_row_per_id"
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind="organization", organization__isnull=False)
                    & Q(service__isnull=True, location__isnull=True)
                )
                | (
                    Q(kind="service", service__isnull=False)
                    & Q(organization__isnull=True, location__isnull=True)
                )
                | (
                    Q(kind="location", location__isnull=False)
                    & Q(organization__isnull=True, service__isnull=True)
                ),
                name="sourceid_points_at_its_kind",
            ),
        ]

    def __str__(self):
        return f"{self.source}: {self.external_id}"


class SyncRun(models.Model):
    """One run of manage.py sync_hsds: when, from which API, and what it changed.

    The next run of the same source asks only for what changed after this
    one's `newest_seen` (docs/hsds.md, "Live sync").
    """

    source = models.CharField(_("source"), max_length=200)  # as in SourceId.source
    url = models.URLField(_("web address"), max_length=500)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # What was asked of the source; empty: everything.
    modified_after = models.DateTimeField(_("changes since"), null=True, blank=True)
    newest_seen = models.DateTimeField(_("newest change seen"), null=True, blank=True)
    # The source's ids of the services changed at `newest_seen`, which the next
    # run's modified_after sends again: it skips them (directory.hsds_sync.Reader).
    newest_ids = models.JSONField(default=list, editable=False)
    pages = models.PositiveIntegerField(_("pages read"), default=0)
    items = models.PositiveIntegerField(_("services read"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    # Listings the source no longer lists, archived by a complete run.
    archived = models.PositiveIntegerField(_("archived"), default=0)
    warnings = models.PositiveIntegerField(_("warnings"), default=0)
    succeeded = models.BooleanField(_("written"), default=False)
    failure = models.TextField(_("why nothing was written"), blank=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    changes = models.JSONField(_("changes"), default=list, blank=True)

    class Meta:
        verbose_name = _("HSDS sync")
        verbose_name_plural = _("HSDS syncs")
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["source", "-started_at"], name="syncrun_source_latest")]

    def __str__(self):
        return f"{self.source} {self.started_at:%Y-%m-%d %H:%M}"


class PendingImportQuerySet(models.QuerySet):
    def abandoned(self):
        return self.filter(created_at__lt=timezone.now() - PendingImport.MAX_AGE)


class PendingImport(models.Model):
    """An uploaded import file waiting between its preview and its confirmation.

    It lives in the database, not on one server's disk, so whichever app
    server answers the confirm can read it. It is deleted when confirmed, and
    once it is MAX_AGE old (abandoned) by the next preview or confirm.
    """

    MAX_AGE = timedelta(days=1)

    # Unguessable, and only its uploader may confirm it (admin_io.claim_upload).
    token = models.CharField(max_length=64, unique=True, editable=False)
    file_name = models.CharField(_("file name"), max_length=255)
    data = models.BinaryField(_("file contents"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = PendingImportQuerySet.as_manager()

    class Meta:
        verbose_name = _("pending import")
        verbose_name_plural = _("pending imports")

    def __str__(self):
        return self.file_name


# ------------------------------------------------------------------ search index
# Derived from the listings above by directory/search_index.py, on every write
# (directory/signals.py) and by `manage.py rebuild_search_index`. Only public
# listings have rows, so the search cannot reach anything else.


class SearchEntryQuerySet(models.QuerySet):
    annotate_freshness = ListingQuerySet.annotate_freshness


class SearchEntry(models.Model):
    """The public search's row for one public organization."""

    organization = models.OneToOneField(
        Organization, primary_key=True, on_delete=models.CASCADE, related_name="search_entry"
    )
    name = models.CharField(max_length=200)
    last_verified_on = models.DateField(null=True)
    # The organization's kinds and credentials, and every value of its public
    # services (categories with their parents, languages, fees...): exact for
    # a search with at most one service filter.
    tags = TagsField(default=list)
    # Folded words, names first: SQLite matches word prefixes in it.
    text = models.TextField(default="")
    # [city, state] of each location, as the result card shows them (a
    # confidential location shows no more anywhere public).
    places = models.JSONField(default=list)
    # PostgreSQL only: the weighted vector (names A, alternate and service
    # names B, the rest C), with a GIN index made by migration 0012.
    document = SearchVectorField(null=True)

    objects = SearchEntryQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["name"], name="searchentry_name_idx"),
            models.Index(fields=["last_verified_on"], name="searchentry_verified_idx"),
        ]

    def __str__(self):
        return self.name


class ServiceEntry(models.Model):
    """The public search's row for one public service: one service must match all its filters."""

    service = models.OneToOneField(
        Service, primary_key=True, on_delete=models.CASCADE, related_name="search_entry"
    )
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    # Its own values, and its organization's kinds and credentials.
    tags = TagsField(default=list)
    # The later of the service's and its organization's updated_at: the API's
    # modified_after, read from an index instead of joining both tables.
    last_modified = models.DateTimeField(null=True, db_index=True)

    def __str__(self):
        return str(self.service_id)


class OpeningInterval(models.Model):
    """One weekly opening of a public service, in minutes of the week in its own time zone.

    Monday 00:00 is minute 0. An opening that runs past Sunday midnight ends
    after minute 10080. Stored in local time with the zone, so daylight
    saving never makes a row wrong: "open now" converts the moment instead.
    """

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    time_zone = models.CharField(max_length=50)
    weekday = models.PositiveSmallIntegerField()  # the day it opens: a closure cancels it
    starts = models.PositiveIntegerField()
    ends = models.PositiveIntegerField()

    class Meta:
        indexes = [
            models.Index(
                fields=["time_zone", "weekday", "starts"], name="openinginterval_when_idx"
            ),
            # "Open now" reads whichever of the two is narrower at the hour:
            # openings that have started (early in the day, few) or that
            # have not ended yet (late in the day, few).
            models.Index(fields=["time_zone", "weekday", "ends"], name="openinginterval_until_idx"),
        ]

    def __str__(self):
        return f"{self.time_zone} {self.starts}-{self.ends}"


# The typo-correction vocabulary (directory/spelling.py) ------------------------


class Word(models.Model):
    """A distinct word of the public search texts, for typo correction.

    Derived data: spelling.rebuild() recomputes the table, spelling.add_words()
    adds new words between rebuilds. On PostgreSQL migration 0012 adds a
    trigram GIN index on `word`.
    """

    MAX_LENGTH = 50

    word = models.CharField(max_length=MAX_LENGTH, unique=True)
    # Public organizations whose search text holds the word: exact after a
    # rebuild, approximate between rebuilds (add_words only inserts).
    frequency = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("search word")
        verbose_name_plural = _("search words")

    def __str__(self):
        return self.word


# What the words of a search mean (directory/synonyms.py) ----------------------


class SearchSynonym(CleanTextMixin, models.Model):
    """Words a search understands: one concept's words in one language, or stop words.

    Rows sharing a concept are one set of words meaning the same thing, in
    every language: a search for any of them finds all of them, and every
    language, category and filter any of the rows stands for. Curated
    defaults come from directory/default_synonyms.py (migration 0014).
    """

    concept = models.SlugField(
        _("concept"),
        max_length=60,
        help_text=_(
            "A short name for what the words mean, such as lawyer or language-ko. Rows with "
            "the same concept mean the same thing: a search for any of their words finds "
            "them all, in every language."
        ),
    )
    language = models.CharField(
        _("language of the words"),
        max_length=12,
        help_text=_(
            "The code of the language these words are written in (en, es, ko, zh ...). "
            "Every page understands the words of every language."
        ),
    )
    words = models.TextField(
        _("words"),
        help_text=_(
            "Words or phrases, separated by commas. Capitals and accents do not matter, and "
            "a plural in -s or -es is understood. Each also finds the longer words it starts."
        ),
    )
    is_stop_words = models.BooleanField(
        _("stop words"),
        default=False,
        help_text=_(
            "Words a search ignores (de, the, near), unless nothing else was typed. The "
            "concept and the fields below are then not used."
        ),
    )
    languages = models.CharField(
        _("names these languages"),
        max_length=100,
        blank=True,
        help_text=_(
            "Language codes, separated by commas (ko, or zh, yue): the words name a language, "
            "so they also find every service offered in it."
        ),
    )
    categories = models.CharField(
        _("stands for these categories"),
        max_length=300,
        blank=True,
        help_text=_(
            "Category codes, separated by commas (legal.asylum): the words also find every "
            "service in these categories and the ones below them."
        ),
    )
    filters = models.CharField(
        _("stands for these filters"),
        max_length=200,
        blank=True,
        help_text=_(
            "Separated by commas: free, sliding, detention, remote, 24h, nationwide, doj, "
            "attorney, accredited, kind:<kind of organization> (kind:faith) or "
            "serves:<population> (serves:youth). The words also find listings with it."
        ),
    )
    notes = models.TextField(_("notes"), blank=True, help_text=_("For curators: why, sources."))

    history = History()

    class Meta:
        ordering = ["concept", "language"]
        verbose_name = _("search synonyms")
        verbose_name_plural = _("search synonyms and stop words")
        constraints = [
            models.UniqueConstraint(
                fields=["concept", "language"], name="searchsynonym_unique_concept_language"
            )
        ]

    def __str__(self):
        return f"{self.concept} ({self.language}): {self.words[:60]}"

    def clean(self):
        from . import synonyms

        errors = synonyms.problems(self)
        if errors:
            raise ValidationError(errors)


class EventType(models.TextChoices):
    WORKSHOP = "workshop", _("Workshop")
    LEGAL_CLINIC = "legal_clinic", _("Legal clinic")
    CONSULTATION_DAY = "consultation_day", _("Consultation day")
    FORUM = "forum", _("Community forum")
    SUPPORT_GROUP = "support_group", _("Support group")
    TRAINING = "training", _("Training")
    OTHER = "other", _("Other event")


class Repeat(models.TextChoices):
    NONE = "none", _("Does not repeat")
    WEEKLY = "weekly", _("Every week")
    EVERY_N_WEEKS = "weeks", _("Every few weeks")
    MONTHLY_WEEKDAY = "monthly", _("Every month, on the same weekday")


class EventQuerySet(ListingQuerySet):
    def public(self):
        """Published events, open to everyone, of published organizations open to everyone."""
        return self.published().filter(
            visibility=Visibility.PUBLIC,
            organization__status=Status.PUBLISHED,
            organization__visibility=Visibility.PUBLIC,
        )

    def visible_to(self, user):
        """Published events this visitor may see: partners also see partners-only ones."""
        if not is_partner(user):
            return self.public()
        return self.published().filter(organization__status=Status.PUBLISHED)

    def partners_only(self):
        """Events hidden from the public by their own or their organization's visibility."""
        return self.filter(
            Q(visibility=Visibility.PARTNERS) | Q(organization__visibility=Visibility.PARTNERS)
        )

    def upcoming(self, today=None):
        """Events that may still have a date on or after `today` (events.py finds which).

        A cheap prefilter in SQL: a one-off event from today on, a repeating
        one whose repeats have not ended.
        """
        today = today or timezone.localdate()
        return self.filter(
            Q(repeat=Repeat.NONE, starts_on__gte=today - timedelta(days=1))
            | (
                ~Q(repeat=Repeat.NONE)
                & (Q(repeat_until__isnull=True) | Q(repeat_until__gte=today - timedelta(days=1)))
            )
        )

    def for_listing(self):
        """What event lists and calendars show, loaded in a fixed number of queries."""
        return self.select_related("organization", "location").prefetch_related(
            "languages", "cancellations"
        )


def _site_time_zone():
    return settings.TIME_ZONE


def _valid_time_zone(name):
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(_("Unknown time zone.")) from None


class Event(Listing):
    """A workshop, clinic or forum of an organization, once or repeating.

    Dates and times are the organization's wall-clock time in `time_zone`:
    a weekly 6 pm clinic stays at 6 pm across daylight saving.
    directory/events.py turns the rule into dates.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    service = models.ForeignKey(
        Service,
        verbose_name=_("service"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
        help_text=_("Optional: the organization's service this event belongs to."),
    )
    event_type = models.CharField(
        _("type of event"), max_length=20, choices=EventType.choices, default=EventType.WORKSHOP
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    languages = models.ManyToManyField(
        Language,
        verbose_name=_("languages"),
        blank=True,
        related_name="events",
        help_text=_("The languages the event is given in, interpreters included."),
    )
    starts_on = models.DateField(
        _("date"), help_text=_("The date of the event, or of its first time when it repeats.")
    )
    start_time = models.TimeField(_("starts at"))
    end_time = models.TimeField(_("ends at"))
    time_zone = models.CharField(
        _("time zone"),
        max_length=50,
        default=_site_time_zone,
        validators=[_valid_time_zone],
        help_text=_("Where the times are read, e.g. America/Los_Angeles."),
    )
    repeat = models.CharField(
        _("repeats"), max_length=10, choices=Repeat.choices, default=Repeat.NONE
    )
    repeat_interval = models.PositiveSmallIntegerField(
        _("every how many weeks"),
        default=2,
        validators=[MinValueValidator(2), MaxValueValidator(12)],
        help_text=_("Only for “Every few weeks”."),
    )
    repeat_until = models.DateField(
        _("repeats until"),
        null=True,
        blank=True,
        help_text=_("The last day it may take place. Empty: until further notice."),
    )
    location = models.ForeignKey(
        Location,
        verbose_name=_("place"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
        help_text=_(
            "One of the organization's locations. A confidential location shows only "
            "its city, as everywhere else."
        ),
    )
    online = models.BooleanField(_("online"), default=False)
    online_url = models.URLField(
        _("link to join"),
        max_length=300,
        blank=True,
        help_text=_("Shown publicly. Leave empty if people get the link when they register."),
    )
    is_free = models.BooleanField(_("free"), default=True)
    fee_note = models.CharField(
        _("cost"), max_length=300, blank=True, help_text=_("E.g. “$20, waived on request”.")
    )
    registration = models.TextField(
        _("how to register"), blank=True, help_text=_("Empty: no registration needed.")
    )
    registration_url = models.URLField(_("registration page"), max_length=300, blank=True)
    accessibility = models.TextField(
        _("accessibility"),
        blank=True,
        help_text=_("Step-free access, interpretation, childcare, captions, etc."),
    )
    visibility = models.CharField(
        _("visibility"),
        max_length=10,
        choices=Visibility.choices,
        default=Visibility.PUBLIC,
        help_text=_(
            "“Partners only” events are shown to signed-in partner organizations and never "
            "to the public, in calendars, exports or sitemaps. An event of a partners-only "
            "organization is never public either."
        ),
    )

    objects = EventQuerySet.as_manager()
    history = History(m2m_fields=[languages], excluded_fields=["version"])

    class Meta:
        ordering = ["starts_on", "start_time", "title"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        permissions = [("publish_event", _("Can publish, unpublish and archive events"))]
        constraints = [
            _status_constraint("event"),
            models.CheckConstraint(
                condition=Q(visibility__in=Visibility.values), name="event_visibility_valid"
            ),
            models.CheckConstraint(
                condition=Q(event_type__in=EventType.values), name="event_type_valid"
            ),
            models.CheckConstraint(
                condition=Q(repeat__in=Repeat.values), name="event_repeat_valid"
            ),
            models.CheckConstraint(
                condition=Q(end_time__gt=models.F("start_time")), name="event_ends_after_start"
            ),
        ]
        indexes = [
            # EventQuerySet.public().upcoming(): every events page and calendar.
            models.Index(fields=["status", "starts_on"], name="event_status_start_idx"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("directory:event-detail", kwargs={"pk": self.pk})

    @property
    def tz(self):
        from zoneinfo import ZoneInfo

        return ZoneInfo(self.time_zone)

    @property
    def repeats(self):
        return self.repeat != Repeat.NONE

    def clean(self):
        errors = {}
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            errors["end_time"] = _("The event must end after it starts, on the same day.")
        if self.location_id and self.location.organization_id != self.organization_id:
            errors["location"] = _("Choose one of this organization's locations.")
        if self.service_id and self.service.organization_id != self.organization_id:
            errors["service"] = _("Choose one of this organization's services.")
        if not self.location_id and not self.online:
            errors["location"] = _("Choose a place, or tick “online”.")
        if self.online_url and not self.online:
            errors["online"] = _("Tick “online” for an event with a link to join.")
        if self.repeat_until and self.starts_on and self.repeat_until < self.starts_on:
            errors["repeat_until"] = _("The repeats cannot end before the first date.")
        if errors:
            raise ValidationError(errors)


class EventCancellation(CleanTextMixin, models.Model):
    """One date of an event that will not take place."""

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="cancellations"
    )
    date = models.DateField(_("date"))
    note = models.CharField(
        _("note"),
        max_length=300,
        blank=True,
        help_text=_("Shown publicly, e.g. “Moved to the following Tuesday”."),
    )

    class Meta:
        ordering = ["date"]
        verbose_name = _("cancelled date")
        verbose_name_plural = _("cancelled dates")
        constraints = [
            models.UniqueConstraint(fields=["event", "date"], name="event_cancellation_unique")
        ]

    def __str__(self):
        return f"{self.event} ({self.date})"


class ResourceKind(models.TextChoices):
    GUIDE = "guide", _("Guide")
    RIGHTS_CARD = "card", _("Rights card")
    CHECKLIST = "checklist", _("Checklist")
    VIDEO = "video", _("Video")
    FORM_HELP = "form-help", _("Help with a form")


class ResourceTopic(models.TextChoices):
    AGENTS = "agents", _("If immigration agents come")
    FAMILY_PLAN = "family-plan", _("Family preparedness plan")
    DETENTION = "detention", _("Detention and bond")
    ASYLUM = "asylum", _("Asylum")
    WORK = "work", _("Rights at work")
    FRAUD = "fraud", _("Avoiding notario fraud")
    OTHER = "other", _("Other")


class ResourceAudience(models.TextChoices):
    EVERYONE = "everyone", _("Everyone")
    FAMILIES = "families", _("Families")
    YOUTH = "youth", _("Young people")
    WORKERS = "workers", _("Workers")
    VOLUNTEERS = "volunteers", _("Volunteers and advocates")


class ResourceQuerySet(ListingQuerySet):
    def public(self):
        """What anyone may see: rights material has no partners-only kind."""
        return self.published()


class Resource(Listing):
    """Rights material curators vouch for: a guide or card, in one or more languages.

    Each language is a ResourceVersion: a text page, an uploaded PDF or image
    (checked and rewritten by directory/resource_files.py), or a video link.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=ResourceKind.choices)
    topic = models.CharField(_("topic"), max_length=20, choices=ResourceTopic.choices)
    audience = models.CharField(
        _("audience"),
        max_length=20,
        choices=ResourceAudience.choices,
        default=ResourceAudience.EVERYONE,
    )
    source_organization = models.ForeignKey(
        Organization,
        verbose_name=_("source organization"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="resources",
    )
    source_name = models.CharField(
        _("source"),
        max_length=200,
        blank=True,
        help_text=_("If they are not in the directory, their name."),
    )
    reviewed_on = models.DateField(_("last reviewed on"), null=True, blank=True)
    # Who checked it and in what role, e.g. an immigration attorney.
    reviewed_by = models.CharField(_("reviewed by"), max_length=200, blank=True)
    not_legal_advice = models.BooleanField(_("say it is not legal advice"), default=True)

    objects = ResourceQuerySet.as_manager()
    history = History()

    class Meta:
        ordering = ["title"]
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        permissions = [("publish_resource", _("Can publish resources"))]
        constraints = [_status_constraint("resource")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("directory:resource-detail", kwargs={"slug": self.slug})

    @property
    def public_source(self):
        """The source organization, if the public may see it; else None."""
        org = self.source_organization
        if org and org.status == Status.PUBLISHED and org.visibility == Visibility.PUBLIC:
            return org
        return None


class ResourceVersion(CleanTextMixin, models.Model):
    """A resource in one language: its text, its file, or a link to its video."""

    resource = models.ForeignKey(
        Resource, verbose_name=_("resource"), on_delete=models.CASCADE, related_name="versions"
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"), blank=True)
    file = models.FileField(
        _("file"),
        upload_to="resources/",
        blank=True,
        max_length=200,
        help_text=_("A PDF, or a PNG, JPEG or WebP image."),
    )
    link = models.URLField(_("video link"), blank=True)

    history = History()

    class Meta:
        ordering = ["language"]
        verbose_name = _("language version")
        verbose_name_plural = _("language versions")
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "language"], name="resource_one_version_per_language"
            )
        ]

    def __str__(self):
        return f"{self.resource} ({self.language})"

    def clean(self):
        if not (self.text.strip() or self.file or self.link):
            raise ValidationError(_("Give the text, a file or a video link."))

    @property
    def is_pdf(self):
        return self.file.name.endswith(".pdf")
