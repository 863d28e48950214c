"""The reference's `Page`: a count, where this page sits, and its contents."""

import math


def page(rows, number, size, documents):
    """Return the Page document of page `number` of `rows`.

    `rows` is a queryset or a list; `documents(page_rows)` turns one page of
    rows into its documents. A queryset costs two queries (count and slice)
    before `documents`, whatever the page size; a page past the end loads
    nothing.
    """
    total = rows.count() if hasattr(rows, "query") else len(rows)
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
