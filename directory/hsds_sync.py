"""Keep listings in step with another directory's HSDS 3.0 API (manage.py sync_hsds).

A run reads every page of the source's /services (fully nested documents,
`full=true`), and after its first successful run only what changed since
the newest `last_modified` it saw then (`modified_after`, in the source's
own clock, so the two servers' clocks need not agree). The services become
import records (directory.hsds) and are written by the ordinary import, all
or nothing, under the source's ids (SourceId), so a service renamed at the
source is renamed here and never duplicated. A complete run (the first, or
--all) also archives what the source gave us before and no longer lists: the
HSDS API has no list of deletions. Each run is kept as a SyncRun: when, what
was asked, what changed, or why nothing did.
"""

import json
from datetime import UTC
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode, urlsplit
from urllib.request import Request, urlopen

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from .hsds import external_id, records_from_hsds
from .import_records import Outcome
from .imports import ImportFileError, import_records
from .models import Organization, Service, SourceId, Status, SyncRun
from .publishing import PUBLISH_REFUSED, may_move

PER_PAGE = 100
TIMEOUT = 60  # seconds a request may take
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024  # a page of 100 full services is well under 5 MB
MAX_PAGES = 100_000
USER_AGENT = "immigrant-advocacy-directory sync_hsds (+https://openreferral.org)"
MAX_SOURCE_LENGTH = 200  # SourceId.source and SyncRun.source
# What the changes list of a run keeps; a first run of a large source creates far more.
MAX_CHANGES_KEPT = 1000


class SyncError(Exception):
    """The source cannot be read as an HSDS API: nothing was written."""


