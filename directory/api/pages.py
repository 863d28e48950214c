"""The reference's `Page`: a count, where this page sits, and its contents."""

import math

from django.core.exceptions import EmptyResultSet

from .. import recent


def page(rows, number, size, documents):
    """Return the Page document of page `number` of `rows`.

    `rows` is a queryset or a list; `documents(page_rows)` turns one page of
    rows into its documents. A queryset costs two queries (count and slice)
    before `documents`, whatever the page size, none once its count and
    that page's ids are known; a page past the end loads nothing.
    """
    total = _count(rows) if hasattr(rows, "query") else len(rows)
    start = (number - 1) * size
    contents = documents(_slice(rows, start, size)) if start < total else []
    total_pages = math.ceil(total / size)
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": number,
        "size": len(contents),
        "first_page": number == 1,
        "last_page": number >= total_pages,
        "empty": not contents,
        "contents": contents,
    }


def _count(rows):
    # A client walks the pages of one listing: count it once per process
    # while the index is unchanged (directory/recent.py), not once a page.
    key = _key(rows)
    return 0 if key is None else recent.answer(("api-count", *key), rows.count)


def _slice(rows, start, size):
    # A page of ids (values_list rows, nothing a document could change) is
    # kept the same way: a search's page costs its scan once, not per request.
    def read():
        return list(rows[start : start + size])

    if not hasattr(rows, "query") or not rows.query.values_select:
        return read()
    key = _key(rows)
    return [] if key is None else recent.answer(("api-rows", *key, start, size), read)


def _key(rows):
    """The rows' SQL and parameters, or None for a filter that can match nothing."""
    try:
        sql, params = rows.query.sql_with_params()
    except EmptyResultSet:
        return None
    return sql, repr(params)
