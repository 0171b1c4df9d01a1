"""Report provenance: which revision a report is, and whether it is an approved one.

An approval is a commit (the audit moves to `approved`) plus an annotated
tag `approved/<project>/<n>` on it, whose message records who, when, the
auditdesk version, the SHA-256 of the audit file, of its report as Markdown
and as HTML, and of each chart.  Every report ends with a footer naming the
audit, its own last revision, the auditdesk that rendered it and its charts'
hashes.

`verify` checks a report file (Markdown or HTML) against the hashes recorded
at approval first: a report that was issued stays verified after an upgrade
changes how reports render.  Only when no recorded hash matches does it
render that revision again with the installed code, to say what the file is
and where it differs.  A Markdown report's charts sit beside it, named for
its revision; each must match the hash recorded for it.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditdesk.errors import AuditdeskError
from auditdesk.report.output import report_text
from auditdesk.store.audits import AuditStore
from auditdesk.store.git import GitError, Tag

FOOTER = re.compile(r"^报告来源：(?P<audit>\S+) · 修订 (?P<rev>[0-9a-f]{7,64}|未保存) · ")
_TAGS = re.compile(r"<[^>]*>")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Issued:
    """A revision's report exactly as auditdesk writes it: Markdown with its charts, and HTML."""

    markdown: bytes
    html: bytes
    charts: dict[str, bytes]


def issued(store: AuditStore, project_no: str, commit: str) -> Issued:
    """The report of `project_no` at `commit` (its own revision) in both formats."""
    loaded = store.load(project_no, commit)
    markdown, charts = report_text(loaded.audit, loaded.catalog, commit, "md")
    page, _ = report_text(loaded.audit, loaded.catalog, commit, "html")
    return Issued(markdown.encode("utf-8"), page.encode("utf-8"), charts)


def report_bytes(store: AuditStore, project_no: str, commit: str) -> bytes:
    """The Markdown report of `project_no` exactly as `auditdesk report` renders it at `commit`."""
    return issued(store, project_no, commit).markdown


def approval_fields(report: Issued) -> str:
    """The tag message lines that pin what approval issued (`verify` reads them back)."""
    charts = " ".join(f"{name}={sha256(data)}" for name, data in report.charts.items())
    return f"report-html-sha256: {sha256(report.html)}\ncharts-sha256: {charts}\n"


def tag_fields(tag: Tag) -> dict[str, str]:
    """The ``key: value`` lines an approval tag records (approved-by, report-sha256, …)."""
    return dict(re.findall(r"^([a-z0-9-]+): (.*)$", tag.message, re.MULTILINE))


@dataclass(frozen=True)
class Verdict:
    ok: bool
    message: str


def _footer(text: str, is_html: bool) -> re.Match[str] | None:
    if is_html:
        text = html.unescape(_TAGS.sub("\n", text))
    found = [m for m in (FOOTER.match(line.strip()) for line in text.splitlines()) if m]
    return found[-1] if found else None


