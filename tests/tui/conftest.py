"""Fixtures for the TUI tests: a steady environment and a store holding the seed audit.

The helpers that drive the app (make_app, started, seed_store…) are in
tests/support/tui.py; the private Textual names patched here are listed in
docs/textual-internals.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import textual._wait
from support.tui import seed_store
from textual.widgets import Input, TextArea

from auditdesk.audit.document import Audit
from auditdesk.store import git as gitrepo
from auditdesk.store.audits import AuditStore


@pytest.fixture(autouse=True)
def steady(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No blinking cursor, no colour or theme overrides, no user config; quick key presses."""
    for name in ("NO_COLOR", "TEXTUAL_THEME", "TEXTUAL_COLOR_SYSTEM", "AUDITDESK_USER", "SSH_CONNECTION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)
    monkeypatch.setattr(TextArea, "_toggle_cursor_blink_visible", lambda self: None)
    monkeypatch.chdir(tmp_path)  # files the app writes (reports) land in the test's folder, not the checkout
    # The pilot waits for the app to go idle after every key, polling every 20 ms;
    # polling every 5 ms tells idleness as well here and makes the keys four times faster.
    monkeypatch.setattr(textual._wait, "SLEEP_GRANULARITY", 0.005)
    monkeypatch.setattr(textual._wait, "SLEEP_IDLE", 0.00025)


@pytest.fixture
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every commit at the same instant, so commit ids (shown as "saved abc1234") repeat run to run."""
    monkeypatch.setattr(gitrepo.GitRepo, "clock", staticmethod(lambda: datetime(2024, 4, 11, 4, 0, tzinfo=UTC)))


@pytest.fixture
def store(tmp_path: Path, sample: Audit) -> Iterator[AuditStore]:
    """The seed audit as it is: in conclusion."""
    with seed_store(tmp_path, sample, "conclusion") as opened:
        yield opened
