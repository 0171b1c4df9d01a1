"""Sync between two clones through a bare repository: merges, fast-forwards, true conflicts."""

from __future__ import annotations

import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from auditdesk.audit.document import Audit
from auditdesk.audit.identity import Identity
from auditdesk.criteria.results import ItemResult
from auditdesk.store.audits import AuditStore
from auditdesk.store.git import GitError
from auditdesk.store.sync import SyncConflict, sync

LEADER = Identity("韩永师", "han@example.org")
AUDIT = "10234-2024-SD"


def git(*args: str) -> str:
    return subprocess.run(["git", *args], capture_output=True, text=True, check=True).stdout


@pytest.fixture
def clones(tmp_path: Path, sample: Audit) -> tuple[AuditStore, AuditStore]:
    git("init", "-q", "--bare", "-b", "main", str(tmp_path / "hub.git"))
    a = AuditStore.open(tmp_path / "a", create=True)
    a.save(sample, base=None, user=LEADER)
    git("-C", str(a.root), "remote", "add", "origin", str(tmp_path / "hub.git"))
    assert sync(a, "origin", LEADER).action == "pushed (the remote had no main yet)"
    git("clone", "-q", str(tmp_path / "hub.git"), str(tmp_path / "b"))
    b = AuditStore.open(tmp_path / "b")
    yield a, b
    a.close()
    b.close()


def score(store: AuditStore, code: str, pct: str, project_no: str = AUDIT) -> None:
    loaded = store.load(project_no)
    loaded.audit.items[code] = ItemResult(pct=Decimal(pct))
    store.save(loaded.audit, base=loaded.blob, user=LEADER)


def test_edits_to_different_audits_and_fields_merge(clones: tuple[AuditStore, AuditStore], sample: Audit) -> None:
    a, b = clones
    other = sample
    other.project_no = "OTHER-1"
    b.save(other, base=None, user=LEADER)
    score(a, "B17", "97")
    score(b, "C1", "99")
    assert sync(a, "origin", LEADER).action == "pushed"
    result = sync(b, "origin", LEADER)
    assert result.action == "merged and pushed" and result.merged == [f"audits/{AUDIT}.toml"]
    assert sync(a, "origin", LEADER).action == "fast-forwarded"
    for store in (a, b):
        items = store.load(AUDIT).audit.items
        assert (items["B17"].pct, items["C1"].pct) == (97, 99)
        assert store.exists("OTHER-1")
        assert git("-C", str(store.root), "status", "--porcelain") == ""
    assert a.repo.head() == b.repo.head()
    assert "merge" in git("-C", str(b.root), "log", "-1", "--format=%s")


def test_true_conflict_keeps_both_sides_until_settled(clones: tuple[AuditStore, AuditStore]) -> None:
    a, b = clones
    score(a, "B1", "90")
    score(b, "B1", "91")
    sync(a, "origin", LEADER)
    head = b.repo.head()
    with pytest.raises(SyncConflict) as info:
        sync(b, "origin", LEADER)
    message = str(info.value)
    assert "items.B1.pct: ours 91 / theirs 90" in message and "--prefer" in message
    assert b.repo.head() == head and b.load(AUDIT).audit.items["B1"].pct == 91  # nothing changed locally
    kept = message.split("kept at ")[1].split(".")[0]
    assert "pct = 90" in git("-C", str(b.root), "show", f"{kept}:audits/{AUDIT}.toml")
    result = sync(b, "origin", LEADER, prefer="theirs")
    assert [str(c) for c in result.settled] == [f"audits/{AUDIT}.toml: items.B1.pct: ours 91 / theirs 90"]
    assert b.load(AUDIT).audit.items["B1"].pct == 90
    assert "pct = 91" in git("-C", str(b.root), "show", f"{head}:audits/{AUDIT}.toml")  # our side stays in history


def test_unreachable_remote_is_a_clear_error(clones: tuple[AuditStore, AuditStore], tmp_path: Path) -> None:
    a, _ = clones
    with pytest.raises(GitError, match=r"cannot fetch from .*nowhere"):
        sync(a, str(tmp_path / "nowhere.git"), LEADER)
    with pytest.raises(GitError, match="invalid remote"):
        sync(a, "--upload-pack=touch /tmp/pwned", LEADER)
    assert not Path("/tmp/pwned").exists()
