"""What an auditor types stays bound to where it was typed, whatever the speed.

Pilot waits for the app to go idle between keys; here keys are also posted
all at once, and saves are held back (as git is on a busy machine) to show
the screen never waits for them.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from support.tui import LEADER, PROJECT, commits, make_app, saved_items, seed_store, started, tab_to
from textual import events
from textual.pilot import Pilot

from auditdesk.audit.document import Audit, Member
from auditdesk.audit.identity import Identity
from auditdesk.criteria.results import ItemResult
from auditdesk.store.audits import AuditStore
from auditdesk.store.git import SaveResult
from auditdesk.tui.dialogs.choice import ChoiceDialog
from auditdesk.tui.dialogs.conflict import ConflictDialog
from auditdesk.tui.dialogs.help import HelpScreen
from auditdesk.tui.screens.planning import PlanningScreen
from auditdesk.tui.screens.scoring import ScoringScreen
from auditdesk.tui.widgets.record_list import RecordList

OTHER = Identity("李娜", "li.na@example.org")
"""A second member of the team."""


@pytest.fixture
def team_store(tmp_path: Path, sample: Audit) -> Iterator[AuditStore]:
    """The seed audit in conclusion, its team the leader and 李娜."""
    sample.planning.team = (*sample.planning.team, Member("ISC[S]0099", OTHER.name, "member"))
    with seed_store(tmp_path, sample, "conclusion") as opened:
        yield opened


async def burst(pilot: Pilot[None], *keys: str) -> None:
    """Every key handed to the app at once (one SSH packet), then wait until all are handled."""
    app = pilot.app
    for name in keys:
        character = name if len(name) == 1 else {"enter": "\r", "tab": "\t"}.get(name)
        app.post_message(events.Key(name, character))
    for _ in range(3000):  # up to 30 s on a loaded machine
        await pilot.pause(0.01)
        if not app.keys_waiting and not app._releasing:  # type: ignore[attr-defined]
            break
    await pilot.pause()


async def test_scores_typed_while_saves_wait_land_on_their_items(tmp_path: Path, sample: Audit,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    with seed_store(tmp_path, sample, "onsite") as store:
        release = threading.Event()
        real_save = AuditStore.save

        def held(self: AuditStore, *args: object, **kwargs: object) -> SaveResult:
            release.wait(30)  # git on a busy machine: the screen must not wait for it
            return real_save(self, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(AuditStore, "save", held)
        app = make_app(store)
        async with started(app) as pilot:
            await pilot.press("enter", "f3", "g", *"B1", "enter")
            screen = app.screen
            assert isinstance(screen, ScoringScreen) and screen.table.code == "B1"
            await burst(pilot, "5", "0", "enter", "0", "enter", "2", "8", "enter", "9", "9", ".", "5", "enter")
            # Every key was handled while the first save still waits: each item shows its value, the cursor moved on.
            assert screen.table.code == "B5"
            items = app.session.audit.items  # type: ignore[union-attr]
            assert (items["B1"].pct, items["B2"].pct, items["B3"].pct, items["B4"].pct) == (50, 0, 28, Decimal("99.5"))
            await pilot.pause(0.6)
            assert "saving" in app.save_state
            release.set()
            app.session.flush()  # type: ignore[union-attr]
            await pilot.pause(0.2)
            assert "saved" in app.save_state
    stored = saved_items(store)
    assert (stored["B1"], stored["B2"], stored["B3"], stored["B4"]) == ({"pct": 50}, {"pct": 0}, {"pct": 28}, {"pct": 99.5})


async def test_a_failed_save_is_shown_at_its_item_and_the_value_kept(store: AuditStore, monkeypatch: pytest.MonkeyPatch) -> None:
    from auditdesk.store.git import GitError

    def broken(self: AuditStore, *args: object, **kwargs: object) -> SaveResult:
        raise GitError("the disk is full")

    app = make_app(store)
    async with started(app) as pilot:
        await pilot.press("enter", "f3", "g", *"B17", "enter")
        monkeypatch.setattr(AuditStore, "save", broken)
        await pilot.press("9", "7", "enter")
        app.session.flush()  # type: ignore[union-attr]
        await pilot.pause(0.2)
        screen = app.screen
        assert isinstance(screen, ScoringScreen)
        assert screen.table.get_cell("B17", "pct").strip() == "97"  # kept on screen
        assert screen.table.get_cell("B17", "flags").startswith("!")
        assert app.save_state.startswith("! NOT SAVED")
        await pilot.press("up")
        assert "NOT SAVED: the disk is full" in str(screen.query_one("#item-detail").content)
        monkeypatch.undo()
        await pilot.press("ctrl+s")
        app.session.flush()  # type: ignore[union-attr]
        await pilot.pause(0.2)
        assert not screen.table.get_cell("B17", "flags").startswith("!")
    assert saved_items(store)["B17"] == {"pct": 97}


async def test_the_team_table_shows_each_change_at_once(store: AuditStore) -> None:
    app = make_app(store)
    async with started(app) as pilot:
        await pilot.press("enter", "f2")
        assert isinstance(app.screen, PlanningScreen)
        table = app.screen.query_one("#f-planning-team", RecordList)
        table.focus()
        before = len(table.records)
        await burst(pilot, "a", *"X1", "tab", *"张三", "ctrl+s", "a", *"X2", "tab", *"李四", "ctrl+s")
        assert [m.name for m in table.records][before:] == ["张三", "李四"]
        assert table.row_count == before + 2
        table.move_cursor(row=len(table.records) - 1)
        await pilot.press("d")  # delete 李四: the table and the audit agree at once
        assert [m.name for m in table.records][before:] == ["张三"]
        app.session.flush()  # type: ignore[union-attr]
    assert [m.name for m in store.load(PROJECT).audit.planning.team][before:] == ["张三"]


async def test_leaving_yourself_off_the_team_asks_first_and_you_can_come_back(team_store: AuditStore) -> None:
    store = team_store
    app = make_app(store)
    async with started(app) as pilot:
        await pilot.press("enter", "f2")
        table = app.screen.query_one("#f-planning-team", RecordList)
        table.focus()
        mine = [m.name for m in table.records].index(LEADER.name)
        await pilot.press(*["down"] * mine, "d")
        assert isinstance(app.screen, ChoiceDialog)
        assert "Once it is saved you can no longer change" in str(app.screen.query_one("#dialog-text").content)
        await pilot.press("1")  # keep me on the team
        assert LEADER.name in [m.name for m in table.records]
        await pilot.press("d", "2")  # save without me
        app.session.flush()  # type: ignore[union-attr]
        await pilot.pause()
        assert LEADER.name not in [m.name for m in store.load(PROJECT).audit.planning.team]
        status = str(app.screen.query_one("StatusLine").content).removeprefix("! ")
        assert status.startswith(f"{app.key_of('team.rejoin')} puts you back on the team")  # first: the line is cut at 80
        await pilot.press("ctrl+t")
        app.session.flush()  # type: ignore[union-attr]
        await pilot.pause()
    team = store.load(PROJECT).audit.planning.team
    assert [(m.name, m.role) for m in team if m.name == LEADER.name] == [(LEADER.name, "leader")]


async def test_a_conflict_names_each_field_and_is_settled_field_by_field(team_store: AuditStore) -> None:
    store = team_store
    app = make_app(store)
    async with started(app) as pilot:
        await pilot.press("enter", "f3")
        with AuditStore.open(store.root) as other:
            theirs = other.load(PROJECT)
            theirs.audit.items["C2"] = ItemResult(pct=Decimal(80))
            theirs.audit.planning.contact.phone = "0533-1234567"
            other.save(theirs.audit, base=theirs.blob, user=OTHER)
        await pilot.press("g", *"C2", "enter", "7", "0", "enter", "g", *"B17", "enter", "9", "7", "enter")
        app.session.flush()  # type: ignore[union-attr]
        await pilot.pause(1.0)  # the question waits until typing stops
        dialog = app.screen
        assert isinstance(dialog, ConflictDialog)
        assert "李娜 saved it on" in str(dialog.query_one("#dialog-text").content)
        assert "Phone" in str(dialog.query_one("#dialog-taken").content)  # their change, named
        assert [(row.field, row.mine, row.theirs.split(" (")[0]) for row in dialog.rows] == [("items.C2.pct", "70", "80")]
        assert "李娜" in dialog.rows[0].theirs
        await pilot.press("right", "1")  # C2 (the first field, focused): take theirs; then merge
        app.session.flush()  # type: ignore[union-attr]
        await pilot.pause()
    audit = store.load(PROJECT).audit
    assert (audit.items["C2"].pct, audit.items["B17"].pct, audit.planning.contact.phone) == (80, 97, "0533-1234567")


async def test_choices_save_once_and_show_the_whole_value(store: AuditStore) -> None:
    before = commits(store)
    app = make_app(store)
    async with started(app) as pilot:
        await pilot.press("enter")  # conclusion
        await tab_to(pilot, "f-conclusion-recommendation")
        await pilot.press("right", "right")  # from "recommend certification"
        await pilot.pause()  # the field asks for a new layout (refresh(layout=True)); it runs when idle
        field = app.screen.query_one("#f-conclusion-recommendation")
        assert field.render().plain == "< recommend maintenance of certification >"
        assert field.size.width >= len("< recommend maintenance of certification >")
        assert commits(store) == before  # not once per arrow
        await pilot.press("tab")
        app.session.flush()  # type: ignore[union-attr]
    assert len(commits(store)) == len(before) + 1
    assert commits(store)[0] == f"{PROJECT}: edit conclusion.recommendation.kind"


async def test_a_note_edit_says_so_in_its_commit(store: AuditStore) -> None:
    app = make_app(store)
    async with started(app) as pilot:
        await pilot.press("enter", "f3", "g", *"A2", "enter", "e", *"看了记录", "ctrl+s")
        app.session.flush()  # type: ignore[union-attr]
    assert commits(store)[0] == f"{PROJECT}: note A2"


async def test_quitting_with_a_half_typed_score_asks_and_commits_nothing(store: AuditStore) -> None:
    before = commits(store)
    app = make_app(store)
    async with started(app) as pilot:
        await pilot.press("enter", "f3", "g", *"B17", "enter", "9", "ctrl+q")
        assert isinstance(app.screen, ChoiceDialog)
        assert "B17 % > 9" in str(app.screen.query_one("#dialog-text").content)
        assert commits(store) == before
        await pilot.press("1")  # stay
        assert app.screen.table.entry == "9"  # type: ignore[attr-defined]
        await pilot.press("7", "enter")
        app.session.flush()  # type: ignore[union-attr]
    assert saved_items(store)["B17"] == {"pct": 97}


async def test_help_lists_every_key_of_scoring(store: AuditStore) -> None:
    app = make_app(store)
    async with started(app) as pilot:
        await pilot.press("enter", "f3", "f1")
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("#help-keys").content)
        for expected in ("^s", "save", "^z", "undo", "0-100 Enter", "Paste", "scoring.fill"):
            assert expected in text, expected


async def test_next_unscored_counts_the_current_item(tmp_path: Path, sample: Audit) -> None:
    for code in ("A3", "A7"):
        del sample.items[code]
    with seed_store(tmp_path, sample, "onsite") as store:
        app = make_app(store)
        async with started(app) as pilot:
            await pilot.press("enter", "g", *"A3", "enter", "u")
            assert app.screen.table.code == "A3"  # type: ignore[attr-defined]
            await pilot.press("9", "0", "enter", "u")  # A3 scored: the next unscored is A7
            assert app.screen.table.code == "A7"  # type: ignore[attr-defined]
            assert "A7 is not scored; 1 unscored in all" in str(app.screen.query_one("StatusLine").content)


async def test_a_section_filled_at_once_after_saying_which(tmp_path: Path, sample: Audit) -> None:
    for code in ("A4", "A6"):
        del sample.items[code]
    with seed_store(tmp_path, sample, "onsite") as store:
        app = make_app(store)
        async with started(app) as pilot:
            await pilot.press("enter", "g", *"A5", "enter", "f")
            assert "2 unscored item(s) of 5.1.2 (A4, A6)" in str(app.screen.query_one("#dialog-intro").content)
            await pilot.press(*"85", "enter")
            app.session.flush()  # type: ignore[union-attr]
            items = saved_items(store)
            assert (items["A4"], items["A6"], items["A5"]) == ({"pct": 85}, {"pct": 85}, {"pct": 96})
            await pilot.press("ctrl+z")  # undo the whole fill
            app.session.flush()  # type: ignore[union-attr]
        items = saved_items(store)
        assert "A4" not in items and "A6" not in items


async def test_undo_takes_back_my_last_change_only(store: AuditStore) -> None:
    app = make_app(store)
    async with started(app) as pilot:
        await pilot.press("enter", "f3", "g", *"B17", "enter", "9", "7", "enter", "9", "0", "enter")
        await pilot.press("ctrl+z")
        screen = app.screen
        assert isinstance(screen, ScoringScreen)
        assert screen.table.get_cell("B18", "pct").strip() == str(store.load(PROJECT).audit.items["B18"].pct)
        assert "undone: B18" in str(screen.query_one("StatusLine").content)
        app.session.flush()  # type: ignore[union-attr]
    items = saved_items(store)
    assert items["B17"] == {"pct": 97} and items["B18"]["pct"] != 90


async def test_a_follow_up_offers_last_years_results_to_confirm(store: AuditStore) -> None:
    app = make_app(store)
    async with started(app) as pilot:
        await pilot.press("n", *"10234-2025-SD", "tab", "tab", "right", "tab", "tab", *"10234-2024-SD", "enter")
        await pilot.pause()
        assert app.session is not None and app.session.project_no == "10234-2025-SD"
        await pilot.press("f3")
        screen = app.screen
        assert isinstance(screen, ScoringScreen)
        assert screen.table.get_cell("A1", "pct").plain.strip() == "100?"  # type: ignore[union-attr]
        assert not app.session.audit.items  # proposals only: nothing scored yet
        await pilot.press("enter", "8", "0", "enter")  # A1: take last year's; A2: type another
        app.session.flush()
    with AuditStore.open(store.root) as again:
        items = again.load("10234-2025-SD").audit.items
    assert (items["A1"].pct, items["A2"].pct, len(items)) == (100, 80, 2)


async def test_typing_in_the_list_filters_and_enter_opens_the_only_match(tmp_path: Path, sample: Audit) -> None:
    with seed_store(tmp_path, sample, "onsite") as store:
        other = sample
        other.project_no = "20000-2024-XY"
        other.planning.organisation = "青岛新海水务"
        store.save(other, base=None, user=LEADER)
        app = make_app(store)
        async with started(app) as pilot:
            await burst(pilot, *"淄博", "enter")
            assert isinstance(app.screen, ScoringScreen) and app.session is not None
            assert app.session.project_no == PROJECT


async def test_chinese_refusals_name_the_key_of_the_remedy(tmp_path: Path, sample: Audit) -> None:
    with seed_store(tmp_path, sample, "review") as store:
        app = make_app(store, language="zh")
        async with started(app) as pilot:
            await pilot.press("enter", "f3", "9", "7", "enter")
            line = str(app.screen.query_one("StatusLine").content)
            assert "正在复核" in line and "由复核人退回: F6 后按 r" in line


async def test_the_review_diff_is_in_chinese(store: AuditStore) -> None:
    app = make_app(store, language="zh")
    async with started(app) as pilot:
        await pilot.press("enter", "f3", "g", *"B17", "enter", "9", "7", "enter")
        app.session.flush()  # type: ignore[union-attr]
        await pilot.press("f6")
        await pilot.pause()
        diff = str(app.screen.query_one("#diff").content)
        assert "B17: 95 -> 97 (得分 2.85 -> 2.91)" in diff and "总分: 138.33 -> 138.39" in diff
        assert "\nB 部分: 59.81 -> 59.87\n" in diff and "A 部分" not in diff  # only the part that changed
