"""Fixtures for the TUI tests: a steady environment and a store holding the seed audit."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
import textual._wait
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from auditdesk.audit.document import Audit
from auditdesk.audit.identity import Identity
from auditdesk.store import git as gitrepo
from auditdesk.store.audits import AuditStore
from auditdesk.tui.app import AuditdeskApp
from auditdesk.tui.screens.browser import BrowserScreen

LEADER = Identity("韩永师", "han@example.org")
"""The seed's team leader: only the team may edit an audit."""
REVIEWER = Identity("李审核", "li@example.org")
"""Not on the seed's team; the store names no reviewers, so anyone off the team may review."""
PROJECT = "10234-2024-SD"


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


@contextmanager
def seed_store(tmp_path: Path, audit: Audit, stage: str) -> Iterator[AuditStore]:
    """A store holding the seed audit at `stage`, created by someone off the team (as the demo is)."""
    audit.stage = stage  # type: ignore[assignment]
    with AuditStore.open(tmp_path / "store", create=True) as opened:
        opened.save(audit, base=None, user=Identity("Test", "t@example.org"))
        yield opened


@pytest.fixture
def store(tmp_path: Path, sample: Audit) -> Iterator[AuditStore]:
    """The seed audit as it is: in conclusion."""
    with seed_store(tmp_path, sample, "conclusion") as opened:
        yield opened


def make_app(store: AuditStore, language: str = "en", user: Identity = LEADER) -> AuditdeskApp:
    return AuditdeskApp(store, user, language=language)


async def listed(pilot: Pilot[None]) -> None:
    """Wait until the store browser shows its list (read in a background thread)."""
    for _ in range(1000):
        screen = pilot.app.screen
        if not (isinstance(screen, BrowserScreen) and screen.listing):
            break
        await pilot.pause(0.005)
    await pilot.pause()


@asynccontextmanager
async def started(app: AuditdeskApp, size: tuple[int, int] = (80, 24)) -> AsyncIterator[Pilot[None]]:
    """Run the app headless, with the audit list shown."""
    async with app.run_test(size=size) as pilot:
        await listed(pilot)
        yield pilot
