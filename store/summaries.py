"""What a listing shows of each audit, computed once per content and kept where it cannot lie.

A summary (organisation, type, stage, total, rate, star, year, or why the file
cannot be read) is a function of the audit file's bytes, the catalogs and the
code that scores.  It is kept by *blob id* (and file name), so the same bytes
are never summarised twice, in this store, in another clone of it, or in the
history ``log`` shows.

Where it is kept decides whether it can be believed.  Not in the store: a
store's ``.git`` is written by whoever shares it, and a summary read from
there could make ``list`` say "approved 150.00" of a draft.  The cache lives
in the user's own cache folder (``$XDG_CACHE_HOME/auditdesk/summaries``,
created 0700, files 0600, both checked to be the user's and writable by
nobody else before they are read), one file per store, keyed by a
fingerprint of the scoring code and the catalogs, so that a change to either
recomputes everything.  Every entry is checked field by field before it is
used (known stage, totals shaped as totals, bounded text); anything else is
computed again from the file, never shown and never a traceback.  A store
with many summaries missing (a fresh clone) borrows them from the user's
caches of other stores with the same fingerprint: blob ids name contents, so
what another clone computed is right here too.

Entries no ref reaches are pruned once the cache grows well past the number of
audits (one ``git log --all --raw`` then says which blobs any ref reaches).

Missing summaries are computed in parallel, one worker process per CPU, each
reading the files (the working-tree copy when its bytes are the blob's,
otherwise git's) and parsing them with the compiled TOML parser.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditdesk.audit.document import STAGE_ORDER, load_audit
from auditdesk.criteria.catalog import Catalogs
from auditdesk.criteria.scoring import fmt_2, score_audit
from auditdesk.errors import AuditdeskError
from auditdesk.fileio import write_atomic
from auditdesk.paths import owned_file, private_cache

if TYPE_CHECKING:
    from auditdesk.store.audits import AuditStore, Summary

__all__ = ["SummaryCache", "compute", "summary_fields"]

#: The fields a cache entry holds, in order (the project number comes from the file name).
FIELDS = ("organisation", "audit_type", "stage", "total", "rate", "star", "year", "error")
_TOTAL = re.compile(r"-?[0-9]{1,6}\.[0-9]{2}")
_YEAR = re.compile(r"[0-9]{4}")
#: Below this many missing summaries, computing them here beats starting workers.
PARALLEL_FROM = 48
#: How many summaries a worker hands back at a time (the app fills its rows in as they come).
CHUNK = 40
#: Sibling caches consulted for a store with many summaries missing.
BORROW_FROM = 8
_MAX_TEXT = 4000


def _code_fingerprint(catalogs: Catalogs) -> str:
    """What every summary depends on besides its file: the code that parses and scores
    (these modules' sources) and the catalogs (their content hashes)."""
    from auditdesk.audit import document
    from auditdesk.criteria import catalog, results, scoring, tomldata

    digest = hashlib.sha256()
    for module in (document, catalog, results, scoring, tomldata):
        if module.__file__:
            try:
                digest.update(Path(module.__file__).read_bytes())
            except OSError:
                digest.update(module.__name__.encode())
    digest.update(Path(__file__).read_bytes())
    for c in catalogs.all():
        digest.update(f"\0{c.id}\0{c.version}\0{c.hash}".encode())
    return digest.hexdigest()


def summary_fields(data: bytes, path: str, catalogs: Catalogs) -> list[str]:
    """The summary of one audit file's bytes, as the cache keeps it (see FIELDS)."""
    stem = Path(path).stem
    try:
        audit, catalog = load_audit(data, path, catalogs)
    except AuditdeskError as exc:
        return ["", "", "", "", "", "", "", str(exc).splitlines()[0] if str(exc) else "cannot be read"]
    if audit.project_no != stem:  # a copied file: it is not the audit its name says
        return ["", "", "", "", "", "", "", f"{path}: project_no is {audit.project_no!r} but the file is {Path(path).name}"]
    card = score_audit(catalog, audit.items, audit.special)
    year = str(audit.planning.audit_from.year) if audit.planning.audit_from else ""
    return [audit.planning.organisation, audit.planning.audit_type, audit.stage, fmt_2(card.total), fmt_2(card.rate),
            card.star or "", year, ""]


def _valid(entry: Any) -> bool:
    """A cache entry shaped as this code writes them; anything else is computed again."""
    if not (isinstance(entry, list) and len(entry) == len(FIELDS) and all(isinstance(v, str) and len(v) <= _MAX_TEXT for v in entry)):
        return False
    organisation, audit_type, stage, total, rate, star, year, error = entry
    if error:
        return not (organisation or audit_type or stage or total or rate or star or year)
    return (stage in STAGE_ORDER and audit_type != "" and bool(_TOTAL.fullmatch(total))
            and (rate == "" or bool(_TOTAL.fullmatch(rate))) and (year == "" or bool(_YEAR.fullmatch(year)))
            and len(star) <= 40)


class SummaryCache:
    """The summaries of one store, by ``"<blob> <file stem>"``, in the user's private cache."""

    def __init__(self, store_id: str, catalogs: Catalogs) -> None:
        self.catalogs = catalogs
        self._folder = private_cache("summaries")
        self._file = self._folder / f"{hashlib.sha256(store_id.encode()).hexdigest()[:40]}.json" if self._folder else None
        self._fingerprint = _code_fingerprint(catalogs)
        self._entries: dict[str, list[str]] | None = None
        self._dirty = False
        self._borrowed = False
        self._pruned_at = 0
        self._lock = threading.RLock()

    @staticmethod
    def key(blob: str, path: str) -> str:
        return f"{blob} {Path(path).stem}"

    def _read(self, path: Path) -> dict[str, list[str]]:
        """The entries of one cache file with our fingerprint; {} for anything else."""
        if not owned_file(path):
            return {}
        try:
            data = json.loads(path.read_bytes())
        except (OSError, ValueError, RecursionError):
            return {}
        if not isinstance(data, dict) or data.get("fingerprint") != self._fingerprint or not isinstance(data.get("entries"), dict):
            return {}
        if path == self._file and isinstance(data.get("pruned_at"), int):
            self._pruned_at = max(0, data["pruned_at"])
        return {k: v for k, v in data["entries"].items() if isinstance(k, str) and len(k) < 200 and _valid(v)}

    def _loaded(self) -> dict[str, list[str]]:
        if self._entries is None:
            self._entries = self._read(self._file) if self._file else {}
        return self._entries

    def get(self, key: str) -> list[str] | None:
        with self._lock:
            return self._loaded().get(key)

    def put(self, key: str, fields: list[str]) -> None:
        with self._lock:
            self._loaded()[key] = fields
            self._dirty = True

    def borrow(self, keys: Iterable[str]) -> int:
        """Fill these missing keys from the user's caches of other stores (newest first); how many were found."""
        with self._lock:
            if self._borrowed or self._folder is None:
                return 0
            self._borrowed = True
            wanted = {k for k in keys if k not in self._loaded()}
            try:
                others = sorted((p for p in self._folder.glob("*.json") if p != self._file),
                                key=lambda p: p.stat().st_mtime, reverse=True)[:BORROW_FROM]
            except OSError:
                return 0
            found = 0
            for other in others:
                if not wanted:
                    break
                entries = self._read(other)
                for k in [k for k in wanted if k in entries]:
                    self._loaded()[k] = entries[k]
                    wanted.discard(k)
                    found += 1
            if found:
                self._dirty = True
            return found

    def save(self, reachable: Callable[[], set[str] | None], at_head: int) -> None:
        """Write the cache back if it changed, first pruning what no ref reaches once it
        has grown well past the audits at HEAD (``at_head``) and past twice its size
        after the last pruning (so a long history does not mean a pruning every time)."""
        with self._lock:
            if self._file is None or self._entries is None:
                return
            if len(self._entries) > max(2 * at_head + 500, 2 * self._pruned_at):
                blobs = reachable()
                if blobs is not None:
                    self._entries = {k: v for k, v in self._entries.items() if k.split(" ", 1)[0] in blobs}
                    self._pruned_at = len(self._entries)
                    self._dirty = True
            if not self._dirty:
                return
            data = json.dumps({"fingerprint": self._fingerprint, "pruned_at": self._pruned_at, "entries": self._entries},
                              ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            with contextlib.suppress(AuditdeskError):  # a cache that cannot be written is only slower next time
                write_atomic(self._file, data, mode=0o600, durable=False)
            self._dirty = False


# --- computing what is missing ---------------------------------------------------


_worker_catalogs: dict[str, Catalogs] = {}  # in a worker process: the catalogs it summarises with


def _worker_start(folders: tuple[Path, ...]) -> None:
    _worker_catalogs["catalogs"] = Catalogs(folders)


def _worker(chunk: list[tuple[str, str, bytes]]) -> list[tuple[str, list[str]]]:
    catalogs = _worker_catalogs["catalogs"]
    return [(key, summary_fields(data, path, catalogs)) for key, path, data in chunk]


def _contents(store: AuditStore, todo: list[tuple[str, str, str]]) -> Iterator[tuple[str, str, bytes]]:
    """(key, path, bytes) of each (key, path, blob): the working-tree file when it holds
    exactly the blob (a fresh clone's always do), otherwise git's copy."""
    blob_id_of = store.repo.objects.blob_id_of
    for key, path, blob in todo:
        data = None
        try:
            data = store.repo.worktree.read(path)
        except AuditdeskError:
            data = None
        if data is None or blob_id_of(data) != blob:
            data = store.repo.read_blob(blob)
        yield key, path, data


def compute(store: AuditStore, todo: list[tuple[str, str, str]], cache: SummaryCache,
            on_chunk: Callable[[list[tuple[str, list[str]]]], None] | None = None, jobs: int | None = None) -> None:
    """Summarise (key, path, blob) items into the cache, in parallel when there are many;
    ``on_chunk`` hears of each batch as it is done."""
    if not todo:
        return
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    jobs = min(cpus, 8) if jobs is None else jobs
    items = list(_contents(store, todo))
    chunks = [items[i:i + CHUNK] for i in range(0, len(items), CHUNK)]
    if jobs <= 1 or len(items) < PARALLEL_FROM:
        for chunk in chunks:
            done = [(key, summary_fields(data, path, store.catalogs)) for key, path, data in chunk]
            _record(cache, done, on_chunk)
        return
    if threading.active_count() == 1 and hasattr(os, "fork"):
        import multiprocessing

        # Forked workers start at once with everything imported; only where no other
        # thread runs (the command line): a fork copies another thread's held locks.
        context = multiprocessing.get_context("fork")
        with context.Pool(min(jobs, len(chunks)), initializer=_worker_start, initargs=(store.catalogs.folders[:-1],)) as pool:
            for done in pool.imap_unordered(_worker, chunks):
                _record(cache, done, on_chunk)
    else:  # the app: fresh interpreters (multiprocessing's helpers need a real stderr, which the app has not)
        for done in _spawned(store.catalogs.folders[:-1], items, min(jobs, len(chunks))):
            _record(cache, done, on_chunk)


def _spawned(folders: tuple[Path, ...], items: list[tuple[str, str, bytes]], jobs: int) -> Iterator[list[tuple[str, list[str]]]]:
    """Summaries computed by ``jobs`` new Python processes (see :func:`serve`), a chunk at a time."""
    import pickle
    import selectors
    import subprocess
    import sys

    procs = []
    for n in range(jobs):
        share = items[n::jobs]
        proc = subprocess.Popen([sys.executable, "-c", "from auditdesk.store.summaries import serve; serve()"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        assert proc.stdin is not None
        payload = pickle.dumps(([str(f) for f in folders], share), protocol=pickle.HIGHEST_PROTOCOL)
        threading.Thread(target=_feed, args=(proc.stdin, payload), daemon=True).start()
        procs.append(proc)
    selector = selectors.DefaultSelector()
    for proc in procs:
        assert proc.stdout is not None
        selector.register(proc.stdout, selectors.EVENT_READ, proc)
    try:
        open_pipes = len(procs)
        while open_pipes:
            for ready, _ in selector.select():
                line = ready.fileobj.readline()  # type: ignore[union-attr]
                if not line:
                    selector.unregister(ready.fileobj)
                    open_pipes -= 1
                    continue
                yield [(k, f) for k, f in json.loads(line) if isinstance(k, str) and _valid(f)]
    finally:
        selector.close()
        for proc in procs:
            proc.kill()
            proc.wait()
            if proc.stdout:
                proc.stdout.close()


def _feed(pipe: Any, payload: bytes) -> None:
    with contextlib.suppress(OSError), pipe:  # the worker went away: its summaries are computed next time
        pipe.write(payload)


def serve() -> None:
    """A worker of the app's listing: (catalog folders, items) pickled on stdin by our own
    process, one JSON line of summaries per chunk on stdout."""
    import pickle
    import sys

    folders, items = pickle.loads(sys.stdin.buffer.read())
    catalogs = Catalogs(tuple(Path(f) for f in folders))
    for i in range(0, len(items), CHUNK):
        done = [(key, summary_fields(data, path, catalogs)) for key, path, data in items[i:i + CHUNK]]
        sys.stdout.write(json.dumps(done, ensure_ascii=False) + "\n")
        sys.stdout.flush()


def _record(cache: SummaryCache, done: list[tuple[str, list[str]]], on_chunk: Callable[[list[tuple[str, list[str]]]], None] | None) -> None:
    for key, fields in done:
        cache.put(key, fields)
    if on_chunk is not None:
        on_chunk(done)


def make_summary(project_no: str, fields: list[str]) -> Summary:
    from auditdesk.store.audits import Summary

    return Summary(project_no, *fields)