def verify(store: AuditStore, path: Path) -> Verdict:
    """Is the file byte for byte a report of an approved revision, as issued? If not, say what it is."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise AuditdeskError(f"{path}: cannot read: {exc.strerror}") from None
    text = data.decode("utf-8", "replace")
    is_html = path.suffix.lower() in (".html", ".htm") or text.lstrip().lower().startswith("<!doctype html")
    footer = _footer(text, is_html)
    if footer is None:
        return Verdict(False, f"{path}: no auditdesk provenance footer (报告来源：…); not a report auditdesk rendered, or the footer was removed")
    project_no, rev = footer.group("audit").replace("\\", ""), footer.group("rev")
    if rev == "未保存":
        return Verdict(False, f"{path}: the report of an unsaved version of {project_no}; it matches no revision")
    try:
        commit = store.repo.resolve(rev)
    except GitError:
        return Verdict(False, f"{path}: claims {project_no} revision {rev}, which this store does not have (sync first?)")
    approvals = [t for t in store.repo.tags(f"approved/{project_no}") if t.commit == commit]
    kind = "HTML" if is_html else "Markdown"
    checked = {a.tag: a for a in store.trust.approvals_of(project_no, commit)} if approvals else {}
    holding = [t for t in approvals if t.name in checked and not checked[t.name].problems]
    for tag in reversed(holding):  # the hash recorded at approval first: no re-rendering needed
        fields = tag_fields(tag)
        if fields.get("report-html-sha256" if is_html else "report-sha256") == sha256(data):
            return _charts_as_approved(path, text, is_html, fields) or _verified(path, project_no, commit, kind, tag, checked)
    report = issued(store, project_no, commit)
    expected = report.html if is_html else report.markdown
    if expected != data:
        return Verdict(False, f"{path}: claims {project_no} revision {commit[:12]} but differs from it: {first_difference(expected, data)}")
    if not approvals:
        return Verdict(False, f"{path}: exactly the report of {project_no} revision {commit[:12]}, which is NOT an approved revision")
    if not holding:
        tag = approvals[-1]
        why = checked[tag.name].problems[0] if tag.name in checked and checked[tag.name].problems else "it cannot be checked"
        return Verdict(False, f"{path}: the report of {project_no} revision {commit[:12]}, but its approval {tag.name} "
                              f"does not hold: {why}")
    tag = holding[-1]
    fields = tag_fields(tag)
    if "report-html-sha256" not in fields and is_html:  # approved before HTML reports were pinned
        return _verified(path, project_no, commit, "HTML, by rendering again", tag, checked)
    return Verdict(False, f"{path}: matches revision {commit[:12]} as this auditdesk renders it, but not the report "
                          f"recorded in {tag.name}")


def _verified(path: Path, project_no: str, commit: str, kind: str, tag: Tag, checked: dict[str, Any]) -> Verdict:
    fields = tag_fields(tag)
    approval = checked[tag.name]
    who = fields.get("approved-by", tag.tagger) + (f" ({approval.person})" if approval.person else "")
    version = f", rendered by auditdesk {fields['auditdesk-version']}" if "auditdesk-version" in fields else ""
    return Verdict(True, f"{path}: verified: the report of {project_no} revision {commit[:12]} ({kind}), approved by "
                         f"{who} at {fields.get('approved-at', '')} (tag {tag.name}; tag {approval.signature.describe()}, "
                         f"commit {approval.commit_signature.describe()}{version})")


def _charts_as_approved(path: Path, text: str, is_html: bool, fields: dict[str, str]) -> Verdict | None:
    """A Markdown report's charts beside it must be the ones approved; None when they are."""
    if is_html:
        return None  # embedded: the page's own hash covers them
    recorded = dict(pair.split("=", 1) for pair in fields.get("charts-sha256", "").split() if "=" in pair)
    for name, digest in recorded.items():
        if name not in text:
            continue
        chart = path.parent / name
        try:
            found = sha256(chart.read_bytes())
        except OSError:
            return Verdict(False, f"{path}: the report is as approved, but its chart {name} is missing beside it")
        if found != digest:
            return Verdict(False, f"{path}: the report is as approved, but its chart {name} is not the approved one "
                                  f"(sha256 {found[:16]}…, approved {digest[:16]}…)")
    return None


def first_difference(expected: bytes, actual: bytes) -> str:
    want, got = expected.decode("utf-8", "replace").splitlines(), actual.decode("utf-8", "replace").splitlines()
    for number, (a, b) in enumerate(zip(want, got, strict=False), start=1):
        if a != b:
            return f"line {number}: expected {a[:80]!r}, found {b[:80]!r}"
    if len(want) != len(got):
        return f"line {min(len(want), len(got)) + 1}: the file has {len(got)} lines, the report {len(want)}"
    return "line endings or a final newline differ"
