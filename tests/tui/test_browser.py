"""The store browser: listing, filtering by typing, sorting, opening, creating."""

from __future__ import annotations

import tomllib

import pytest
from support.tui import make_app, started
from textual.widgets import DataTable

from auditdesk.store.audits import AuditStore
from auditdesk.tui.screens.browser import BrowserScreen
from auditdesk.tui.screens.conclusion import ConclusionScreen
from auditdesk.tui.screens.planning import PlanningScreen


def rows(app: object) -> list[str]:
    table = app.screen.query_one("#audits", DataTable)  # type: ignore[attr-defined]
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


async def test_lists_filters_and_opens_on_the_stage_view(store: AuditStore) -> None:
    app = make_app(store)
    async with started(app) as pilot:
        assert isinstance(app.screen, BrowserScreen)
        table = app.screen.query_one("#audits", DataTable)
        assert [str(c) for c in table.get_row_at(0)] == ["10234-2024-SD", "initial", "conclusion", "138.33", "十星级", "淄博海源电子科技有限公司"]
        await pilot.press(*"zzz")
        assert rows(app) == []
        await pilot.press("escape")  # clears the filter, back to the list
        assert rows(app) == ["10234-2024-SD"]
        await pilot.press("淄")  # typing anything that is not a key of the screen filters
        assert rows(app) == ["10234-2024-SD"]
        await pilot.press("down", "enter")
        assert isinstance(app.screen, ConclusionScreen)


@pytest.mark.slow
async def test_new_audit_with_keys(store: AuditStore) -> None:
    app = make_app(store)
    async with started(app) as pilot:
        await pilot.press("n", *"10234-2024-SD", "tab", *"Org", "enter")
        assert "already exists" in str(app.screen.query_one("#error-project_no").content)
        await pilot.press(*["backspace"] * 2, *"XX", "tab", "tab", "right", "enter")  # the error focused the field
        await pilot.pause()
        assert isinstance(app.screen, PlanningScreen)
        await pilot.press("f7", "s")  # back to the list, sorted by organisation
        await pilot.pause()
        assert rows(app) == ["10234-2024-XX", "10234-2024-SD"]
    data = tomllib.loads((store.root / "audits" / "10234-2024-XX.toml").read_text("utf-8"))
    assert data["planning"]["organisation"] == "Org"
    assert data["planning"]["audit_type"] == "surveillance"
    assert data["created_by"] == "韩永师"
