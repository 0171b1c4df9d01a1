"""auditdesk refuses a git too old for what the store relies on, saying what to do."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from support import Cli

from auditdesk.store.audits import AuditStore
from auditdesk.store.git import GitError
from auditdesk.store.git.version import MINIMUM, git_version, require_git


def fake_git(folder: Path, version: str) -> Path:
    folder.mkdir()
    script = folder / "git"
    script.write_text(f"#!/bin/sh\necho 'git version {version}'\n", "utf-8")
    script.chmod(0o755)
    return folder


def test_the_installed_git_is_new_enough() -> None:
    found = git_version(shutil.which("git") or "git")
    assert found is not None and found[:2] >= MINIMUM
    require_git()


@pytest.mark.parametrize(("version", "shown"), [("2.34.1", "2.34.1"), ("2.35.8", "2.35.8"), ("1.8.3.1", "1.8.3")])
def test_an_old_git_is_refused_before_anything_is_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str], version: str, shown: str) -> None:
    monkeypatch.setenv("PATH", str(fake_git(tmp_path / "bin", version)))
    with pytest.raises(GitError, match=rf"auditdesk needs git 2\.36 or newer; .*/git is {re.escape(shown)}\. "):
        AuditStore.open(tmp_path / "store", create=True)
    code, _, err = Cli(capsys, tmp_path / "store")("init")
    assert code == 1 and "needs git 2.36 or newer" in err and "core.fsync=committed" in err
    assert not (tmp_path / "store").exists()


def test_a_new_git_with_a_vendor_suffix_is_accepted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    binary = fake_git(tmp_path / "bin", "2.39.3 (Apple Git-145)") / "git"
    assert git_version(str(binary)) == (2, 39, 3)
