"""Keep derived data current: the search text and each location's search point.

Rows a fixture load saves (`raw`) do not rebuild the search text one by one,
nor record history for the many-to-many values loaddata sets on them next:
the loader rebuilds the text once at the end (`load_demo` does).
"""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from . import choices, indexing
from .models import (
    DetentionFacility,
    Language,
    Location,
    Organization,
    OrganizationTranslation,
    Schedule,
    SearchSynonym,
    Service,
    ServiceLanguage,
    ServiceTranslation,
    TaxonomyTerm,
)


@receiver(pre_save, sender=Location)
def set_location_search_point(sender, instance, **kwargs):
    instance.set_search_point()


@receiver(post_save)
def mark_fixture_rows(sender, instance, raw=False, **kwargs):
    # loaddata sets many-to-many values right after, on this same instance.
    if raw:
        instance._loaded_raw = True


@receiver(post_save, sender=Organization)
def refresh_organization(sender, instance, raw=False, **kwargs):
    if not raw:
        indexing.refresh([instance.pk])


@receiver(pre_delete, sender=Organization)
def organization_deletion_starts(sender, instance, **kwargs):
    indexing.start_deleting(instance.pk)


@receiver(post_delete, sender=Organization)
def organization_deletion_ends(sender, instance, **kwargs):
    indexing.done_deleting(instance.pk)
    indexing.refresh([instance.pk])  # nothing left to index: clears a batch's rows too


@receiver(pre_save, sender=Service)
@receiver(pre_save, sender=Location)
def remember_stored_organization(sender, instance, raw=False, **kwargs):
    # A service or location moved to another organization leaves its old one's entry too.
    if not raw and not instance._state.adding:
        instance._stored_organization_id = (
            sender._base_manager.filter(pk=instance.pk)
            .values_list("organization_id", flat=True)
            .first()
        )


def _organizations_before_and_after(instance):
    stored = getattr(instance, "_stored_organization_id", None)
    return {instance.organization_id, *([stored] if stored else [])} - {None}


@receiver(pre_delete, sender=Service)
def service_deletion_starts(sender, instance, **kwargs):
    indexing.start_deleting_service(instance.pk)


@receiver(post_delete, sender=Service)
def service_deletion_ends(sender, instance, **kwargs):
    indexing.done_deleting_service(instance.pk)


@receiver(post_save, sender=Service)
@receiver(post_delete, sender=Service)
def refresh_service_organization(sender, instance, raw=False, **kwargs):
    if not raw:
        indexing.refresh(_organizations_before_and_after(instance))


def _organizations_of_term(term):
    return list(
        Service.objects.filter(taxonomy_terms=term).values_list("organization_id", flat=True)
    )


@receiver(m2m_changed, sender=Service.taxonomy_terms.through)
def refresh_after_categories_change(sender, instance, action, reverse, pk_set, **kwargs):
    if not reverse:  # service.taxonomy_terms changed
        if action.startswith("post_") and not getattr(instance, "_loaded_raw", False):
            indexing.refresh([instance.organization_id])
        return
    # term.services changed; before a clear, remember which services it had.
    if action == "pre_clear":
        instance._search_organizations = _organizations_of_term(instance)
    elif action == "post_clear":
        indexing.refresh(getattr(instance, "_search_organizations", []))
    elif action.startswith("post_"):
        ids = Service.objects.filter(pk__in=pk_set).values_list("organization_id", flat=True)
        indexing.refresh(ids)


@receiver(post_save, sender=TaxonomyTerm)
def refresh_term_organizations(sender, instance, raw=False, **kwargs):
    if not raw:
        indexing.refresh(_organizations_of_term(instance))


@receiver(pre_delete, sender=TaxonomyTerm)
def remember_term_organizations(sender, instance, **kwargs):
    instance._search_organizations = _organizations_of_term(instance)


@receiver(post_delete, sender=TaxonomyTerm)
def refresh_after_term_deleted(sender, instance, **kwargs):
    indexing.refresh(getattr(instance, "_search_organizations", []))


# What else the search index holds (directory/search_index.py): languages,
# populations, facilities, kinds and weekly hours.


@receiver(post_save, sender=OrganizationTranslation)
@receiver(post_delete, sender=OrganizationTranslation)
def refresh_after_organization_translation(sender, instance, raw=False, **kwargs):
    if not raw:
        indexing.refresh([instance.organization_id])


@receiver(post_save, sender=ServiceLanguage)
@receiver(post_delete, sender=ServiceLanguage)
@receiver(post_save, sender=ServiceTranslation)
@receiver(post_delete, sender=ServiceTranslation)
@receiver(post_save, sender=Schedule)
@receiver(post_delete, sender=Schedule)
def refresh_after_service_detail(sender, instance, raw=False, **kwargs):
    if raw:
        return
    organization_id = (
        Service.objects.filter(pk=instance.service_id)
        .values_list("organization_id", flat=True)
        .first()
    )
    if organization_id:
        indexing.refresh([organization_id])


@receiver(m2m_changed, sender=Service.populations.through)
@receiver(m2m_changed, sender=Service.detention_facilities.through)
def refresh_after_service_values(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_") or getattr(instance, "_loaded_raw", False):
        return
    if not reverse:
        indexing.refresh([instance.organization_id])
    elif pk_set:
        indexing.refresh(
            Service.objects.filter(pk__in=pk_set).values_list("organization_id", flat=True)
        )


@receiver(m2m_changed, sender=Organization.kinds.through)
def refresh_after_kinds(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_") or getattr(instance, "_loaded_raw", False):
        return
    indexing.refresh([instance.pk] if not reverse else pk_set or [])


@receiver(post_save, sender=Location)
@receiver(post_delete, sender=Location)
def refresh_after_location(sender, instance, raw=False, **kwargs):
    # The result card's places (distance reads the locations themselves).
    if not raw:
        indexing.refresh(_organizations_before_and_after(instance))


# Languages and facilities: their codes and ids are tags, their names the
# search form's choices (renewed by every refresh, directory/choices.py).
# Deleting a facility removes its through rows without m2m_changed.


def _organizations_of(**lookup):
    return list(Service.objects.filter(**lookup).values_list("organization_id", flat=True))


@receiver(post_save, sender=Language)
def refresh_language_organizations(sender, instance, raw=False, **kwargs):
    if not raw:
        indexing.refresh(_organizations_of(service_languages__language=instance))


@receiver(post_save, sender=DetentionFacility)
def refresh_facility_organizations(sender, instance, raw=False, **kwargs):
    if not raw:
        indexing.refresh(_organizations_of(detention_facilities=instance))


@receiver(pre_delete, sender=DetentionFacility)
def remember_facility_organizations(sender, instance, **kwargs):
    instance._search_organizations = _organizations_of(detention_facilities=instance)


@receiver(post_delete, sender=DetentionFacility)
def refresh_after_facility_deleted(sender, instance, **kwargs):
    indexing.refresh(getattr(instance, "_search_organizations", []))


@receiver(post_save, sender=SearchSynonym)
@receiver(post_delete, sender=SearchSynonym)
def vocabulary_changed(sender, **kwargs):
    # Every process reads the vocabulary again on its next search (directory/synonyms.py).
    choices.changed()
