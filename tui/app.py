"""The auditdesk terminal app: browse the store, plan, score, conclude, review.

The app owns the store, the acting user and the open `AuditSession`; screens
get the session when they are created (attributes down) and post
`AuditEdited` when they change it (messages up).  The app asks the session
to save after every such change; the session saves in a thread, in order,
and the outcome comes back as `SaveDone`: the audit bar shows it, a failure
is shown against the items and fields it held, and a conflict opens the
dialog that settles it with the store's field-by-field merge.  Keys are
handled one at a time (`KeyGate`), so each reaches what has focus once the
keys before it are done.  Each audit view is a Textual mode, so F2-F7 switch
between them and every view keeps its place.  F8 moves the audit to its
next stage and F9 lists what blocks that, both through `audit.workflow` and
`audit.stages`; the reviewer's moves are on the review view.

Longer than most modules: it is the one place the views meet the session
(saving, conflicts, stage moves, leaving an audit).

Why this module is long: the app shell; the save worker and the conflict flow are
the next to move beside session.py.
"""

from __future__ import annotations

import codecs
import contextlib
import dataclasses
import locale
import os
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from textual.app import ScreenStackError
from textual.binding import Binding
from textual.command import CommandPalette
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.scrollbar import ScrollBar

from auditdesk.audit.document import Audit, Member, Role, follow_up, new_audit
from auditdesk.audit.identity import Identity
from auditdesk.audit.merge import Prefer
from auditdesk.audit.stages import next_stage
from auditdesk.audit.workflow import Blocked, NotAllowed, advance
from auditdesk.errors import AuditdeskError, InvalidInput
from auditdesk.paths import settings_path
from auditdesk.store.audits import AuditStore
from auditdesk.store.git import Conflict, GitError
from auditdesk.store.people import resolve_identity
from auditdesk.tui.commands import ActionCommands, FieldCommands
from auditdesk.tui.dialogs.choice import ChoiceDialog
from auditdesk.tui.dialogs.conflict import ConflictDialog, ConflictRow
from auditdesk.tui.dialogs.help import HelpScreen
from auditdesk.tui.i18n import MESSAGES, Translator, language_from, plain
from auditdesk.tui.keygate import KeyGate
from auditdesk.tui.labels import field_label, value_text
from auditdesk.tui.screens.base import AuditEdited, AuditScreen, DeskScreen
from auditdesk.tui.screens.browser import BrowserScreen, NewAudit
from auditdesk.tui.session import AuditSession, Change, Saved, get_path, put_path
from auditdesk.tui.settings import load_settings
from auditdesk.tui.shown import guard_output, shown
from auditdesk.tui.widgets.scrollbar import PlainScrollBarRender
from auditdesk.tui.widgets.stage_progress import blocking

T = TypeVar("T")
ScreenT = TypeVar("ScreenT", bound=Screen[None])

# Where an audit opens, and where it goes after the team moves it on: the
# view for the work its stage is about.
START_VIEW = {"planning": "planning", "onsite": "scoring", "conclusion": "conclusion", "review": "review", "approved": "review"}
SAVING_SHOWN_AFTER = 0.4
"""Seconds a save runs before the audit bar says "saving..." (most end sooner)."""
CONFLICT_PAUSE = 0.6
"""Seconds without a key before a conflict found by a background save asks its question."""
# The key that takes a refusal's remedy: (binding id, view it is on).
REMEDY_KEYS = {"return": ("review.return", "view.review"), "reopen": ("review.reopen", "view.review")}


def audit_views() -> dict[str, type[AuditScreen]]:
    """The views of an open audit, by mode; imported when the first audit opens,
    so the store browser (and its first frame) does not wait for them."""
    from auditdesk.tui.screens.conclusion import ConclusionScreen
    from auditdesk.tui.screens.planning import PlanningScreen
    from auditdesk.tui.screens.report import ReportScreen
    from auditdesk.tui.screens.review import ReviewScreen
    from auditdesk.tui.screens.scoring import ScoringScreen

    return {screen.MODE: screen for screen in (PlanningScreen, ScoringScreen, ConclusionScreen, ReportScreen, ReviewScreen)}


