"""Is what the store says true?  History, approvals and signatures, checked.

An audit file can say anything: anyone with the repository can write
``stage = "approved"`` and an approval by a reviewer into it, and commit it
with plain git.  What it says is therefore checked against its history:

* every commit that changes an audit either leaves the workflow fields alone
  (a content edit by someone who may edit it) or makes exactly one workflow
  move its author may make (`audit.moves`, replayed as that author), and a
  merge takes the workflow fields of one side without putting content into an
  audit under review or approved;
* a change of people.toml or auditdesk.toml is an administrator's, once the
  store has a registry;
* where the store's settings (auditdesk.toml, ``signatures``) require it, the
  commit carries a good SSH signature by the key of the person it names;
* an audit is approved only if an approval tag names a revision with exactly
  its current content, that revision is a legitimate approval, the tag was
  made by the approver, and the signatures required then are good.

The registry and the settings in force for a commit are those of its parent:
a commit cannot give itself the right it needs.  Results are kept per commit
(commits never change), so a view that asks again costs little.

Why this module is long: the history replay and the approval check are one
judgement (an approval is valid only if the history that led to it is) and
share one per-commit cache; splitting them would pass that cache around.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditdesk.audit import moves, workflow
from auditdesk.audit.document import HELD_STAGES, Audit
from auditdesk.audit.identity import Identity
from auditdesk.audit.people import People
from auditdesk.criteria import tomldata
from auditdesk.criteria.catalog import Catalog
from auditdesk.errors import AuditdeskError
from auditdesk.fileio import write_atomic
from auditdesk.paths import owned_file, private_cache
from auditdesk.store.audits import AUDITS, CONFIG, StoreConfig, Summary
from auditdesk.store.git import GitError
from auditdesk.store.git.repo import CommitInfo
from auditdesk.store.people import PEOPLE, identity_of
from auditdesk.store.signing import Check, split_tag, verify_object

if TYPE_CHECKING:
    from auditdesk.store.audits import AuditStore

__all__ = ["Approval", "Finding", "Listed", "Trust", "approval_tag_fields", "effective_summaries"]

@dataclass(frozen=True)
class Finding:
    """One step of history that is not legitimate: which commit, which file, why."""

    commit: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.commit[:7]} {self.path}: {self.message}"


@dataclass(frozen=True)
class Approval:
    """The newest approval tag of an audit (the one covering its content, if any), checked."""

    project_no: str
    tag: str
    revision: str
    by: str
    person: str
    at: str
    covers: bool
    """The approved revision has exactly the audit's current content."""
    signature: Check
    """The tag's signature."""
    commit_signature: Check
    problems: tuple[str, ...]

    @property
    def valid(self) -> bool:
        return self.covers and not self.problems


#: The version of the kept approval checks (see Trust._keep); another version is checked again.
_KEPT_VERSION = 2
#: Approval checks kept in the user's cache at most (about 300 bytes each).
_KEPT_MAX = 20000


@functools.cache
def _kept_version() -> str:
    """What a kept check depends on besides its tag and blob: this code (these modules' sources)."""
    from auditdesk.audit import document, moves, workflow
    from auditdesk.store import people, signing

    digest = hashlib.sha256(str(_KEPT_VERSION).encode())
    for name in (document.__file__, moves.__file__, workflow.__file__, people.__file__, signing.__file__, __file__):
        if name:
            with contextlib.suppress(OSError):
                digest.update(Path(name).read_bytes())
    return digest.hexdigest()


def _approval_from(data: dict[str, Any]) -> Approval:
    """An Approval as kept in approvals.json."""
    fields = dict(data)
    fields["signature"] = Check(**fields["signature"])
    fields["commit_signature"] = Check(**fields["commit_signature"])
    fields["problems"] = tuple(fields["problems"])
    return Approval(**fields)


def approval_tag_fields(message: str) -> dict[str, str]:
    """The ``key: value`` lines an approval tag records (approved-by, report-sha256, …)."""
    return dict(re.findall(r"^([a-z0-9-]+): (.*)$", message, re.MULTILINE))


def _tag_header(raw: bytes) -> dict[str, str]:
    head = raw.split(b"\n\n", 1)[0].decode("utf-8", "replace")
    return dict(line.split(" ", 1) for line in head.split("\n") if " " in line)


