"""The first screen: every audit in the store, filtered by typing, sorted by key.

The list is read in a background thread, so the screen appears at once.  What
the tree gives (every audit's project number) and the summaries already known
show first; the totals of the rest fill in as worker processes compute them
(a fresh clone of a thousand audits takes about a second), marked "…" until
then.  It is a daemon thread rather than a Textual thread worker: those run
in the event loop's executor, which the app joins when it exits, so quitting
during a cold load would hang until the load ended.  It reads through the
app's store: a listing costs one `git ls-tree`, and reading the files needs
no git at all when the working tree holds them.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Footer, Input, Label

from auditdesk.audit.document import AUDIT_TYPES, STAGE_ORDER, check_project_no
from auditdesk.errors import AuditdeskError
from auditdesk.store.audits import AuditStore, Summary
from auditdesk.store.git import GitError
from auditdesk.store.trust import effective_summaries
from auditdesk.tui.screens.base import DeskScreen
from auditdesk.tui.shown import shown
from auditdesk.tui.widgets.status_line import StatusLine

SORTS = ("project", "organisation", "stage", "total")
COLUMNS = ("project", "type", "stage", "total", "star", "organisation")


@dataclass(frozen=True)
class NewAudit:
    project_no: str
    organisation: str
    audit_type: str
    catalog: str
    previous: str = ""
    """The audit this one follows (a surveillance after the initial one): planning carries forward
    and its results are offered as proposals."""


class AuditList(DataTable[Text]):
    """The audits; Enter opens the highlighted one."""

    BINDINGS = [Binding("enter", "open", "key.open", id="browser.open")]

    def highlighted(self) -> str | None:
        """The project number of the highlighted audit."""
        return str(self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value) if self.row_count else None

    def action_open(self) -> None:
        project_no = self.highlighted()
        if project_no is not None:
            self.post_message(BrowserScreen.Open(project_no))


class BrowserScreen(DeskScreen):
    TYPING = [("abc...", "help.filter"), ("Enter", "help.open_only"), ("Esc", "help.clear_filter")]
    """Keys that are not bindings (typing), for F1."""
    BINDINGS = [
        Binding("n", "new", "key.new", id="browser.new"),
        Binding("s", "sort", "key.sort", id="browser.sort"),
        Binding("slash", "filter", "key.filter", id="browser.filter"),
    ]

    class Open(Message):
        def __init__(self, project_no: str) -> None:
            super().__init__()
            self.project_no = project_no

    class Listed(Message):
        """The worker read the list (or says why it could not); `pending`: the audits
        whose summary is still being computed (their rows are filled in by `Filled`)."""

        def __init__(self, summaries: list[Summary], error: str = "", pending: frozenset[str] = frozenset()) -> None:
            super().__init__()
            self.summaries = summaries
            self.error = error
            self.pending = pending

    class Filled(Message):
        """Summaries computed since the list was shown, by project number."""

        def __init__(self, summaries: dict[str, Summary], last: bool) -> None:
            super().__init__()
            self.summaries = summaries
            self.last = last

    class Create(Message):
        def __init__(self, new: NewAudit) -> None:
            super().__init__()
            self.new = new

    def __init__(self, store: AuditStore) -> None:
        super().__init__()
        self.store = store
        self.summaries: list[Summary] | None = None
        """None until the first listing arrives."""
        self.sort = SORTS[0]
        self._loading = False
        self._stale = False
        self._pending: set[str] = set()
        """Audits listed whose summary is still being computed."""
        self._redraw_due = False

    def compose(self) -> ComposeResult:
        yield Label(id="browser-title", markup=False)
        yield Input(placeholder=self.t("browser.filter"), compact=True, select_on_focus=False, id="filter")
        yield AuditList(cursor_type="row", id="audits")
        yield StatusLine()
        yield Footer()

    def on_mount(self) -> None:
        self._columns([])
        self.query_one(AuditList).focus()

    def _columns(self, rows: Sequence[tuple[str, ...]]) -> None:
        """The columns again, the organisation as wide as the others leave (its text is cut
        there), so that a long name does not make the list scroll sideways at 80 columns."""
        table = self.query_one(AuditList)
        labels = [self.t(f"col.{column}") for column in COLUMNS]
        widths = [max([cell_len(label)] + [cell_len(row[i]) for row in rows]) for i, label in enumerate(labels)]
        spare = (table.size.width or self.app.size.width) - sum(widths[:-1]) - 2 * table.cell_padding * len(COLUMNS) - 1
        table.clear(columns=True)
        for column, label, width in zip(COLUMNS, labels, widths, strict=True):
            table.add_column(label, key=column, width=max(10, spare) if column == "organisation" else width)

    def on_resize(self) -> None:
        """The organisation column follows the width."""
        if self.summaries:
            self.show_list()

    def on_screen_resume(self) -> None:
        """Re-read the store (audits change while other views are open); the list shown stays until then."""
        if self._loading:
            self._stale = True
            return
        self._loading = True
        if self.summaries is None:
            self._title(self.t("browser.loading"))
        self.call_after_refresh(self.read_list)  # the screen is drawn first

    @property
    def listing(self) -> bool:
        """A listing is on its way."""
        return self._loading

    def read_list(self) -> None:
        """Start reading the list in a daemon thread (see the module's docstring)."""
        threading.Thread(target=self._read_list, name="auditdesk-list", daemon=True).start()

    def _read_list(self) -> None:
        """In the thread: list what is known at once, then fill in the rest as it is computed."""
        from auditdesk.store import summaries

        def post(message: Message) -> None:
            with contextlib.suppress(RuntimeError):  # the app has ended meanwhile
                self.post_message(message)

        try:
            known, missing = self.store.listing()
            rows = dict(known)
            for _, path, _ in missing:
                rows[path] = Summary(Path(path).stem, "", "", "", "", "", "", "")
            # the stage shown is the one that may be trusted (an "approved" file needs a valid approval)
            trusted = effective_summaries(self.store, [rows[p] for p in sorted(rows)])
            post(self.Listed(trusted, pending=frozenset(Path(p).stem for _, p, _ in missing)))
            if missing:
                def filled(chunk: list[tuple[str, list[str]]]) -> None:
                    done = [summaries.make_summary(key.split(" ", 1)[1], fields) for key, fields in chunk]
                    post(self.Filled({s.project_no: s for s in effective_summaries(self.store, done)}, False))

                summaries.compute(self.store, missing, self.store.summary_cache(), on_chunk=filled)
                self.store.save_summaries()
                post(self.Filled({}, True))
        except (AuditdeskError, GitError) as exc:
            post(self.Listed([], exc.text(self.t.language).splitlines()[0]))
        except OSError as exc:
            post(self.Listed([], str(exc).splitlines()[0]))

    def on_browser_screen_listed(self, message: Listed) -> None:
        self._loading = bool(message.pending)
        self._pending = set(message.pending)
        if message.summaries != self.summaries:
            self.summaries = message.summaries
            self.show_list()
        if message.error:
            self.status(shown(message.error), error=True)
        self._after_listing()

    def on_browser_screen_filled(self, message: Filled) -> None:
        """Fill in computed summaries; the table is redrawn at most every 0.3 s while they come."""
        if self.summaries is not None and message.summaries:
            self.summaries = [message.summaries.get(s.project_no, s) for s in self.summaries]
            self._pending.difference_update(message.summaries)
            if not self._redraw_due:
                self._redraw_due = True
                self.set_timer(0.3, self._redraw)
        if message.last:
            self._loading = False
            self._pending.clear()
            self._redraw()
            self._after_listing()

    def _redraw(self) -> None:
        if self._redraw_due or not self._loading:
            self._redraw_due = False
            self.show_list()

    def _after_listing(self) -> None:
        if self._stale and not self._loading:
            self._stale = False
            self.on_screen_resume()

    def show_list(self) -> None:
        if self.summaries is None:
            self._title(self.t("browser.loading"))
            return
        table = self.query_one(AuditList)
        stages, types = self.t.vocabulary("stage"), self.t.vocabulary("audit_type")
        needle = self.query_one("#filter", Input).value.strip().lower()
        listed = [s for s in self.summaries if needle in " ".join(
            (s.project_no, s.organisation, types.get(s.audit_type, ""), stages.get(s.stage, ""), s.star)).lower()]
        listed.sort(key=self._sort_key, reverse=self.sort == "total")
        keep = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value if table.row_count else None
        rows = [(s.project_no, "…", "…", "…", "…", "…") if s.project_no in self._pending else
                (s.project_no, types.get(s.audit_type, s.audit_type), stages.get(s.stage, s.stage), s.total, s.star,
                 s.organisation if not s.error else f"! {s.error}") for s in listed]
        rows = [(shown(a), shown(b), shown(c), shown(d), shown(e), shown(f)) for a, b, c, d, e, f in rows]
        self._columns(rows)
        for row in rows:
            table.add_row(*(Text(cell) for cell in row), key=row[0])  # Text: a "[" in a name is not markup
        if keep in {s.project_no for s in listed}:
            table.move_cursor(row=table.get_row_index(keep))
        self._title(f"{self.t('browser.count', shown=len(listed), total=len(self.summaries))}  {self.t(f'sort.{self.sort}')}")
        if not self.summaries:
            self.status(self.t("browser.empty"))

    def _title(self, what: str) -> None:
        self.query_one("#browser-title", Label).update(
            f"auditdesk  {self.t('screen.browser')}: {what}  {self.t('browser.user', user=shown(self.desk.user.name))}")

    def _sort_key(self, s: Summary) -> tuple[object, ...]:
        if self.sort == "organisation":
            return (s.organisation, s.project_no)
        if self.sort == "stage":
            return (STAGE_ORDER.index(s.stage) if s.stage in STAGE_ORDER else len(STAGE_ORDER), s.project_no)
        if self.sort == "total":
            return (float(s.total or 0), s.project_no)
        return (s.project_no,)

    def on_input_changed(self, event: Input.Changed) -> None:
        self.show_list()

    def on_input_submitted(self) -> None:
        """Enter in the filter opens the one audit it leaves, else goes to the list."""
        table = self.query_one(AuditList)
        table.focus()
        project_no = table.highlighted()
        if table.row_count == 1 and project_no is not None:
            self.post_message(self.Open(project_no))

    def on_key(self, event: events.Key) -> None:
        """Typing anything that is not a key of this screen starts the filter."""
        filter_input = self.query_one("#filter", Input)
        if filter_input.has_focus:
            if event.key in ("down", "escape"):
                event.stop()
                if event.key == "escape":
                    filter_input.value = ""
                self.query_one(AuditList).focus()
            return
        if event.is_printable and event.character and event.key not in self.active_bindings:
            event.stop()
            filter_input.focus()
            filter_input.insert_text_at_cursor(event.character)

    def action_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    def action_sort(self) -> None:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self.show_list()

    def action_new(self) -> None:
        from auditdesk.tui.dialogs.form import Field, FormDialog

        catalogs = self.store.catalogs.all()
        types = self.t.vocabulary("audit_type")
        fields = [
            Field("project_no", self.t("new.project_no")),
            Field("organisation", self.t("new.organisation")),
            Field("audit_type", self.t("new.type"), "initial", tuple((code, types[code]) for code in AUDIT_TYPES)),
            Field("catalog", self.t("new.catalog"), catalogs[-1].label, tuple((c.label, c.label) for c in catalogs)),
            Field("previous", self.t("new.previous")),
        ]

        def check(values: dict[str, str]) -> tuple[str, str] | None:
            project_no = values["project_no"].strip()
            why = check_project_no(project_no)
            if why:
                return "project_no", why
            if self.store.exists(project_no):
                return "project_no", self.t("new.exists", project_no=project_no)
            previous = values["previous"].strip()
            if previous:
                if check_project_no(previous) or not self.store.exists(previous):
                    return "previous", self.t("new.no_previous", project_no=shown(previous))
                if values["audit_type"] == "initial":
                    return "audit_type", self.t("new.follow_type")
            elif not values["organisation"].strip():
                return "organisation", self.t("new.org_missing")
            return None

        def create(values: dict[str, str] | None) -> None:
            if values:
                self.post_message(self.Create(NewAudit(values["project_no"].strip(), values["organisation"].strip(),
                                                       values["audit_type"], values["catalog"], values["previous"].strip())))

        self.app.push_screen(FormDialog(self.t("new.title"), fields, check), create)
