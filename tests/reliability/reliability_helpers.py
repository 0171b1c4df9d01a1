"""Helpers of the reliability tests: the CLI in-process and as a subprocess,
plain git as a person runs it, and the checks every fault test ends with
(``git fsck`` clean, every audit parses, the working tree matches HEAD)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from support import fsck_clean, git

from auditdesk.audit.document import load_audit
from auditdesk.cli import main
from auditdesk.criteria.catalog import Catalogs

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_PATH = ROOT / "auditdesk" / "demo" / "10234-2024-SD.toml"
SAMPLE = SAMPLE_PATH.read_bytes()
AUDIT = "10234-2024-SD"
LEADER = "韩永师 <han@example.org>"
#: The `run` fixture: ``run(*argv)`` → (exit code, stdout, stderr).
Run = Callable[..., tuple[int, str, str]]


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """``auditdesk.cli.main(argv)`` → (exit code, stdout, stderr); never a traceback."""
    try:
        code = main([*argv])
    except SystemExit as exc:  # argparse usage errors
        code = exc.code if isinstance(exc.code, int) else 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err, captured.err
    return code, captured.out, captured.err


def cli_env(**extra: str) -> dict[str, str]:
    """Environment for ``python -m auditdesk`` in a subprocess, with this process's imports."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    env.update(extra)
    return env


def cli_cmd(*argv: str) -> list[str]:
    return [sys.executable, "-m", "auditdesk", *argv]


def audits_at(repo: Path, rev: str = "HEAD") -> dict[str, bytes]:
    """Every ``audits/*.toml`` at ``rev``, by path."""
    names = git(repo, "ls-tree", "-r", "--name-only", rev, "--", "audits").split()
    return {n: subprocess.run(["git", "show", f"{rev}:{n}"], cwd=repo, capture_output=True, check=True).stdout
            for n in names if n.endswith(".toml")}


def consistent(repo: Path, *, bare: bool = False) -> int:
    """The store is sound: fsck clean, every audit at HEAD parses and names its
    own file, and (with a working tree) nothing differs from HEAD.  Returns the
    number of audits."""
    fsck_clean(repo)
    found = audits_at(repo)
    catalogs = Catalogs()
    for path, data in found.items():
        audit, _ = load_audit(data, path, catalogs)
        assert f"audits/{audit.project_no}.toml" == path
    if not bare:
        assert git(repo, "status", "--porcelain", "--untracked-files=all") == ""
    return len(found)


def line_of(data: bytes, needle: bytes, occurrence: int = 1) -> int:
    start = -1
    for _ in range(occurrence):
        start = data.index(needle, start + 1)
    return data[:start].count(b"\n") + 1