class AuditdeskApp(KeyGate):
    # Every screen's CSS, read once at start: CSS first needed when a view or
    # dialog opens makes Textual restyle every widget of every open view.
    CSS_PATH = [
        "app.tcss", "widgets/widgets.tcss",
        *(f"screens/{name}.tcss" for name in ("browser", "form_screen", "scoring", "report", "review")),
        *(f"dialogs/{name}.tcss" for name in ("form", "choice", "special", "help", "conflict")),
    ]
    TITLE = "auditdesk"
    COMMANDS = {ActionCommands, FieldCommands}
    DEFAULT_MODE = "browser"
    BINDINGS = [
        Binding("f1", "help", "key.help", id="help"),
        Binding("f2", "show_view('planning')", "key.planning", id="view.planning", show=False, priority=True),
        Binding("f3", "show_view('scoring')", "key.scoring", id="view.scoring", show=False, priority=True),
        Binding("f4", "show_view('conclusion')", "key.conclusion", id="view.conclusion", show=False, priority=True),
        Binding("f5", "show_view('report')", "key.report", id="view.report", show=False, priority=True),
        Binding("f6", "show_view('review')", "key.review", id="view.review", show=False, priority=True),
        Binding("f7", "show_view('browser')", "key.audits", id="view.browser", show=False, priority=True),
        Binding("f8", "advance", "key.advance", id="stage.advance", show=False, priority=True),
        Binding("f9", "blockers", "key.blockers", id="stage.blockers", show=False, priority=True),
        Binding("ctrl+s", "save", "key.save", id="save", show=False),
        Binding("ctrl+z", "undo", "key.undo", id="undo", show=False),
        Binding("ctrl+t", "rejoin", "key.rejoin", id="team.rejoin", show=False),
        Binding("ctrl+q", "quit", "key.quit", id="quit", show=False, priority=True),
    ]

    class SaveDone(Message):
        """A save of `session` ended (sent from the saver thread)."""

        def __init__(self, session: AuditSession, outcome: Saved) -> None:
            super().__init__()
            self.session = session
            self.outcome = outcome

    news = ""
    """Shown once on the status line by the next view that appears (why an audit came back)."""
    remote = False
    """Run by an SSH key's forced command: nothing is written to the server's files but the store."""
    save_state: reactive[str] = reactive("")
    """What the audit bar shows about saving; starts with "!" when not saved."""
    generation: reactive[int] = reactive(0)
    """Bumped when the open audit is replaced (reload, merge, undo): views re-read it."""
    saves: reactive[int] = reactive(0)
    """Bumped when a save ends: views show which of their items and fields are not saved."""

    def __init__(
        self, store: AuditStore, user: Identity, *, language: str = "en", theme: str = "textual-dark",
        keymap: dict[str, str] | None = None,
    ) -> None:
        super().__init__()
        guard_output()
        self.store = store
        self.user = user
        self.t = Translator(language)
        self.session: AuditSession | None = None
        self.audit_screens: list[AuditScreen] = []
        """The views of the open audit built so far (each registers itself)."""
        self._theme_name = theme
        self._conflict_open = False
        self._conflict_waiting = False
        # Over SSH every animation frame is sent; scrolling jumps instead.
        self.animation_level = "none"
        self.add_mode("browser", partial(self._styled, BrowserScreen, store))
        if keymap:
            self.set_keymap(keymap)

    def on_mount(self) -> None:
        self.theme = self._theme_name
        ScrollBar.renderer = PlainScrollBarRender

    def clear_selection(self) -> None:
        """Textual's, but also while the first view is not yet on its mode's stack.

        Python 3.12 and 3.13 crashed here at start ("No screens on stack"): from
        3.12 `App.run` installs asyncio's eager task factory, and `App._init_mode`
        starts the mode's first screen before it pushes it, so the screen composes
        and its `Input` mounts at once; the input's selection watcher calls this,
        where `self.screen` raises ScreenStackError (Textual 8.0-8.2.8 catches only
        NoScreen; Textual issue #6444). There is no selection to clear then.
        """
        with contextlib.suppress(ScreenStackError):
            super().clear_selection()

    def on_unmount(self) -> None:
        """The app ends: the saves already asked for finish first (the saver thread drains)."""
        if self.session is not None:
            self.session.close()

    def get_key_display(self, binding: Binding) -> str:
        """Function keys as F1, the way keyboards label them."""
        display = super().get_key_display(binding)
        return display.upper() if display[:1] == "f" and display[1:].isdigit() else display

    def key_of(self, binding_id: str, screen: Screen[object] | None = None) -> str:
        """The key of a binding as the user has it (after their keymap), for hints in text."""
        for active in (screen or self.screen).active_bindings.values():
            if active.binding.id == binding_id:
                return self.get_key_display(active.binding)
        for binding in self._bindings_by_id(binding_id):
            return self.get_key_display(binding)
        return binding_id

    def _bindings_by_id(self, binding_id: str) -> list[Binding]:
        """Bindings declared anywhere in the app with this id, keys as remapped."""
        views = audit_views() if self.session is not None else {}
        declared = [*self.BINDINGS, *(b for view in views.values() for b in view.BINDINGS)]
        keys = self._keymap.get(binding_id)
        found = [b for b in declared if isinstance(b, Binding) and b.id == binding_id]
        return [Binding(keys.split(",")[0], b.action, b.description, id=b.id) for b in found] if keys else found

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Audit views and saving exist while an audit is open; stage moves in its views."""
        if action in ("advance", "blockers", "undo"):
            return self.session is not None and self.current_mode != "browser"
        if action == "rejoin":
            return self.session is not None and self.current_mode != "browser" and self.session.refusal is not None
        if action == "save" or (action == "show_view" and parameters != ("browser",)):
            return self.session is not None
        return True

    def action_command_palette(self) -> None:
        if not isinstance(self.screen, CommandPalette):
            self.push_screen(CommandPalette(placeholder=self.t("palette.placeholder"), id="--command-palette"))

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_show_view(self, mode: str) -> None:
        """Switch at once (what was typed saves in the background); never from under a dialog
        (it would stay behind in the old view)."""
        if self.screen.is_modal:
            return
        self.request_save()
        self.switch_mode(mode)

    def action_save(self) -> None:
        if self.request_save() is False:
            self._status(self.t("save.nothing"), error=False)

    async def action_quit(self) -> None:
        self.leave_audit(self.exit)

    def refusal_text(self, refusal: NotAllowed) -> str:
        """A refusal in the app's language, with the key that takes its remedy."""
        text = refusal.text(self.t.language).splitlines()[0]
        keys = REMEDY_KEYS.get(refusal.remedy or "")
        if keys:
            return text + self.t(f"remedy.{refusal.remedy}", key=self.key_of(keys[0]), view=self.key_of(keys[1]))
        if self.session is not None and refusal.remedy is None and self.session.may_rejoin():
            return self.t("remedy.rejoin", key=self.key_of("team.rejoin")) + text  # first: the line is cut at the edge
        return text

    def error_text(self, error: AuditdeskError) -> str:
        """An error's first line in the app's language where the domain gives one, safe to show."""
        if isinstance(error, NotAllowed):
            return self.refusal_text(error)
        if isinstance(error, InvalidInput) and error.problems and self.t.language != "en":
            problem = error.problems[0]  # a consistency check the form shows at its field: its words here too
            msgid = f"problem.{problem.field}"
            if msgid in MESSAGES:
                return f"{field_label(problem.field, self.t)}: {self.t(msgid)}"
        return shown(error.text(self.t.language).splitlines()[0] if str(error) else type(error).__name__)

    # --- opening and creating ----------------------------------------------

    def on_browser_screen_open(self, message: BrowserScreen.Open) -> None:
        self.leave_audit(partial(self.open_audit, message.project_no))

    def on_browser_screen_create(self, message: BrowserScreen.Create) -> None:
        self.leave_audit(partial(self.create_audit, message.new))

    def create_audit(self, new: NewAudit) -> None:
        catalog = self.store.catalogs.by_ref(new.catalog)
        try:
            if new.previous:
                earlier = self.store.load(new.previous)
                audit = follow_up(earlier.audit, catalog, new.project_no, new.audit_type, created_by=self.user.name)
                if new.organisation:
                    audit.planning.organisation = new.organisation
            else:
                audit = new_audit(catalog, new.project_no, new.organisation, new.audit_type, created_by=self.user.name,
                                  body=self.store.config.body)
            self.store.save(audit, base=None, user=self.user)
        except (AuditdeskError, GitError) as exc:
            self._status(self.error_text(exc))
            return
        self.open_audit(new.project_no)

    def open_audit(self, project_no: str) -> None:
        """Load the audit and build its views afresh; it opens on its stage's view."""
        try:
            loaded = self.store.load(project_no)
            revisions = self.store.log(project_no, limit=1)
        except (AuditdeskError, GitError) as exc:
            self._status(self.t("open.failed", project_no=project_no, error=self.error_text(exc)))
            return
        if self.session is not None:
            self.session.close()
        session = AuditSession(self.store, loaded, self.user, revisions[0].commit if revisions else None)
        def saved(outcome: Saved) -> None:
            self.post_message(self.SaveDone(session, outcome))  # from the saver thread: post_message is thread-safe

        session.on_saved = saved
        self.session = session
        self.audit_screens = []
        for mode, screen in audit_views().items():
            if mode in self._modes:
                self.remove_mode(mode)
            self.add_mode(mode, partial(self._styled, screen, self.session))
        self.save_state = self.t("save.opened", commit=revisions[0].commit[:7]) if revisions else ""
        self.news = self._returned(loaded.audit)
        self.switch_mode(START_VIEW[loaded.audit.stage])

    def _returned(self, audit: Audit) -> str:
        """Why the audit is back with the team (a return or reopening has a reason), or ""."""
        last = audit.transitions[-1] if audit.transitions else None
        if last is None or not last.reason:
            return ""
        t = self.t
        moved = t("review.last_move", stage=t.vocabulary("stage")[last.to], by=shown(last.by), at=f"{last.at:%Y-%m-%d %H:%M}")
        return f"{moved}; {t('review.reason', reason=shown(last.reason))}"

    def _styled(self, screen_class: Callable[[T], ScreenT], argument: T) -> ScreenT:
        """A view, marked as styled: every stylesheet is read at start, and Textual would
        otherwise re-read them all and restyle every widget of every open view when a
        view first opens (on every first F-key, and before the first frame)."""
        screen = screen_class(argument)
        screen._css_update_count = self._css_update_count
        return screen

    # --- leaving an audit ------------------------------------------------------

    def half_typed(self) -> str:
        """What was typed but is not in the audit (fields holding invalid text, a percentage
        typed without Enter), as the question before leaving says it; "" if nothing."""
        session = self.session
        if session is None:
            return ""
        unentered = [text for screen in self.audit_screens for text in screen.half_typed()]
        parts = [self.t("quit.invalid", fields=", ".join(session.rejected.values()))] if session.rejected else []
        if unentered:
            parts.append(self.t("quit.unentered", what="; ".join(unentered)))
        return self.t("quit.text", reason="; ".join(parts)) if session.rejected else "; ".join(parts)

    def leave_audit(self, then: Callable[[], object]) -> None:
        """Run `then` once the open audit is saved.  Input that is half typed or not valid
        is asked about first, and nothing is committed while the question is open."""
        session = self.session
        if session is None:
            then()
            return
        pending = self.half_typed()
        if not pending:
            self._leave_saved(then)
            return
        choices = [("stay", self.t("quit.stay")), ("leave", self.t("quit.leave"))]

        def chosen(choice: str | None) -> None:
            if choice == "leave":
                self._leave_saved(then)

        self.push_screen(ChoiceDialog(self.t("quit.title"), pending, choices), chosen)

    def _leave_saved(self, then: Callable[[], object]) -> None:
        """Save what is in the audit, wait for it, then `then` (or ask when it could not be saved)."""
        session = self.session
        assert session is not None
        if self.settle_saves():
            session.close()
            then()
            return
        reason = self._save_error or self.t("save.conflict")
        choices = [("stay", self.t("quit.stay")), ("discard", self.t("quit.discard"))]

        def chosen(choice: str | None) -> None:
            if choice == "discard":
                session.close()
                then()

        self.push_screen(ChoiceDialog(self.t("quit.title"), self.t("quit.text", reason=reason), choices), chosen)

    # --- saving ------------------------------------------------------------

    _save_error = ""

    def on_audit_edited(self, message: AuditEdited) -> None:
        if message.save:
            self.request_save()
        elif self.session is not None and self.session.dirty:
            self.save_state = self.t("save.pending")

    def request_save(self) -> bool | None:
        """Ask the session to save what changed, in the background; False if nothing had."""
        session = self.session
        if session is None:
            return None
        if session.conflict is not None:
            self._open_conflict()
            return True
        if not session.dirty:
            return False
        session.request_save()
        self.set_timer(SAVING_SHOWN_AFTER, self._show_saving)  # a quick save shows only "saved"
        return True

    def _show_saving(self) -> None:
        session = self.session
        if session is not None and session.saving and not self.save_state.startswith("!"):
            self.save_state = self.t("save.saving")

    def settle_saves(self) -> bool:
        """Save what changed and wait for every save to end: True if all are committed.
        (Before a stage move or leaving: the one place the UI waits for git.)"""
        session = self.session
        if session is None:
            return True
        self.request_save()
        session.flush()
        last = session.last
        if session.conflict is not None:
            self._open_conflict()
            return False
        if session.dirty and last is not None and last.error is not None:
            self._save_error = self.error_text(last.error)
            self._status(self.t("save.error", error=self._save_error))
            return False
        return not session.dirty

    def on_auditdesk_app_save_done(self, message: SaveDone) -> None:
        session, outcome = message.session, message.outcome
        if session is not self.session:
            return
        session.saved(outcome)
        error = outcome.error
        if isinstance(error, Conflict):
            self.save_state = "! " + self.t("save.conflict")
            self._open_conflict()
        elif error is not None:
            self.save_state = "! " + self.t("save.failed")
            self._save_error = self.error_text(error)
            self._status(self.t("save.error", error=self._save_error))
        elif session.saving:
            self.save_state = self.t("save.saving")
        elif session.dirty and not session.unsaved:
            self.save_state = self.t("save.pending")
        else:
            self.save_state = self.t("save.saved", commit=(session.commit or "")[:7])
            if self._save_error:
                self._save_error = ""
                self._status("", error=False)
        self.saves += 1

    def _open_conflict(self) -> None:
        """Show what the other person changed and ask how to settle it (once at a time), when
        the user stops typing: keys typed for the screen must not answer the question."""
        session = self.session
        conflict = session.conflict if session is not None else None
        if session is None or conflict is None or self._conflict_open:
            return
        if self.typing(CONFLICT_PAUSE) or self.screen.is_modal:
            if not self._conflict_waiting:
                self._conflict_waiting = True
                self.set_timer(CONFLICT_PAUSE / 2, self._open_conflict_later)
            return
        t = self.t
        try:
            merge = session.merge_with_theirs()
            setters = session.who_set(c.field for c in merge.conflicts)
        except (AuditdeskError, GitError) as exc:
            self._status(self.t("save.error", error=self.error_text(exc)))
            return
        if conflict.commit and conflict.date:
            who = t("conflict.who", author=shown(conflict.author), date=f"{conflict.date:%Y-%m-%d %H:%M}", commit=conflict.commit[:7])
        else:
            who = t("conflict.unknown")
        taken = [name for name in merge.taken if name]
        taken_text = t("conflict.taken", fields=", ".join(field_label(name, t) for name in taken)) if taken else ""
        rows = []
        for c in merge.conflicts:
            by = setters.get(c.field)
            theirs = value_text(c.theirs, t) + (f" ({shown(by.author)} {by.date:%m-%d %H:%M})" if by else "")
            rows.append(ConflictRow(c.field, field_label(c.field, t), value_text(c.ours, t), theirs))
        actions = [("merge", t("conflict.merge")), ("mine", t("conflict.mine")), ("later", t("conflict.later"))]
        text = f"{who}\n{t('conflict.kept', ref=shown(conflict.rejected_ref))}"
        self._conflict_open = True
        self.push_screen(ConflictDialog(t("conflict.title"), text, taken_text, rows, actions), self._settle_conflict)

    def _open_conflict_later(self) -> None:
        self._conflict_waiting = False
        self._open_conflict()

    def _settle_conflict(self, answer: tuple[str, dict[str, str]] | None) -> None:
        self._conflict_open = False
        session = self.session
        if session is None or answer is None or answer[0] not in ("merge", "mine"):
            return
        action, choices = answer
        try:
            if action == "merge":
                prefer: dict[str, Prefer] = {name: "theirs" if choice == "theirs" else "ours" for name, choice in choices.items()}
                session.settle(prefer)
            else:
                session.overwrite_theirs()
        except (AuditdeskError, GitError) as exc:
            self._save_error = self.error_text(exc)
            self._status(self.t("save.error", error=self._save_error))
            return
        self.generation += 1
        self.request_save()

    # --- undo, rejoining --------------------------------------------------------

    def action_undo(self) -> None:
        """Take back this user's last change (left alone where someone else changed it since)."""
        session = self.session
        if session is None or self.screen.is_modal:
            return
        if session.refusal is not None:
            self._status(self.refusal_text(session.refusal), error=True)
            return
        last, kept = session.undo()
        if last is None:
            self._status(self.t("undo.nothing"), error=False)
            return
        what = field_label(last.label, self.t) if "." in last.label else last.label
        self.generation += 1
        self.request_save()
        if kept:
            self._status(self.t("undo.kept", what=what, fields=", ".join(field_label(k, self.t) for k in kept)), error=True)
        else:
            self._status(self.t("undo.done", what=what), error=False)

    def action_rejoin(self) -> None:
        """Put the acting user back on the team they left (the creator, or its leader then)."""
        session = self.session
        if session is None or not session.may_rejoin():
            if session is not None and session.refusal is not None:
                self._status(self.refusal_text(session.refusal), error=True)
            return
        former = self.store.former_member(session.project_no, self.user)
        role: Role = "leader" if not session.audit.planning.leaders else "member"
        member = former or Member("", self.user.name, role, person=self.user.person)
        team = session.audit.planning.team
        if member.role == "leader" and session.audit.planning.leaders:
            member = dataclasses.replace(member, role="member")
        if self.user.person and not member.person:
            member = dataclasses.replace(member, person=self.user.person)  # a record from before the registry
        session.set("planning.team", (*team, member), label="planning.team")
        self.generation += 1
        self.request_save()
        if isinstance(self.screen, AuditScreen):
            self.screen.call_after_refresh(self.screen.go_to, "planning.team")
        self._status(self.t("rejoin.done", user=shown(self.user.name)), error=False)

    def would_lock_out(self, path: str, value: Any) -> bool:
        """Setting `path` to `value` would take away this user's right to edit the audit."""
        session = self.session
        if session is None or session.refusal is not None:
            return False
        old = get_path(session.audit, path)
        put_path(session.audit, path, value)
        try:
            return session.refusal is not None
        finally:
            put_path(session.audit, path, old)

    # --- stage moves --------------------------------------------------------------

    def ready_to_move(self) -> bool:
        """Before a stage move: unsaved edits saved, invalid input fixed, someone
        else's newer revision taken up.  False (with the reason shown) if not ready."""
        session = self.session
        if session is None or self.screen.is_modal:
            return False
        if session.rejected:
            self._status(self.t("move.invalid", fields=", ".join(session.rejected.values())))
            return False
        if not self.settle_saves():
            return False
        try:
            refreshed = session.refresh()
        except (AuditdeskError, GitError) as exc:
            self._status(self.error_text(exc))
            return False
        if refreshed:
            self.generation += 1
            self.save_state = self.t("save.reloaded", commit=(session.commit or "")[:7])
        return True

    def refused(self, session: AuditSession, change: Change) -> bool:
        """Try `change` on a copy first: a refusal is shown (blockers listed) before any dialog."""
        try:
            session.try_change(change)
        except Blocked:
            self.action_blockers()
            return True
        except NotAllowed as exc:
            self._status(self.refusal_text(exc))
            return True
        return False

    def move(self, change: Change, view: str | None = None) -> None:
        """Commit a stage move of the open audit; then every view shows it (and `view` opens)."""
        session = self.session
        assert session is not None
        try:
            commit = session.transition(change)
        except Blocked:
            self.action_blockers()
            return
        except Conflict as exc:
            self._status(self.t("move.conflict", author=shown(exc.author or "?"), key=self.key_of("view.review")))
            return
        except (AuditdeskError, GitError) as exc:
            self._status(self.error_text(exc))
            return
        self.moved(self.t("save.moved", stage=self.t.vocabulary("stage")[session.audit.stage], commit=(commit or "")[:7]), view)

    def moved(self, state: str, view: str | None) -> None:
        """After a stage move: views re-read the audit, the bar says what happened."""
        self.generation += 1
        self.save_state = state
        self.refresh_bindings()
        if view and view != self.current_mode:
            self.switch_mode(view)

    def action_advance(self) -> None:
        """Move the open audit to its next stage; submitting for review asks first."""
        session = self.session
        if session is None or not self.ready_to_move():
            return
        user, now = self.user, session.now()

        def change(audit: Audit) -> str:
            return advance(audit, session.catalog, user, now)

        if self.refused(session, change):
            return
        target = next_stage(session.audit.stage)
        assert target is not None
        if target != "review":
            self.move(change, START_VIEW[target])
            return
        t = self.t
        choices = [("submit", t("submit.yes")), ("stay", t("submit.no"))]

        def chosen(choice: str | None) -> None:
            if choice == "submit":
                self.move(change, START_VIEW[target])

        self.push_screen(ChoiceDialog(t("submit.title", project_no=session.project_no), t("submit.text"), choices), chosen)

    def action_blockers(self) -> None:
        """List what blocks the next stage (saving what was typed first); choosing one goes to its field."""
        session = self.session
        if session is None or self.screen.is_modal:
            return
        self.request_save()
        t, audit = self.t, session.audit
        gaps = blocking(audit, session.catalog)
        target = next_stage(audit.stage)
        if audit.stage in ("review", "approved") or target is None:
            self._status(t("progress.review" if audit.stage == "review" else "progress.approved"), error=False)
            return
        label = t.vocabulary("stage")[target]
        if not gaps:
            self._status(t("blockers.none", stage=label, key=self.key_of("stage.advance")), error=False)
            return
        choices = [(str(i), shown(plain(gap.text(t.language)))) for i, gap in enumerate(gaps)]

        def chosen(choice: str | None) -> None:
            if choice is not None:
                self.run_worker(self.go_to_field(gaps[int(choice)].field))

        self.push_screen(ChoiceDialog(t("blockers.title", n=len(gaps), stage=label), t("blockers.text"), choices), chosen)

    async def go_to_field(self, field: str) -> None:
        """Open the view where `field` (a gap's path, such as planning.team[0].name) is edited, there."""
        path = field.split("[")[0]
        mode = "planning" if path.startswith(("planning.", "body.")) else "conclusion" if path.startswith("conclusion.") else "scoring"
        await self.switch_mode(mode)
        screen = self.screen
        if isinstance(screen, AuditScreen):
            screen.go_to(path)

    def _status(self, text: str, error: bool = True) -> None:
        """Show an error (or news) on the current screen's status line."""
        if isinstance(self.screen, DeskScreen):
            self.screen.status(text, error=error)


