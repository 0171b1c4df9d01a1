"""The audit store: audits as TOML files in a git repository.

This is the one interface the command line and the TUI use to read and save
audits.  Paths are derived from validated project numbers only; every save
is one commit by the acting user, refused when the audit changed since the
revision the edit started from (see `store.git` for how that is made safe).

Why this module is long: AuditStore, the one door to a store's audits; its signing
and people checks are the next to move out (the listing already lives in
store/summaries.py).
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import os
import pickle
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Self

from auditdesk.audit import document, moves, textconv, workflow
from auditdesk.audit.diff import AuditDiff, diff_audits
from auditdesk.audit.document import Audit, Body, check_project_no
from auditdesk.audit.identity import Identity
from auditdesk.audit.people import LookAlike, NotRegistered, People, normalise
from auditdesk.criteria import tomldata
from auditdesk.criteria.catalog import Catalog, Catalogs
from auditdesk.errors import AuditdeskError, InvalidInput
from auditdesk.fileio import write_atomic
from auditdesk.store.git import GitRepo, NotARepository, Revision, SaveResult
from auditdesk.store.git.objects import Sign
from auditdesk.store.git.repo import TagRequest
from auditdesk.store.git.version import require_git
from auditdesk.store.people import PEOPLE, Registry, find_signer, load_people
from auditdesk.store.signing import Signer, SignError, allowed_signers

if TYPE_CHECKING:
    from auditdesk.store.trust import Trust

if TYPE_CHECKING:
    from auditdesk.store.summaries import SummaryCache

AUDITS = "audits"
CONFIG = "auditdesk.toml"
BASES_KEPT = 8
#: Longer values are shortened in commit messages (`auditdesk diff` shows them whole).
MESSAGE_VALUE_LIMIT = 300
#: Saves whose textconv text waits for `close` (beyond this, git's driver converts them).
TEXTCONV_PENDING = 200
#: Commits whose audit files a clone converts for git's textconv cache (older ones
#: are converted by git's driver when first shown, then cached by git).
WARM_COMMITS = 250


@dataclass(frozen=True)
class Loaded:
    """An audit with what it was read from: the base for the next save."""

    audit: Audit
    catalog: Catalog
    blob: str | None
    path: str
    data: bytes | None = None
    """The file's bytes at that revision (None for an edit not saved yet)."""


@dataclass(frozen=True)
class Summary:
    """What a listing shows of one audit, cached by blob id."""

    project_no: str
    organisation: str
    audit_type: str
    stage: str
    total: str
    rate: str
    star: str
    year: str
    error: str = ""


@dataclass
class StoreConfig:
    """`auditdesk.toml` at the top of a store, committed like any file.

    `reviewers`: the qualified reviewers (empty: any non-team member);
    `[body]`: the certification body new audits start with.
    """

    reviewers: tuple[str, ...] = ()
    body: Body = field(default_factory=Body)
    signatures: Literal["none", "workflow", "all"] = "none"
    """Which commits must carry the acting person's SSH signature (needs people.toml):
    "workflow" (stage moves, approval tags, registry and settings changes) or "all" (every save too)."""


