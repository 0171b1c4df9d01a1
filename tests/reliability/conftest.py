"""Reliability tests: shared fixtures, and the helpers (reliability_helpers.py)
made importable.

The suite runs with --import-mode=importlib, which does not put test folders
on sys.path; the helpers module has a name no other folder uses.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from reliability_helpers import Run, cli


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    """``run(*argv)`` → (exit code, stdout, stderr) of ``auditdesk.cli.main``; never a traceback."""
    return lambda *argv: cli(capsys, *argv)


@pytest.fixture
def demo(tmp_path: Path, run: Run) -> Path:
    """A store holding the seed audit 10234-2024-SD; the team leader 韩永师 acts by default."""
    path = tmp_path / "store"
    code, _out, err = run("demo", "--store", str(path), "--user", "韩永师 <han@example.org>")
    assert code == 0, err
    return path
