"""gunicorn, run with the production config, writes no visitor address, query or search text.

The server runs as a subprocess, exactly as `make serve` and production start it, and is sent
well-formed and malformed requests over raw sockets. Every request hides a canary of its own in
the parts a log could echo (query string, request line, Host, Cookie, other headers, body); then
everything the server wrote is read back. The client connects from 127.0.0.2, not the bind
address, so its address can be looked for without tripping over "Listening at: 127.0.0.1".
"""

import io
import logging
import os
import re
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.test import RequestFactory
from gunicorn.config import Config
from gunicorn.glogging import SafeAtoms
from gunicorn.http.errors import NoMoreData

from directory.log_filters import PrivateGunicornLogger, ScrubVisitorDetails
from tests.app_servers import free_port, stop

ROOT = Path(__file__).resolve().parent.parent
BIND_HOST = "127.0.0.1"
# Linux answers on all of 127.0.0.0/8, so the client can use an address of its own.
CLIENT_HOST = "127.0.0.2"
# What the visitor's own address looks like behind a proxy (TEST-NET-3).
FORWARDED_FOR = "203.0.113.77"


def _request(head, *headers, body=b""):
    lines = [head, *headers, "Connection: close"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def _get(target, *headers, host="127.0.0.1"):
    return _request(f"GET {target} HTTP/1.1", f"Host: {host}", *headers)


def _post(target, *headers, body=b""):
    """A form post with a CSRF cookie, so Django goes on to read the body."""
    return _request(
        f"POST {target} HTTP/1.1",
        "Host: 127.0.0.1",
        f"Cookie: csrftoken={'x' * 32}",
        "Content-Type: application/x-www-form-urlencoded",
        *headers,
        body=body,
    )


MANY_FIELDS = "&".join(f"canaryfield{i}=1" for i in range(1200)).encode()

# name -> raw bytes. Every canary starts with "canary", so a leak shows which request it was.
REQUESTS = {
    "search": _get(
        "/search/?q=canarysearch&near=90033",
        f"X-Forwarded-For: {FORWARDED_FOR}",
        "User-Agent: canaryagent",
        "Referer: http://example.org/?q=canaryreferer",
    ),
    "spanish_search": _get("/es/search/?q=canaryspanish"),
    "not_found": _get("/no-such-page/?q=canarynotfound"),
    "absolute_target": _get("http://canaryabsolute.example/search/?q=canaryabsolutequery"),
    "unknown_method": _request("CANARYVERB /search/?q=canaryverbquery HTTP/1.1", "Host: 127.0.0.1"),
    "non_utf8_byte": _get("/search/?q=canarybyte\xff\xfe"),
    "non_utf8_path": _get("/search/\xff/?q=canarybytepath"),
    "escaped_non_utf8": _get("/search/%ff%fe/?q=canaryescaped%ff"),
    "request_line_too_long": _get("/search/?q=canarylong" + "a" * 5000),
    "bad_host": _get("/search/?q=canaryhostquery", host="canaryhost.example.org"),
    "bad_cookie": _get("/search/?q=canarycookiequery", 'Cookie: sessionid="canarycookie\x01;;=='),
    "odd_cookie": _get("/search/", 'Cookie: canaryname="canaryvalue\\"; ; =x; csrftoken=1'),
    "header_too_long": _get("/search/?q=canaryheaderquery", "X-Note: canaryheader" + "b" * 9000),
    "bad_header_name": _get("/search/?q=canaryhnquery", "Bad\x01Name-canaryhn: x"),
    "bad_header_value": _get("/search/?q=canaryhvquery", "X-Note: canaryhv\x00value"),
    "bad_method": _request("G\x01T /search/?q=canarymethod HTTP/1.1", "Host: 127.0.0.1"),
    "bad_version": _request("GET /search/?q=canaryversion HTTP/7.canary", "Host: 127.0.0.1"),
    "garbage_line": b"canarygarbage\r\n\r\n",
    "http09": b"GET /search/?q=canaryhttp09\r\n\r\n",
    "bad_origin": _post(
        "/suggest/?q=canaryoriginquery", "Origin: http://canaryorigin.example", body=b"name=x"
    ),
    "bad_chunked_body": _post(
        "/suggest/?q=canarychunkquery",
        "Transfer-Encoding: chunked",
        body=b"canarychunk\r\nname=x\r\n0\r\n\r\n",
    ),
    "short_body": _post(
        "/suggest/?q=canaryshortquery", "Content-Length: 500", body=b"name=canaryshortbody"
    ),
    "bad_transfer_coding": _post("/suggest/?q=canarytequery", "Transfer-Encoding: canaryte"),
    "many_fields": _post(
        "/suggest/?q=canaryfieldsquery", f"Content-Length: {len(MANY_FIELDS)}", body=MANY_FIELDS
    ),
}


def _client_socket(port):
    s = socket.socket()
    s.settimeout(30)
    s.bind((CLIENT_HOST, 0))
    s.connect((BIND_HOST, port))
    return s


def _send(port, raw):
    """Send one raw request; return the status line (or b"" if the server just closed)."""
    with _client_socket(port) as s:
        s.sendall(raw)
        # A request the server refuses mid-body may leave it waiting: stop sending.
        s.shutdown(socket.SHUT_WR)
        reply = b""
        try:
            while chunk := s.recv(65536):
                reply += chunk
        except (TimeoutError, ConnectionResetError):
            pass
    return reply.split(b"\r\n", 1)[0]


def _wait_until_serving(server, port, deadline):
    """The master listens before the worker has loaded Django: wait for a real answer."""
    while time.monotonic() < deadline and server.poll() is None:
        try:
            if _send(port, _get("/robots.txt")).startswith(b"HTTP/1.1 200"):
                return True
        except OSError:
            pass
        time.sleep(0.1)
    return False


def _env(tmp_path, port):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GUNICORN"))}
    for name in ("DEBUG", "DATABASE_URL", "SECRET_KEY", "ALLOWED_HOSTS", "GUNICORN_CMD_ARGS"):
        env.pop(name, None)
    # As the Makefile's SERVE_ENV: production code paths over plain HTTP.
    return {
        **env,
        "SECRET_KEY": "server-logs-test-only-not-secret",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "BIND": f"{BIND_HOST}:{port}",
        "WEB_CONCURRENCY": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "PYTHONUNBUFFERED": "1",
    }


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """Run gunicorn, send every request in REQUESTS, stop it; return (statuses, log text)."""
    tmp_path = tmp_path_factory.mktemp("server-logs")
    port = free_port()
    env = _env(tmp_path, port)
    for command in (["migrate", "--noinput"], ["createcachetable"]):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            timeout=120,
        )
    out_path, err_path = tmp_path / "stdout.log", tmp_path / "stderr.log"
    statuses = {}
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        server = subprocess.Popen(
            # No control socket: it would live in the shared home folder.
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--config",
                "gunicorn.conf.py",
                "--no-control-socket",
            ]
            + ["advocacy.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=err,
        )
        try:
            assert _wait_until_serving(server, port, time.monotonic() + 30), err_path.read_text()
            for name, raw in REQUESTS.items():
                statuses[name] = _send(port, raw)
        finally:
            stop(server)
    # Everything it wrote: both streams, plus any log file it may have opened beside us.
    written = out_path.read_bytes() + err_path.read_bytes()
    for extra in tmp_path.glob("*.log*"):
        if extra not in (out_path, err_path):
            written += extra.read_bytes()
    return statuses, written.decode("utf-8", "backslashreplace")


