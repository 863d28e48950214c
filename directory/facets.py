"""Counts beside each filter option: how many results choosing it would give.

One grouped query per facet, never one per option. Each facet is counted
with every other active filter applied and its own left out, so options in
the same group stay comparable.
"""

from collections import defaultdict

from django.db.models import Count, Q

from .filters import CREDENTIAL_CHOICES, FEE_CHOICES
from .models import Fee

# Single-checkbox filters: each gets one count.
BOOLEAN = ("detention", "remote", "open_now")


def _without(data, name):
    return {key: value for key, value in data.items() if key != name}


def _option(value, label, count, selected):
    return {"value": value, "label": label, "count": count, "selected": selected}


def compute(filterset):
    """Return {parameter: [option dicts]} for the search form."""
    data = filterset.form.cleaned_data
    base = filterset.queryset
    facets = {}

    def results_without(name):
        orgs, services = filterset.apply(base, _without(data, name))
        return orgs.order_by().values("pk"), services

    orgs, services = results_without("category")
    # (term, organization) pairs, so a parent can count each organization once
    # across all its children.
    by_term = defaultdict(set)
    for term, org in (
        services.filter(organization__in=orgs)
        .order_by()
        .values_list("taxonomy_terms__code", "organization_id")
        .distinct()
    ):
        if term:
            by_term[term].add(org)
    selected = data.get("category") or []
    facets["category"] = [
        _option(
            code,
            label,
            len(
                set().union(
                    *(o for t, o in by_term.items() if t == code or t.startswith(f"{code}."))
                )
            ),
            code in selected,
        )
        for code, label in filterset.form.fields["category"].choices
    ]

    def organizations_per(name, service_field):
        """One grouped query: organizations per value of a service field."""
        orgs, services = results_without(name)
        return dict(
            services.filter(organization__in=orgs)
            .values_list(service_field)
            .annotate(n=Count("organization", distinct=True))
        )

    facets["language"] = _options(
        filterset, "language", organizations_per("language", "service_languages__language__code")
    )
    facets["population"] = _options(
        filterset, "population", organizations_per("population", "populations__code")
    )

    orgs, _services = results_without("kind")
    counts = dict(
        base.filter(pk__in=orgs).values_list("kinds__code").annotate(n=Count("pk", distinct=True))
    )
    facets["kind"] = _options(filterset, "kind", counts)

    orgs, _services = results_without("credential")
    counts = base.filter(pk__in=orgs).aggregate(
        doj=Count("pk", filter=Q(doj_recognized=True)),
        attorney=Count("pk", filter=Q(attorneys_on_staff__gt=0)),
        accredited=Count(
            "pk",
            filter=Q(accredited_representatives_full__gt=0)
            | Q(accredited_representatives_partial__gt=0),
        ),
    )
    facets["credential"] = _options(filterset, "credential", counts, CREDENTIAL_CHOICES)

    orgs, services = results_without("fee")
    counts = services.filter(organization__in=orgs).aggregate(
        free=Count("organization", filter=Q(fee=Fee.FREE), distinct=True),
        sliding=Count(
            "organization", filter=Q(fee__in=[Fee.FREE, Fee.SLIDING_SCALE]), distinct=True
        ),
    )
    facets["fee"] = [
        _option(value, label, counts[value], data.get("fee") == value)
        for value, label in FEE_CHOICES
    ]

    for name in BOOLEAN:
        orgs, services = filterset.apply(base, {**_without(data, name), name: True})
        count = orgs.order_by().count()
        facets[name] = [
            _option("1", filterset.form.fields[name].label, count, bool(data.get(name)))
        ]
    # Options that would give no results are left out (unless chosen), to keep
    # the page small; a group left with none is not shown at all.
    for name in ("category", "language", "credential", "kind", "population"):
        facets[name] = [o for o in facets[name] if o["count"] or o["selected"]]
    return facets


def _options(filterset, name, counts, choices=None):
    selected = filterset.form.cleaned_data.get(name) or []
    choices = choices or filterset.form.fields[name].choices
    return [
        _option(value, label, counts.get(value, 0), value in selected) for value, label in choices
    ]