class AuditStore:
    def __init__(self, root: Path, catalogs: Catalogs | None = None) -> None:
        self.root = root
        self.repo = GitRepo(root)
        self.catalogs = catalogs or Catalogs()
        self.recovered: list[str] = []
        self._cache: SummaryCache | None = None
        self._at_head = 0
        self._cache_lock = threading.RLock()  # the TUI lists in a thread while the user works
        self._bases: dict[str, tuple[bytes, Catalog]] = {}
        self._textconv: dict[str, bytes] = {}
        self.registry = Registry(self.repo)
        self.key_from_config = True
        """Whether the store's git config may name the signing key (not over SSH: it is the service account's)."""
        self._signers: dict[Identity, Signer | None] = {}
        self._trust: Trust | None = None
        self._config: tuple[str | None, StoreConfig] = (None, StoreConfig())

    @classmethod
    def open(cls, root: Path, *, create: bool = False, shared_group: bool = False,
             catalogs: Catalogs | None = None) -> AuditStore:
        """Open the store at `root` (creating an empty one if asked and absent).

        Anything an interrupted save left behind is finished or reported in
        `recovered`, for the interface to show (recovery runs only when a
        marker says an operation was interrupted: see `store.git.recovery`).
        """
        require_git()
        if create and not (root / ".git").exists():
            try:
                occupied = root.exists() and (not root.is_dir() or any(root.iterdir()))
            except OSError as exc:
                raise AuditdeskError(f"cannot use the store {root}: {exc.strerror}") from None
            if occupied:
                try:
                    GitRepo(root).close()
                except NotARepository as exc:
                    if "is not a git repository" not in str(exc):
                        raise  # a file, a bare repository, a folder inside a repository: it says which
                raise AuditdeskError(f"{root} exists, is not empty and is not a git repository; choose another --store")
            try:
                root.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise AuditdeskError(f"cannot create the store {root}: {exc.strerror}") from None
            GitRepo.init(root, shared_group=shared_group).close()
        store = cls(root, catalogs)
        store.recovered = store.repo.recover_if_interrupted()
        store._install_diff_driver()
        store._install_signers()
        return store

    @classmethod
    def clone(cls, url: str, root: Path, catalogs: Catalogs | None = None) -> AuditStore:
        """A new clone of a hub in `root`, ready to work in: git's diff driver set up and
        its cache filled, so `git log -p` there shows audits as readable lines at once."""
        GitRepo.clone(url, root).close()
        store = cls.open(root, catalogs=catalogs)
        store.warm_textconv()
        return store

    def ensure_git_identity(self, user: Identity) -> bool:
        """Give git here an identity (user.name/user.email in the store's config) when it has
        none, for the commits git makes itself (its textconv cache) and plain `git commit`;
        True if one was set."""
        if self.repo.knows_committer():
            return False
        self.repo.set_config("user.name", user.name)
        self.repo.set_config("user.email", user.email)
        return True

    def _install_signers(self) -> None:
        """Let plain ``git log --show-signature`` in the store check signatures against the registry
        (a file generated from people.toml); auditdesk itself never reads this setting."""
        try:
            people = self.people
        except AuditdeskError:
            return
        if people is None:
            return
        target = self.repo.common_dir / "auditdesk" / "allowed_signers"
        text = allowed_signers(people).encode("utf-8")
        with contextlib.suppress(OSError, AuditdeskError):
            if not target.parent.is_dir():
                target.parent.mkdir(exist_ok=True)
                os.chmod(target.parent, self.repo.dir_mode)
            if not target.exists() or target.read_bytes() != text:
                write_atomic(target, text, mode=self.repo.file_mode)
            if self.repo.config("gpg.ssh.allowedSignersFile") != str(target):
                self.repo.set_config("gpg.ssh.allowedSignersFile", str(target))

    def _install_diff_driver(self) -> None:
        """Make plain `git diff`/`git log -p` in the store show audits as readable lines.

        The driver is named without a path (see `audit.textconv`), so the config is
        written once per store, not again whenever another installation opens it;
        a value auditdesk wrote before (an interpreter's path) is replaced."""
        key = f"diff.{textconv.DRIVER}.textconv"
        current = self.repo.config(key)
        if current != textconv.COMMAND and (not current or current.endswith("-m auditdesk textconv")):
            try:
                self.repo.set_config(key, textconv.COMMAND)
                self.repo.set_config(f"diff.{textconv.DRIVER}.cachetextconv", "true")
            except AuditdeskError:
                return  # a read-only store: diffs stay plain TOML
        attributes = self.root / ".git" / "info" / "attributes"
        line = f"{AUDITS}/*.toml diff={textconv.DRIVER}"
        try:
            current = attributes.read_text("utf-8") if attributes.exists() else ""
            if line not in current.splitlines():
                write_atomic(attributes, (current.rstrip("\n") + "\n" if current.strip() else "").encode() + line.encode() + b"\n",
                             mode=self.repo.file_mode)  # group-writable in a shared store, whatever the umask
        except (OSError, AuditdeskError):
            pass

    def _cache_textconv(self, blob: str, audit: Audit, catalog: Catalog, change: AuditDiff | None = None) -> None:
        """Remember what git's diff driver prints for a blob just saved (reusing the facts and
        scores of the save's diff); written to git's cache when the store closes, one ref
        update for all of a session's saves."""
        if len(self._textconv) < TEXTCONV_PENDING:
            self._textconv[blob] = textconv.readable_text(audit, catalog, change).encode("utf-8")

    def _flush_textconv(self) -> None:
        pending, self._textconv = self._textconv, {}
        with contextlib.suppress(AuditdeskError, OSError):  # a cache: never an error of the command that saved
            if pending and self.repo.config(f"diff.{textconv.DRIVER}.textconv") == textconv.COMMAND:
                self.repo.add_notes(textconv.CACHE_REF, textconv.COMMAND, pending)

    def warm_textconv(self, since: str | None = None, limit: int = WARM_COMMITS) -> int:
        """Fill git's textconv cache for the audit files of the last `limit` commits
        (or of the commits after `since`), so a first `git log -p` does not start the
        driver once per revision.  How many blobs were converted."""
        if self.repo.config(f"diff.{textconv.DRIVER}.textconv") != textconv.COMMAND:
            return 0
        blobs = self.repo.changed_blobs(AUDITS, since=since, limit=limit)
        have = self.repo.noted(textconv.CACHE_REF, textconv.COMMAND, blobs)
        notes = {}
        for blob in blobs:
            if blob not in have:
                notes[blob] = textconv.convert(self.repo.read_blob(blob), self.catalogs).encode("utf-8")
        return self.repo.add_notes(textconv.CACHE_REF, textconv.COMMAND, notes)

    def close(self) -> None:
        try:
            self._flush_textconv()
        finally:
            self.repo.close()
            self.registry.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @staticmethod
    def path_of(project_no: str) -> str:
        why = check_project_no(project_no)
        if why:
            raise InvalidInput.single("audit", "project_no", why)
        return f"{AUDITS}/{project_no}.toml"

    def ids(self, rev: str = "HEAD") -> list[str]:
        return sorted(Path(p).stem for p in self.repo.blobs(AUDITS, rev) if p.endswith(".toml"))

    def exists(self, project_no: str) -> bool:
        return self.repo.blob_id(self.path_of(project_no)) is not None

    @staticmethod
    def parse_file(path: Path, catalogs: Catalogs) -> tuple[Audit, Catalog]:
        """An audit file outside the store (or its working tree), read as is."""
        try:
            data = tomldata.read_file(path)
        except OSError as exc:
            raise AuditdeskError(f"{path}: cannot read: {exc.strerror}") from None
        return document.load_audit(data, str(path), catalogs)

    def parse(self, data: bytes, source: str) -> tuple[Audit, Catalog]:
        """Parse audit bytes against the catalog they name."""
        return document.load_audit(data, source, self.catalogs)

    def load(self, project_no: str, rev: str = "HEAD") -> Loaded:
        path = self.path_of(project_no)
        blob = self.repo.blob_id(path, rev)
        if blob is None:
            where = "in the store" if rev == "HEAD" else f"at revision {rev}"
            raise AuditdeskError(f"no audit {project_no} {where} ({self.root / path})")
        data = self.repo.read_blob(blob)
        audit, catalog = self.parse(data, str(self.root / path))
        if audit.project_no != project_no:  # a copied or renamed file: saving it would write to another audit
            raise InvalidInput.single(str(self.root / path), "project_no", f"is {audit.project_no!r} but the file is {path}; they must agree")
        self._remember(blob, audit, catalog)
        return Loaded(audit, catalog, blob, path, data)

    def _remember(self, blob: str, audit: Audit, catalog: Catalog) -> None:
        """Keep a private copy of a revision the caller will edit from: the next save
        compares against it (permissions, commit message) without parsing it again.
        Kept pickled: a third of the cost of a deep copy, and only read back if used."""
        frozen = pickle.dumps(audit, protocol=pickle.HIGHEST_PROTOCOL)
        with self._cache_lock:
            self._bases[blob] = (frozen, catalog)
            while len(self._bases) > BASES_KEPT:
                del self._bases[next(iter(self._bases))]

    def save(self, audit: Audit, *, base: str | None, user: Identity, message: str | None = None) -> SaveResult:
        """Commit an edit of `audit` made from revision `base` (None: a new audit).

        Refused when `user` may not edit the audit as it stands at `base`
        (stage and team, see `workflow`), or when it changed since `base`.
        """
        old = self._at(base)
        if old is not None:
            refusal = workflow.edit_refusal(old[0], user)
            if refusal and not (workflow.rejoins(old[0], audit, user) and self.may_rejoin(audit.project_no, old[0], user)):
                raise refusal
        self._refuse_workflow_edit(old[0] if old else None, audit, self.path_of(audit.project_no))
        self._link_team(audit)
        return self._commit(audit, base, user, message, old, self._sign(user, workflow=False))

    def former_member(self, project_no: str, who: Identity, depth: int = 50) -> document.Member | None:
        """`who`'s record on the team of the newest of the last `depth` revisions that has one
        (matched by person id where the store has a registry, else by name)."""
        path = self.path_of(project_no)
        for revision in self.repo.log(path, limit=depth):
            blob = self.repo.blob_at(revision.commit, path)
            if blob is None:
                break
            try:
                earlier = self._at(blob)
            except AuditdeskError:
                continue
            found = [m for m in earlier[0].planning.team if workflow.is_person(who, m.name, m.person)] if earlier else []
            if found:
                return found[0]
        return None

    def may_rejoin(self, project_no: str, audit: Audit, user: Identity) -> bool:
        """Whether `user`, off the team of `audit`, may put themselves back: its creator, or
        whoever led its team in the last revision that had them (see `workflow.may_rejoin`)."""
        if workflow.may_rejoin(audit, user):
            return True
        member = self.former_member(project_no, user)
        return member is not None and workflow.may_rejoin(audit, user, [member] if member.role == "leader" else [])

    def transition(self, loaded: Loaded, change: Callable[[Audit], str], user: Identity) -> SaveResult:
        """Apply a workflow step (advance, return, approve, reopen) and commit it, signed
        with the person's key when they have one (and refused without one when the store
        requires signed workflow commits).

        `change` checks its own rules and returns the commit message.
        """
        message = change(loaded.audit)  # the workflow's refusal first: it says more than a missing key
        return self._commit(loaded.audit, loaded.blob, user, message, None, self._sign(user, workflow=True))

    def approve(self, loaded: Loaded, change: Callable[[Audit], str], user: Identity, tag: TagRequest) -> SaveResult:
        """Commit an approval and create its tag atomically: both land or neither does, so a
        failed approval (no key, a moved ``main``) changes nothing and can be repeated."""
        message = change(loaded.audit)
        return self._commit(loaded.audit, loaded.blob, user, message, None, self._sign(user, workflow=True), tag)

    # ------------------------------------------------------------ people, signing

    @property
    def trust(self) -> Trust:
        """The checks of history, approvals and signatures (store.trust), kept for this store."""
        if self._trust is None:
            from auditdesk.store.trust import Trust

            self._trust = Trust(self)
        return self._trust

    @property
    def people(self) -> People | None:
        """The registry committed at HEAD (people.toml), or None: a store without one."""
        return self.registry.at()

    def signer_for(self, user: Identity) -> Signer | None:
        """The acting person's signing key, found once (see store.people.find_signer)."""
        if user not in self._signers:
            self._signers[user] = find_signer(user, self.people, self.repo, self.registry, use_config=self.key_from_config)
        return self._signers[user]

    def _sign(self, user: Identity, *, workflow: bool) -> Sign | None:
        """The signature a commit by `user` gets: required by the store's `signatures` setting
        (a missing key is then an error), else made for workflow commits when a key is there."""
        policy = self.config.signatures
        required = policy == "all" or (workflow and policy == "workflow")
        if not required:
            if not workflow:
                return None
            try:
                return self.signer_for(user)
            except AuditdeskError:
                if os.environ.get("AUDITDESK_SIGNING_KEY"):
                    raise  # a key chosen for this command that cannot sign for this person: say so
                return None  # best effort: an unusable configured key leaves a commit unsigned where none is required
        if self.people is None:
            raise SignError(f"{CONFIG} requires signatures ({policy}) but the store has no {PEOPLE} to check them against")
        signer = self.signer_for(user)
        if signer is None:
            raise SignError(f"this store requires signed {'workflow commits' if policy == 'workflow' else 'commits'}, and "
                            f"no signing key of {user.name} ({user.person}) is available: set AUDITDESK_SIGNING_KEY to "
                            "your private key file (or git config user.signingkey), or load your key in ssh-agent "
                            "(over SSH: ssh -A)")
        return signer

    def _refuse_workflow_edit(self, old: Audit | None, audit: Audit, where: str) -> None:
        """A save (or a hand edit) never changes the stage, the transitions or the review."""
        if old is None:
            why = moves.creation_problem(audit)
            if why:
                raise InvalidInput.single(where, "stage", why)
        elif moves.workflow_changed(old, audit):
            changed = [f for f in moves.WORKFLOW_FIELDS if moves.workflow_state(old)[f] != moves.workflow_state(audit)[f]]
            raise workflow.NotAllowed(
                f"{where}: {', '.join(changed)} change only through workflow commands (advance, return, approve, reopen); "
                f"the file says stage {audit.stage}, the store {old.stage}",
                f"{where}：阶段、流转记录和复核记录只能通过流程命令（推进、退回、批准、重新打开）修改",
                project_no=audit.project_no)

    def _link_team(self, audit: Audit) -> None:
        """With a registry: each team member who is a registered person gets their id; a name that
        only looks like a registered person's is refused, naming them."""
        people = self.people
        if people is None:
            return
        path = self.path_of(audit.project_no)
        team = list(audit.planning.team)
        for i, member in enumerate(team):
            where = f"planning.team[{i}]"
            if member.person:
                person = people.get(member.person)
                if person is None:
                    raise InvalidInput.single(path, f"{where}.person", f"{member.person!r} is not a registered person id")
                if normalise(member.name) != person.name:
                    raise InvalidInput.single(path, f"{where}.name", f"{member.name!r} is not {person.label}'s name; "
                                                                      f"write {person.name!r} or change the person id")
                continue
            try:
                found = people.identify(member.name, source=f"{path}: {where}.name")
            except LookAlike as exc:
                raise InvalidInput.single(path, f"{where}.name", str(exc).split(": ", 2)[-1]) from None
            except NotRegistered:
                continue  # not a user of the store (an outside expert): kept by name
            team[i] = dataclasses.replace(member, person=found.id)
        audit.planning.team = tuple(team)

    def _at(self, blob: str | None) -> tuple[Audit, Catalog] | None:
        """The audit at blob `blob`, read only (remembered copies are never handed out to edit)."""
        if blob is None:
            return None
        with self._cache_lock:
            known = self._bases.get(blob)
        if known is not None:
            return pickle.loads(known[0]), known[1]  # our own bytes, made above from an Audit
        return self.parse(self.repo.read_blob(blob), "base revision")

    def _commit(self, audit: Audit, base: str | None, user: Identity, message: str | None,
                old: tuple[Audit, Catalog] | None, sign: Sign | None = None, tag: TagRequest | None = None) -> SaveResult:
        path = self.path_of(audit.project_no)
        catalog = self.catalogs.get(audit.catalog.id, audit.catalog.version)
        problems = document.audit_problems(audit, catalog)
        if problems:
            raise InvalidInput.single(path, tomldata.field_name(problems[0][0]), problems[0][1])
        change = None
        if message is None:
            message, change = self._describe(audit, catalog, old or self._at(base))
        if tag is None:
            result = self.repo.save(path, document.to_toml(audit), base=base, author=user, message=message, sign=sign)
        else:
            done = self.repo.save_many({path: document.to_toml(audit)}, bases={path: base}, author=user, message=message,
                                       sign=sign, tag=tag)
            result = SaveResult(done.commit, done.blobs[path], done.changed)
        self._remember(result.blob, audit, catalog)
        self._cache_textconv(result.blob, audit, catalog, change)
        return result

    def _describe(self, audit: Audit, catalog: Catalog, old: tuple[Audit, Catalog] | None) -> tuple[str, AuditDiff | None]:
        """The commit message of a save, and the diff it was made from (None for a new audit)."""
        if old is None:
            return f"create audit {audit.project_no} ({audit.planning.organisation})", None
        change = diff_audits(old[0], audit, catalog, old[1])
        body = change.details(limit=MESSAGE_VALUE_LIMIT)
        return f"{audit.project_no}: {change.summary()}" + (f"\n\n{body}\n" if body else ""), change

    @property
    def config(self) -> StoreConfig:
        """The store's committed `auditdesk.toml` (reviewers, the certification body); defaults if absent."""
        blob = self.repo.blob_id(CONFIG)
        if blob is None:
            return StoreConfig()
        if self._config[0] != blob:  # read once per version: every save asks which signatures it needs
            self._config = (blob, tomldata.load_record(StoreConfig, self.repo.read_blob(blob), str(self.root / CONFIG))[0])
        return copy.deepcopy(self._config[1])

    def save_config(self, config: StoreConfig, user: Identity, message: str) -> None:
        self._admin_only(user, CONFIG)
        self.repo.save(CONFIG, tomldata.dumps(tomldata.to_data(config)), base=self.repo.blob_id(CONFIG), author=user,
                       message=message, sign=self._sign(user, workflow=True))

    def save_people(self, data: bytes, user: Identity, message: str) -> SaveResult:
        """Commit a new people.toml (checked first): an administrator's change, signed like a workflow
        commit.  The first registry may be committed by anyone, and must name an administrator."""
        people = load_people(data, str(self.root / PEOPLE))
        if not people.with_role("administrator"):
            raise InvalidInput.single(str(self.root / PEOPLE), "people", "name at least one administrator: "
                                      "only administrators may change the registry")
        self._admin_only(user, PEOPLE)
        return self.repo.save(PEOPLE, data, base=self.repo.blob_id(PEOPLE), author=user, message=message,
                              sign=self._sign(user, workflow=True))

    def _admin_only(self, user: Identity, what: str) -> None:
        people = self.people
        if people is not None and "administrator" not in user.roles:
            raise workflow.NotAllowed(f"{user.name} ({user.person or 'unregistered'}) is not an administrator; "
                                      f"only administrators change {what}",
                                      f"{user.name} 不是管理员；只有管理员可以修改 {what}")

    @property
    def reviewers(self) -> workflow.Reviewers:
        return workflow.Reviewers(self.config.reviewers)

    def log(self, project_no: str, limit: int | None = None) -> list[Revision]:
        path = self.path_of(project_no)
        revisions = self.repo.log(path, limit=limit)
        if not revisions and limit != 0:  # a typo must not look like an audit without history
            raise AuditdeskError(f"no audit {project_no} in the store or its history ({self.root / path})")
        return revisions

    def history(self, project_no: str, limit: int | None = None) -> list[tuple[Revision, Summary]]:
        """Revisions newest first, each with the audit's stage and scores then."""
        path = self.path_of(project_no)
        out = []
        for rev in self.log(project_no, limit):
            blob = self.repo.blob_id(path, rev.commit)
            summary = self._summary(path, blob) if blob else Summary(project_no, "", "", "", "", "", "", "", error="deleted")
            out.append((rev, summary))
        self.save_summaries()
        return out

    def own_revision(self, project_no: str, rev: str = "HEAD") -> str | None:
        """The audit's own last revision as of `rev`: the commit that gave its file this
        content (what a report's footer names; saving another audit does not change it)."""
        return self.repo.last_commit(self.path_of(project_no), rev)

    def own_revisions(self, project_nos: list[str], rev: str = "HEAD") -> dict[str, str]:
        """`own_revision` of many audits with one walk of the history."""
        found = self.repo.last_commits([self.path_of(p) for p in project_nos], rev)
        return {Path(path).stem: commit for path, commit in found.items()}

    def revisions(self, project_no: str) -> list[tuple[Revision, Audit, tuple[int, ...]]]:
        """Every revision of an audit, oldest first (parents before children), parsed, each
        with the positions of its parents in the list: merges by sync keep both sides (for blame)."""
        path = self.path_of(project_no)
        graph = self.repo.log(path, graph=True)
        if not graph:
            raise AuditdeskError(f"no audit {project_no} in the store or its history ({self.root / path})")
        out: list[tuple[Revision, Audit, tuple[int, ...]]] = []
        where: dict[str, int] = {}
        for rev in reversed(graph):
            blob = self.repo.blob_at(rev.commit, path)
            if blob is None:
                continue
            audit = self.parse(self.repo.read_blob(blob), f"{path}@{rev.commit[:7]}")[0]
            where[rev.commit] = len(out)
            out.append((rev, audit, tuple(where[p] for p in rev.parents if p in where)))
        return out

    def commit_worktree(self, project_no: str, user: Identity) -> SaveResult:
        """Commit a hand edit of the working-tree file, in canonical form.

        The file is validated first (every problem with its line); the bytes
        as typed are kept on a side ref before the canonical form replaces them.
        """
        path = self.path_of(project_no)
        try:
            data = tomldata.read_file(self.root / path)
        except OSError as exc:
            raise AuditdeskError(f"{self.root / path}: cannot read: {exc.strerror}") from None
        audit, _ = self.parse(data, str(self.root / path))
        if audit.project_no != project_no:
            raise InvalidInput.single(str(self.root / path), "project_no", f"is {audit.project_no!r} but the file is {path}; they must agree")
        base = self.repo.blob_id(path)
        old = self._at(base)
        if old is not None:
            refusal = workflow.edit_refusal(old[0], user)
            if refusal:
                raise refusal
        self._refuse_workflow_edit(old[0] if old else None, audit, str(self.root / path))
        self._link_team(audit)
        canonical = document.to_toml(audit)
        if canonical != data:
            self.repo.discard_worktree(path, author=user)
        catalog = self.catalogs.get(audit.catalog.id, audit.catalog.version)
        message, change = self._describe(audit, catalog, old)
        result = self.repo.save(path, canonical, base=base, author=user, message=message.replace(": ", ": hand edit: ", 1),
                                sign=self._sign(user, workflow=False))
        self._cache_textconv(result.blob, audit, catalog, change)
        return result

    def dirty(self) -> list[str]:
        """Project numbers whose working-tree file differs from the last commit."""
        return [Path(p).stem for p in self.repo.status_dirty(AUDITS) if p.endswith(".toml")]

    def summaries(self, jobs: int | None = None) -> list[Summary]:
        """One summary per audit at HEAD, sorted by file; unchanged contents come from
        the user's cache, the rest are computed (in parallel when many: see `store.summaries`)."""
        known, missing = self.listing()
        if missing:
            from auditdesk.store import summaries

            done: dict[str, Summary] = {}
            summaries.compute(self, missing, self.summary_cache(), jobs=jobs,
                              on_chunk=lambda chunk: done.update((k, summaries.make_summary(k.split(" ", 1)[1], f)) for k, f in chunk))
            known.update({path: done[key] for key, path, _ in missing})
        self.save_summaries()
        return [known[path] for path in sorted(known)]

    def listing(self) -> tuple[dict[str, Summary], list[tuple[str, str, str]]]:
        """What a listing can show at once: {path: Summary} of the audits whose summary is
        cached, and (key, path, blob) of those still to compute (`store.summaries.compute`)."""
        from auditdesk.store import summaries

        cache = self.summary_cache()
        blobs = {p: b for p, b in self.repo.blobs(AUDITS).items() if p.endswith(".toml")}
        self._at_head = len(blobs)
        known: dict[str, Summary] = {}
        missing: list[tuple[str, str, str]] = []
        keys = {path: cache.key(blob, path) for path, blob in blobs.items()}
        if sum(cache.get(k) is None for k in keys.values()) > summaries.PARALLEL_FROM:
            cache.borrow(keys.values())  # a fresh clone: the user's other clones may know these contents
        for path, blob in blobs.items():
            fields = cache.get(keys[path])
            if fields is None:
                missing.append((keys[path], path, blob))
            else:
                known[path] = summaries.make_summary(Path(path).stem, fields)
        return known, missing

    def summary_cache(self) -> SummaryCache:
        with self._cache_lock:
            if self._cache is None:
                from auditdesk.store.summaries import SummaryCache

                self._cache = SummaryCache(str(self.repo.common_dir), self.catalogs)
            return self._cache

    def _summary(self, path: str, blob: str) -> Summary:
        """The summary of one revision of one audit (cached like the listing's)."""
        from auditdesk.store import summaries

        cache = self.summary_cache()
        key = cache.key(blob, path)
        fields = cache.get(key)
        if fields is None:
            fields = summaries.summary_fields(self.repo.read_blob(blob), path, self.catalogs)
            cache.put(key, fields)
        return summaries.make_summary(Path(path).stem, fields)

    def save_summaries(self) -> None:
        """Keep what was computed (in the user's cache, never in the store); entries no ref
        reaches are pruned when the cache has grown well past the audits."""
        if self._cache is not None:
            self._cache.save(self._reachable_blobs, self._at_head)

    def _reachable_blobs(self) -> set[str] | None:
        """Every audit blob any ref reaches (for pruning the summary cache)."""
        try:
            out = self.repo.git.run("log", "--all", "--format=", "--raw", "--no-abbrev", "--no-renames", "--", AUDITS)
        except AuditdeskError:
            return None
        raw = [line.split() for line in out.decode("utf-8", "replace").splitlines() if line.startswith(":")]
        return {fields[3] for fields in raw if len(fields) > 3}
