"""Review: approval status, the audit's history, what changed, and the reviewer's moves.

The diff is semantic (`diff_audits`): "B17: 95 -> 97 (score 2.85 -> 2.91)",
"B17 note: ...", "team member 李四 added: ...", one change a line, exactly
what `auditdesk diff` prints; `f` narrows it to the scores, or to the scores
and the evidence (notes, N/A reasons, samples, special items).  By default
the newest revision is compared with the one this user last looked at here
(`Seen`), else with the one that returned it to the team (a resubmission then
shows all that was done since), else with the one submitted for review, else
with the revision before it; `m` marks another base.  The
history is read again every time the view is shown, so others' commits
appear.  Space and `b` page through the changes.  A reviewer returns (`r`),
approves (`a`) or reopens (`o`) here;
comments travel with the approval, reasons with a return or reopening,
since nothing else may change an audit under review.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static

from auditdesk.audit.diff import AuditDiff, Group, diff_audits
from auditdesk.audit.workflow import RETURNABLE, Reviewers, approve, reopen, return_to
from auditdesk.desk.actions import status
from auditdesk.errors import AuditdeskError
from auditdesk.paths import seen_path
from auditdesk.store.audits import Summary
from auditdesk.store.git import GitError, Revision
from auditdesk.tui.dialogs.form import Check, Field, FormDialog
from auditdesk.tui.labels import diff_text
from auditdesk.tui.screens.base import AuditScreen
from auditdesk.tui.seen import Seen
from auditdesk.tui.session import AuditSession, Change, Outdated
from auditdesk.tui.shown import shown


def submitted(history: list[tuple[Revision, Summary]]) -> str | None:
    """The newest revision that moved the audit to review (history is newest first)."""
    for i, (revision, summary) in enumerate(history):
        before = history[i + 1][1].stage if i + 1 < len(history) else None
        if summary.stage == "review" and before != "review":
            return revision.commit
    return None


def returned(history: list[tuple[Revision, Summary]]) -> str | None:
    """The newest revision that returned the audit from review to the team (history is newest first)."""
    for i, (revision, summary) in enumerate(history[:-1]):
        if summary.stage != "review" and history[i + 1][1].stage == "review":
            return revision.commit
    return None


def when(iso: str) -> str:
    """An ISO time from an approval record, as the history shows times."""
    try:
        return f"{dt.datetime.fromisoformat(iso):%Y-%m-%d %H:%M}"
    except ValueError:
        return iso


class ReviewScreen(AuditScreen):
    MODE = "review"
    EDITS = False
    BINDINGS = [
        Binding("m", "mark", "key.mark", id="review.mark"),
        Binding("f", "filter", "key.review_filter", id="review.filter"),
        Binding("space", "scroll_diff(1)", "key.diff_down", id="review.diff_down", show=False),
        Binding("b", "scroll_diff(-1)", "key.diff_up", id="review.diff_up", show=False),
        Binding("r", "return_audit", "key.return", id="review.return"),
        Binding("a", "approve", "key.approve", id="review.approve"),
        Binding("o", "reopen", "key.reopen", id="review.reopen"),
    ]

    def __init__(self, session: AuditSession) -> None:
        super().__init__(session)
        self.revisions: list[Revision] = []
        self.base: str | None = None
        """A revision marked to compare against (m)."""
        self.since: str | None = None
        """The default base of this visit; `since_kind` says why (seen, submission)."""
        self.since_kind = ""
        self._seen_head: str | None = None
        """The newest revision recorded as seen during this visit."""
        self._shown: tuple[int, str | None] | None = None
        """(session edits, store HEAD) when the history was last read: unchanged, it is not read again."""
        self._diffs: dict[tuple[str, str], AuditDiff] = {}
        self.group: Group = "everything"
        """Which changes the diff shows (f cycles: everything, scores, scores and evidence)."""
        self.seen = Seen(seen_path(), session.store.root, session.user)

    def compose_body(self) -> ComposeResult:
        yield Static(id="review-info", markup=False)
        yield DataTable(cursor_type="row", id="history")
        with VerticalScroll(id="diff-scroll", can_focus=False):
            yield Static(id="diff")

    def on_mount(self) -> None:
        super().on_mount()
        table = self.query_one("#history", DataTable)
        for column in ("revision", "date", "author", "stage", "total"):
            table.add_column(self.t(f"col.{column}"), key=column)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Return and approve exist under review, reopening once approved."""
        stage = self.session.audit.stage
        if action in ("return_audit", "approve"):
            return stage == "review"
        if action == "reopen":
            return stage == "approved"
        return True

    def on_screen_resume(self) -> None:
        """Take up others' newer revision first (every view then re-reads it)."""
        if self.session.refresh():
            self.desk.generation += 1
        else:
            super().on_screen_resume()

    def show_audit(self, reloaded: bool = False) -> None:
        """Read the history and the approval status again, if anything was committed since."""
        state = (self.session.edits, self.session.store.repo.head())
        if state == self._shown:
            return
        self._shown = state
        self.refresh_bindings()
        self._show_info()
        table = self.query_one("#history", DataTable)
        keep = self.revisions[table.cursor_row].commit if self.revisions else None
        stages = self.t.vocabulary("stage")
        try:
            history = self.session.store.history(self.session.project_no)
        except (AuditdeskError, GitError) as exc:
            self.status(self.desk.error_text(exc), error=True)
            return
        table.clear()
        self.revisions = [revision for revision, _ in history]
        for revision, summary in history:
            cells = (revision.commit[:7], f"{revision.date:%Y-%m-%d %H:%M}", revision.author,
                     stages.get(summary.stage, summary.stage), summary.total)
            table.add_row(*(Text(shown(cell)) for cell in cells), key=revision.commit)  # an author is anyone's text
        newest = self.revisions[0].commit if self.revisions else None
        if newest != self._seen_head:
            self._choose_since(history)
            self.seen.put(self.session.project_no, newest or "")
            self._seen_head = newest
        elif keep is not None and keep in table.rows:
            table.move_cursor(row=table.get_row_index(keep))
        table.focus()
        self._show_diff()

    def _choose_since(self, history: list[tuple[Revision, Summary]]) -> None:
        """The default base: what this user saw last, else the return to the team (what was
        done since the reviewer sent it back), else the submission, else each one's predecessor."""
        commits = [revision.commit for revision, _ in history]
        last_seen = self._seen_head or self.seen.get(self.session.project_no)
        submission = submitted(history)
        self.since, self.since_kind = None, ""
        for candidate, kind in ((last_seen, "seen"), (returned(history), "return"), (submission, "submission")):
            if candidate in commits[1:]:
                self.since, self.since_kind = candidate, kind
                return

    def _show_info(self) -> None:
        """Approval (valid or void, and why), the last stage move with its reason, review comments."""
        t, audit = self.t, self.session.audit
        text = Text()
        history: list[str] = []
        try:
            info = status(self.session.store, self.session.project_no)
            approval, history = info["approval"], info["history_problems"] or []
        except (AuditdeskError, GitError) as exc:
            approval, text = None, Text(f"! {self.desk.error_text(exc)}\n")
        if approval is None:
            text.append(t("review.not_approved"))
        else:
            by, at, tag = shown(approval["by"].split(" <")[0]), shown(when(approval["at"])), shown(approval["tag"])
            if approval["person"]:
                by += f" ({shown(approval['person'])})"
            if approval["valid"]:
                text.append(t("review.approval_valid", by=by, at=at, tag=tag), style="bold")
            elif approval["content"]:
                text.append(t("review.approval_invalid", by=by, at=at, tag=tag, why=shown(approval["problems"][0])), style="bold")
            else:
                changed = ", ".join(shown(name) for name in approval["changed"])
                text.append(t("review.approval_void", by=by, at=at, tag=tag, changed=changed), style="bold")
            text.append("\n" + t("review.signatures", tag=shown(approval["signature"]["text"]),
                                  commit=shown(approval["commit_signature"]["text"])))
        if history:
            text.append("\n" + t("review.history", count=len(history), first=shown(history[0])), style="bold")
        if audit.transitions:
            last = audit.transitions[-1]
            text.append("\n" + t("review.last_move", stage=t.vocabulary("stage")[last.to], by=shown(last.by),
                                  at=f"{last.at:%Y-%m-%d %H:%M}"))
            if last.reason:
                text.append("\n" + t("review.reason", reason=shown(last.reason, lines=True)))
        if audit.review.comments:
            text.append("\n" + t("review.comments", comments=shown(audit.review.comments, lines=True)))
        self.query_one("#review-info", Static).update(text)

    def on_data_table_row_highlighted(self) -> None:
        self._show_diff()

    def action_mark(self) -> None:
        table = self.query_one("#history", DataTable)
        if self.revisions:
            commit = self.revisions[table.cursor_row].commit
            self.base = None if self.base == commit else commit
            self._show_diff()

    def action_scroll_diff(self, pages: int) -> None:
        """Page through the changes while the history keeps the focus (space and b, as in less)."""
        scroll = self.query_one("#diff-scroll", VerticalScroll)
        scroll.scroll_to(y=scroll.scroll_y + pages * max(1, scroll.size.height - 1), animate=False)

    def action_filter(self) -> None:
        order: list[Group] = ["everything", "scores", "evidence"]
        self.group = order[(order.index(self.group) + 1) % len(order)]
        self._show_diff()

    def _show_diff(self) -> None:
        table = self.query_one("#history", DataTable)
        if not self.revisions:
            return
        row = table.cursor_row
        new = self.revisions[row]
        order = {revision.commit: i for i, revision in enumerate(self.revisions)}
        old, how = (self.revisions[row + 1].commit if row + 1 < len(self.revisions) else None), "review.against_parent"
        for base, kind in ((self.base, "review.against_mark"), (self.since, f"review.since_{self.since_kind}")):
            if base is not None and order.get(base, -1) > row:  # a base older than the highlighted revision
                old, how = base, kind
                break
        text = Text()
        text.append(shown(new.message.splitlines()[0] if new.message else "") + "\n", style="bold")
        signature = self._signature(new.commit)
        if signature:
            text.append(signature + "\n")
        if old is None:
            text.append(self.t("review.first", new=new.commit[:7]))
        else:
            text.append(self.t(how, new=new.commit[:7], old=old[:7]) + "\n")
            try:
                text.append(shown(self._diff_text(old, new.commit), lines=True))
            except (AuditdeskError, GitError) as exc:
                text.append(f"! {self.desk.error_text(exc)}")
        self.query_one("#diff", Static).update(text)

    def _signature(self, commit: str) -> str:
        """Whose key signed this revision, where the store has a registry to check it against."""
        store = self.session.store
        try:
            if store.people is None:
                return ""
            return self.t("review.signature", text=shown(store.trust.commit_signature(commit).describe()))
        except (AuditdeskError, GitError) as exc:
            return f"! {self.desk.error_text(exc)}"

    def _diff(self, old: str, new: str) -> AuditDiff:
        """What changed from revision `old` to `new` (kept: revisions do not change)."""
        if (old, new) not in self._diffs:
            store, project_no = self.session.store, self.session.project_no
            before, after = store.load(project_no, rev=old), store.load(project_no, rev=new)
            self._diffs[old, new] = diff_audits(before.audit, after.audit, after.catalog, before.catalog)
        return self._diffs[old, new]

    def _diff_text(self, old: str, new: str) -> str:
        """The changes the filter lets through, one a line, and what it hides."""
        change = self._diff(old, new)
        if change.empty:
            return self.t("review.no_changes")
        if self.group == "everything" and self.t.language != "en":  # the app's own words in Chinese
            shown = diff_text(change, self.t).splitlines()
            hidden = 0
        else:  # the domain's words (as in `auditdesk diff` and git log -p)
            shown = change.lines(self.group)
            hidden = len(change.lines()) - len(shown)
        what = self.t(f"review.filter.{self.group}")
        head = self.t("review.showing", what=what, key=self.desk.key_of("review.filter"))
        if hidden:
            head += " " + self.t("review.hidden", n=hidden)
        return head + "\n" + ("\n".join(shown) if shown else self.t("review.nothing_here"))

    # --- the reviewer's moves ------------------------------------------------

    def _reviewers(self) -> Reviewers | None:
        """The store's reviewers, or None (with the reason shown) when its config is broken."""
        try:
            return self.session.store.reviewers
        except AuditdeskError as exc:
            self.status(self.desk.error_text(exc), error=True)
            return None

    def _ask_then_move(self, probe: Change, dialog: FormDialog, change: Callable[[dict[str, str]], Change]) -> None:
        """Check the move on a copy (`probe`), ask for its text, then commit `change(answers)`."""
        if not self.desk.ready_to_move() or self.desk.refused(self.session, probe):
            return

        def done(values: dict[str, str] | None) -> None:
            if values is not None:
                self.desk.move(change(values))

        self.app.push_screen(dialog, done)

    def action_return_audit(self) -> None:
        reviewers = self._reviewers()
        if reviewers is None:
            return
        t, user, session = self.t, self.desk.user, self.session
        stages = t.vocabulary("stage")
        fields = [
            Field("stage", t("return.stage"), "conclusion", tuple((stage, stages[stage]) for stage in RETURNABLE)),
            Field("reason", t("return.reason"), multiline=True),
        ]

        def change(values: dict[str, str]) -> Change:
            now = session.now()
            return lambda audit: return_to(audit, values["stage"], values["reason"], user, reviewers, now)

        dialog = FormDialog(t("return.title", project_no=session.project_no), fields, self._required("reason"))
        self._ask_then_move(change({"stage": "conclusion", "reason": "?"}), dialog, change)

    def action_reopen(self) -> None:
        reviewers = self._reviewers()
        if reviewers is None:
            return
        t, user, session = self.t, self.desk.user, self.session

        def change(values: dict[str, str]) -> Change:
            now = session.now()
            return lambda audit: reopen(audit, values["reason"], user, reviewers, now)

        dialog = FormDialog(t("reopen.title", project_no=session.project_no),
                            [Field("reason", t("reopen.reason"), multiline=True)], self._required("reason"), t("reopen.text"))
        self._ask_then_move(change({"reason": "?"}), dialog, change)

    def action_approve(self) -> None:
        reviewers = self._reviewers()
        session, desk = self.session, self.desk
        if reviewers is None:
            return
        base = session.base
        if not desk.ready_to_move():
            return
        if session.base != base:  # someone changed it: the reviewer looks first
            self.status(self.t("move.outdated"), error=True)
            return
        user, now = desk.user, session.now()
        if desk.refused(session, lambda audit: approve(audit, user, reviewers, now)):
            return
        t = self.t
        fields = [Field("comments", t("approve.comments"), session.audit.review.comments, multiline=True)]

        def done(values: dict[str, str] | None) -> None:
            if values is None:
                return
            try:
                tag = session.approve(values["comments"])
            except Outdated:
                desk.ready_to_move()
                self.status(t("move.outdated"), error=True)
                return
            except (AuditdeskError, GitError) as exc:
                self.status(self.desk.error_text(exc), error=True)
                return
            desk.moved(t("save.approved", tag=tag), None)

        self.app.push_screen(FormDialog(t("approve.title", project_no=session.project_no), fields, None, t("approve.text")), done)

    def _required(self, name: str) -> Check:
        return lambda values: None if values[name].strip() else (name, self.t("error.required"))
