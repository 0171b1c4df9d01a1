"""Planning and conclusion forms: typed values saved on leaving the field, checked in place."""

from __future__ import annotations

import tomllib
from typing import Any

import pytest
from support.tui import PROJECT, commits, make_app, started, tab_to

from auditdesk.store.audits import AuditStore
from auditdesk.tui.screens.planning import PlanningScreen


def saved(store: AuditStore) -> dict[str, Any]:
    return tomllib.loads((store.root / "audits" / f"{PROJECT}.toml").read_text("utf-8"))


@pytest.mark.slow
async def test_text_is_saved_when_leaving_the_field(store: AuditStore) -> None:
    before = commits(store)
    app = make_app(store)
    async with started(app) as pilot:
        await pilot.press("enter", "f2")
        assert isinstance(app.screen, PlanningScreen)
        await tab_to(pilot, "f-planning-contact-title")
        await pilot.press(*"经理")
        assert commits(store) == before  # not while typing
        await pilot.press("tab")
        await pilot.pause()
    assert saved(store)["planning"]["contact"]["title"] == "经理"
    assert commits(store)[0] == f"{PROJECT}: edit planning.contact.title"
    assert len(commits(store)) == len(before) + 1


@pytest.mark.slow
async def test_invalid_date_is_shown_and_not_saved(store: AuditStore) -> None:
    app = make_app(store)
    async with started(app) as pilot:
        await pilot.press("enter", "f2")
        await tab_to(pilot, "f-planning-audit_to", "shift+tab")  # the date fields are nearer the end
        # entering a field selects its text (typing replaces it): End edits it instead
        await pilot.press("end", "backspace", "backspace", "3", "0", "left", "left", "left", "backspace", "2")  # 2024-02-30
        assert "'2024-02-30' is not a date" in str(app.screen.query_one("#error-f-planning-audit_to").content)
        await pilot.press("backspace", "4", "end", "backspace", "backspace", "0", "9")  # 2024-04-09: before the start
        assert "before it starts" in str(app.screen.query_one("#error-f-planning-audit_to").content)
        await pilot.press("ctrl+q")  # cannot be saved: the app asks before quitting
        assert "could not be saved" in str(app.screen.query_one("#dialog-text").content)
        await pilot.press("1")  # stay
        assert app.focused is not None and app.focused.id == "f-planning-audit_to"
        await pilot.press("backspace", "backspace", "1", "2", "tab")
        await pilot.pause()
        assert not app.screen.query_one("#error-f-planning-audit_to").display
    assert str(saved(store)["planning"]["audit_to"]) == "2024-04-12"


@pytest.mark.slow
async def test_remote_facts_only_with_remote_auditing_and_team_editing(store: AuditStore) -> None:
    app = make_app(store)
    async with started(app) as pilot:
        await pilot.press("enter", "f2")
        row = app.screen.query_one("#row-f-planning-remote-location")
        assert not row.display
        await tab_to(pilot, "f-planning-method")
        await pilot.press("right", "right")  # on-site and remote
        assert row.display
        await tab_to(pilot, "f-planning-team")
        await pilot.press("a", "X", "1", "tab", "李", "tab", "right", "enter")
        await pilot.pause()
    planning = saved(store)["planning"]
    assert planning["method"] == "both"
    assert planning["team"][1] == {"code": "X1", "name": "李", "role": "expert"}


@pytest.mark.slow
async def test_a_recommended_star_unlike_the_computed_one_needs_a_justification(store: AuditStore) -> None:
    app = make_app(store)
    async with started(app) as pilot:
        await pilot.press("enter")  # the seed is in conclusion: it opens there
        justification = app.screen.query_one("#row-f-conclusion-star_justification")
        assert not justification.display
        await tab_to(pilot, "f-conclusion-recommended_star")
        await pilot.press("right")  # 十星级 -> 九星级
        assert justification.display
        assert "differs from the computed 十星级" in str(app.screen.query_one("#error-f-conclusion-star_justification").content)
        await pilot.press("tab", *"客户要求", "tab")
        await pilot.pause()
        assert not app.screen.query_one("#error-f-conclusion-star_justification").display
    conclusion = saved(store)["conclusion"]
    assert conclusion["recommended_star"] == "九星级" and conclusion["star_justification"] == "客户要求"
