"""A whole audit life with keys only: create, plan, score, conclude, submit,
return, fix, resubmit, approve; the saved TOML and the git log after each step.

The team is the seed's leader; the reviewer works in a second app instance
under another name, as two people would.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support.tui import LEADER, REVIEWER, commits, make_app, started
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from auditdesk.store.audits import AuditStore
from auditdesk.tui.dialogs.choice import ChoiceDialog
from auditdesk.tui.screens.conclusion import ConclusionScreen
from auditdesk.tui.screens.review import ReviewScreen
from auditdesk.tui.screens.scoring import ScoringScreen
from auditdesk.tui.widgets.choice_field import ChoiceField
from auditdesk.tui.widgets.record_list import RecordList

pytestmark = pytest.mark.slow  # one audit's whole life through the keys: about a minute

NEW = "20001-2025-TX"
NA, SAMPLED = "A3", "A5"
# What to type where F9 leads, when the default ("x", or the next choice) is not right.
ANSWERS: dict[str, list[str]] = {
    "f-planning-mystery_shopping-needed": ["right", "right"],  # not needed
    "f-planning-audit_from": [*"2025-03-03", "tab", "tab", *"2025-03-04"],
    "f-conclusion-date": [*"2025-03-05"],
}


@pytest.fixture
def empty_store(tmp_path: Path) -> Iterator[AuditStore]:
    with AuditStore.open(tmp_path / "store", create=True) as store:
        yield store


async def fill_what_blocks(pilot: Pilot[None]) -> None:
    """F9, Enter on the first thing listed, fill it in; until nothing blocks the next stage."""
    app = pilot.app
    for _ in range(40):
        await pilot.press("f9")
        if not isinstance(app.screen, ChoiceDialog):
            assert "Nothing blocks" in str(app.screen.query_one("StatusLine").content)
            return
        await pilot.press("1")
        await app.workers.wait_for_complete()
        await pilot.pause()
        field = app.focused
        assert field is not None
        if field.id in ANSWERS:
            await pilot.press(*ANSWERS[field.id])
        elif isinstance(field, RecordList):  # the team: its leader is the acting user
            await pilot.press("a", "L", "1", "tab", *LEADER.name, "tab", "left", "tab", "C", "1", "ctrl+s")
        elif isinstance(field, ChoiceField):
            await pilot.press("right")
        else:
            assert isinstance(field, (Input, TextArea)), field
            await pilot.press("x")
    raise AssertionError("F9 kept listing things to do")


def stage_and_subject(store: AuditStore) -> tuple[str, str]:
    return store.load(NEW).audit.stage, commits(store)[0]


async def test_an_audit_from_creation_to_approval(empty_store: AuditStore) -> None:
    store = empty_store
    # The team: create, plan, score, conclude, submit.
    app = make_app(store)
    async with started(app) as pilot:
        await pilot.press("n", *NEW, "tab", *"测试公司", "enter")
        await pilot.pause()
        await fill_what_blocks(pilot)
        planning = store.load(NEW).audit.planning
        assert [(m.name, m.role) for m in planning.team] == [(LEADER.name, "leader")]
        assert planning.mystery_shopping.needed is False and str(planning.audit_to) == "2025-03-04"
        await pilot.press("f8")
        await pilot.pause()
        assert stage_and_subject(store) == ("onsite", f"{NEW}: advance to onsite (现场评分)")

        screen = app.screen
        assert isinstance(screen, ScoringScreen)
        for code in store.load(NEW).catalog.items:
            assert screen.table.code == code
            if code == NA:  # the cursor moves on after N/A and samples, as after a percentage
                await pilot.press("n", *"不涉及", "enter")
            elif code == SAMPLED:
                await pilot.press("s", "4", "tab", "1", "enter")
            else:
                await pilot.press("9", "5", "enter")
        await pilot.press("x", "a", "tab", *"d", "tab", *"nc", "tab", *"ca", "ctrl+s", "ctrl+s")
        await pilot.press("m", *"抽样", "ctrl+s")
        await pilot.pause()
        onsite = store.load(NEW).audit
        assert onsite.items[NA].na and onsite.items[NA].reason == "不涉及"
        assert (onsite.items[SAMPLED].samples, onsite.items[SAMPLED].nonconforming, onsite.items[SAMPLED].pct) == (4, 1, 75)
        assert len(onsite.items) == 82 and onsite.onsite.special.deductions[0].corrective_action == "ca"
        await pilot.press("f8")
        await pilot.pause()
        assert stage_and_subject(store) == ("conclusion", f"{NEW}: advance to conclusion (结论)")
        assert isinstance(app.screen, ConclusionScreen)

        await fill_what_blocks(pilot)
        await pilot.press("f8", "1")
        await pilot.pause()
        assert stage_and_subject(store) == ("review", f"{NEW}: submit for review (复核)")
        assert isinstance(app.screen, ReviewScreen)

    # The reviewer returns it to on-site scoring, with the reason.
    app = make_app(store, user=REVIEWER)
    async with started(app) as pilot:
        await pilot.press("enter", "r", "left", "tab", *"B17 证据不足", "ctrl+s")
        await pilot.pause()
        assert stage_and_subject(store) == ("onsite", f"{NEW}: returned to onsite by 李审核: B17 证据不足")
        assert store.load(NEW).audit.transitions[-1].reason == "B17 证据不足"

    # The team fixes B17 and submits again.
    app = make_app(store)
    async with started(app) as pilot:
        await pilot.press("enter")  # opens on scoring, where the return sent it
        assert "Reason: B17 证据不足" in str(app.screen.query_one("StatusLine").content)
        await pilot.press("g", *"B17", "enter", "9", "8", "enter", "f8", "f8", "1")
        await pilot.pause()
        assert stage_and_subject(store) == ("review", f"{NEW}: submit for review (复核)")
        assert commits(store)[1:3] == [f"{NEW}: advance to conclusion (结论)", f"{NEW}: score B17 95 → 98"]

    # The reviewer sees what changed since they looked, and approves.
    app = make_app(store, user=REVIEWER)
    async with started(app) as pilot:
        await pilot.press("enter")
        diff = str(app.screen.query_one("#diff").content)
        assert "the revision you last looked at" in diff and "B17: 95 -> 98" in diff
        await pilot.press("a", *"同意", "ctrl+s")
        await pilot.pause()
        assert stage_and_subject(store) == ("approved", f"{NEW}: approved by 李审核")
        assert "Approved by 李审核" in str(app.screen.query_one("#review-info").content)
    approved = store.load(NEW).audit
    assert approved.review.comments == "同意" and approved.review.reviewer == "李审核"
    assert [tag.name for tag in store.repo.tags(f"approved/{NEW}")] == [f"approved/{NEW}/1"]
