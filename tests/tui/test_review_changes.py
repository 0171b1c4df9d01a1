"""The review view shows every change in the audit's terms, as `auditdesk diff` does, and filters them."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from support.tui import LEADER, REVIEWER, make_app, started

from auditdesk.audit import workflow
from auditdesk.audit.document import Member
from auditdesk.criteria.results import SpecialDeduction, sampled_result
from auditdesk.store.audits import AuditStore
from auditdesk.tui.screens.review import ReviewScreen

NOW = dt.datetime(2024, 4, 12, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def new_evidence(store: AuditStore) -> None:
    """One save with a note, an N/A reason, samples, a special item and a team member; then a submission."""
    loaded = store.load("10234-2024-SD")
    audit = loaded.audit
    audit.items["B17"] = dataclasses.replace(audit.items["B17"], pct=Decimal(96), note="抽查送货单 30 份")
    audit.items["B36"] = dataclasses.replace(audit.items["B36"], reason="不涉及召回")
    audit.items["C7"] = sampled_result(3, 1)
    audit.onsite.special.deductions = (SpecialDeduction("law", "废弃表具随意堆放", "未按规定处置废弃表具", "培训"),)
    audit.planning.team += (Member("ISC0099", "李四", certificate="2024-0001"),)
    audit.conclusion.star_justification = "扣分项已整改"
    store.save(audit, base=loaded.blob, user=LEADER)
    loaded = store.load("10234-2024-SD")
    store.transition(loaded, lambda a: workflow.advance(a, loaded.catalog, LEADER, NOW), LEADER)


async def test_review_view_shows_evidence_and_filters(store: AuditStore) -> None:
    new_evidence(store)
    app = make_app(store, user=REVIEWER)
    async with started(app) as pilot:
        await pilot.press("enter", "f6")
        assert isinstance(app.screen, ReviewScreen)
        diff = str(app.screen.query_one("#diff").content)
        assert "stage: submitted for review by 韩永师 at 2024-04-12 09:30" in diff
        await pilot.press("down")  # the save before the submission
        diff = str(app.screen.query_one("#diff").content)
        for line in ("B17: 95 -> 96 (score 2.85 -> 2.88)", "B17 note: (empty) -> 抽查送货单 30 份",
                     "B36 N/A reason: ", "-> 不涉及召回 (added later)", "C7 samples: (empty) -> 3 sampled, 1 nonconforming",
                     "special deduction 未按规定处置废弃表具 added: kind law; description 废弃表具随意堆放",
                     "team member 李四 added: code ISC0099; role member; certificate 2024-0001",
                     "conclusion.star_justification: (empty) -> 扣分项已整改", "[every change; f filters]"):
            assert line in diff, line
        assert "[{" not in diff and "datetime." not in diff
        await pilot.press("f")  # scores only
        head, _, shown = str(app.screen.query_one("#diff").content).partition("filters]")
        assert "[scores only; " in head and shown.startswith(" 6 more hidden\n")
        assert "B17: 95 -> 96" in shown and "total: 138.33 -> 135.24" in shown
        assert "B17 note" not in shown and "team member" not in shown
        await pilot.press("f")  # scores and evidence
        head, _, shown = str(app.screen.query_one("#diff").content).partition("filters]")
        assert "[scores and evidence; " in head
        assert "B17 note: (empty) -> 抽查送货单 30 份" in shown and "special deduction 未按规定处置废弃表具 added" in shown
        assert "team member" not in shown and "star_justification" not in shown
        await pilot.press("f")  # everything again
        assert "team member 李四 added" in str(app.screen.query_one("#diff").content)


async def test_a_resubmitted_audit_is_compared_with_its_return(store: AuditStore) -> None:
    """The reviewer who sent it back sees everything the team did since, not just the last step."""
    loaded = store.load("10234-2024-SD")
    store.transition(loaded, lambda a: workflow.advance(a, loaded.catalog, LEADER, NOW), LEADER)
    loaded = store.load("10234-2024-SD")
    returned = store.transition(loaded, lambda a: workflow.return_to(a, "conclusion", "B17 证据不足", REVIEWER,
                                                                     workflow.Reviewers(), NOW), REVIEWER).commit
    assert returned is not None
    loaded = store.load("10234-2024-SD")
    loaded.audit.items["B17"] = dataclasses.replace(loaded.audit.items["B17"], note="抽查送货单 30 份")
    store.save(loaded.audit, base=loaded.blob, user=LEADER)
    loaded = store.load("10234-2024-SD")
    store.transition(loaded, lambda a: workflow.advance(a, loaded.catalog, LEADER, NOW), LEADER)
    app = make_app(store, user=REVIEWER)
    async with started(app) as pilot:
        await pilot.press("enter", "f6")
        diff = str(app.screen.query_one("#diff").content)
        assert f"against {returned[:7]}, as returned to the team" in diff
        assert "B17 note: (empty) -> 抽查送货单 30 份" in diff and "stage: submitted for review by 韩永师" in diff