def api_root(url):
    """The API's base address, from it or from its /services address."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SyncError(f"{url} is not an http:// or https:// address.")
    path = parts.path.rstrip("/")
    if path.endswith("/services"):
        path = path[: -len("/services")]
    return f"{parts.scheme}://{parts.netloc}{path}"


def fetch_json(url):
    """The JSON document at `url`, or SyncError saying plainly why not."""
    request = Request(url, headers={"Accept": "application/json", "User-Agent": USER_AGENT})
    try:
        with urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 (http(s) only: api_root)
            body = response.read(MAX_DOCUMENT_BYTES + 1)
    except HTTPError as exc:
        raise SyncError(f"{url} answered HTTP {exc.code} {exc.reason}.") from None
    except URLError as exc:
        raise SyncError(f"Cannot reach {url}: {exc.reason}.") from None
    except (TimeoutError, OSError) as exc:
        raise SyncError(f"Cannot read {url}: {exc}.") from None
    if len(body) > MAX_DOCUMENT_BYTES:
        raise SyncError(f"{url} sent more than {MAX_DOCUMENT_BYTES // 2**20} MB.")
    try:
        return json.loads(body)
    except ValueError:
        raise SyncError(f"{url} did not answer JSON.") from None


class Reader:
    """The source's changed services, page by page, then their organizations.

    Iterating yields complete service documents with their organization
    nested, then those organizations' own documents (for their locations), so
    records_from_hsds can read them as they arrive: a large source is never
    held whole in memory. It counts pages and services, and keeps the newest
    `last_modified` seen, the next run's `modified_after`.
    """

    def __init__(self, root, modified_after=None, read=(), per_page=PER_PAGE, fetch=fetch_json):
        self.root = root
        self.modified_after = modified_after
        # The services the last run read at `modified_after` exactly: modified_after
        # includes that moment, so the source sends them again, unchanged.
        self.read = set(read)
        self.per_page = per_page
        self.fetch = fetch
        self.pages = self.items = 0
        self.newest = None
        self.newest_ids = set()  # the services read whose last_modified is `newest`
        self.organizations = {}  # id -> its own document, as asked for
        self.seen = set()  # the ids of the organizations of the services read
        # A run from the beginning reads every service and organization the source
        # lists, so what it does not list is gone there (archive_missing).
        self.complete = modified_after is None
        self.service_ids, self.organization_ids = set(), set()

    def __iter__(self):
        return self._services()

    def _services(self):
        for item in self._list("services"):
            if self._already_read(item):
                continue
            self.items += 1
            if isinstance(item, dict) and (pk := external_id(item.get("id"))):
                self.service_ids.add(pk)
            yield self._whole(item)
        # Their organizations' own documents: the locations no service is at, which
        # no service document carries. All of them on a first run, else the changed ones.
        if self.complete:
            for item in self._list("organizations", modified_after=False):
                if isinstance(item, dict) and (pk := external_id(item.get("id"))):
                    self.organization_ids.add(pk)
                yield _own(item)
        else:
            for pk in list(self.seen):
                if (document := self._organization(pk)) is not None:
                    yield document

    def _list(self, endpoint, modified_after=True):
        number = 1
        while True:
            contents, last = self._page(endpoint, number, modified_after)
            yield from contents
            if last or not contents:
                return
            number += 1
            if number > MAX_PAGES:
                raise SyncError(f"{self.root} has more than {MAX_PAGES} pages of {endpoint}.")

    def _page(self, endpoint, number, modified_after):
        query = {"full": "true", "page": number, "per_page": self.per_page}
        if modified_after and self.modified_after is not None:
            query["modified_after"] = _iso(self.modified_after)
        url = f"{self.root}/{endpoint}?{urlencode(query)}"
        page = self.fetch(url)
        if not isinstance(page, dict) or not isinstance(page.get("contents"), list):
            raise SyncError(f"{url} is not a page of an HSDS API (it has no “contents” list).")
        self.pages += 1
        total = page.get("total_pages")
        last = page.get("last_page") is True or (isinstance(total, int) and number >= total)
        return page["contents"], last

    def _whole(self, item):
        """The item as a full service document, asking for what its page left out."""
        if not isinstance(item, dict):
            return item  # records_from_hsds reports it
        self._saw(item)
        if item.get("id") and not any(isinstance(v, list) for v in item.values()):
            # A one-to-one document (a server that ignores full=true): ask for it whole.
            item = self._document(f"services/{item['id']}", item)
        if not isinstance(item.get("organization"), dict) and item.get("organization_id"):
            organization = self._organization(item["organization_id"])
            if organization is not None:
                item = {**item, "organization": organization}
        organization = item.get("organization")
        if isinstance(organization, dict) and isinstance(organization.get("id"), str):
            self.seen.add(organization["id"])
        return item

    def _organization(self, pk):
        if pk not in self.organizations:
            document = self._document(f"organizations/{pk}", None)
            self.organizations[pk] = _own(document) if isinstance(document, dict) else None
        return self.organizations[pk]

    def _document(self, path, fallback):
        document = self.fetch(f"{self.root}/{path}")
        return document if isinstance(document, dict) else fallback

    def _already_read(self, item):
        return (
            isinstance(item, dict)
            and item.get("id") in self.read
            and _moment(item.get("last_modified")) == self.modified_after
        )

    def _saw(self, item):
        moment = _moment(item.get("last_modified"))
        if moment is None:
            return
        if self.newest is None or moment > self.newest:
            self.newest, self.newest_ids = moment, set()
        if moment == self.newest:
            self.newest_ids.add(str(item.get("id")))


def _moment(value):
    moment = parse_datetime(value) if isinstance(value, str) else None
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


def _own(organization):
    """An organization's document without its services (they come as services)."""
    if not isinstance(organization, dict):
        return organization
    return {k: v for k, v in organization.items() if k != "services"}


def _iso(moment):
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def last_run(source):
    """The source's last run that wrote, whose newest change the next run starts from."""
    return SyncRun.objects.filter(source=source, succeeded=True).order_by("-started_at").first()


