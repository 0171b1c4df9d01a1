"""Stage progress, what blocks the next stage, refusals, the reviewer's moves and
the review comparison; the list read in the background."""

from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path

import pytest
from support.tui import LEADER, PROJECT, REVIEWER, commits, make_app, seed_store, started

from auditdesk.audit import stages, workflow
from auditdesk.audit.document import Audit, new_audit
from auditdesk.audit.identity import Identity
from auditdesk.criteria.catalog import Catalog
from auditdesk.criteria.results import ItemResult
from auditdesk.desk.actions import approve
from auditdesk.store.audits import AuditStore, Summary
from auditdesk.tui.dialogs.choice import ChoiceDialog
from auditdesk.tui.screens.browser import BrowserScreen
from auditdesk.tui.screens.scoring import ScoringScreen
from auditdesk.tui.widgets.stage_progress import StageProgress, blocking

NOW = dt.datetime(2024, 4, 12, 9, 0, tzinfo=dt.UTC)


def status_line(app: object) -> str:
    return str(app.screen.query_one("StatusLine").content)  # type: ignore[attr-defined]


def progress(app: object) -> str:
    return str(app.screen.query_one(StageProgress).render())  # type: ignore[attr-defined]


@pytest.mark.parametrize(("width", "stages_shown"), [(80, "[plan] > on-site > concl. > review > approved"),
                                                     (120, "[planning] > on-site > conclusion > review > approved")])
async def test_progress_names_the_stage_and_counts_what_blocks_the_next(tmp_path: Path, catalog: Catalog, width: int,
                                                                      stages_shown: str) -> None:
    with AuditStore.open(tmp_path / "store", create=True) as store:
        audit = new_audit(catalog, "N1", "Org", created_by=LEADER.name)
        store.save(audit, base=None, user=LEADER)
        count = len(stages.blockers(audit, catalog))
        assert [gap.en for gap in blocking(audit, catalog)] == stages.blockers(audit, catalog)
        app = make_app(store)
        async with started(app, size=(width, 24)) as pilot:
            await pilot.press("enter")
            assert progress(app) == f"{stages_shown}  F9: {count} to do before on-site"


async def test_a_blocked_move_lists_every_blocker_and_goes_to_one(tmp_path: Path, sample: Audit) -> None:
    del sample.items["B17"]
    sample.onsite.sampling = ""
    with seed_store(tmp_path, sample, "onsite") as store:
        before = commits(store)
        app = make_app(store)
        async with started(app) as pilot:
            await pilot.press("enter", "f8")
            dialog = app.screen
            assert isinstance(dialog, ChoiceDialog)
            assert str(dialog.query_one("#dialog-title").content) == "2 thing(s) to do before conclusion"
            assert [label for _, label in dialog.choices] == [
                "1 item(s) not scored: B17", "the sampling statement (评价抽样方法说明) is missing"]
            await pilot.press("1")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert isinstance(app.screen, ScoringScreen) and app.screen.table.code == "B17"
            assert "F9: 2 to do before conclusion" in progress(app)
            await pilot.press("9", "7", "enter")
            assert "F9: 1 to do before conclusion" in progress(app)
        assert commits(store)[1:] == before


async def test_the_team_may_not_approve_or_return(tmp_path: Path, sample: Audit) -> None:
    with seed_store(tmp_path, sample, "review") as store:
        before = commits(store)
        app = make_app(store)
        async with started(app) as pilot:
            await pilot.press("enter", "a")
            assert "韩永师 is on the team of 10234-2024-SD; a reviewer must not be on the team" in status_line(app)
            await pilot.press("r")
            assert "a reviewer must not be on the team" in status_line(app)
            assert not isinstance(app.screen, ChoiceDialog)
        assert commits(store) == before


