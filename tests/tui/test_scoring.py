"""On-site scoring driven by keys only, checked on screen, in the TOML and in git."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from support.tui import LEADER, PROJECT, commits, make_app, saved_items, seed_store, started

from auditdesk.audit.document import Audit
from auditdesk.criteria.results import ItemResult
from auditdesk.store.audits import AuditStore
from auditdesk.tui.screens.scoring import ScoringScreen
from auditdesk.tui.widgets.score_summary import ScoreSummary


def summary(app: object) -> str:
    return str(app.screen.query_one(ScoreSummary).content)  # type: ignore[attr-defined]


async def open_scoring(pilot: object) -> None:
    await pilot.press("enter", "f3")  # type: ignore[attr-defined]
    assert isinstance(pilot.app.screen, ScoringScreen)  # type: ignore[attr-defined]


async def test_typing_a_percentage_updates_totals_and_commits(store: AuditStore) -> None:
    before = commits(store)
    app = make_app(store)
    async with started(app) as pilot:
        await open_scoring(pilot)
        assert "Total 138.33 / 150" in summary(app)
        await pilot.press("g", "B", "1", "7", "enter", "9", "7", "enter")
        await pilot.pause()
        assert "Total 138.39 / 150" in summary(app)
        assert "B 59.87/69" in summary(app)
        assert "saved " in str(app.save_state)
    assert saved_items(store)["B17"] == {"pct": 97}
    after = commits(store)
    assert len(after) == len(before) + 1
    assert after[0].startswith(f"{PROJECT}: score B17 95 → 97")


@pytest.mark.slow
async def test_not_applicable_asks_for_the_reason(store: AuditStore) -> None:
    app = make_app(store)
    async with started(app) as pilot:
        await open_scoring(pilot)
        await pilot.press("g", "C", "8", "enter", "n")
        await pilot.press("enter")  # an empty reason is refused in place
        assert "! give the reason" in str(app.screen.query_one("#error-reason").content)
        await pilot.press(*"none", "enter")
        await pilot.pause()
        assert "applicable 142" in summary(app)
    assert saved_items(store)["C8"] == {"na": True, "reason": "none"}


async def test_sampled_item(store: AuditStore) -> None:
    app = make_app(store)
    async with started(app) as pilot:
        await open_scoring(pilot)
        await pilot.press("g", "A", "4", "enter", "s", "3", "tab", "1", "enter")
        await pilot.pause()
        assert app.screen.table.code == "A5"  # the cursor moved on
        await pilot.press("up")
        assert "66.67% = 0.667  samples 3, nonconforming 1" in str(app.screen.query_one("#item-detail").content)
    assert saved_items(store)["A4"] == {"pct": 66.67, "samples": 3, "nonconforming": 1}


async def test_invalid_percentages_show_an_error_and_save_nothing(store: AuditStore) -> None:
    before = commits(store)
    app = make_app(store)
    async with started(app) as pilot:
        await open_scoring(pilot)
        await pilot.press("g", "B", "1", "7", "enter")
        for typed in ("120", "97.555", "9x"):
            await pilot.press(*typed, "enter")
            entry = str(app.screen.query_one("#entry").content)
            assert f"B17 % > {typed}_  ! {typed} is not a percentage" in entry
            await pilot.press("escape")
        assert "Total 138.33 / 150" in summary(app)
    assert saved_items(store)["B17"] == {"pct": 95}
    assert commits(store) == before


@pytest.mark.slow
async def test_conflict_is_reported_and_nothing_is_lost(store: AuditStore) -> None:
    app = make_app(store)
    async with started(app) as pilot:
        await open_scoring(pilot)
        with AuditStore.open(store.root) as other:
            loaded = other.load(PROJECT)
            loaded.audit.items["A1"] = ItemResult(pct=loaded.audit.items["A1"].pct - 1)
            other.save(loaded.audit, base=loaded.blob, user=LEADER)
        await pilot.press("g", "B", "1", "7", "enter", "9", "7", "enter")
        app.session.flush()  # the save runs in the background
        await pilot.pause(1.0)  # the question waits until typing stops
        text = str(app.screen.query_one("#dialog-text").content)
        assert "韩永师 saved it on" in text
        assert "Your edit is not lost" in text
        assert app.session is not None and app.session.audit.items["B17"].pct == 97
        await pilot.press("1")  # reload theirs and re-apply mine
        await pilot.pause()
        assert "Total 138.38 / 150" in summary(app)
        app.session.flush()
    items = saved_items(store)
    assert items["A1"] == {"pct": 99} and items["B17"] == {"pct": 97}


async def test_an_audit_under_review_is_read_only(tmp_path: Path, sample: Audit) -> None:
    with seed_store(tmp_path, sample, "review") as store:
        before = commits(store)
        app = make_app(store)
        async with started(app) as pilot:
            await pilot.press("enter", "f3", "9", "7", "enter")
            assert "is under review" in str(app.screen.query_one("StatusLine").content)
            assert "Total 138.33 / 150" in summary(app)
        assert commits(store) == before


@pytest.mark.slow
async def test_special_deduction_and_sampling_statement(store: AuditStore) -> None:
    app = make_app(store)
    async with started(app) as pilot:
        await open_scoring(pilot)
        await pilot.press("x", "a", "right", "tab", "d", "ctrl+s")  # kind: own rules; description "d"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "special -1" in summary(app) and "Total 137.33 / 150" in summary(app)
        await pilot.press("m", "!", "ctrl+s")
        await pilot.pause()
    data = tomllib.loads((store.root / "audits" / f"{PROJECT}.toml").read_text("utf-8"))
    assert data["onsite"]["special"]["deductions"] == [{"kind": "own_rules", "description": "d"}]
    assert data["onsite"]["sampling"].startswith("!抽查了")
