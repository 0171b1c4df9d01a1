"""Every report of a store at once: in parallel, and only what changed.

`auditdesk report --all --out DIR` keeps DIR a copy of the store's reports.
A manifest in DIR records, per audit, what its report was made from — the
audit's blob id (from one `ls-tree`), its catalog's content hash and a hash of
the code that renders and scores — so a later run re-renders only reports
whose inputs changed, without even parsing the others.  Content hashes, not
timestamps: a checkout, a copy or a clock change does not fool it.

Rendering runs in worker processes started with "spawn", each opening its own
store (a GitRepo's `cat-file` child must not be shared across fork).  One
broken audit is reported and never stops the others.  Report files are
replaced by rename without fsync (they can always be rendered again); the
manifest records their sizes, so a file a crash left empty or short, or one
deleted by hand, is rendered again on the next run.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from auditdesk.criteria.catalog import Catalogs
from auditdesk.errors import AuditdeskError
from auditdesk.fileio import write_atomic
from auditdesk.report.output import report_text
from auditdesk.store.audits import AUDITS, AuditStore

MANIFEST = ".auditdesk-reports.json"
MANIFEST_VERSION = 1
#: Starting a worker process costs about as much as rendering this many
#: reports, so fewer than this per worker are rendered in the calling process.
MIN_PER_WORKER = 20
#: Reports per task sent to a worker: big enough to amortise the round trip,
#: small enough to keep both workers busy to the end and the progress bar moving.
MAX_CHUNK = 32


def renderer_key(fmt: str) -> str:
    """What a report depends on besides its audit and catalog: the format and the code that
    renders, scores and labels it (the report and criteria packages, the audit document)."""
    from auditdesk.audit import document
    from auditdesk.criteria import scoring

    sources = [*sorted(Path(__file__).parent.glob("*.py")), *sorted(Path(scoring.__file__).parent.glob("*.py")),
               Path(document.__file__)]
    import auditdesk

    digest = hashlib.sha256(auditdesk.__version__.encode())  # the footer names it
    for source in sources:
        digest.update(source.name.encode() + b"\0" + source.read_bytes() + b"\0")
    return f"{fmt}:sha256:{digest.hexdigest()}"


@dataclass(frozen=True)
class Job:
    """One report to render: the audit's blob at HEAD and the revision its footer names
    (the audit's own last revision)."""

    project_no: str
    path: str
    blob: str
    revision: str


@dataclass(frozen=True)
class Outcome:
    """What became of a job: rendered (`entry` for the manifest), not at the stage asked
    for (`entry` None), or failed (`error`)."""

    job: Job
    stage: str = ""
    entry: dict[str, Any] | None = None
    error: str = ""


@dataclass
class BulkResult:
    """Counts for the one-line summary, and every failure with its reason."""

    rendered: int = 0
    skipped: int = 0
    excluded: int = 0
    removed: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)

    def summary(self, out: Path) -> str:
        parts = [f"{self.rendered} rendered", f"{self.skipped} unchanged", f"{len(self.failed)} failed"]
        if self.excluded:
            parts.append(f"{self.excluded} at another stage")
        if self.removed:
            parts.append(f"{self.removed} removed")
        return f"reports in {out}: " + ", ".join(parts)