async def test_a_return_needs_a_reason(tmp_path: Path, sample: Audit) -> None:
    with seed_store(tmp_path, sample, "review") as store:
        app = make_app(store, user=REVIEWER)
        async with started(app) as pilot:
            await pilot.press("enter", "r", "ctrl+s")
            assert "! required" in str(app.screen.query_one("#error-reason").content)
            await pilot.press(*"总分复核", "ctrl+s")
            await pilot.pause()
            assert "Reason: 总分复核" in str(app.screen.query_one("#review-info").content)
        assert commits(store)[0] == f"{PROJECT}: returned to conclusion by 李审核: 总分复核"


async def test_reopening_voids_the_approval(tmp_path: Path, sample: Audit) -> None:
    with seed_store(tmp_path, sample, "review") as store:
        approve(store, PROJECT, REVIEWER, NOW, "ok")
        app = make_app(store, user=REVIEWER)
        async with started(app) as pilot:
            await pilot.press("enter")
            assert "Approved by 李审核 on 2024-04-12 09:00 (approved/10234-2024-SD/1): valid." in str(
                app.screen.query_one("#review-info").content)
            await pilot.press("o", *"更正地址", "ctrl+s")
            await pilot.pause()
            info = str(app.screen.query_one("#review-info").content)
            assert "(approved/10234-2024-SD/1) is VOID: changed since: stage, transitions" in info
        assert store.load(PROJECT).audit.stage == "conclusion"
        assert commits(store)[0] == f"{PROJECT}: reopened by 李审核: 更正地址"


async def test_review_compares_with_the_submission_and_remembers_what_was_seen(tmp_path: Path, sample: Audit) -> None:
    with seed_store(tmp_path, sample, "conclusion") as store:
        loaded = store.load(PROJECT)
        submitted = store.transition(loaded, lambda a: workflow.advance(a, loaded.catalog, LEADER, NOW), LEADER).commit
        loaded = store.load(PROJECT)
        store.transition(loaded, lambda a: workflow.return_to(a, "onsite", "B17", REVIEWER, workflow.Reviewers(), NOW), REVIEWER)
        second = Identity("王复核", "wang@example.org")  # has never looked at it
        app = make_app(store, user=second)
        async with started(app) as pilot:
            await pilot.press("enter", "f6")
            assert f"against {submitted[:7]}, as submitted for review" in str(app.screen.query_one("#diff").content)
        seen = json.loads((tmp_path / "state" / "auditdesk" / "seen.json").read_text("utf-8"))
        head = store.log(PROJECT, limit=1)[0].commit
        assert seen == {str(store.root.resolve()): {"王复核 <wang@example.org>": {PROJECT: head}}}


async def test_the_list_is_read_in_the_background(store: AuditStore, monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()
    listing = AuditStore.listing  # what the browser reads first (the totals of new contents follow)

    def slow(self: AuditStore) -> tuple[dict[str, Summary], list[tuple[str, str, str]]]:
        release.wait(5)
        return listing(self)

    monkeypatch.setattr(AuditStore, "listing", slow)
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, BrowserScreen) and screen.listing
        assert "Audits: loading..." in str(screen.query_one("#browser-title").content)
        release.set()
        while screen.listing:
            await pilot.pause(0.01)
        await pilot.pause()
        assert "1 of 1 audits" in str(screen.query_one("#browser-title").content)


@pytest.mark.slow
async def test_items_scored_meanwhile_by_someone_else_show_up_in_review(store: AuditStore) -> None:
    app = make_app(store)
    async with started(app) as pilot:
        await pilot.press("enter", "f6")
        with AuditStore.open(store.root) as other:
            theirs = other.load(PROJECT)
            theirs.audit.items["A1"] = ItemResult(pct=theirs.audit.items["A1"].pct - 1)
            other.save(theirs.audit, base=theirs.blob, user=LEADER)
        await pilot.press("f3", "f6")
        await pilot.pause()
        assert "A1: 100 -> 99" in str(app.screen.query_one("#diff").content)
        assert app.session is not None and app.session.audit.items["A1"].pct == 99
