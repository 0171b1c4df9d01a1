"""The auditdesk terminal app: browse the store, plan, score, conclude, review.

The app owns the store, the acting user and the open `AuditSession`; screens
get the session when they are created (attributes down) and post
`AuditEdited` when they change it (messages up).  The app saves after every
such change, shows the result in each screen's audit bar, and settles
conflicts.  Each audit view is a Textual mode, so F2-F7 switch between them
and every view keeps its place.  F8 moves the audit to its next stage and F9
lists what blocks that, both through `audit.workflow` and `audit.stages`; the
reviewer's moves are on the review view.
"""

from __future__ import annotations

import codecs
import contextlib
import locale
import os
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TypeVar

from textual.app import App, ScreenStackError
from textual.binding import Binding
from textual.command import CommandPalette
from textual.reactive import reactive
from textual.screen import Screen
from textual.scrollbar import ScrollBar

from auditdesk.audit.document import Audit, new_audit
from auditdesk.audit.identity import Identity
from auditdesk.audit.stages import next_stage
from auditdesk.audit.workflow import Blocked, NotAllowed, advance
from auditdesk.errors import AuditdeskError
from auditdesk.paths import settings_path
from auditdesk.store.audits import AuditStore
from auditdesk.store.git import Conflict, GitError
from auditdesk.store.people import resolve_identity
from auditdesk.tui.commands import ActionCommands
from auditdesk.tui.dialogs.choice import ChoiceDialog
from auditdesk.tui.dialogs.help import HelpScreen
from auditdesk.tui.i18n import Translator, language_from, plain
from auditdesk.tui.screens.base import AuditEdited, AuditScreen, DeskScreen
from auditdesk.tui.screens.browser import BrowserScreen, NewAudit
from auditdesk.tui.session import AuditSession, Change
from auditdesk.tui.settings import load_settings
from auditdesk.tui.widgets.scrollbar import PlainScrollBarRender
from auditdesk.tui.widgets.stage_progress import blocking

T = TypeVar("T")
ScreenT = TypeVar("ScreenT", bound=Screen[None])

# Where an audit opens, and where it goes after the team moves it on: the
# view for the work its stage is about.
START_VIEW = {"planning": "planning", "onsite": "scoring", "conclusion": "conclusion", "review": "review", "approved": "review"}


def audit_views() -> dict[str, type[AuditScreen]]:
    """The views of an open audit, by mode; imported when the first audit opens,
    so the store browser (and its first frame) does not wait for them."""
    from auditdesk.tui.screens.conclusion import ConclusionScreen
    from auditdesk.tui.screens.planning import PlanningScreen
    from auditdesk.tui.screens.report import ReportScreen
    from auditdesk.tui.screens.review import ReviewScreen
    from auditdesk.tui.screens.scoring import ScoringScreen

    return {screen.MODE: screen for screen in (PlanningScreen, ScoringScreen, ConclusionScreen, ReportScreen, ReviewScreen)}


