"""Report preview, review history, help, the command palette and quitting."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.tui import LEADER, make_app, started
from textual.command import CommandPalette
from textual.widgets import DataTable

from auditdesk.store.audits import AuditStore
from auditdesk.tui import app as app_module
from auditdesk.tui.app import AuditdeskApp
from auditdesk.tui.dialogs.help import HelpScreen
from auditdesk.tui.screens.report import ReportScreen
from auditdesk.tui.screens.review import ReviewScreen


@pytest.mark.slow
async def test_report_preview_and_writing_it(store: AuditStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    app = make_app(store)
    async with started(app) as pilot:
        await pilot.press("enter", "f5")
        assert isinstance(app.screen, ReportScreen)
        assert "服务认证审查报告" in app.screen.query_one("#report").source
        await pilot.press("w", "enter")  # the file name offered: <project>.md in the current folder
        assert "report written to 10234-2024-SD.md" in str(app.screen.query_one("StatusLine").content)
    target = tmp_path / "10234-2024-SD.md"
    text = target.read_text("utf-8")
    assert text.count("服务认证审查报告") >= 1 and "138.33" in text
    assert any(target.parent.glob("*.svg"))


async def test_review_shows_history_and_semantic_diff(store: AuditStore) -> None:
    app = make_app(store)
    async with started(app) as pilot:
        await pilot.press("enter", "f3", "g", "B", "1", "7", "enter", "9", "7", "enter", "f6")
        assert isinstance(app.screen, ReviewScreen)
        diff = str(app.screen.query_one("#diff").content)
        assert "B17: 95 -> 97 (score 2.85 -> 2.91)" in diff and "total: 138.33 -> 138.39" in diff
        await pilot.press("down")
        assert "created the audit" in str(app.screen.query_one("#diff").content)
        await pilot.press("m", "up")  # compare the newest with the marked first revision
        assert "against" in str(app.screen.query_one("#diff").content)


async def test_help_lists_the_keys_of_the_screen(store: AuditStore) -> None:
    app = make_app(store, language="zh")
    async with started(app) as pilot:
        await pilot.press("enter", "f3", "f1")
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("#help-keys").content)
        assert "删减  scoring.na" in text and "F3" in text and "评分  view.scoring" in text
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_palette_offers_the_actions_valid_here(store: AuditStore) -> None:
    app = make_app(store)
    async with started(app) as pilot:
        await pilot.press("enter", "f3", "ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"evidence")
        await pilot.pause(0.3)  # the palette searches in a worker
        await pilot.press("enter")
        await pilot.pause()
        assert str(app.screen.query_one("#dialog-title").content) == "A1: evidence note"


async def test_palette_goes_to_any_field_of_the_form_by_its_label(store: AuditStore) -> None:
    """A long form: typing part of a field's label (or its section's) in the palette goes there."""
    app = make_app(store)
    async with started(app) as pilot:
        await pilot.press("enter", "f2", "ctrl+p")
        await pilot.press(*"team")
        await pilot.pause(0.3)  # the palette searches in a worker
        await pilot.press("enter")
        await pilot.pause()
        assert app.focused is not None and app.focused.id == "f-planning-team", app.focused
        await pilot.press("ctrl+p", *"email")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert app.focused is not None and app.focused.id == "f-planning-contact-email", app.focused


async def test_palette_goes_to_an_item_by_its_code_or_words(store: AuditStore) -> None:
    app = make_app(store)
    async with started(app) as pilot:
        await pilot.press("enter", "f3", "ctrl+p", *"B17")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.table.code == "B17"  # type: ignore[attr-defined]
        await pilot.press("ctrl+p", *"C2 5.3.1.2")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.table.code == "C2"  # type: ignore[attr-defined]


def test_run_turns_the_mouse_off_over_ssh(monkeypatch: pytest.MonkeyPatch, store: AuditStore) -> None:
    seen: dict[str, object] = {}
    monkeypatch.setattr(app_module.AuditdeskApp, "run", lambda self, **kw: seen.update(kw, language=self.t.language))
    monkeypatch.setenv("SSH_CONNECTION", "10.0.0.1 5000 10.0.0.2 22")
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    app_module.run(store.root, "韩永师")
    assert seen == {"mouse": False, "language": "zh"}
    monkeypatch.delenv("SSH_CONNECTION")
    app_module.run(store.root, "韩永师", mouse=None)
    assert seen["mouse"] is True


async def test_a_keymap_remaps_a_binding_everywhere(store: AuditStore) -> None:
    app = AuditdeskApp(store, LEADER, keymap={"scoring.na": "z", "view.scoring": "f9"})
    async with started(app) as pilot:
        await pilot.press("enter", "f9", "z")
        assert str(app.screen.query_one("#dialog-title").content) == "A1: not applicable"


async def test_review_escapes_control_sequences_already_in_history(store: AuditStore) -> None:
    """A commit made with plain git before auditdesk refused such text (issue 11): its
    author sets the window title, its message clears the screen.  Textual writes ESC as
    is, so the review screen shows both escaped."""
    import subprocess

    audit = next((store.root / "audits").glob("*.toml"))
    audit.write_text(audit.read_text("utf-8").replace('organisation = "', 'organisation = "X', 1), "utf-8")
    git = ["git", "-C", str(store.root), "-c", "user.name=Eve\x1b]2;PWNED\x07", "-c", "user.email=e@x", "-c", "core.hooksPath=/dev/null"]
    subprocess.run([*git, "commit", "-qam", "evil\x1b[2J\x1b[H cleared"], check=True)
    app = make_app(store)
    async with started(app) as pilot:
        await pilot.press("enter", "f6")
        assert isinstance(app.screen, ReviewScreen)
        table = app.screen.query_one("#history", DataTable)
        cells = [str(c) for row in range(table.row_count) for c in table.get_row_at(row)]
        shown = " ".join(cells) + str(app.screen.query_one("#diff").content)
        assert "Eve\\x1b]2;PWNED" in shown and "evil\\x1b[2J\\x1b[H cleared" in shown, shown
        assert not any(c in shown for c in "\x1b\x07\x9b"), shown
