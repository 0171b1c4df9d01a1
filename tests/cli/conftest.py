"""A demo store and an in-process `auditdesk` for every command-line test."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import Cli


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return tmp_path / "store"


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], store: Path) -> Cli:
    """The CLI on `store`, which holds the demo audit (created by Ann Auditor, off the team)."""
    run = Cli(capsys, store)
    code, out, _ = run("demo", "--user", "Ann Auditor <ann@example.org>")
    assert code == 0 and "10234-2024-SD" in out
    return run
