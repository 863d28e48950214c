"""Logging filters that keep visitors' searches out of the logs."""

import logging


def _strip_query(value):
    if isinstance(value, str) and "?" in value:
        path, _, rest = value.partition("?")
        # Keep the protocol at the end of a request line ("GET /x?q=1 HTTP/1.1").
        tail = rest.rsplit(" ", 1)[1] if " " in rest else ""
        return f"{path} {tail}".rstrip()
    return value


class StripQueryStrings(logging.Filter):
    """Remove query strings from log messages and their arguments."""

    def filter(self, record):
        if isinstance(record.args, tuple):
            record.args = tuple(_strip_query(arg) for arg in record.args)
        elif isinstance(record.msg, str):
            record.msg = _strip_query(record.msg)
        return True
