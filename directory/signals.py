"""Keep derived data current: the search text and each location's search point."""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

from . import search
from .models import Location, Organization, Service, TaxonomyTerm


@receiver(pre_save, sender=Location)
def set_location_search_point(sender, instance, **kwargs):
    instance.set_search_point()


@receiver(post_save, sender=Organization)
def refresh_organization(sender, instance, **kwargs):
    search.refresh([instance.pk])


@receiver(post_save, sender=Service)
@receiver(post_delete, sender=Service)
def refresh_service_organization(sender, instance, **kwargs):
    search.refresh([instance.organization_id])


@receiver(m2m_changed, sender=Service.taxonomy_terms.through)
def refresh_after_categories_change(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    if reverse:  # term.services changed
        ids = Service.objects.filter(pk__in=pk_set or ()).values_list("organization_id", flat=True)
        search.refresh(ids)
    else:
        search.refresh([instance.organization_id])


@receiver(post_save, sender=TaxonomyTerm)
def refresh_term_organizations(sender, instance, **kwargs):
    search.refresh(
        Service.objects.filter(taxonomy_terms=instance).values_list("organization_id", flat=True)
    )
