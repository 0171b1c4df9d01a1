"""The terminal app under Textual's pilot: a store holding the seed, the app on it, started headless.

Importing this module imports Textual and the app; the fixtures that keep
the app steady (no blinking cursors, fast key presses) are in tests/tui/conftest.py.
"""

from __future__ import annotations

import subprocess
import tomllib
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

from textual.pilot import Pilot

from auditdesk.audit import workflow
from auditdesk.audit.document import Audit
from auditdesk.audit.identity import Identity
from auditdesk.store.audits import AuditStore
from auditdesk.tui.app import AuditdeskApp
from auditdesk.tui.screens.browser import BrowserScreen
from support.seed import LEADER, REVIEWER
from support.seed import PROJECT_NO as PROJECT

__all__ = ["LEADER", "PROJECT", "REVIEWER", "commits", "listed", "make_app", "saved_items", "seed_store", "started", "tab_to"]


@contextmanager
def seed_store(tmp_path: Path, audit: Audit, stage: str) -> Iterator[AuditStore]:
    """A store holding the seed audit at `stage`, created by someone off the team (as the demo is)."""
    audit.stage = "conclusion" if stage == "review" else stage  # type: ignore[assignment]
    with AuditStore.open(tmp_path / "store", create=True) as opened:
        opened.save(audit, base=None, user=Identity("Test", "t@example.org"))
        if stage == "review":  # only the workflow moves an audit to review: the leader submits it
            loaded = opened.load(audit.project_no)
            when = opened.repo.clock().replace(microsecond=0)
            opened.transition(loaded, lambda a: workflow.advance(a, loaded.catalog, LEADER, when), LEADER)
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


def commits(store: AuditStore) -> list[str]:
    """The store's commit subjects, newest first."""
    out = subprocess.run(["git", "-C", str(store.root), "log", "--format=%s"], capture_output=True, text=True, check=True)
    return out.stdout.splitlines()


def saved_items(store: AuditStore) -> dict[str, dict[str, object]]:
    """The item results in the audit file as committed (read without the app's parser)."""
    return tomllib.loads((store.root / "audits" / f"{PROJECT}.toml").read_text("utf-8"))["items"]  # type: ignore[no-any-return]


async def tab_to(pilot: Pilot[None], field_id: str, key: str = "tab") -> None:
    """Press Tab (or `key`) until the field has focus, as a user would."""
    for _ in range(40):
        if pilot.app.focused is not None and pilot.app.focused.id == field_id:
            return
        await pilot.press(key)
    raise AssertionError(f"{key} never reached {field_id}")