def _check_utf8() -> None:
    encoding = locale.getpreferredencoding(False)
    if codecs.lookup(encoding).name != "utf-8":
        raise AuditdeskError(
            f"the terminal's locale uses {encoding}, but auditdesk shows Chinese text and needs UTF-8; "
            "set a UTF-8 locale, for example: export LANG=C.UTF-8"
        )


def run(store_root: Path, user: str | None, mouse: bool | None = None, forced: str | None = None,
        store: AuditStore | None = None) -> int:
    """Run the app on the store at `store_root` (created if missing) as `user`, or as the
    registered person `forced` (an SSH key's forced command: nothing else can choose);
    `store`: the store already opened there (the command line's), so it is opened once;
    its exit status.

    `App.run` does not raise when the app crashes: Textual prints the traceback
    and returns, and only `return_code` (1) tells; the status comes from there."""
    _check_utf8()
    settings = load_settings(settings_path())
    if mouse is None:
        mouse = settings.mouse if settings.mouse is not None else "SSH_CONNECTION" not in os.environ
    with AuditStore.open(store_root, create=True) if store is None else contextlib.nullcontext(store) as opened:
        opened.key_from_config = forced is None
        who = resolve_identity(user if forced is None else None, opened.repo, people=opened.people, forced=forced)
        app = AuditdeskApp(
            opened, who, language=language_from(settings.language),
            theme=settings.theme, keymap=settings.keymap,
        )
        app.remote = forced is not None
        try:
            app.run(mouse=mouse)
        finally:
            if app.session is not None:
                app.session.close()
    return app.return_code or 0
