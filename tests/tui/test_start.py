"""The app starts the way a terminal runs it: `App.run`, not the pilot's `run_test`."""

from __future__ import annotations

from support.tui import listed, make_app
from textual.pilot import Pilot

from auditdesk.store.audits import AuditStore


def test_the_app_starts_under_app_run_and_visits_every_view(store: AuditStore) -> None:
    """On Python 3.12+ `App.run` installs asyncio's eager task factory and `run_test`
    does not, so only this test and the snapshots start the app as a user does
    (it crashed there with "No screens on stack": Textual issue #6444)."""
    app = make_app(store)
    modes: list[str] = []

    async def every_view(pilot: Pilot[None]) -> None:
        await listed(pilot)
        for key in ("enter", "f2", "f3", "f4", "f5", "f6", "f7"):
            await pilot.press(key)
            modes.append(pilot.app.current_mode)
        pilot.app.exit()

    app.run(headless=True, size=(80, 24), auto_pilot=every_view)
    assert modes == ["conclusion", "planning", "scoring", "conclusion", "report", "review", "browser"]
    assert app.return_code == 0