class Renderer:
    """Renders jobs into the output folder; one per worker process (or the caller's)."""

    def __init__(self, store: AuditStore, out: Path, fmt: str, stage: str | None, key: str,
                 approved: frozenset[str] = frozenset()) -> None:
        self.store, self.out, self.fmt, self.stage, self.key = store, out, fmt, stage, key
        self.approved = approved
        """The audits a valid approval covers: only these count as approved (see shown_stage)."""

    def render(self, job: Job) -> Outcome:
        try:
            audit, catalog = self.store.parse(self.store.repo.read_blob(job.blob), str(self.store.root / job.path))
            if audit.project_no != job.project_no:
                raise AuditdeskError(f"{job.path}: project_no is {audit.project_no!r}; it must match the file name")
            stage = shown_stage(audit.stage, job.project_no, self.approved)
            if self.stage is not None and stage != self.stage:
                return Outcome(job, stage)
            text, assets = report_text(audit, catalog, job.revision, self.fmt)
            files = {f"{job.project_no}.{self.fmt}": text.encode("utf-8"), **assets}
            for name, data in files.items():
                self._write(name, data)
        except AuditdeskError as exc:
            return Outcome(job, error=str(exc))
        except Exception as exc:  # noqa: BLE001 - a bug must not stop the other reports; it is reported like a failure
            return Outcome(job, error=f"internal error rendering {job.path}: {type(exc).__name__}: {exc}")
        entry = {"blob": job.blob, "stage": stage, "renderer": self.key, "catalog": [catalog.id, catalog.version],
                 "catalog_hash": catalog.hash, "revision": job.revision, "files": {n: len(d) for n, d in files.items()}}
        return Outcome(job, stage, entry)

    def _write(self, name: str, data: bytes) -> None:
        """Replace by rename, so a reader never sees half a report; no fsync (see the module doc)."""
        write_atomic(self.out / name, data, durable=False)


_worker: Renderer | None = None


def _start_worker(root: str, catalogs: Catalogs, out: str, fmt: str, stage: str | None, key: str,
                  approved: frozenset[str] = frozenset()) -> None:
    """Pool initializer: this process's own store, opened once for all its jobs."""
    global _worker  # noqa: PLW0603 - one renderer per worker process, set by the pool initializer
    _worker = Renderer(AuditStore(Path(root), catalogs), Path(out), fmt, stage, key, approved)


def _render_chunk(jobs: list[Job]) -> list[Outcome]:
    assert _worker is not None, "worker not initialised"
    return [_worker.render(job) for job in jobs]


class Manifest:
    """DIR's record of its reports, by project number; unreadable or foreign means empty
    (everything is rendered again), never an error."""

    def __init__(self, out: Path) -> None:
        self.path = out / MANIFEST
        self.entries: dict[str, dict[str, Any]] = {}
        self.changed = False
        try:
            data = json.loads(self.path.read_bytes())
        except (OSError, ValueError):
            return
        reports = data.get("reports") if isinstance(data, dict) and data.get("version") == MANIFEST_VERSION else None
        if isinstance(reports, dict):
            self.entries = {no: entry for no, entry in reports.items() if _well_formed(entry)}

    def set(self, project_no: str, entry: dict[str, Any] | None) -> None:
        """Record (or with None, forget) an audit's entry."""
        if entry is None:
            self.entries.pop(project_no, None)
        else:
            self.entries[project_no] = entry
        self.changed = True

    def save(self) -> None:
        """Written only when something changed (compact: the C encoder, 10,000 entries in ~50 ms)."""
        if self.changed:
            body = {"version": MANIFEST_VERSION, "reports": dict(sorted(self.entries.items()))}
            write_atomic(self.path, json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))

    def intact(self, entry: dict[str, Any]) -> bool:
        """Every file the entry lists is in DIR with the size it was written with."""
        folder = str(self.path.parent)
        for name, size in entry.get("files", {}).items():
            try:
                if os.stat(os.path.join(folder, name)).st_size != size:
                    return False
            except OSError:
                return False
        return True

    def retire(self, project_no: str, keep: Iterable[str] = ()) -> bool:
        """Delete the audit's files (except `keep`); True if it had a report."""
        entry = self.entries.get(project_no) or {}
        files = entry.get("files", {})
        for name in set(files) - set(keep):
            (self.path.parent / name).unlink(missing_ok=True)
        return bool(files)


def _well_formed(entry: Any) -> bool:
    """An entry safe to act on: its files are plain names in DIR (a tampered manifest must
    not make a run delete files elsewhere)."""
    files = entry.get("files", {}) if isinstance(entry, dict) else None
    return isinstance(files, dict) and all(
        isinstance(name, str) and name and "/" not in name and "\0" not in name and not name.startswith(".")
        and isinstance(size, int) for name, size in files.items()
    )


