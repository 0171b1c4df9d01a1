"""The fast paths of opening a store and listing it keep their promises.

Opening runs recovery only when a marker says an operation was interrupted
(and takes no lock otherwise); the summary cache lives where only the user can
write, and nothing in it, or in the store, can make a listing show what the
file does not say; the parsed catalog cache refuses anything but a catalog.
"""

from __future__ import annotations

import io
import json
import os
import pickle
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
from support import git

from auditdesk.audit.document import from_toml, to_toml
from auditdesk.audit.identity import Identity
from auditdesk.criteria import catalog as catalog_module
from auditdesk.criteria.catalog import Catalogs
from auditdesk.criteria.results import ItemResult
from auditdesk.store.audits import AuditStore
from auditdesk.store.git import GitRepo, recovery

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = (ROOT / "auditdesk" / "demo" / "10234-2024-SD.toml").read_bytes()
AUDIT = "10234-2024-SD"
HAN = Identity("韩永师", "han@example.org")


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test has a cache folder of its own (the user's is never touched)."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    return folder / "auditdesk"


@pytest.fixture
def store(tmp_path: Path) -> AuditStore:
    s = AuditStore.open(tmp_path / "store", create=True)
    s.save(from_toml(SAMPLE, "seed"), base=None, user=HAN)
    yield s
    s.close()


def _other_audit(store: AuditStore, no: str, pct: int) -> None:
    audit = from_toml(SAMPLE.replace(AUDIT.encode(), no.encode()), "copy")
    audit.items["A1"] = ItemResult(pct=Decimal(pct))
    store.save(audit, base=None, user=HAN)


# ------------------------------------------------------------- opening


def test_open_without_a_marker_runs_no_recovery_and_takes_no_lock(store: AuditStore, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(recovery, "recover", lambda repo: calls.append("recover") or [])
    import fcntl

    real_flock = fcntl.flock
    monkeypatch.setattr(fcntl, "flock", lambda fd, op: calls.append("flock") or real_flock(fd, op))
    with AuditStore.open(store.root) as again:
        assert again.recovered == [] and again.summaries()[0].total == "138.33"
    assert calls == []
    assert not list((store.repo.common_dir / recovery.MARKERS).iterdir())  # every save removed its marker


def test_a_save_killed_in_its_critical_section_leaves_a_marker_and_the_next_open_recovers(store: AuditStore, tmp_path: Path) -> None:
    """A child saves with a sleep inside the critical section and is SIGKILLed there:
    its marker stays, nobody holds it, and the next open finishes the job."""
    stamp = tmp_path / "inside"
    code = f"""
import sys, time
from pathlib import Path
from auditdesk.store.git import GitRepo
import auditdesk.store.git.repo as repo_module
real = repo_module.GitRepo._update_ref
def slow(self, *args):
    real(self, *args)
    Path({str(stamp)!r}).touch()
    time.sleep(60)  # killed here: the commit stands, git's index lags behind
repo_module.GitRepo._update_ref = slow
from auditdesk.audit.identity import Identity
with GitRepo(Path({str(store.root)!r})) as repo:
    repo.save("audits/other.toml", b"x = 1\\n", base=None, author=Identity("W", "w@example.org"), message="m")
"""
    proc = subprocess.Popen([sys.executable, "-c", code], env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)))
    deadline = time.monotonic() + 60
    while not stamp.exists():
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.02)
    markers = list((store.repo.common_dir / recovery.MARKERS).glob("*.op"))
    assert len(markers) == 1
    assert not recovery.interrupted(store.repo.common_dir)  # held: an operation still running
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert recovery.interrupted(store.repo.common_dir)
    with AuditStore.open(store.root) as again:
        assert again.recovered == [("audits/other.toml: git's index updated to the committed version "
                                    "(a save was interrupted after its commit)")]
    assert not list((store.repo.common_dir / recovery.MARKERS).glob("*.op"))
    assert git(store.root, "status", "--porcelain") == ""
    with AuditStore.open(store.root) as third:
        assert third.recovered == []


