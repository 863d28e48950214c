"""A list of short codes in one column, searchable on both databases.

The search index (directory/search_index.py) stores each listing's facet
values as codes such as `c:legal.asylum`, `l:es` or `fee:free`:

- PostgreSQL: a `text[]` column with a GIN index, matched with `&&`
  (any of) and `@>` (all of), and counted with `unnest`.
- SQLite: the same list as JSON text, matched with `LIKE` on the quoted
  code (so `"c:legal"` never matches `"c:legal.asylum"`) and counted with
  `json_each`.
"""

import json

from django.db import models


class TagsField(models.Field):
    description = "A list of short codes"

    def db_type(self, connection):
        return "text[]" if connection.vendor == "postgresql" else "text"

    def get_db_prep_value(self, value, connection, prepared=False):
        value = sorted(set(value or ()))
        return value if connection.vendor == "postgresql" else json.dumps(value)

    def from_db_value(self, value, expression, connection):
        if value is None or isinstance(value, list):
            return value or []
        return json.loads(value)

    def to_python(self, value):
        if isinstance(value, str):
            return json.loads(value)
        return list(value or ())


def _quoted_like(connection, lhs, tags, joiner):
    # json.dumps quotes the code exactly as the column stores it; % and _ in
    # codes are escaped so they match themselves.
    def escape(tag):
        return json.dumps(tag).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")

    parts = [f"{lhs} LIKE %s ESCAPE '\\'" for _tag in tags]
    if not parts:  # as PostgreSQL: all of none is true, any of none is false
        return ("1" if joiner == " AND " else "0"), []
    return f"({joiner.join(parts)})", [f"%{escape(t)}%" for t in tags]


class _TagsLookup(models.Lookup):
    pg_operator = None
    joiner = None

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        tags = sorted(set(self.rhs))
        if connection.vendor == "postgresql":
            return f"{lhs} {self.pg_operator} %s::text[]", [*lhs_params, tags]
        sql, params = _quoted_like(connection, lhs, tags, self.joiner)
        return sql, [*lhs_params, *params]


@TagsField.register_lookup
class HasAny(_TagsLookup):
    """The row has at least one of these codes."""

    lookup_name = "has_any"
    pg_operator = "&&"
    joiner = " OR "


@TagsField.register_lookup
class HasAll(_TagsLookup):
    """The row has every one of these codes."""

    lookup_name = "has_all"
    pg_operator = "@>"
    joiner = " AND "