class Progress:
    """A one-line bar on a terminal; silent for scripts and logs."""

    def __init__(self, stream: IO[str] | None, total: int) -> None:
        self.stream = stream if stream is not None and stream.isatty() and total else None
        self.total, self.done, self.failed, self.shown = total, 0, 0, 0.0

    def advance(self, outcome: Outcome) -> None:
        self.done += 1
        self.failed += bool(outcome.error)
        now = time.monotonic()
        if self.stream is not None and (now - self.shown > 0.1 or self.done == self.total):
            self.shown = now
            filled = self.done * 30 // self.total
            failed = f", {self.failed} failed" if self.failed else ""
            self.stream.write(f"\rrendering [{'#' * filled}{'.' * (30 - filled)}] {self.done}/{self.total}{failed} ")
            self.stream.flush()

    def close(self) -> None:
        if self.stream is not None:
            self.stream.write("\r\033[K")
            self.stream.flush()


def render_all(store: AuditStore, out: Path, *, fmt: str = "md", jobs: int = 1, stage: str | None = None,
               force: bool = False, progress: IO[str] | None = None) -> BulkResult:
    """Render every audit at HEAD (or those at `stage`) into `out`, skipping unchanged reports
    unless `force`; reports of audits no longer selected are removed."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise AuditdeskError(f"cannot create {out}: {exc.strerror}") from None
    head = store.repo.head()
    if head is None:
        raise AuditdeskError(f"{store.root} has no commits yet")
    manifest = Manifest(out)
    key = renderer_key(fmt)
    result = BulkResult()
    audits = _audits(store, head, result)
    approved = approved_audits(store)
    todo = []
    catalog_hashes: dict[tuple[str, str], str] = {}
    for project_no, (path, blob) in audits.items():
        entry = manifest.entries.get(project_no)
        if entry is not None and entry.get("blob") == blob:
            if entry.get("stage") in ("approved", "unapproved"):  # whether an approval holds can change
                entry = {**entry, "stage": shown_stage("approved", project_no, approved)}
            if stage is not None and entry.get("stage") != stage:
                result.excluded += 1
                if manifest.retire(project_no):
                    result.removed += 1
                    manifest.set(project_no, {"blob": blob, "stage": entry.get("stage")})
                continue
            if not force and entry.get("renderer") == key and _catalog_current(store.catalogs, entry, catalog_hashes) \
                    and manifest.intact(entry):
                result.skipped += 1
                continue
        todo.append(Job(project_no, path, blob, head))
    for project_no in manifest.entries.keys() - audits.keys():
        result.removed += manifest.retire(project_no)
        manifest.set(project_no, None)
    bar = Progress(progress, len(todo))
    try:
        for outcome in _run(store, _with_approval_revisions(store, _with_own_revisions(store, todo), approved), out, fmt, stage, key, jobs, approved):
            _record(manifest, result, outcome)
            bar.advance(outcome)
    finally:
        bar.close()
        manifest.save()
    return result


def _audits(store: AuditStore, head: str, result: BulkResult) -> dict[str, tuple[str, str]]:
    """project_no -> (path, blob) of every audit file at `head`; misnamed files count as failed."""
    found = {}
    for path, blob in sorted(store.repo.blobs(AUDITS, head).items()):
        if not path.endswith(".toml"):
            continue
        project_no = Path(path).stem
        try:
            if path != AuditStore.path_of(project_no):
                raise AuditdeskError("audits are stored as audits/<project number>.toml")
        except AuditdeskError as exc:
            result.failed.append((path, f"{path}: not an audit file name ({str(exc).rpartition(': ')[2]})"))
            continue
        found[project_no] = (path, blob)
    return found


def _catalog_current(catalogs: Catalogs, entry: dict[str, Any], known: dict[tuple[str, str], str]) -> bool:
    """The catalog the report was rendered with still has the content hash it had then."""
    ref = entry.get("catalog")
    if not (isinstance(ref, list) and len(ref) == 2):
        return False
    ident = (str(ref[0]), str(ref[1]))
    if ident not in known:
        try:
            known[ident] = catalogs.get(*ident).hash
        except AuditdeskError:
            known[ident] = ""
    return bool(known[ident]) and known[ident] == entry.get("catalog_hash")


def _with_own_revisions(store: AuditStore, todo: list[Job]) -> list[Job]:
    """Each footer names the audit's own last revision, as a single `auditdesk report` does."""
    own = store.own_revisions([j.project_no for j in todo], todo[0].revision) if todo else {}
    return [Job(j.project_no, j.path, j.blob, own.get(j.project_no, j.revision)) for j in todo]


