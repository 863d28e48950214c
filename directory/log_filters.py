"""Keep visitors out of the logs: no address, query string, header value or search text.

Two users: LOGGING in advocacy/settings.py puts `ScrubVisitorDetails` on Django's handlers, and
gunicorn.conf.py names `PrivateGunicornLogger` as gunicorn's `logger_class`. What is kept is
what an operator needs: method, path, status, size, time, and what kind of request was refused.
"""

import logging
import re
import traceback

from gunicorn import glogging

# Everything from "?" up to the next space or quote is a query string.
QUERY_STRING = re.compile(r"\?[^\s\"']*")
MAX_ARG_LENGTH = 300

# gunicorn's handle_error logs "Invalid request from ip=<address>: <exception text>", and the
# exception text quotes the request line or header. Keep only what kind of error it was.
INVALID_REQUEST = "Invalid request from ip="
INVALID_REQUEST_REASONS = [
    ("Invalid HTTP request line", "invalid request line"),
    ("Invalid HTTP method", "invalid method"),
    ("Invalid HTTP Version", "invalid HTTP version"),
    ("Invalid HTTP header name", "invalid header name"),
    ("Invalid HTTP Header", "invalid header"),
    ("Obsolete line folding", "obsolete header line folding"),
    ("Request Line is too large", "request line too long"),
    ("limit request headers", "headers too large"),
    ("max buffer headers", "headers too large"),
    ("Unsupported transfer coding", "unsupported transfer coding"),
    ("Invalid chunk", "invalid chunked body"),
    ("Unable to comply with expectation", "unsupported Expect header"),
    ("Invalid PROXY", "invalid PROXY protocol header"),
    ("Proxy request from", "proxy request not allowed"),
    ("Contradictory scheme headers", "contradictory scheme headers"),
    ("Expected HTTP/2 connection preface", "invalid HTTP/2 preface"),
    ("Configuration problem", "configuration problem"),
]

# Tracebacks logged with these messages are about starting up, not about a request: their
# exception messages (a missing setting, a module that will not import) stay in the log.
STARTUP_MESSAGES = {
    "Exception in worker process",
    "Unhandled exception in main loop",
    "Exception in dirty arbiter process",
}

# The access log atoms that describe the server's work, not the visitor. Every other atom
# (address, request line, query string, referrer, user agent, headers, environ) prints "-".
ACCESS_ATOMS = {"t", "m", "U", "s", "B", "b", "T", "D", "M", "L", "p", "H"}
METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"}


def _printable(text):
    """Escape what could forge a log line, and cut what no operator reads to the end."""
    if len(text) > MAX_ARG_LENGTH:
        text = text[:MAX_ARG_LENGTH] + "..."
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


def _scrub_text(text):
    return _printable(QUERY_STRING.sub("", text))


def _scrub_arg(arg):
    if isinstance(arg, BaseException):
        # Exception text may quote the request (gunicorn's NoMoreData prints what was read).
        return type(arg).__name__
    if isinstance(arg, tuple) and len(arg) >= 2 and isinstance(arg[1], int):
        return "-"  # a socket address: (host, port)
    if isinstance(arg, str):
        return _scrub_text(arg)
    return arg


def _invalid_request_reason(error):
    for prefix, reason in INVALID_REQUEST_REASONS:
        if error.startswith(prefix):
            return reason
    if error.startswith("'"):  # SSLError and InvalidProxyLine quote the raw text
        return "refused"
    return "malformed request"


def _path_only(uri):
    """The path of a request target, with no scheme, host or query string."""
    if "://" in uri:
        uri = "/" + uri.split("://", 1)[1].partition("/")[2]
    return _scrub_text(uri.partition("?")[0])


def _without_messages(exc):
    """A traceback with each exception's type and frames but not its message."""
    chain = []
    while exc is not None and exc not in chain:
        chain.append(exc)
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    parts = []
    for exc in reversed(chain):
        frames = "".join(traceback.format_list(traceback.extract_tb(exc.__traceback__)))
        name = f"{type(exc).__module__}.{type(exc).__qualname__}".removeprefix("builtins.")
        parts.append(f"Traceback (most recent call last):\n{frames}{name} (message withheld)")
    return "\n\nThen:\n\n".join(parts)


class ScrubVisitorDetails(logging.Filter):
    """Rewrite a record so it names no visitor address, query string or request text.

    Exception messages are withheld from tracebacks (frames and types stay): they can quote
    anything the request carried. Records are changed in place and never dropped.
    """

    def filter(self, record):
        if getattr(record, "visitor_details_scrubbed", False):
            return True  # a second handler with this filter
        record.visitor_details_scrubbed = True
        if isinstance(record.msg, BaseException):
            record.msg = type(record.msg).__name__
        if isinstance(record.msg, str) and record.msg.startswith(INVALID_REQUEST):
            error = record.getMessage().partition(": ")[2]
            record.msg, record.args = "Invalid request: %s", (_invalid_request_reason(error),)
        elif record.name.startswith("django.security"):
            record.msg, record.args = self._security_message(record)
            # An expected refusal: its traceback says nothing the kind does not.
            record.exc_info = record.exc_text = None
        elif record.name == "django.server" and record.msg == "code %d, message %s":
            # The dev server's "Bad request syntax ('<the request line>')".
            code, message = record.args
            record.args = (code, str(message).partition(" (")[0])
        elif isinstance(record.msg, str) and record.msg.startswith("Error handling request %s"):
            record.args = (*record.args[:-1], _path_only(str(record.args[-1])))
        if record.args and isinstance(record.args, tuple):
            record.args = tuple(_scrub_arg(arg) for arg in record.args)
        elif not record.args and isinstance(record.msg, str):
            # Already formatted, perhaps a whole traceback: keep its lines.
            record.msg = QUERY_STRING.sub("", record.msg)
        if record.exc_info and record.exc_info[1] is not None:
            if record.msg not in STARTUP_MESSAGES:
                record.exc_text = _without_messages(record.exc_info[1])
                record.exc_info = None
        return True

    @staticmethod
    def _security_message(record):
        # Django's messages quote the Host, Origin or Referer header: keep the kind of
        # refusal, and for CSRF the reason up to the quoted value.
        kind = record.name.rpartition(".")[2]
        if record.msg == "Forbidden (%s): %s" and record.args:
            reason = str(record.args[0]).partition(" - ")[0].rstrip(".")
            kind = f"{kind}, {reason}"
        request = getattr(record, "request", None)
        path = request.path if request is not None else "-"
        status = getattr(record, "status_code", None) or "-"
        return "Refused %s: %s (status %s)", (kind, path, status)


class PrivateGunicornLogger(glogging.Logger):
    """gunicorn's logger, with the visitor left out of the error and access logs."""

    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            if not any(isinstance(f, ScrubVisitorDetails) for f in log.filters):
                log.addFilter(ScrubVisitorDetails())

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        kept = {key: value for key, value in atoms.items() if key in ACCESS_ATOMS}
        kept["m"] = atoms["m"] if atoms["m"] in METHODS else "OTHER"
        kept["U"] = _path_only(atoms["U"] or "")
        return kept
