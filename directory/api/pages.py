"""The reference's `Page`: a count, where this page sits, and its contents."""

import math

from django.core.exceptions import EmptyResultSet

from .. import recent


def page(rows, number, size, documents):
    """Return the Page document of page `number` of `rows`.

    `rows` is a queryset or a list; `documents(page_rows)` turns one page of
    rows into its documents. A queryset costs two queries (count and slice)
    before `documents`, whatever the page size, and one once its count is
    known; a page past the end loads nothing.
    """
    total = _count(rows) if hasattr(rows, "query") else len(rows)
    start = (number - 1) * size
    contents = documents(list(rows[start : start + size])) if start < total else []
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
    try:
        sql, params = rows.query.sql_with_params()
    except EmptyResultSet:  # a filter that can match nothing
        return 0
    return recent.answer(("api-count", sql, repr(params)), rows.count)
