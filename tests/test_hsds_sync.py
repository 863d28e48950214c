"""manage.py sync_hsds: another directory's HSDS API, pulled page by page, all or nothing.

The source is this app itself: a second instance, served by gunicorn on
loopback with its own SQLite database holding the demo data, as another
directory running this software would be. Its hidden listings (drafts,
archived, partners-only, confidential addresses) are planted there, and
must never reach us. Sources that misbehave are small HTTP servers in a
thread, answering what a broken or half-standard API answers.
"""

import json
import sqlite3
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from urllib.parse import parse_qs, urlsplit
from urllib.request import urlopen

import pytest
from django.core.management import CommandError, call_command

from directory.models import Location, Organization, Service, SourceId, Status, SyncRun
from tests.app_servers import free_port, gunicorn, manage, production_env

PARTNERS_ONLY = "Koreatown Healing Circle"


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """The other directory: (its API's address, its settings, its database file)."""
    folder = tmp_path_factory.mktemp("source")
    database = folder / "source.sqlite3"
    env = production_env(
        free_port(),
        DATABASE_URL=f"sqlite:///{database}",
        DATABASE_REPLICA_URL="",
        REDIS_URL="",
        MEDIA_ROOT=str(folder / "media"),
    )
    manage(env, "migrate", "--noinput", "--verbosity", "0")
    manage(env, "load_demo", "--verbosity", "0")
    change_source(
        env,
        "from directory.models import Organization, Visibility\n"
        f"org = Organization.objects.get(name={PARTNERS_ONLY!r})\n"
        "org.visibility = Visibility.PARTNERS\n"
        "org.save()\n",
    )
    with gunicorn(env, folder / "gunicorn.log") as port:
        yield f"http://127.0.0.1:{port}/api", env, database


def change_source(env, code):
    """Edit the source's listings as its curators would: through its models and signals."""
    manage(env, "shell", "--no-imports", "-c", code)


def _get(url):
    with urlopen(url, timeout=30) as response:
        return json.load(response)


def _pages(get, path):
    """Every document of every page of a list endpoint, without last_modified."""
    documents, number = [], 1
    while True:
        page = get(f"{path}&page={number}&per_page=20")
        documents.extend(page["contents"])
        if page["last_page"]:
            return [_without_last_modified(d) for d in documents]
        number += 1


def _without_last_modified(document):
    """The document as it is wherever it is kept: when it changed here is our own."""
    if isinstance(document, list):
        return [_without_last_modified(item) for item in document]
    if isinstance(document, dict):
        return {k: _without_last_modified(v) for k, v in document.items() if k != "last_modified"}
    return document


def _ours(client):
    return lambda path: client.get(f"/api{path}").json()


