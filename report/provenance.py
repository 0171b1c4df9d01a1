"""Report provenance: which revision a report is, and whether it is an approved one.

An approval is a commit (the audit moves to `approved`) plus an annotated
tag `approved/<project>/<n>` on it, whose message records who, when, the
SHA-256 of the audit file and of its report.  Every report ends with a footer
naming the audit and revision, so `verify` can re-render that revision and
compare byte for byte.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from auditdesk.errors import AuditdeskError
from auditdesk.report.markdown import render
from auditdesk.store.audits import AuditStore
from auditdesk.store.git import Tag

FOOTER = re.compile(r"^报告来源：(?P<audit>\S+) · 修订 (?P<rev>[0-9a-f]{7,64}|未保存) · ")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def report_bytes(store: AuditStore, project_no: str, commit: str) -> bytes:
    """The report of `project_no` exactly as `auditdesk report` renders it at `commit`."""
    loaded = store.load(project_no, commit)
    return render(loaded.audit, loaded.catalog, revision=commit, content=loaded.data).markdown.encode("utf-8")


def tag_fields(tag: Tag) -> dict[str, str]:
    """The ``key: value`` lines an approval tag records (approved-by, report-sha256, …)."""
    return dict(re.findall(r"^([a-z0-9-]+): (.*)$", tag.message, re.MULTILINE))


@dataclass(frozen=True)
class Verdict:
    ok: bool
    message: str


def verify(store: AuditStore, path: Path) -> Verdict:
    """Is the file byte for byte the report of an approved revision? If not, say what it is."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise AuditdeskError(f"{path}: cannot read: {exc.strerror}") from None
    text = data.decode("utf-8", "replace")
    footers = [FOOTER.match(line) for line in text.splitlines()]
    found = [m for m in footers if m]
    if not found:
        return Verdict(False, f"{path}: no auditdesk provenance footer (报告来源：…); not a report auditdesk rendered, or the footer was removed")
    footer = found[-1]
    project_no, rev = footer.group("audit").replace("\\", ""), footer.group("rev")
    if rev == "未保存":
        return Verdict(False, f"{path}: the report of an unsaved version of {project_no}; it matches no revision")
    commit = store.repo.resolve(rev)
    expected = report_bytes(store, project_no, commit)
    if expected != data:
        return Verdict(False, f"{path}: claims {project_no} revision {commit[:12]} but differs from it: {first_difference(expected, data)}")
    approvals = [t for t in store.repo.tags(f"approved/{project_no}") if t.commit == commit]
    if not approvals:
        return Verdict(False, f"{path}: exactly the report of {project_no} revision {commit[:12]}, which is NOT an approved revision")
    checked = {a.tag: a for a in store.trust.approvals_of(project_no, commit)}
    holding = [t for t in approvals if t.name in checked and not checked[t.name].problems]
    if not holding:
        tag = approvals[-1]
        why = checked[tag.name].problems[0] if tag.name in checked and checked[tag.name].problems else "it cannot be checked"
        return Verdict(False, f"{path}: the report of {project_no} revision {commit[:12]}, but its approval {tag.name} "
                              f"does not hold: {why}")
    tag = holding[-1]
    fields = tag_fields(tag)
    if fields.get("report-sha256") != sha256(data):
        return Verdict(False, f"{path}: matches revision {commit[:12]} but not the report hash recorded in {tag.name}")
    approval = checked[tag.name]
    who = fields.get("approved-by", tag.tagger) + (f" ({approval.person})" if approval.person else "")
    return Verdict(True, f"{path}: verified: the report of {project_no} revision {commit[:12]}, approved by "
                         f"{who} at {fields.get('approved-at', '')} (tag {tag.name}; tag {approval.signature.describe()}, "
                         f"commit {approval.commit_signature.describe()})")


def first_difference(expected: bytes, actual: bytes) -> str:
    want, got = expected.decode("utf-8", "replace").splitlines(), actual.decode("utf-8", "replace").splitlines()
    for number, (a, b) in enumerate(zip(want, got, strict=False), start=1):
        if a != b:
            return f"line {number}: expected {a[:80]!r}, found {b[:80]!r}"
    if len(want) != len(got):
        return f"line {min(len(want), len(got)) + 1}: the file has {len(got)} lines, the report {len(want)}"
    return "line endings or a final newline differ"