class AuditdeskApp(App[None]):
    # Every screen's CSS, read once at start: CSS first needed when a view or
    # dialog opens makes Textual restyle every widget of every open view.
    CSS_PATH = [
        "app.tcss", "widgets/widgets.tcss",
        *(f"screens/{name}.tcss" for name in ("browser", "form_screen", "scoring", "report", "review")),
        *(f"dialogs/{name}.tcss" for name in ("form", "choice", "special", "help")),
    ]
    TITLE = "auditdesk"
    COMMANDS = {ActionCommands}
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
        Binding("ctrl+q", "quit", "key.quit", id="quit", show=False, priority=True),
    ]

    news = ""
    """Shown once on the status line by the next view that appears (why an audit came back)."""
    remote = False
    """Run by an SSH key's forced command: nothing is written to the server's files but the store."""
    save_state: reactive[str] = reactive("")
    """What the audit bar shows about saving; starts with "!" when not saved."""
    generation: reactive[int] = reactive(0)
    """Bumped when the open audit is replaced (reload, merge): views re-read it."""

    def __init__(
        self, store: AuditStore, user: Identity, *, language: str = "en", theme: str = "textual-dark",
        keymap: dict[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.store = store
        self.user = user
        self.t = Translator(language)
        self.session: AuditSession | None = None
        self._theme_name = theme
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

    def get_key_display(self, binding: Binding) -> str:
        """Function keys as F1, the way keyboards label them."""
        display = super().get_key_display(binding)
        return display.upper() if display[:1] == "f" and display[1:].isdigit() else display

    def key_of(self, binding_id: str, screen: Screen[object] | None = None) -> str:
        """The key of a binding as the user has it (after their keymap), for hints in text."""
        for active in (screen or self.screen).active_bindings.values():
            if active.binding.id == binding_id:
                return self.get_key_display(active.binding)
        return binding_id

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Audit views and saving exist while an audit is open; stage moves in its views."""
        if action in ("advance", "blockers"):
            return self.session is not None and self.current_mode != "browser"
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
        """Save, then switch; never from under a dialog (it would stay behind in the old view)."""
        if self.screen.is_modal:
            return
        if self.session is not None and self.session.dirty:
            self.save_now()
        self.switch_mode(mode)

    def action_save(self) -> None:
        self.save_now()

    async def action_quit(self) -> None:
        self.leave_audit(self.exit)

    # --- opening and creating ----------------------------------------------

    def on_browser_screen_open(self, message: BrowserScreen.Open) -> None:
        self.leave_audit(partial(self.open_audit, message.project_no))

    def on_browser_screen_create(self, message: BrowserScreen.Create) -> None:
        self.leave_audit(partial(self.create_audit, message.new))

    def create_audit(self, new: NewAudit) -> None:
        catalog = self.store.catalogs.by_ref(new.catalog)
        try:
            audit = new_audit(catalog, new.project_no, new.organisation, new.audit_type, created_by=self.user.name,
                              body=self.store.config.body)
            self.store.save(audit, base=None, user=self.user)
        except (AuditdeskError, GitError) as exc:
            self._status(str(exc).splitlines()[0])
            return
        self.open_audit(new.project_no)

    def open_audit(self, project_no: str) -> None:
        """Load the audit and build its views afresh; it opens on its stage's view."""
        try:
            loaded = self.store.load(project_no)
            revisions = self.store.log(project_no, limit=1)
        except (AuditdeskError, GitError) as exc:
            self._status(self.t("open.failed", project_no=project_no, error=str(exc).splitlines()[0]))
            return
        self.session = AuditSession(self.store, loaded, self.user, revisions[0].commit if revisions else None)
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
        moved = t("review.last_move", stage=t.vocabulary("stage")[last.to], by=last.by, at=f"{last.at:%Y-%m-%d %H:%M}")
        return f"{moved}; {t('review.reason', reason=last.reason)}"

    def _styled(self, screen_class: Callable[[T], ScreenT], argument: T) -> ScreenT:
        """A view, marked as styled: every stylesheet is read at start, and Textual would
        otherwise re-read them all and restyle every widget of every open view when a
        view first opens (on every first F-key, and before the first frame)."""
        screen = screen_class(argument)
        screen._css_update_count = self._css_update_count
        return screen

    def leave_audit(self, then: Callable[[], object]) -> None:
        """Run `then` once the open audit is saved, or the user chose to drop what could not be saved."""
        session = self.session
        if session is None or (self.save_now(ask=False) and not session.rejected):
            then()
            return
        reasons = [self._save_error] if session.dirty else []
        if session.rejected:
            reasons.append(self.t("quit.invalid", fields=", ".join(session.rejected.values())))
        choices = [("stay", self.t("quit.stay")), ("discard", self.t("quit.discard"))]

        def chosen(choice: str | None) -> None:
            if choice == "discard":
                then()

        self.push_screen(ChoiceDialog(self.t("quit.title"), self.t("quit.text", reason="; ".join(reasons)), choices), chosen)

    # --- saving ------------------------------------------------------------

    _save_error = ""

    def on_audit_edited(self, message: AuditEdited) -> None:
        if message.save:
            self.save_now()
        else:
            self.save_state = self.t("save.pending")

    def save_now(self, ask: bool = True) -> bool:
        """Commit the open audit if it changed; False when it could not be saved.

        With `ask`, a conflict opens the dialog that settles it.
        """
        session = self.session
        if session is None:
            return True
        try:
            commit = session.save()
        except Conflict as exc:
            self.save_state = "! " + self.t("save.conflict")
            self._save_error = str(exc)
            if ask:
                self.push_screen(self._conflict_dialog(exc), self._settle_conflict)
            return False
        except (AuditdeskError, GitError) as exc:
            self.save_state = "! " + self.t("save.failed")
            self._save_error = str(exc).splitlines()[0]
            self._status(self.t("save.error", error=self._save_error))
            return False
        if commit:
            self.save_state = self.t("save.saved", commit=commit[:7])
        return True

    def _conflict_dialog(self, conflict: Conflict) -> ChoiceDialog:
        t = self.t
        if conflict.commit and conflict.date:
            who = t("conflict.who", author=conflict.author, date=f"{conflict.date:%Y-%m-%d %H:%M}", commit=conflict.commit[:7])
        else:
            who = t("conflict.unknown")
        choices = [("merge", t("conflict.merge")), ("mine", t("conflict.mine")), ("later", t("conflict.later"))]
        return ChoiceDialog(t("conflict.title"), f"{who}\n{t('conflict.kept', ref=conflict.rejected_ref)}", choices)

    def _settle_conflict(self, choice: str | None) -> None:
        session = self.session
        if session is None or choice not in ("merge", "mine"):
            return
        try:
            if choice == "merge":
                session.rebase_on_theirs()
            else:
                session.overwrite_theirs()
        except (AuditdeskError, GitError) as exc:
            self._save_error = str(exc).splitlines()[0]
            self._status(self.t("save.error", error=self._save_error))
            return
        self.generation += 1
        self.save_now()

    # --- stage moves ----------------------------------------------------------

    def ready_to_move(self) -> bool:
        """Before a stage move: unsaved edits saved, invalid input fixed, someone
        else's newer revision taken up.  False (with the reason shown) if not ready."""
        session = self.session
        if session is None or self.screen.is_modal or not self.save_now():
            return False
        if session.rejected:
            self._status(self.t("move.invalid", fields=", ".join(session.rejected.values())))
            return False
        try:
            refreshed = session.refresh()
        except (AuditdeskError, GitError) as exc:
            self._status(str(exc).splitlines()[0])
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
            self._status(exc.text(self.t.language).splitlines()[0])
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
            self._status(self.t("move.conflict", author=exc.author or "?", key=self.key_of("view.review")))
            return
        except (AuditdeskError, GitError) as exc:
            self._status(str(exc).splitlines()[0])
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
        if session.dirty:
            self.save_now()
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
        choices = [(str(i), plain(gap.text(t.language))) for i, gap in enumerate(gaps)]

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
        app.run(mouse=mouse)
    return app.return_code or 0