class Trust:
    """The checks of one store; results are kept per commit, tag and blob."""

    def __init__(self, store: AuditStore) -> None:
        self.store = store
        self.repo = store.repo
        self._audits: dict[str, tuple[Audit, Catalog] | str] = {}
        self._configs: dict[str | None, StoreConfig | str] = {}
        self._commits: dict[tuple[str, str], list[Finding]] = {}
        self._approvals: dict[tuple[str, str | None], Approval] = {}
        self._signatures: dict[tuple[str, str], Check] = {}
        self._kept: dict[str, dict[str, Any]] = {}
        self._kept_loaded = False
        self._unkept = 0
        """Checks made since the kept file was written (`many` writes it once at its end)."""
        self._many = 0
        """How many listings (`many`) are under way, in any thread."""
        self._lock = threading.RLock()
        """Held while the kept checks change or are written: the TUI lists in a thread while
        the user approves, and writing a dict another thread grows would fail half-way."""

    # ------------------------------------------------------------- at a revision

    def audit_at(self, commit: str | None, path: str) -> tuple[Audit, Catalog] | str | None:
        """The audit at `commit` (None: absent there; a string: why it cannot be read)."""
        blob = self.repo.blob_at(commit, path)
        if blob is None:
            return None
        if blob not in self._audits:
            try:
                self._audits[blob] = self.store.parse(self.repo.read_blob(blob), f"{path}@{(commit or '')[:7]}")
            except AuditdeskError as exc:
                self._audits[blob] = str(exc).splitlines()[0]
        return self._audits[blob]

    def config_at(self, commit: str | None) -> StoreConfig | str:
        blob = self.repo.blob_at(commit, CONFIG)
        if blob not in self._configs:
            if blob is None:
                self._configs[blob] = StoreConfig()
            else:
                try:
                    self._configs[blob] = tomldata.load_record(StoreConfig, self.repo.read_blob(blob), CONFIG)[0]
                except AuditdeskError as exc:
                    self._configs[blob] = str(exc).splitlines()[0]
        return self._configs[blob]

    def people_at(self, commit: str | None) -> People | str | None:
        if commit is None:
            return None
        try:
            return self.store.registry.at(commit)
        except AuditdeskError as exc:
            return str(exc).splitlines()[0]

    def actor(self, info: CommitInfo, people: People | None) -> Identity | str:
        """Who made a commit, as the registry in force knows them (a string: why they are not known)."""
        if people is None:
            return Identity(info.author, info.email)
        person = next((p for p in people.people if p.email.casefold() == info.email.casefold()), None)
        if person is None or person.name != info.author:
            return f"its author {info.author} <{info.email}> is not a registered person"
        return identity_of(person)

    def signature(self, info: CommitInfo, people: People | None, expected: str) -> Check:
        key = (info.commit, expected)
        if key not in self._signatures:
            self._signatures[key] = verify_object(info.raw, "commit", self.store.registry.signers(people), expected)
        return self._signatures[key]

    # ------------------------------------------------------------------ history

    def check_commit(self, commit: str, only: str | None = None) -> list[Finding]:
        """What is not legitimate in one commit (only the file `only`, if given)."""
        key = (commit, only or "")
        if key not in self._commits:
            self._commits[key] = self._check_commit(commit, only)
        return self._commits[key]

    def _check_commit(self, commit: str, only: str | None) -> list[Finding]:
        info = self.repo.commit_info(commit)
        parent = info.parents[0] if info.parents else None
        parents: list[str | None] = list(info.parents) or [None]
        if only is not None:
            changed = [only] if any(self.repo.blob_at(p, only) != self.repo.blob_at(commit, only) for p in parents) else []
        else:
            changed = sorted({path for p in parents for path in self.repo.changed(p, commit)})
        changed = [p for p in changed if p in (PEOPLE, CONFIG) or (p.startswith(f"{AUDITS}/") and p.endswith(".toml"))]
        if not changed:
            return []
        people = self.people_at(parent)
        config = self.config_at(parent)
        found: list[Finding] = []
        if isinstance(people, str) or isinstance(config, str):
            reason = people if isinstance(people, str) else config
            return [Finding(commit, PEOPLE if isinstance(people, str) else CONFIG, f"the settings in force cannot be read: {reason}")]
        if len(info.parents) > 1:
            return self._check_merge(info, changed, people, config)
        who = self.actor(info, people)
        moved = registry = False
        for path in changed:
            if path in (PEOPLE, CONFIG):
                registry = True
                if people is not None and (isinstance(who, str) or "administrator" not in who.roles):
                    found.append(Finding(commit, path, f"changed by {info.author}, who is not an administrator"))
                continue
            problem, was_move = self._check_audit_step(info, parent, path, who, config)
            moved = moved or was_move
            if problem:
                found.append(Finding(commit, path, problem))
        required = people is not None and (config.signatures == "all" or (config.signatures == "workflow" and (moved or registry)))
        if required and not isinstance(who, str):
            check = self.signature(info, people, who.person)
            if not check.ok:
                found.append(Finding(commit, changed[0], f"the store requires a signature by {who.person}'s key: {check.describe()}"))
        return found

    def _check_audit_step(self, info: CommitInfo, parent: str | None, path: str, who: Identity | str,
                          config: StoreConfig) -> tuple[str | None, bool]:
        """(why this change of one audit is not legitimate or None, whether it was a workflow move)."""
        before, after = self.audit_at(parent, path), self.audit_at(info.commit, path)
        if isinstance(after, str):
            return f"cannot be read: {after}", False
        if isinstance(before, str):
            before = None  # an unreadable file repaired: judged as a new one
        if after is None:
            if before is not None and before[0].stage in HELD_STAGES:
                return f"an audit at {before[0].stage} was deleted", False
            return None, False
        if isinstance(who, str):
            return who, False
        old = before[0] if before else None
        why = moves.check_change(old, after[0], who, workflow.Reviewers(config.reviewers), after[1])
        if why:
            return why, False
        if old is not None and moves.workflow_changed(old, after[0]):
            return None, True
        if old is not None and moves.content_changed(old, after[0]):
            refusal = workflow.edit_refusal(old, who)
            if refusal:
                return f"changed by {info.author}, who may not: {str(refusal).splitlines()[0]}", False
        return None, False

    def _check_merge(self, info: CommitInfo, changed: list[str], people: People | None, config: StoreConfig) -> list[Finding]:
        found = []
        for path in changed:
            mine = self.repo.blob_at(info.commit, path)
            if any(self.repo.blob_at(p, path) == mine for p in info.parents):
                continue  # one side's version, taken whole: that side's commits are checked on their own
            if path in (PEOPLE, CONFIG):
                found.append(Finding(info.commit, path, "a merge produced a version neither side had"))
                continue
            merged = self.audit_at(info.commit, path)
            sides = [a[0] for a in (self.audit_at(p, path) for p in info.parents) if a is not None and not isinstance(a, str)]
            if isinstance(merged, str):
                found.append(Finding(info.commit, path, f"cannot be read: {merged}"))
            elif merged is not None:
                why = moves.check_merge(sides, merged[0])
                if why:
                    found.append(Finding(info.commit, path, why))
        if people is not None and config.signatures == "all":
            who = self.actor(info, people)
            check = self.signature(info, people, who.person) if not isinstance(who, str) else None
            if check is None or not check.ok:
                found.append(Finding(info.commit, changed[0], "the store requires signed commits: "
                                     + (who if isinstance(who, str) else check.describe() if check else "")))
        return found

    def check_range(self, include: str, exclude: str | None) -> list[Finding]:
        """Every problem in the commits reachable from `include` but not from `exclude`."""
        found = []
        for commit in reversed(self.repo.rev_list(include, exclude)):
            found += self.check_commit(commit)
        return found

    def audit_history(self, project_no: str, rev: str = "HEAD") -> list[Finding]:
        """Every problem in the history of one audit, oldest first."""
        path = self.store.path_of(project_no)
        found = []
        for commit in reversed(self.repo.rev_list(rev, paths=(path,))):
            found += self.check_commit(commit, only=path)
        return found

    # ---------------------------------------------------------------- approvals

    def approval(self, project_no: str, every: dict[str, tuple[str, str]] | None = None) -> Approval | None:
        """The approval that covers the audit's current content (else its newest one), checked;
        None when it was never approved.  `every`: all approval tags, read once by a caller
        that asks about many audits."""
        prefix = f"approved/{project_no}/"
        tags = ({n: t for n, t in every.items() if n.startswith(prefix)} if every is not None
                else self.repo.tag_objects(f"approved/{project_no}"))
        if not tags:
            return None
        path = self.store.path_of(project_no)
        current = self.repo.blob_id(path)
        names = sorted(tags, key=lambda n: (int(n.rsplit("/", 1)[1]) if n.rsplit("/", 1)[1].isdigit() else -1, n), reverse=True)
        chosen = next((n for n in names if self.repo.blob_at(tags[n][1], path) == current and current), names[0])
        return self._checked(project_no, chosen, *tags[chosen], path, current)

    def approvals_of(self, project_no: str, commit: str) -> list[Approval]:
        """Every approval tag naming `commit`, checked (newest first)."""
        path = self.store.path_of(project_no)
        current = self.repo.blob_id(path)
        tags = self.repo.tag_objects(f"approved/{project_no}")
        return [self._checked(project_no, name, oid, tagged, path, current)
                for name, (oid, tagged) in sorted(tags.items(), reverse=True) if tagged == commit]

    def check_tag(self, name: str, tag_oid: str, commit: str) -> Approval:
        """An approval tag that is not (yet) ours, e.g. fetched from a remote, checked."""
        parts = name.split("/")
        if len(parts) != 3 or parts[0] != "approved":
            raise AuditdeskError(f"{name} is not an approval tag name (approved/<audit>/<n>)")
        path = self.store.path_of(parts[1])
        return self._checked(parts[1], name, tag_oid, commit, path, self.repo.blob_id(path))

    def _checked(self, project_no: str, name: str, tag_oid: str, commit: str, path: str, current: str | None) -> Approval:
        key = (tag_oid, current)
        with self._lock:
            if key not in self._approvals:
                self._load_kept()
                kept = self._kept.get(f"{tag_oid} {current}")
                if kept is not None:
                    self._approvals[key] = _approval_from(kept)
                else:
                    self._approvals[key] = self._approval(project_no, name, tag_oid, commit, path, current)
                    self._kept[f"{tag_oid} {current}"] = dataclasses.asdict(self._approvals[key])
                    self._unkept += 1
                    if not self._many:
                        self._keep()
            return self._approvals[key]

    # What an approval check found depends only on the tag object (which fixes the commit, its
    # history, its parent's registry and settings), the audit's current blob and this code: kept
    # by those ids in the user's private cache (0700/0600, checked to be theirs, as the summaries
    # are), never in the store, whose .git whoever shares it can write: a "valid" kept there
    # would be a forged approval.  Kept by content, a check made in one clone serves every other
    # clone of the user's, so a fresh clone lists its approved audits without checking them again.

    @contextlib.contextmanager
    def many(self) -> Iterator[None]:
        """Check many approvals (a listing): the kept checks are written once, at the end."""
        with self._lock:
            self._many += 1
        try:
            yield
        finally:
            with self._lock:
                self._many -= 1
                if not self._many and self._unkept:
                    self._keep()

    @property
    def _kept_path(self) -> Path | None:
        folder = private_cache("approvals")
        return folder / "checks.json" if folder is not None else None

    def _load_kept(self) -> None:
        if self._kept_loaded:
            return
        self._kept_loaded = True
        path = self._kept_path
        if path is None or not owned_file(path):
            return
        try:
            data = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            return
        if (isinstance(data, dict) and data.get("version") == _kept_version()
                and isinstance(data.get("approvals"), dict)):
            self._kept = {k: v for k, v in data["approvals"].items() if isinstance(v, dict)}

    def _keep(self) -> None:
        """Save the kept checks (a derived file, safe to delete; without a private cache, checked again)."""
        path = self._kept_path
        if path is None:
            return
        with self._lock, contextlib.suppress(OSError, AuditdeskError):
            while len(self._kept) > _KEPT_MAX:  # the oldest first
                del self._kept[next(iter(self._kept))]
            body = {"version": _kept_version(), "approvals": self._kept}
            write_atomic(path, json.dumps(body, ensure_ascii=False).encode("utf-8"), mode=0o600)
            self._unkept = 0

    def commit_signature(self, commit: str) -> Check:
        """A commit's signature, checked against the registry in force for it and its author's id."""
        info = self.repo.commit_info(commit)
        people = self.people_at(info.parents[0] if info.parents else None)
        if isinstance(people, str):
            return Check("error", detail=people)
        who = self.actor(info, people)
        return self.signature(info, people, "" if isinstance(who, str) else who.person)

    def _approval(self, project_no: str, name: str, tag_oid: str, commit: str, path: str, current: str | None) -> Approval:
        problems: list[str] = []
        found = self.repo.read_object(tag_oid)
        raw = found[1] if found else b""
        header = _tag_header(raw)
        message = split_tag(raw)[0].split(b"\n\n", 1)[-1].decode("utf-8", "replace")
        fields = approval_tag_fields(message)
        if header.get("tag") != name:
            problems.append(f"the tag object says it is {header.get('tag')!r}, not {name}: a tag was copied or renamed")
        if fields.get("audit") != project_no or fields.get("revision") != commit:
            problems.append(f"the tag records audit {fields.get('audit')!r} revision {fields.get('revision', '')[:12]!r}, "
                            f"not {project_no} at {commit[:12]}")
        info = self.repo.commit_info(commit)
        parent = info.parents[0] if info.parents else None
        approved = self.audit_at(commit, path)
        person = ""
        people = self.people_at(parent)
        config = self.config_at(parent)
        if isinstance(people, str) or isinstance(config, str):
            problems.append(f"the registry or settings of the approval cannot be read: {people if isinstance(people, str) else config}")
            people, config = None, StoreConfig()
        if approved is None or isinstance(approved, str) or approved[0].stage != "approved" or not approved[0].transitions:
            problems.append(f"the tagged revision {commit[:12]} is not an approval of {project_no}")
        else:
            person = approved[0].transitions[-1].person
            for finding in self.check_commit(commit, only=path):
                problems.append(f"the approval commit is not legitimate: {finding.message}")
            blob = self.repo.blob_at(commit, path)
            if blob is not None and fields.get("audit-sha256") != hashlib.sha256(self.repo.read_blob(blob)).hexdigest():
                problems.append("the audit-sha256 the tag records is not that of the approved file")
        tagger = header.get("tagger", "")
        if not tagger.startswith(f"{info.author} <{info.email}> "):
            problems.append(f"tagged by {tagger.rsplit(' ', 2)[0]!r}, but the approval commit is by {info.author} <{info.email}>")
        signers = self.store.registry.signers(people)
        tag_check = verify_object(raw, "tag", signers, person) if raw else Check("error", detail="tag object missing")
        commit_check = self.signature(info, people, person)
        required = people is not None and config.signatures != "none"
        for what, check in (("approval tag", tag_check), ("approval commit", commit_check)):
            if (required and not check.ok) or check.status in ("bad", "wrong-person"):
                problems.append(f"the {what} is {check.describe()}" + (" (the store requires signatures)" if required else ""))
        covers = current is not None and self.repo.blob_at(commit, path) == current
        return Approval(project_no, name, commit, fields.get("approved-by", tagger.rsplit(" ", 2)[0]), person,
                        fields.get("approved-at", ""), covers, tag_check, commit_check, tuple(problems))

    def effective_stage(self, project_no: str, stage: str, every: dict[str, tuple[str, str]] | None = None) -> tuple[str, str]:
        """(the stage to show, why it differs from what the file says): an audit is shown as
        approved only when a valid approval covers exactly its current content."""
        if stage != "approved":
            return stage, ""
        try:
            approval = self.approval(project_no, every)
        except (AuditdeskError, GitError) as exc:
            return "unapproved", f"the file says approved, but its approval cannot be checked: {str(exc).splitlines()[0]}"
        if approval is None:
            return "unapproved", f"the file says approved, but there is no approval tag (approved/{project_no}/…)"
        if not approval.covers:
            return "unapproved", f"the file says approved, but its content is not the approved revision ({approval.tag})"
        if approval.problems:
            return "unapproved", f"the file says approved, but {approval.tag} does not hold: {approval.problems[0]}"
        return "approved", ""


@dataclass(frozen=True)
class Listed(Summary):
    """A listed audit with the stage it may be trusted at (`problem`: why it is not what its file says)."""

    problem: str = ""


def effective_summaries(store: AuditStore, rows: list[Summary]) -> list[Summary]:
    """The listing as it may be trusted: a row whose file says approved keeps that stage only
    when a valid approval covers exactly its content; otherwise it is "unapproved", with why.
    (Kept apart from `AuditStore.summaries`, which caches what the files say.)"""
    out: list[Summary] = []
    every = store.repo.tag_objects("approved") if any(row.stage == "approved" for row in rows) else {}
    with store.trust.many():
        for row in rows:
            stage, problem = store.trust.effective_stage(row.project_no, row.stage, every) if not row.error else (row.stage, "")
            out.append(Listed(**{**dataclasses.asdict(row), "stage": stage}, problem=problem))
    return out
