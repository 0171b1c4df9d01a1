"""What each screen looks like at 80x24 and at 120x40, in both languages.

The store is made at a fixed instant (`fixed_clock`), so the commit ids on
screen are the same on every run; no clock or temporary path is shown.
Update after a deliberate change with `pytest tests/tui --snapshot-update`
and look at the SVGs in tests/tui/__snapshots__/.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from support.tui import PROJECT, listed, make_app, seed_store

from auditdesk.audit.document import Audit, Member
from auditdesk.audit.identity import Identity
from auditdesk.criteria.results import ItemResult
from auditdesk.store.audits import AuditStore
from auditdesk.store.git import GitRepo
from auditdesk.store.git.repo import SIDE_REF_ROOT

pytestmark = pytest.mark.slow  # each of the 37 renders takes 2–4.5 s

BOTH = ("en", "zh")
# screen: (keys from the store browser, terminal size, languages).  The audit is
# on site, so Enter opens the scoring view.
SCREENS: dict[str, tuple[list[str], tuple[int, int], tuple[str, ...]]] = {
    "browser": ([], (80, 24), BOTH),
    "scoring": (["enter"], (80, 24), BOTH),
    "scoring_wide": (["enter", "g", "B", "3", "6", "enter"], (120, 40), BOTH),
    "na_dialog": (["enter", "n"], (80, 24), BOTH),
    "scoring_error": (["enter", "1", "2", "0", "enter"], (80, 24), ("en",)),
    "special_dialog": (["enter", "x"], (80, 24), ("en",)),
    "help": (["enter", "f1"], (80, 24), BOTH),
    "planning": (["enter", "f2"], (80, 24), BOTH),
    "conclusion": (["enter", "f4"], (80, 24), BOTH),
    "report": (["enter", "f5"], (80, 24), BOTH),
    "review": (["enter", "9", "7", "enter", "f6"], (80, 24), BOTH),
    "blockers": (["enter", "delete", "down", "delete", "f9"], (80, 24), BOTH),
}
# Every view again on a larger terminal: the layout must use the room, not just survive 80x24.
SCREENS.update({
    f"{name}_wide": (SCREENS[name][0], (120, 40), BOTH) for name in ("browser", "planning", "conclusion", "report", "review")
})


@pytest.fixture
def onsite_store(fixed_clock: None, tmp_path: Path, sample: Audit) -> Iterator[AuditStore]:
    """The seed audit moved back to on-site scoring, made at a fixed instant."""
    with seed_store(tmp_path, sample, "onsite") as store:
        yield store


@pytest.mark.parametrize(
    ("screen", "language"), [(screen, language) for screen, (_, _, languages) in SCREENS.items() for language in languages]
)
def test_screen(screen: str, language: str, onsite_store: AuditStore, snap_compare: Callable[..., bool]) -> None:
    press, size, _ = SCREENS[screen]
    app: Any = make_app(onsite_store, language)
    assert snap_compare(app, press=press, terminal_size=size, run_before=listed)


async def conflicting_edit(pilot: Any) -> None:
    """李娜 scores C2 and fills in the contact phone; then the user scores C2 too: the conflict question."""
    await listed(pilot)
    app = pilot.app
    await pilot.press("enter")
    with AuditStore.open(app.store.root) as other:
        theirs = other.load(PROJECT)
        theirs.audit.items["C2"] = ItemResult(pct=Decimal(80))
        theirs.audit.planning.contact.phone = "0533-1234567"
        other.save(theirs.audit, base=theirs.blob, user=Identity("李娜", "li.na@example.org"))
    await pilot.press("g", *"C2", "enter", "7", "0", "enter")
    app.session.flush()
    await pilot.pause(1.0)  # the question waits until typing stops


async def leaving_the_team(pilot: Any) -> None:
    """The user deletes themselves from the team: the lock-out question."""
    await listed(pilot)
    await pilot.press("enter", "f2", *["shift+tab"] * 6, "d")


@pytest.fixture
def shared_store(fixed_clock: None, tmp_path: Path, sample: Audit, monkeypatch: pytest.MonkeyPatch) -> Iterator[AuditStore]:
    """The seed audit on site, its team the leader and 李娜; refused saves kept on a ref named the same every run."""

    def side_ref(self: GitRepo, kind: str, relpath: str, commit: str) -> str:
        ref = f"{SIDE_REF_ROOT}{kind}/20240411T040000Z-{relpath.replace('/', '_')}"
        self._update_ref(ref, commit, None, f"auditdesk: {kind}")
        return ref

    monkeypatch.setattr(GitRepo, "_side_ref", side_ref)
    sample.planning.team = (*sample.planning.team, Member("L1", "李娜", "member"))
    with seed_store(tmp_path, sample, "onsite") as store:
        yield store


@pytest.mark.parametrize("language", BOTH)
def test_conflict_dialog(language: str, shared_store: AuditStore, snap_compare: Callable[..., bool]) -> None:
    app: Any = make_app(shared_store, language)
    assert snap_compare(app, terminal_size=(80, 24), run_before=conflicting_edit)


@pytest.mark.parametrize("language", BOTH)
def test_lock_out_question(language: str, shared_store: AuditStore, snap_compare: Callable[..., bool]) -> None:
    app: Any = make_app(shared_store, language)
    assert snap_compare(app, terminal_size=(80, 24), run_before=leaving_the_team)


def test_title_line_without_colour(onsite_store: AuditStore, snap_compare: Callable[..., bool],
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app: Any = make_app(onsite_store)
    assert app.no_color
    assert snap_compare(app, terminal_size=(80, 24), run_before=listed)
