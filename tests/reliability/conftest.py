"""Reliability tests: the CLI in-process, and a demo store (helpers: tests/support/reliability.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import Run, run_cli
from support.reliability import LEADER


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    """``run(*argv)`` → (exit code, stdout, stderr) of ``auditdesk.cli.main``; never a traceback."""
    return lambda *argv: run_cli(capsys, *argv)


@pytest.fixture
def demo(tmp_path: Path, run: Run) -> Path:
    """A store holding the seed audit 10234-2024-SD; the team leader 韩永师 acts by default."""
    path = tmp_path / "store"
    code, _out, err = run("demo", "--store", str(path), "--user", LEADER)
    assert code == 0, err
    return path