def test_the_server_answered_every_request(served):
    statuses, log = served
    assert statuses["search"].startswith(b"HTTP/1.1 200"), log
    assert statuses["not_found"].startswith(b"HTTP/1.1 404"), log
    assert statuses["bad_host"].startswith(b"HTTP/1.1 400"), log
    assert statuses["request_line_too_long"].startswith(b"HTTP/1.1 414"), log


@pytest.mark.parametrize("name", REQUESTS)
def test_no_request_text_reaches_the_logs(served, name):
    _statuses, log = served
    canaries = {w.decode() for w in re.findall(rb"canary[a-z0-9]*", REQUESTS[name].lower())}
    leaked = [line for line in log.splitlines() if any(w in line.lower() for w in canaries)]
    assert not leaked, "\n".join(leaked)


def test_no_visitor_address_reaches_the_logs(served):
    _statuses, log = served
    for address in (CLIENT_HOST, FORWARDED_FOR):
        assert address not in log, [line for line in log.splitlines() if address in line]
    assert "ip=" not in log


def test_the_logs_stay_useful_to_operators(served):
    _statuses, log = served
    # Paths and status codes, without the query string.
    assert re.search(r'"GET /search/" 200 ', log), log
    assert re.search(r'"GET /no-such-page/" 404 ', log), log
    # Refused requests say what was wrong, not what was sent.
    assert "Invalid request: request line too long" in log, log
    assert "Invalid request: invalid request line" in log, log
    assert "Refused DisallowedHost: /search/ (status 400)" in log, log
    assert "Refused csrf, Origin checking failed: /suggest/ (status 403)" in log, log