def _sync(url, *args):
    out = StringIO()
    call_command("sync_hsds", url, *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def _hidden_at_the_source(database):
    with sqlite3.connect(database) as db:
        streets = {
            r[0]
            for r in db.execute("SELECT address_1 FROM directory_location WHERE is_confidential")
        }
        organizations = {
            r[0]
            for r in db.execute(
                "SELECT name FROM directory_organization "
                "WHERE status != 'published' OR visibility != 'public'"
            )
        }
        services = {
            r[0]
            for r in db.execute("SELECT name FROM directory_service WHERE status != 'published'")
        }
    return streets, organizations, services


def test_a_first_sync_copies_what_the_source_shows_and_our_api_then_says_the_same(
    source, client, db
):
    url, _env, database = source
    theirs = _pages(_get, f"{url}/services?full=true")
    assert len(theirs) > 50

    out = _sync(url, "--publish")

    assert "asked for everything" in out and "Synced:" in out
    # Our API now gives the same documents, ids included.
    assert _pages(_ours(client), "/services?full=true") == theirs
    assert _pages(_ours(client), "/organizations?full_service=true") == _pages(
        _get, f"{url}/organizations?full_service=true"
    )
    run = SyncRun.objects.get()
    assert (run.source, run.url, run.modified_after) == (url, url, None)
    assert run.succeeded and run.items == len(theirs) and run.created > len(theirs)
    assert run.newest_seen is not None
    assert SourceId.objects.filter(source=url, kind="service").count() == len(theirs)


def test_what_the_source_hides_never_arrives(source, client, db):
    url, _env, database = source
    streets, organizations, services = _hidden_at_the_source(database)
    assert streets and PARTNERS_ONLY in organizations and services  # the canaries are planted

    _sync(url, "--publish")

    assert not Location.objects.filter(address_1__in=streets).exists()
    assert not Organization.objects.filter(name__in=organizations).exists()
    assert not Service.objects.filter(name__in=services).exists()
    assert Organization.objects.count() > 30


def test_the_next_sync_asks_only_for_what_changed_and_updates_in_place(source, db):
    url, env, _database = source
    _sync(url, "--publish")
    first = SyncRun.objects.get()
    services = Service.objects.count()
    renamed = Service.objects.filter(organization__name="Pasadena Asylum Project").first()

    change_source(
        env,
        "from directory.models import Service\n"
        f"s = Service.objects.get(pk={str(renamed.pk)!r})\n"
        "s.name = 'Asylum applications and interview preparation'\n"
        "s.save()\n",
    )
    out = _sync(url, "--publish")

    second = SyncRun.objects.latest("started_at")
    assert second.modified_after == first.newest_seen
    assert "asked for changes since" in out and "read 1 service on 1 page." in out
    assert second.items == 1 and second.updated >= 1 and second.created == 0
    assert Service.objects.count() == services  # updated, never duplicated
    renamed.refresh_from_db()
    assert renamed.name == "Asylum applications and interview preparation"
    assert renamed.history.first().name == renamed.name  # history records the sync's change
    assert second.newest_seen > first.newest_seen

    # Nothing changed since: nothing is read, and the next run asks from the same moment.
    _sync(url, "--publish")
    third = SyncRun.objects.latest("started_at")
    assert (third.items, third.created, third.updated) == (0, 0, 0)
    assert third.modified_after == third.newest_seen == second.newest_seen

    # --all asks for everything again, and still duplicates nothing.
    _sync(url, "--publish", "--all")
    assert SyncRun.objects.latest("started_at").modified_after is None
    assert Service.objects.count() == services


def test_a_complete_run_archives_what_the_source_has_since_hidden(source, db):
    url, env, _database = source
    _sync(url, "--publish")
    gone = Service.objects.filter(status=Status.PUBLISHED).order_by("name").first()
    their_id = gone.source_ids.get().external_id
    change_source(
        env,
        "from directory.models import Service, Status\n"
        f"s = Service.objects.get(pk={their_id!r})\n"
        "s.status = Status.ARCHIVED\n"
        "s.save()\n",
    )
    # Changes since the last run cannot tell what was deleted: nothing is archived.
    _sync(url, "--publish")
    gone.refresh_from_db()
    assert gone.status == Status.PUBLISHED
    # Reading everything can.
    out = _sync(url, "--publish", "--all")
    gone.refresh_from_db()
    assert gone.status == Status.ARCHIVED
    assert "1 archived" in out
    run = SyncRun.objects.latest("started_at")
    assert run.archived == 1
    assert {"action": "archived", "model": "service", "name": gone.name} in run.changes
    assert Service.objects.filter(status=Status.PUBLISHED).count() > 50


def test_a_dry_run_reads_everything_and_keeps_nothing(source, db):
    url, _env, _database = source
    out = _sync(url, "--dry-run")
    assert "Dry run, nothing written" in out
    assert not Organization.objects.exists() and not SyncRun.objects.exists()


# -- sources that misbehave


def _service(number, **extra):
    return {
        "id": f"svc-{number}",
        "name": f"Legal clinic {number}",
        "status": "active",
        "phones": [{"id": f"ph-{number}", "number": "213-555-0100"}],
        "organization": {
            "id": f"org-{number}",
            "name": f"Clinic {number}",
            "website": f"https://clinic{number}.example.org",
        },
        **extra,
    }


def _page(contents, number, total):
    return {
        "total_items": len(contents),
        "total_pages": total,
        "page_number": number,
        "size": len(contents),
        "first_page": number == 1,
        "last_page": number == total,
        "empty": not contents,
        "contents": contents,
    }


@pytest.fixture
def fake_api():
    """A loopback server answering `answers[(path, page)]`: (status, JSON or text)."""
    # Every organization's document comes with its services here: the list is empty.
    answers, asked = {("/api/organizations", "1"): (200, _page([], 1, 1))}, []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            parts = urlsplit(self.path)
            asked.append(self.path)
            page = parse_qs(parts.query).get("page", [None])[0]
            status, body = answers.get((parts.path, page), (404, {"detail": "not found"}))
            data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/api", answers, asked
    finally:
        server.shutdown()
        server.server_close()


def test_a_source_failing_on_its_second_page_writes_nothing(fake_api, db):
    url, answers, _asked = fake_api
    answers["/api/services", "1"] = (200, _page([_service(1)], 1, 2))
    answers["/api/services", "2"] = (500, "<h1>Server Error</h1>")

    with pytest.raises(CommandError, match=r"Nothing was synced: .*page=2.* answered HTTP 500"):
        _sync(url)

    assert not Organization.objects.exists()
    run = SyncRun.objects.get()
    assert not run.succeeded and "HTTP 500" in run.failure and run.pages == 1
    # The failed run is not where the next one starts: it asks for everything again.
    answers["/api/services", "2"] = (200, _page([_service(2)], 2, 2))
    out = _sync(url + "/services/")  # its /services address works as well
    assert "asked for everything" in out
    assert sorted(Service.objects.values_list("name", flat=True)) == [
        "Legal clinic 1",
        "Legal clinic 2",
    ]


def test_a_bad_record_writes_nothing_and_says_which(fake_api, db):
    url, answers, _asked = fake_api
    bad = _service(2, email="not an email")
    answers["/api/services", "1"] = (200, _page([_service(1), bad], 1, 1))

    with pytest.raises(CommandError, match="Nothing was synced: .* 1 errors"):
        _sync(url)

    assert not Organization.objects.exists()
    run = SyncRun.objects.get()
    assert not run.succeeded and run.failure == "Nothing was written: 1 errors."
    assert run.errors and "email" in run.errors[0]


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ((200, "<html>Welcome</html>"), "did not answer JSON"),
        ((200, [{"name": "a list, not a page"}]), "is not a page of an HSDS API"),
        ((404, {"detail": "no"}), "answered HTTP 404"),
    ],
)
def test_what_is_not_an_hsds_api_is_refused_plainly(fake_api, db, answer, message):
    url, answers, _asked = fake_api
    answers["/api/services", "1"] = answer
    with pytest.raises(CommandError, match=message):
        _sync(url)
    assert not Organization.objects.exists()


