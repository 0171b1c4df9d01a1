"""The app survives random key sequences on every screen (a fixed seed, so a failure repeats).

Textual's test harness re-raises any exception the app hits, so reaching the
end of each sequence with the app still running is the assertion; the store
must also still be consistent afterwards.
"""

from __future__ import annotations

import random

import pytest
from support import fsck_clean
from support.tui import make_app, started

from auditdesk.store.audits import AuditStore

pytestmark = pytest.mark.slow  # 90 random keys per view, each waited out

# Everything a person might hit, except quitting (ctrl+q) which ends the run by design.
KEYS = [*"0123456789abcdegmnorsuwx/. -", "enter", "escape", "tab", "shift+tab", "up", "down", "left", "right",
        "pageup", "pagedown", "home", "end", "delete", "backspace", "ctrl+s", "ctrl+p",
        "f1", "f2", "f3", "f4", "f5", "f6", "f8", "f9"]
VIEWS = {"browser": [], "planning": ["enter", "f2"], "scoring": ["enter", "f3"], "conclusion": ["enter", "f4"],
         "report": ["enter", "f5"], "review": ["enter", "f6"]}


@pytest.mark.parametrize("view", VIEWS)
async def test_random_keys_do_not_crash(view: str, store: AuditStore) -> None:
    rng = random.Random(f"auditdesk-{view}")
    app = make_app(store)
    async with started(app) as pilot:
        await pilot.press(*VIEWS[view])
        for _ in range(6):
            await pilot.press(*rng.choices(KEYS, k=15))
            await pilot.pause()
        assert app.is_running
    fsck_clean(store.root)
    assert [s.error for s in store.summaries()] == [""]  # the audit still parses