# The same rules, one record at a time, for what the run above cannot provoke: an application
# error whose message quotes the request, gunicorn's debug messages, the development server.


def test_an_application_error_keeps_its_traceback_but_not_its_message():
    handler = logging.getLogger("django.request").handlers[0]
    stream = io.StringIO()
    previous = handler.setStream(stream)
    typed = "canary" + "exception"  # built, so the source line shown in the traceback lacks it
    try:
        try:
            int(typed)
        except ValueError:
            logging.getLogger("django.request").error(
                "Internal Server Error: %s", "/search/?q=canaryquery", exc_info=True
            )
    finally:
        handler.setStream(previous)
    written = stream.getvalue()
    assert "canary" not in written, written
    assert "django.request: Internal Server Error: /search/\n" in written
    assert "Traceback (most recent call last):" in written
    assert "int(typed)" in written
    assert written.rstrip().endswith("ValueError (message withheld)")


def _scrubbed(logger, msg, *args, **attributes):
    record = logging.LogRecord(logger, logging.WARNING, __file__, 1, msg, args, None)
    record.__dict__.update(attributes)
    ScrubVisitorDetails().filter(record)
    return record.getMessage()


@pytest.mark.parametrize(
    ("logger", "msg", "args", "expected"),
    [
        (
            "gunicorn.error",
            "Invalid request from ip=2001:db8::7: Invalid HTTP request line: 'canary'",
            (),
            "Invalid request: invalid request line",
        ),
        (
            "gunicorn.error",
            "Ignored premature client disconnection. %s",
            (NoMoreData(b"GET /search/?q=canary HTTP/1.1"),),
            "Ignored premature client disconnection. NoMoreData",
        ),
        (
            "gunicorn.error",
            NoMoreData(b"GET /search/?q=canary HTTP/1.1"),
            (),
            "NoMoreData",
        ),
        (
            "gunicorn.error",
            "Traceback (most recent call last):\nKeyError: 'GET /search/?q=canary HTTP/1.1'",
            (),
            "Traceback (most recent call last):\nKeyError: 'GET /search/ HTTP/1.1'",
        ),
        (
            "gunicorn.error",
            "Error handling request %s %s",
            ("GET", "http://canary.example/search/?q=canary"),
            "Error handling request GET /search/",
        ),
        (
            "django.server",
            '"%s" %s %s',
            ("GET /es/search/?q=canary&near=90033 HTTP/1.1", 200, 512),
            '"GET /es/search/ HTTP/1.1" 200 512',
        ),
        (
            "django.server",
            "code %d, message %s",
            (400, "Bad request version ('HTTP/canary')"),
            "code 400, message Bad request version",
        ),
        (
            "django.server",
            "- Broken pipe from %s",
            (("203.0.113.77", 51234),),
            "- Broken pipe from -",
        ),
        (
            "django.request",
            "Internal Server Error: %s",
            ("/search/\n[01/Jan/2026] forged line",),
            "Internal Server Error: /search/\\n[01/Jan/2026] forged line",
        ),
    ],
)
def test_each_kind_of_record_loses_the_visitor(logger, msg, args, expected):
    assert _scrubbed(logger, msg, *args) == expected


def test_a_csrf_refusal_keeps_its_reason_but_not_the_origin():
    request = RequestFactory().post("/suggest/?q=canary", HTTP_ORIGIN="http://canary.example")
    message = _scrubbed(
        "django.security.csrf",
        "Forbidden (%s): %s",
        "Origin checking failed - http://canary.example does not match any trusted origins.",
        request.path,
        request=request,
        status_code=403,
    )
    assert message == "Refused csrf, Origin checking failed: /suggest/ (status 403)"


def test_no_access_log_format_can_name_the_visitor():
    """Even if someone puts the address, request line or headers back in the format."""
    cfg = Config()
    cfg.set("access_log_format", "%(h)s %(r)s %(q)s %(f)s %(a)s %({cookie}i)s %({remote_addr}e)s")
    logger = PrivateGunicornLogger(cfg)
    request = SimpleNamespace(headers=[("COOKIE", "canarycookie"), ("USER-AGENT", "canaryua")])
    response = SimpleNamespace(status="200 OK", headers=[], sent=10)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/search/?q=canary",
        "PATH_INFO": "/search/",
        "QUERY_STRING": "q=canary",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.77",
        "HTTP_REFERER": "http://example.org/?q=canary",
        "HTTP_USER_AGENT": "canaryua",
    }
    atoms = SafeAtoms(logger.atoms(response, request, environ, timedelta(milliseconds=5)))
    assert cfg.access_log_format % atoms == "- - - - - - -"