def test_a_source_name_too_long_to_keep_is_refused_before_reading(fake_api, db):
    url, _answers, asked = fake_api
    with pytest.raises(CommandError, match="give a shorter one with --source"):
        _sync(url + "/" + "x" * 200)
    assert asked == [] and not SyncRun.objects.exists()
    with pytest.raises(CommandError, match="give a shorter one"):
        _sync(url, "--source", "s" * 201)


def test_an_address_that_is_not_a_web_api_is_refused(db):
    with pytest.raises(CommandError, match="is not an http:// or https:// address"):
        _sync("file:///etc/passwd")
    with pytest.raises(CommandError, match="Cannot reach"):
        _sync(f"http://127.0.0.1:{free_port()}/api")


def test_a_server_that_ignores_full_is_asked_for_each_service_and_organization(fake_api, db):
    url, answers, asked = fake_api
    whole = _service(1)
    one_to_one = {k: v for k, v in whole.items() if k not in ("phones", "organization")}
    one_to_one["organization_id"] = "org-1"
    answers["/api/services", "1"] = (200, _page([one_to_one], 1, 1))
    answers["/api/services/svc-1", None] = (
        200,
        {**whole, "organization": None} | {"organization_id": "org-1"},
    )
    answers["/api/organizations/org-1", None] = (
        200,
        {**whole["organization"], "services": [{"id": "svc-1"}]},
    )

    _sync(url, "--publish")

    service = Service.objects.get()
    assert service.organization.name == "Clinic 1"
    assert list(service.phones.values_list("number", flat=True)) == ["213-555-0100"]
    assert "/api/services/svc-1" in asked and "/api/organizations/org-1" in asked


