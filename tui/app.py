"""The auditdesk terminal app: browse the store, plan, score, conclude, review.

The app owns the store, the acting user and the open `AuditSession`; screens
get the session when they are created (attributes down) and post
`AuditEdited` when they change it (messages up).  The app saves after every
such change, shows the result in each screen's audit bar, and settles
conflicts.  Each audit view is a Textual mode, so F2-F7 switch between them
and every view keeps its place.
"""

from __future__ import annotations

import codecs
import locale
import os
from functools import partial
from pathlib import Path
from typing import Callable

from textual.app import App
from textual.binding import Binding
from textual.command import CommandPalette
from textual.reactive import reactive
from textual.scrollbar import ScrollBar

from auditdesk.criteria.problems import AuditdeskError
from auditdesk.store.audits import AuditStore
from auditdesk.store.document import new_audit
from auditdesk.store.gitrepo import Conflict, GitError, Identity
from auditdesk.store.identity import resolve_identity
from auditdesk.tui.commands import ActionCommands
from auditdesk.tui.i18n import Translator, language_from
from auditdesk.tui.screens.base import AuditEdited, AuditScreen, DeskScreen
from auditdesk.tui.screens.browser import BrowserScreen, NewAudit
from auditdesk.tui.screens.choice import ChoiceDialog
from auditdesk.tui.screens.conclusion import ConclusionScreen
from auditdesk.tui.screens.help import HelpScreen
from auditdesk.tui.screens.planning import PlanningScreen
from auditdesk.tui.screens.report import ReportScreen
from auditdesk.tui.screens.review import ReviewScreen
from auditdesk.tui.screens.scoring import ScoringScreen
from auditdesk.tui.session import AuditSession
from auditdesk.tui.settings import load_settings, settings_path
from auditdesk.tui.widgets.scrollbar import PlainScrollBarRender

AUDIT_VIEWS: dict[str, type[AuditScreen]] = {
    screen.MODE: screen for screen in (PlanningScreen, ScoringScreen, ConclusionScreen, ReportScreen, ReviewScreen)
}
# Where an audit opens: the view for the work its stage is about.
START_VIEW = {"planning": "planning", "onsite": "scoring", "conclusion": "conclusion", "review": "review", "approved": "review"}


class AuditdeskApp(App[None]):
    CSS_PATH = ["app.tcss", "widgets/widgets.tcss"]
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
        Binding("ctrl+s", "save", "key.save", id="save", show=False),
        Binding("ctrl+q", "quit", "key.quit", id="quit", show=False, priority=True),
    ]

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
        self.add_mode("browser", partial(BrowserScreen, store))
        if keymap:
            self.set_keymap(keymap)

    def on_mount(self) -> None:
        self.theme = self._theme_name
        ScrollBar.renderer = PlainScrollBarRender

    def get_key_display(self, binding: Binding) -> str:
        """Function keys as F1, the way keyboards label them."""
        display = super().get_key_display(binding)
        return display.upper() if display[:1] == "f" and display[1:].isdigit() else display

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Audit views and saving exist while an audit is open."""
        if action == "save" or (action == "show_view" and parameters != ("browser",)):
            return self.session is not None
        return True

    def action_command_palette(self) -> None:
        if not CommandPalette.is_open(self):
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
        catalog_id, _, version = new.catalog.partition("@")
        catalog = self.store.catalogs.get(catalog_id, version)
        try:
            audit = new_audit(catalog, new.project_no, new.organisation, new.audit_type, created_by=self.user.name)
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
        for mode, screen in AUDIT_VIEWS.items():
            if mode in self._modes:
                self.remove_mode(mode)
            self.add_mode(mode, partial(screen, self.session))
        self.save_state = self.t("save.opened", commit=revisions[0].commit[:7]) if revisions else ""
        self.switch_mode(START_VIEW[loaded.audit.stage])

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

    def _status(self, error: str) -> None:
        """Show an error on the current screen's status line."""
        if isinstance(self.screen, DeskScreen):
            self.screen.status(error, error=True)


def _check_utf8() -> None:
    encoding = locale.getpreferredencoding(False)
    if codecs.lookup(encoding).name != "utf-8":
        raise AuditdeskError(
            f"the terminal's locale uses {encoding}, but auditdesk shows Chinese text and needs UTF-8; "
            "set a UTF-8 locale, for example: export LANG=C.UTF-8"
        )


def run(store_root: Path, user: str | None, mouse: bool | None = None) -> None:
    """Run the app on the store at `store_root` (created if missing) as `user`."""
    _check_utf8()
    settings = load_settings(settings_path())
    if mouse is None:
        mouse = settings.mouse if settings.mouse is not None else "SSH_CONNECTION" not in os.environ
    with AuditStore.open(store_root, create=True) as store:
        app = AuditdeskApp(
            store, resolve_identity(user, store.repo), language=language_from(settings.language),
            theme=settings.theme, keymap=settings.keymap,
        )
        app.run(mouse=mouse)