def test_config_is_read_once_and_follows_set_config(store: AuditStore) -> None:
    repo = GitRepo(store.root)
    try:
        runs: list[tuple[str, ...]] = []
        real = repo.git.run
        repo.git.run = lambda *a, **k: runs.append(a) or real(*a, **k)  # type: ignore[method-assign]
        assert repo.config("user.name") == ""
        assert repo.config("core.bare") == "false" and repo.config("Core.Bare") == "false"
        assert runs == []  # read once when the store was opened, with `git config --list`
        repo.set_config("user.name", "Zoë Example")
        assert repo.config("user.name") == "Zoë Example" and repo.config("user.email") == ""
        assert [r[:2] for r in runs] == [("config", "--local"), ("config", "--list")]
        repo.set_config("diff.auditdesk.textconv", "x y")
        assert repo.config("diff.auditdesk.textconv") == "x y"
    finally:
        repo.close()


# ------------------------------------------------------------- summaries


def test_summaries_are_kept_in_the_users_private_cache_not_the_store(store: AuditStore, private_cache: Path) -> None:
    assert [s.total for s in store.summaries()] == ["138.33"]
    files = list((private_cache / "summaries").iterdir())
    assert len(files) == 1
    assert oct(files[0].stat().st_mode & 0o777) == "0o600" and oct((private_cache / "summaries").stat().st_mode & 0o777) == "0o700"
    assert not (store.root / ".git" / "auditdesk" / "summaries.json").exists()


def test_a_falsified_cache_in_the_store_is_not_read(store: AuditStore) -> None:
    blob = store.repo.blob_id(store.path_of(AUDIT))
    planted = store.root / ".git" / "auditdesk" / "summaries.json"
    planted.parent.mkdir(exist_ok=True)
    planted.write_text(json.dumps({blob: {"project_no": AUDIT, "organisation": "x", "audit_type": "initial", "stage": "approved",
                                          "total": "150.00", "rate": "100.00", "star": "十星级", "year": "2024", "error": ""}}))
    with AuditStore.open(store.root) as again:
        (row,) = again.summaries()
    assert (row.stage, row.total) == ("conclusion", "138.33")


@pytest.mark.parametrize("content", [
    b"", b"\x00\xff garbage", b"[]", b'{"fingerprint": 1}', b"{" * 100_000,
    None,  # a falsified entry: the right fingerprint, a lie inside
    "malformed",  # the right fingerprint, entries of the wrong shape
])
def test_a_malformed_or_falsified_private_cache_recomputes(store: AuditStore, private_cache: Path, content: bytes | str | None) -> None:
    store.summaries()
    (cache_file,) = (private_cache / "summaries").iterdir()
    data = json.loads(cache_file.read_bytes())
    (key,) = data["entries"]
    if content is None:
        data["entries"][key] = ["x", "initial", "approved", "150.00", "100.00", "十星级", "2024", "", "extra"]
        content = json.dumps(data).encode()
    elif content == "malformed":
        data["entries"] = {key: {"stage": "approved"}, "other": [1, 2, 3], "x" * 500: ["a"] * 8}
        content = json.dumps(data).encode()
    assert isinstance(content, bytes)
    cache_file.write_bytes(content)
    with AuditStore.open(store.root) as again:
        (row,) = again.summaries()
    assert (row.stage, row.total, row.error) == ("conclusion", "138.33", "")


def test_a_cache_someone_else_can_write_is_not_trusted(store: AuditStore, private_cache: Path) -> None:
    store.summaries()
    (cache_file,) = (private_cache / "summaries").iterdir()
    data = json.loads(cache_file.read_bytes())
    (key,) = data["entries"]
    data["entries"][key] = ["淄博海源电子科技有限公司", "initial", "approved", "150.00", "100.00", "十星级", "2024", ""]
    cache_file.write_text(json.dumps(data))  # a well-formed lie
    cache_file.chmod(0o666)
    with AuditStore.open(store.root) as again:
        assert again.summaries()[0].total == "138.33"
    (private_cache / "summaries").chmod(0o777)  # a folder others can write: no cache at all
    with AuditStore.open(store.root) as again:
        assert again.summaries()[0].total == "138.33"