def test_curators_see_each_run_and_what_it_changed_and_cannot_edit_it(fake_api, admin_client):
    url, answers, _asked = fake_api
    answers["/api/services", "1"] = (200, _page([_service(1)], 1, 1))
    _sync(url)
    run = SyncRun.objects.get()

    listing = admin_client.get("/admin/directory/syncrun/")
    assert listing.status_code == 200 and url in listing.content.decode()
    page = admin_client.get(f"/admin/directory/syncrun/{run.pk}/change/").content.decode()
    assert "created: service “Legal clinic 1”" in page
    assert "created: organization “Clinic 1”" in page
    assert 'name="_save"' not in page  # read-only: a record, not a form
    assert admin_client.get("/admin/directory/syncrun/add/").status_code == 403
    # Each synced listing shows, read-only, which source's id it carries.
    org = Organization.objects.get()
    org_page = admin_client.get(f"/admin/directory/organization/{org.pk}/change/")
    assert f"{url}: org-1" in org_page.content.decode()
    service_page = admin_client.get(f"/admin/directory/service/{org.services.get().pk}/change/")
    assert f"{url}: svc-1" in service_page.content.decode()
    assert admin_client.post(f"/admin/directory/syncrun/{run.pk}/delete/").status_code == 403


def test_a_complete_run_archives_only_what_the_source_no_longer_lists(fake_api, db):
    url, answers, _asked = fake_api
    answers["/api/services", "1"] = (200, _page([_service(1), _service(2), _service(3)], 1, 1))
    _sync(url, "--publish")
    assert Service.objects.filter(status=Status.PUBLISHED).count() == 3

    # Clinic 2 is gone at the source; Clinic 3 keeps its organization with another service.
    three = _service(3)
    three["id"] = "svc-3b"
    three["name"] = "Know your rights workshops"
    answers["/api/services", "1"] = (200, _page([_service(1), three], 1, 1))
    out = _sync(url, "--publish", "--all")

    status = dict(Service.objects.values_list("name", "status"))
    assert status == {
        "Legal clinic 1": Status.PUBLISHED,
        "Legal clinic 2": Status.ARCHIVED,
        "Legal clinic 3": Status.ARCHIVED,
        "Know your rights workshops": Status.PUBLISHED,
    }
    orgs = dict(Organization.objects.values_list("name", "status"))
    assert orgs == {
        "Clinic 1": Status.PUBLISHED,
        "Clinic 2": Status.ARCHIVED,
        "Clinic 3": Status.PUBLISHED,
    }
    assert "3 archived" in out
    # History says who changed it: the sync, as an import would.
    clinic_2 = Service.objects.get(name="Legal clinic 2")
    assert [h.status for h in clinic_2.history.order_by("history_date")][-1] == Status.ARCHIVED
    warnings = SyncRun.objects.latest("started_at")
    assert warnings.archived == 3 and warnings.warnings >= 3


def test_a_dry_run_says_what_it_would_archive_and_archives_nothing(fake_api, db):
    url, answers, _asked = fake_api
    answers["/api/services", "1"] = (200, _page([_service(1), _service(2)], 1, 1))
    _sync(url, "--publish")
    answers["/api/services", "1"] = (200, _page([_service(1)], 1, 1))
    out = StringIO()
    err = StringIO()
    call_command("sync_hsds", url, "--all", "--dry-run", stdout=out, stderr=err)
    assert "Dry run, nothing written" in out.getvalue() and "2 archived" in out.getvalue()
    assert "no longer listed by the source" in err.getvalue()
    assert not Service.objects.filter(status=Status.ARCHIVED).exists()


def test_a_source_that_suddenly_lists_nothing_archives_nothing(fake_api, db):
    url, answers, _asked = fake_api
    answers["/api/services", "1"] = (200, _page([_service(1), _service(2)], 1, 1))
    _sync(url, "--publish")
    answers["/api/services", "1"] = (200, _page([], 1, 1))
    with pytest.raises(CommandError, match="Nothing was synced"):
        _sync(url, "--all")
    assert not Service.objects.exclude(status=Status.PUBLISHED).exists()
    assert "lists no services now" in SyncRun.objects.latest("started_at").errors[0]