def approved_audits(store: AuditStore) -> frozenset[str]:
    """The audits whose current content a valid approval covers (store.trust)."""
    every = store.repo.tag_objects("approved")
    projects = {name.split("/")[1] for name in every if name.count("/") == 2}
    found = set()
    for project_no in projects:
        try:
            approval = store.trust.approval(project_no, every)
        except AuditdeskError:
            continue
        if approval is not None and approval.valid:
            found.add(project_no)
    return frozenset(found)


def shown_stage(stage: str, project_no: str, approved: frozenset[str]) -> str:
    """An audit counts as approved only when a valid approval covers it; otherwise "unapproved"."""
    return stage if stage != "approved" or project_no in approved else "unapproved"


def _with_approval_revisions(store: AuditStore, todo: list[Job], approved: frozenset[str] = frozenset()) -> list[Job]:
    """Name the approval commit, not HEAD, in the footer of an audit still as approved:
    `auditdesk verify` accepts a report only of the approved revision itself."""
    if not todo:
        return todo
    latest: dict[str, tuple[int, str]] = {}
    for tag in store.repo.tags("approved"):
        _, project_no, number = (tag.name.split("/") + ["", ""])[:3]
        if number.isdigit() and int(number) > latest.get(project_no, (0, ""))[0]:
            latest[project_no] = (int(number), tag.commit)
    revisions = {}
    for job in todo:
        if job.project_no in latest and job.project_no in approved:
            commit = latest[job.project_no][1]
            if store.repo.blob_id(job.path, commit) == job.blob:
                revisions[job.project_no] = commit
    return [Job(j.project_no, j.path, j.blob, revisions.get(j.project_no, j.revision)) for j in todo]


def _run(store: AuditStore, todo: list[Job], out: Path, fmt: str, stage: str | None, key: str,
         jobs: int, approved: frozenset[str] = frozenset()) -> Iterator[Outcome]:
    """Outcomes as they finish: in worker processes when there is enough work, else here."""
    workers = min(jobs, len(todo) // MIN_PER_WORKER)
    if workers <= 1:
        renderer = Renderer(store, out, fmt, stage, key, approved)
        yield from (renderer.render(job) for job in todo)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    size = max(1, min(MAX_CHUNK, math.ceil(len(todo) / (workers * 4))))
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker,
                             initargs=(str(store.root), store.catalogs, str(out), fmt, stage, key, approved)) as pool:
        futures = [
            pool.submit(_render_chunk, todo[i:i + size]) for i in range(0, len(todo), size)
        ]
        try:
            for future in as_completed(futures):
                yield from future.result()
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise


def _record(manifest: Manifest, result: BulkResult, outcome: Outcome) -> None:
    project_no = outcome.job.project_no
    if outcome.error:
        result.failed.append((project_no, outcome.error))
        manifest.retire(project_no)  # DIR never keeps a report that no longer matches the store
        manifest.set(project_no, None)
    elif outcome.entry is None:
        result.excluded += 1
        result.removed += manifest.retire(project_no)
        manifest.set(project_no, {"blob": outcome.job.blob, "stage": outcome.stage})
    else:
        manifest.retire(project_no, keep=outcome.entry["files"])
        manifest.set(project_no, outcome.entry)
        result.rendered += 1

