"""The first screen: every audit in the store, filtered by typing, sorted by key."""

from __future__ import annotations

from dataclasses import dataclass

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Footer, Input, Label

from auditdesk.store.audits import AuditStore, Summary
from auditdesk.store.document import AUDIT_TYPES, check_project_no
from auditdesk.store.stages import ORDER
from auditdesk.tui.screens.base import DeskScreen
from auditdesk.tui.screens.form import Field, FormDialog
from auditdesk.tui.widgets.status_line import StatusLine

SORTS = ("project", "organisation", "stage", "total")


@dataclass(frozen=True)
class NewAudit:
    project_no: str
    organisation: str
    audit_type: str
    catalog: str


class AuditList(DataTable[str]):
    """The audits; Enter opens the highlighted one."""

    BINDINGS = [Binding("enter", "open", "key.open", id="browser.open")]

    def action_open(self) -> None:
        if self.row_count:
            self.post_message(BrowserScreen.Open(str(self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value)))


class BrowserScreen(DeskScreen):
    CSS_PATH = "browser.tcss"
    BINDINGS = [
        Binding("n", "new", "key.new", id="browser.new"),
        Binding("s", "sort", "key.sort", id="browser.sort"),
        Binding("slash", "filter", "key.filter", id="browser.filter"),
    ]

    class Open(Message):
        def __init__(self, project_no: str) -> None:
            super().__init__()
            self.project_no = project_no

    class Create(Message):
        def __init__(self, new: NewAudit) -> None:
            super().__init__()
            self.new = new

    def __init__(self, store: AuditStore) -> None:
        super().__init__()
        self.store = store
        self.summaries: list[Summary] = []
        self.sort = SORTS[0]

    def compose(self) -> ComposeResult:
        yield Label(id="browser-title", markup=False)
        yield Input(placeholder=self.t("browser.filter"), compact=True, id="filter")
        yield AuditList(cursor_type="row", id="audits")
        yield StatusLine()
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(AuditList)
        for column in ("project", "type", "stage", "total", "star", "organisation"):
            table.add_column(self.t(f"col.{column}"), key=column)
        table.focus()

    def on_screen_resume(self) -> None:
        """Re-read the store: audits change while other views are open."""
        self.summaries = self.store.summaries()
        self.show_list()

    def show_list(self) -> None:
        table = self.query_one(AuditList)
        stages, types = self.t.vocabulary("stage"), self.t.vocabulary("audit_type")
        needle = self.query_one("#filter", Input).value.strip().lower()
        shown = [s for s in self.summaries if needle in " ".join(
            (s.project_no, s.organisation, types.get(s.audit_type, ""), stages.get(s.stage, ""), s.star)).lower()]
        shown.sort(key=self._sort_key, reverse=self.sort == "total")
        keep = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value if table.row_count else None
        table.clear()
        for s in shown:
            organisation = s.organisation if not s.error else f"! {s.error}"
            table.add_row(s.project_no, types.get(s.audit_type, s.audit_type), stages.get(s.stage, s.stage), s.total,
                          s.star, organisation, key=s.project_no)
        if keep in {s.project_no for s in shown}:
            table.move_cursor(row=table.get_row_index(keep))
        title = self.t("browser.count", shown=len(shown), total=len(self.summaries))
        self.query_one("#browser-title", Label).update(
            f"auditdesk  {self.t('screen.browser')}: {title}  {self.t(f'sort.{self.sort}')}  "
            f"{self.t('browser.user', user=self.desk.user.name)}")
        if not self.summaries:
            self.status(self.t("browser.empty"))

    def _sort_key(self, s: Summary) -> tuple[object, ...]:
        if self.sort == "organisation":
            return (s.organisation, s.project_no)
        if self.sort == "stage":
            return (ORDER.index(s.stage) if s.stage in ORDER else len(ORDER), s.project_no)
        if self.sort == "total":
            return (float(s.total or 0), s.project_no)
        return (s.project_no,)

    def on_input_changed(self, event: Input.Changed) -> None:
        self.show_list()

    def on_input_submitted(self) -> None:
        self.query_one(AuditList).focus()

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
        catalogs = self.store.catalogs.all()
        types = self.t.vocabulary("audit_type")
        fields = [
            Field("project_no", self.t("new.project_no")),
            Field("organisation", self.t("new.organisation")),
            Field("audit_type", self.t("new.type"), "initial", tuple((code, types[code]) for code in AUDIT_TYPES)),
            Field("catalog", self.t("new.catalog"), catalogs[-1].label, tuple((c.label, c.label) for c in catalogs)),
        ]

        def check(values: dict[str, str]) -> tuple[str, str] | None:
            project_no = values["project_no"].strip()
            why = check_project_no(project_no)
            if why:
                return "project_no", why
            if self.store.exists(project_no):
                return "project_no", self.t("new.exists", project_no=project_no)
            if not values["organisation"].strip():
                return "organisation", self.t("new.org_missing")
            return None

        def create(values: dict[str, str] | None) -> None:
            if values:
                self.post_message(self.Create(NewAudit(values["project_no"].strip(), values["organisation"].strip(),
                                                       values["audit_type"], values["catalog"])))

        self.app.push_screen(FormDialog(self.t("new.title"), fields, check), create)
