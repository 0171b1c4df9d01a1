"""The audit store: audits as TOML files in a git repository.

This is the one interface the command line and the TUI use to read and save
audits.  Paths are derived from validated project numbers only; every save
is one commit by the acting user, refused when the audit changed since the
revision the edit started from (see `gitrepo` for how that is made safe).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from auditdesk.criteria.catalog import Catalog, Catalogs
from auditdesk.criteria.problems import AuditdeskError, InvalidInput
from auditdesk.criteria.scoring import fmt_2, score_audit

from . import document
from .diff import diff_audits
from .document import Audit, check_project_no
from .gitrepo import GitRepo, Identity, Revision, SaveResult

AUDITS = "audits"


@dataclass(frozen=True)
class Loaded:
    """An audit with what it was read from: the base for the next save."""

    audit: Audit
    catalog: Catalog
    blob: str | None
    path: str


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


class HandEdited(AuditdeskError):
    """The working-tree file has changes that were never committed."""


def git_blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


class AuditStore:
    def __init__(self, root: Path, catalogs: Catalogs | None = None) -> None:
        self.root = root
        self.repo = GitRepo(root)
        self.catalogs = catalogs or Catalogs()

    @classmethod
    def open(cls, root: Path, *, create: bool = False, catalogs: Catalogs | None = None) -> "AuditStore":
        """Open the store at `root`, creating an empty one if asked and absent."""
        if create and not (root / ".git").exists():
            if root.exists() and any(root.iterdir()):
                raise AuditdeskError(f"{root} exists, is not empty and is not a git repository; choose another --store")
            root.mkdir(parents=True, exist_ok=True)
            GitRepo.init(root).close()
        return cls(root, catalogs)

    def close(self) -> None:
        self.repo.close()

    def __enter__(self) -> "AuditStore":
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
            data = path.read_bytes()
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
        audit, catalog = self.parse(self.repo.read_blob(blob), str(self.root / path))
        return Loaded(audit, catalog, blob, path)

    def save(self, audit: Audit, *, base: str | None, user: Identity, message: str | None = None) -> SaveResult:
        """Commit `audit` if it changed since `base`; the message says what changed."""
        path = self.path_of(audit.project_no)
        catalog = self.catalogs.get(audit.catalog.id, audit.catalog.version)
        problems = document.audit_problems(audit, catalog)
        if problems:
            raise InvalidInput.single(path, ".".join(map(str, problems[0][0])), problems[0][1])
        self._refuse_hand_edits(path, base)
        if message is None:
            message = self._describe(audit, base, catalog)
        return self.repo.save(path, document.to_toml(audit), base=base, author=user, message=message)

    def _describe(self, audit: Audit, base: str | None, catalog: Catalog) -> str:
        if base is None:
            return f"create audit {audit.project_no} ({audit.planning.organisation})"
        old, old_catalog = self.parse(self.repo.read_blob(base), "base revision")
        change = diff_audits(old, audit, catalog, old_catalog)
        body = change.details()
        return f"{audit.project_no}: {change.summary()}" + (f"\n\n{body}\n" if body else "")

    def _refuse_hand_edits(self, path: str, base: str | None) -> None:
        """Never overwrite bytes someone typed into the working tree and did not commit."""
        try:
            on_disk = (self.root / path).read_bytes()
        except FileNotFoundError:
            return
        head = self.repo.blob_id(path)
        if git_blob_id(on_disk) not in (head, base):
            raise HandEdited(
                f"{path} was edited outside auditdesk and not committed; "
                f"run 'auditdesk commit {Path(path).stem}' to keep those edits, or 'git -C {self.root} checkout -- {path}' to drop them"
            )

    def log(self, project_no: str, limit: int | None = None) -> list[Revision]:
        return self.repo.log(self.path_of(project_no), limit=limit)

    def summaries(self) -> list[Summary]:
        """One summary per audit at HEAD; unchanged blobs come from a cache."""
        blobs = {p: b for p, b in self.repo.blobs(AUDITS).items() if p.endswith(".toml")}
        cache_path = self.root / ".git" / "auditdesk" / "summaries.json"
        try:
            cache: dict[str, dict[str, str]] = json.loads(cache_path.read_text("utf-8"))
        except (OSError, ValueError):
            cache = {}
        out, fresh = [], {}
        for path, blob in sorted(blobs.items()):
            entry = cache.get(blob) or asdict(self._summarise(path, blob))
            fresh[blob] = entry
            out.append(Summary(**entry))
        if fresh.keys() != cache.keys():
            cache_path.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache_path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(fresh, ensure_ascii=False), "utf-8")
            os.replace(tmp, cache_path)
        return out

    def _summarise(self, path: str, blob: str) -> Summary:
        project_no = Path(path).stem
        try:
            audit, catalog = self.parse(self.repo.read_blob(blob), path)
        except AuditdeskError as exc:
            return Summary(project_no, "", "", "", "", "", "", "", error=str(exc).splitlines()[0])
        card = score_audit(catalog, audit.items, audit.special)
        year = str(audit.planning.audit_from.year) if audit.planning.audit_from else ""
        return Summary(
            project_no, audit.planning.organisation, audit.planning.audit_type, audit.stage,
            fmt_2(card.total), fmt_2(card.rate), card.star or "", year,
        )
