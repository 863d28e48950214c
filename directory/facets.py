"""Counts beside each filter option: how many results choosing it would give.

All of a page's counts come from one SQL statement over the search index:
one grouped branch over the results themselves (the total, and every group
not in use), and one branch per group in use, counted with its own filter
left out so options in the same group stay comparable. Counting happens in
the database (GROUP BY over the rows' tags); nothing but the counts comes
back.

Each branch counts organizations: over SearchEntry rows when at most one
service filter is in use (their tags hold all their services' values), and
over the matching ServiceEntry rows otherwise, so "one service matches all
the filters" holds for the counts too.
"""

from django.db import connections, router

from . import recent
from .filters import CREDENTIAL_CHOICES, FEE_CHOICES
from .models import SearchEntry

# Checkbox filters: each gets one count, of the results with it ticked. "Open
# now" is counted only once ticked: counting it on every page would test
# every opening of every result against the clock, for a number few read.
BOOLEAN = {"detention": "det", "remote": "remote", "open_now": None}
# Multiple-choice groups and their tag prefixes.
GROUPS = {
    "category": "c:",
    "language": "l:",
    "population": "p:",
    "kind": "k:",
    "credential": "cr:",
    "fee": "fee:",
}


def _without(data, name):
    return {key: value for key, value in data.items() if key != name}


def _option(value, label, count, selected):
    return {"value": value, "label": label, "count": count, "selected": selected}


def _branch(filterset, name, data, prefix=None):
    """SQL and params counting organizations per tag for these cleaned data."""
    entries, services = filterset.match(data)
    if services is None:
        rows, count = entries, "COUNT(*)"
    else:
        # ServiceEntry rows are public services of public organizations: only
        # a filter on the organizations themselves needs the entries.
        rows = services
        if filterset.narrows_organizations(data):
            rows = services.filter(organization_id__in=entries.values("organization_id"))
        count = "COUNT(DISTINCT r.organization_id)"
    query = rows.order_by().values_list("organization_id", "tags").query
    sql, params = query.get_compiler(using=_database()).as_sql()
    if connections[_database()].vendor == "postgresql":
        source, tag = f"({sql}) r CROSS JOIN LATERAL unnest(r.tags) AS u(tag)", "u.tag"
    else:
        source, tag = f"({sql}) r, json_each(r.tags) u", "u.value"
    where, extra = "", []
    if prefix is not None:
        where, extra = f" WHERE {tag} LIKE %s", [f"{prefix}%"]
    return (
        f"SELECT %s, {tag}, {count} FROM {source}{where} GROUP BY {tag}",
        [name, *params, *extra],
    )


def _database():
    # The replica when there is one (directory/db_router.py), as the ORM would.
    return router.db_for_read(SearchEntry)


def _run(branches):
    sql = " UNION ALL ".join(
        f"SELECT * FROM ({part}) b{i}" for i, (part, _p) in enumerate(branches)
    )
    params = [param for _part, branch_params in branches for param in branch_params]
    counts = {}
    with connections[_database()].cursor() as cursor:
        cursor.execute(sql, params)
        for name, tag, count in cursor.fetchall():
            counts.setdefault(name, {})[tag] = count
    return counts


def _counts(filterset, data, active):
    def compute():
        branches = [_branch(filterset, "results", data)]
        for name in active:
            branches.append(_branch(filterset, name, _without(data, name), GROUPS[name]))
        return _run(branches)

    return recent.answer(("counts", *recent.search_key(filterset)), compute)


def count_and_facets(filterset):
    """Return (number of results, {parameter: [option dicts]}) in one query (or none)."""
    data = filterset.form.cleaned_data
    active = [name for name in GROUPS if data.get(name)]
    counts = _counts(filterset, data, active)
    results = counts.get("results", {})
    total = results.get("*", 0)

    def tag_counts(name):
        return counts.get(name, {}) if name in active else results

    facets = {}
    for name, prefix in GROUPS.items():
        selected = data.get(name) or []
        if name == "fee":
            selected = [selected] if selected else []
        choices = {
            "credential": CREDENTIAL_CHOICES,
            "fee": FEE_CHOICES,
        }.get(name) or filterset.form.fields[name].choices
        found = tag_counts(name)
        facets[name] = [
            _option(value, label, found.get(f"{prefix}{value}", 0), str(value) in selected)
            for value, label in choices
        ]
    for name, tag in BOOLEAN.items():
        if data.get(name):
            count = total
        elif tag is None:
            count = None  # shown without a count
        else:
            count = results.get(tag, 0)
        facets[name] = [
            _option("1", filterset.form.fields[name].label, count, bool(data.get(name)))
        ]
    # Options that would give no results are left out (unless chosen), to keep
    # the page small; a group left with none is not shown at all.
    for name in ("category", "language", "credential", "kind", "population"):
        facets[name] = [o for o in facets[name] if o["count"] or o["selected"]]
    return total, facets


def counts_without(filterset, names):
    """Return {filter name: number of results without it}, in one query."""
    data = filterset.form.cleaned_data
    if not names:
        return {}
    counts = _run([_branch(filterset, name, _without(data, name), "*") for name in names])
    return {name: counts.get(name, {}).get("*", 0) for name in names}