def sync(url, *, source=None, publish=False, dry_run=False, everything=False, fetch=fetch_json):
    """Read the source and import what changed, all or nothing; return (run, report).

    `everything` asks for every service, not only what changed since the last
    run. A dry run reads and checks, writes nothing and keeps no run. A run
    that cannot read the source raises SyncError after keeping the failed run.
    """
    root = api_root(url)
    source = source or root
    if len(source) > MAX_SOURCE_LENGTH:
        raise SyncError(
            f"The source name is longer than {MAX_SOURCE_LENGTH} characters: "
            "give a shorter one with --source."
        )
    previous = None if everything else last_run(source)
    since = previous.newest_seen if previous else None
    run = SyncRun(source=source, url=root, modified_after=since)
    reader = Reader(root, since, previous.newest_ids if previous else (), fetch=fetch)
    try:
        records, errors = records_from_hsds(iter(reader))
    except (SyncError, ImportFileError) as exc:
        _finish(run, reader, failure=str(exc), keep=not dry_run)
        raise SyncError(str(exc)) from None
    report = import_records(
        records,
        errors=errors,
        publish=publish,
        dry_run=dry_run,
        source=source,
        then=lambda writer: archive_missing(writer, reader) if reader.complete else None,
    )
    failure = ""
    if report.errors:
        failure = f"Nothing was written: {len(report.errors)} errors."
    _finish(run, reader, report, failure, keep=not dry_run)
    return run, report


def archive_missing(writer, reader):
    """Archive what this source gave us and no longer lists: it was deleted or hidden there.

    Run inside the import's transaction, after its records, so the archiving is
    all or nothing with the run, recorded in history and asked of the publish
    rule like any other change. A source that lists nothing is refused rather
    than read as "everything was deleted".
    """
    missing = [
        (Service, _missing(writer.source, "service", reader.service_ids)),
        (
            Organization,
            _missing(writer.source, "organization", reader.organization_ids | reader.seen),
        ),
    ]
    if not reader.service_ids and any(pks for _model, pks in missing):
        writer.error(
            writer.source,
            "",
            _(
                "The source lists no services now: nothing was archived or written. If it "
                "really has none left, archive its listings in the admin."
            ),
        )
        return
    for model, pks in missing:
        for listing in model.objects.filter(pk__in=pks).exclude(status=Status.ARCHIVED):
            if not may_move(writer.user, listing, status=Status.ARCHIVED):
                writer.error(writer.source, "", f"{listing}: {PUBLISH_REFUSED}")
                continue
            listing.status = Status.ARCHIVED
            listing.save()
            writer.report.outcomes.append(
                Outcome(
                    source=writer.source,
                    model=str(model._meta.verbose_name),
                    name=str(listing),
                    action="archived",
                )
            )
            writer.warn(
                writer.source,
                "",
                _("%(name)s is no longer listed by the source: it is archived.")
                % {"name": listing},
            )


def _missing(source, kind, listed):
    """Our rows of `kind` with this source's ids, none of which it still lists."""
    ids = {}
    for pk, their_id in SourceId.objects.filter(source=source, kind=kind).values_list(
        kind, "external_id"
    ):
        ids.setdefault(pk, set()).add(their_id)
    return [pk for pk, theirs in ids.items() if pk is not None and not theirs & listed]


def _finish(run, reader, report=None, failure="", keep=True):
    run.finished_at = timezone.now()
    run.pages, run.items = reader.pages, reader.items
    if reader.newest is None:  # nothing new: the next run asks from the same moment
        run.newest_seen, run.newest_ids = run.modified_after, sorted(reader.read)
    else:
        run.newest_seen, run.newest_ids = reader.newest, sorted(reader.newest_ids)
    run.failure = failure
    if report is not None:
        run.succeeded = report.written
        run.created, run.updated = len(report.created), len(report.updated)
        run.archived = len(report.archived)
        run.warnings = len(report.warnings)
        run.errors = [str(error) for error in report.errors[:MAX_CHANGES_KEPT]]
        run.changes = [
            {"action": o.action, "model": o.model, "name": o.name}
            for o in report.outcomes[:MAX_CHANGES_KEPT]
        ]
    if keep:
        run.save()
