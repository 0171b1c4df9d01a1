"""What each screen looks like at 80x24 and at 120x40, in both languages.

The store is made at a fixed instant (`fixed_clock`), so the commit ids on
screen are the same on every run; no clock or temporary path is shown.
Update after a deliberate change with `pytest tests/tui --snapshot-update`
and look at the SVGs in tests/tui/__snapshots__/.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from support.tui import listed, make_app, seed_store

from auditdesk.audit.document import Audit
from auditdesk.store.audits import AuditStore

pytestmark = pytest.mark.slow  # each of the 31 renders takes 2–4.5 s

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
