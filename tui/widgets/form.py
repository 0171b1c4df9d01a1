"""A form bound to fields of the audit by dotted path, described as data.

The planning and conclusion screens are lists of `Spec`s; this widget builds
the rows, says every valid change at once (`Changed`, with the path and the
value: the screen puts it in the audit, so nothing typed waits in a widget),
keeps invalid text on screen with the reason, shows the document's own
consistency problems (`audit_problems`) at the field they name, a failed
save at the fields it held, and hides fields that do not apply (remote
facts without remote auditing).  Saving is the screen's business.

Stored text is shown with control characters escaped (`shown`); a field
whose text is still what was shown is unchanged, so merely showing an odd
value never rewrites it.  Entering a one-line field selects its text, so
typing replaces it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce
from typing import Any, Literal

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Label, TextArea

from auditdesk.audit.document import Audit, audit_problems
from auditdesk.criteria.catalog import Catalog
from auditdesk.safetext import unsafe_characters
from auditdesk.tui.i18n import MESSAGES, Translator
from auditdesk.tui.shown import shown
from auditdesk.tui.values import parse_date, show_date
from auditdesk.tui.widgets.choice_field import ChoiceField
from auditdesk.tui.widgets.record_list import RecordList

Kind = Literal["text", "area", "lines", "date", "choice", "records", "info", "heading"]
Options = Callable[[Translator, Catalog], list[tuple[Any, str]]]
AuditTest = Callable[[Audit, Catalog], bool]


@dataclass(frozen=True)
class Spec:
    """One row of a form.

    `path` names the audit attribute (planning.contact.name); `label` is a
    message id.  `options` lists (value, label) for a choice; `record` and
    `columns` describe the rows of a records table; `info` computes the text
    of a read-only row; `check` returns a problem to show at the field.
    """

    path: str
    label: str
    kind: Kind = "text"
    options: Options | None = None
    when: AuditTest | None = None
    record: type | None = None
    columns: tuple[str, ...] = ()
    info: Callable[[Audit, Catalog, Translator], str] | None = None
    check: Callable[[Audit, Catalog, Translator], str | None] | None = None

    @property
    def id(self) -> str:
        return "f-" + self.path.replace(".", "-")


def get(audit: Audit, path: str) -> Any:
    return reduce(getattr, path.split("."), audit)


class Form(VerticalScroll):
    class Changed(Message):
        """A field holds a new valid value for `path` (`save`: a whole step, save now)."""

        def __init__(self, path: str, value: Any, save: bool) -> None:
            super().__init__()
            self.path = path
            self.value = value
            self.save = save

    def __init__(self, specs: list[Spec], audit: Callable[[], Audit], catalog: Catalog, t: Translator,
                 rejected: dict[str, str], unsaved: dict[str, str] | None = None) -> None:
        """`rejected` collects fields holding invalid text (path: label) for the session;
        `unsaved` (read) holds why the last save of a field failed."""
        super().__init__(can_focus=False)
        self.specs = specs
        self._by_id = {spec.id: spec for spec in specs}
        self.audit = audit
        """Returns the audit being edited: the session may replace it (reload)."""
        self.catalog = catalog
        self.t = t
        self.rejected = rejected
        self.unsaved = unsaved if unsaved is not None else {}

    def compose(self) -> ComposeResult:
        for spec in self.specs:
            if spec.kind == "heading":
                yield Label(self.t(spec.label), id=spec.id, classes="form-heading", markup=False)
                continue
            with Horizontal(classes="form-row", id=f"row-{spec.id}"):
                yield Label(self.t(spec.label), classes="form-label", markup=False)
                with Vertical(classes="form-value"):
                    yield self._widget(spec)
                    error = Label("", id=f"error-{spec.id}", classes="form-error", markup=False)
                    error.display = False
                    yield error

    def _widget(self, spec: Spec) -> Widget:
        if spec.kind in ("area", "lines"):
            return TextArea(soft_wrap=True, id=spec.id)
        if spec.kind == "choice":
            assert spec.options is not None
            options = spec.options(self.t, self.catalog)
            return ChoiceField(options, options[0][0], id=spec.id)
        if spec.kind == "records":
            assert spec.record is not None
            return RecordList(spec.path, spec.record, spec.columns, self.t, id=spec.id)
        if spec.kind == "info":
            return Label("", id=spec.id, markup=False)
        return Input(compact=True, select_on_focus=True, id=spec.id, placeholder="YYYY-MM-DD" if spec.kind == "date" else "")

    def on_mount(self) -> None:
        self._lookup: dict[str, Widget] = {}
        self.load()

    def _node(self, selector: str) -> Widget:
        """A row, field or error line by id, looked up once (the form runs this for every row on every change)."""
        node = self._lookup.get(selector)
        if node is None:
            node = self._lookup[selector] = self.query_one(selector)
        return node

    def load(self, paths: set[str] | None = None) -> None:
        """Show the audit's values in every field (after opening, a reload, an undo), or in those of `paths`."""
        audit = self.audit()
        for spec in self.specs:
            if spec.kind in ("heading", "info") or spec.path in self.rejected or (paths is not None and spec.path not in paths):
                continue  # a field holding rejected text keeps it: nothing typed is lost
            value = get(audit, spec.path)
            widget = self.query_one(f"#{spec.id}")
            if isinstance(widget, RecordList):
                widget.records = value
            elif isinstance(widget, ChoiceField):
                widget.value = value
            elif isinstance(widget, TextArea):
                if widget.text != self._show(spec, value):
                    widget.load_text(self._show(spec, value))
            elif isinstance(widget, Input) and widget.value != self._show(spec, value):
                widget.value = self._show(spec, value)
        self.show_state()

    @staticmethod
    def _show(spec: Spec, value: Any) -> str:
        if spec.kind == "date":
            return show_date(value)
        if spec.kind == "lines":
            return "\n".join(shown(line) for line in value)
        return shown(value or "", lines=spec.kind == "area")

    def _parse(self, spec: Spec, text: str) -> Any:
        """The model value of typed text; ValueError with a message when it is not valid."""
        bad = unsafe_characters(text, allow="\n\t" if spec.kind in ("area", "lines") else "")
        if bad:
            raise ValueError(self.t("error.control", chars=", ".join(f"U+{ord(c):04X}" for c in bad)))
        if spec.kind == "date":
            try:
                return parse_date(text)
            except ValueError:
                raise ValueError(self.t("error.date", text=text)) from None
        if spec.kind == "lines":
            return tuple(line.strip() for line in text.splitlines() if line.strip())
        return text.strip()

    def _problem(self, path: str, message: str) -> str:
        """A problem `audit_problems` found, in the app's language."""
        msgid = f"problem.{path}"
        return self.t(msgid) if self.t.language != "en" and msgid in MESSAGES else message

    def show_state(self) -> None:
        """Visibility, read-only rows, and problems: everything derived from the audit.

        Runs after every keystroke, so it touches only what changed (a display
        or text update relayouts the form).
        """
        audit = self.audit()
        problems: dict[str, str] = {}
        for path, message in audit_problems(audit, self.catalog):
            name = ".".join(map(str, path)).split("[")[0]
            problems.setdefault(name, self._problem(name, message))
        for spec in self.specs:
            row = self._node(f"#{spec.id}" if spec.kind == "heading" else f"#row-{spec.id}")
            shown_row = spec.when is None or spec.when(audit, self.catalog)
            if row.display != shown_row:
                row.display = shown_row
            if spec.kind == "heading":
                continue
            if spec.info:
                info = self._node(f"#{spec.id}")
                assert isinstance(info, Label)
                self._update(info, spec.info(audit, self.catalog, self.t))
            if spec.path not in self.rejected:
                unsaved = self.unsaved.get(spec.path)
                self._error(spec, problems.get(spec.path) or (spec.check(audit, self.catalog, self.t) if spec.check else None)
                            or (self.t("form.unsaved", error=shown(unsaved)) if unsaved else None))

    @staticmethod
    def _update(label: Label, text: str) -> None:
        if str(label.content) != text:
            label.update(text)

    def _error(self, spec: Spec, message: str | None) -> None:
        error = self._node(f"#error-{spec.id}")
        assert isinstance(error, Label)
        self._update(error, f"! {message}" if message else "")
        if error.display != bool(message):
            error.display = bool(message)

    def _take(self, spec: Spec, value: Any) -> None:
        """A widget's value changed: say so (the screen keeps it in the audit), or show why not."""
        if isinstance(value, ValueError):
            self.rejected[spec.path] = self.t(spec.label)
            self._error(spec, str(value))
            return
        was_rejected = self.rejected.pop(spec.path, None) is not None
        if get(self.audit(), spec.path) != value:
            self.post_message(self.Changed(spec.path, value, save=spec.kind == "records"))
        elif was_rejected:
            self.show_state()

    def _typed(self, spec: Spec, text: str) -> None:
        """Text typed into a field: unchanged while it still reads as the stored value is shown."""
        if text == self._show(spec, get(self.audit(), spec.path)):
            if self.rejected.pop(spec.path, None) is not None:
                self.show_state()
            return
        try:
            self._take(spec, self._parse(spec, text))
        except ValueError as exc:
            self._take(spec, exc)

    def on_input_changed(self, event: Input.Changed) -> None:
        spec = self._by_id.get(event.input.id or "")
        if spec:
            event.stop()
            self._typed(spec, event.value)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        spec = self._by_id.get(event.text_area.id or "")
        if spec:
            event.stop()
            self._typed(spec, event.text_area.text)

    def on_choice_field_changed(self, event: ChoiceField.Changed) -> None:
        spec = self._by_id.get(event.field.id or "")
        if spec:
            event.stop()
            self._take(spec, event.value)