def test_summaries_follow_edits_and_are_borrowed_by_another_clone(store: AuditStore, tmp_path: Path) -> None:
    for n in range(60):
        _other_audit(store, f"P-{n:03d}", n)
    first = store.summaries()
    assert len(first) == 61 and {s.total for s in first if s.project_no == "P-010"} != {"138.33"}
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(store.root), str(clone))
    with AuditStore.open(clone) as other:
        seen: list[str] = []
        from auditdesk.store import summaries

        real = summaries.summary_fields
        summaries.summary_fields = lambda *a: seen.append(a[1]) or real(*a)  # type: ignore[assignment]
        try:
            assert other.summaries() == first
        finally:
            summaries.summary_fields = real
        assert seen == []  # every summary came from the first clone's cache
    loaded = store.load("P-010")
    loaded.audit.items["A1"] = ItemResult(pct=Decimal(100))
    store.save(loaded.audit, base=loaded.blob, user=HAN)
    again = {s.project_no: s for s in store.summaries()}
    assert again["P-010"].total != {s.project_no: s for s in first}["P-010"].total


def test_parallel_and_serial_summaries_agree(store: AuditStore) -> None:
    for n in range(70):
        _other_audit(store, f"Q-{n:03d}", n)
    broken = store.root / "audits" / "Q-005.toml"
    broken.write_bytes(broken.read_bytes().replace(b"pct = 5\n", b"pct = 500\n"))
    git(store.root, "commit", "-q", "-am", "a hand edit outside auditdesk")
    with AuditStore.open(store.root) as a:
        parallel = a.summaries(jobs=2)
    for f in (Path(os.environ["XDG_CACHE_HOME"]) / "auditdesk" / "summaries").iterdir():
        f.unlink()
    with AuditStore.open(store.root) as b:
        serial = b.summaries(jobs=1)
    assert parallel == serial
    bad = {s.project_no: s for s in serial}["Q-005"]
    assert bad.error.startswith(str(store.root / "audits" / "Q-005.toml")) or "percentage" in bad.error
    assert bad.total == ""


def test_cache_is_pruned_to_what_refs_reach(store: AuditStore, private_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _other_audit(store, "R-1", 1)
    store.summaries()
    (cache_file,) = (private_cache / "summaries").iterdir()
    data = json.loads(cache_file.read_bytes())
    fields = next(iter(data["entries"].values()))
    for n in range(600):  # entries of contents no ref reaches (amended away, deleted side refs)
        data["entries"][f"{n:040x} R-1"] = fields
    cache_file.write_text(json.dumps(data))
    with AuditStore.open(store.root) as again:
        for rev, _ in again.history(AUDIT):
            assert rev.commit
    assert len(json.loads(cache_file.read_bytes())["entries"]) == 2


# ------------------------------------------------------------- catalog cache


def test_catalog_cache_is_reused_and_refuses_anything_but_a_catalog(private_cache: Path) -> None:
    first = Catalogs().get("cts-isc-jsgf-05")
    (entry,) = (private_cache / "catalogs").iterdir()
    assert Catalogs().get("cts-isc-jsgf-05") == first
    evil = pickle.dumps(os.system)  # would run a command on load with a plain unpickler
    entry.write_bytes(evil)
    assert Catalogs().get("cts-isc-jsgf-05") == first  # parsed again, not unpickled
    with pytest.raises(pickle.UnpicklingError):
        catalog_module._CatalogUnpickler(io.BytesIO(evil)).load()
    entry.write_bytes(pickle.dumps(first))
    entry.chmod(0o664)
    assert Catalogs().get("cts-isc-jsgf-05") == first  # group-writable: not read, parsed again


def test_footer_hash_is_the_stored_bytes(store: AuditStore) -> None:
    from auditdesk.report.markdown import render
    from auditdesk.report.provenance import report_bytes

    loaded = store.load(AUDIT)
    assert loaded.data == to_toml(loaded.audit)
    head = store.repo.head()
    assert head is not None
    stored = report_bytes(store, AUDIT, head)
    assert stored == render(loaded.audit, loaded.catalog, revision=head).markdown.encode("utf-8")
