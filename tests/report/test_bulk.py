"""`auditdesk report --all`: every report into a folder, incrementally, in parallel.

Small real stores (git in tmp_path) built through AuditStore.save; what is
checked is what a certification body relies on: every report is there, an
unchanged report is not rendered (nor its audit parsed) again, a broken audit
is named and does not stop the others, and the footer's revision verifies.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from support import Cli, git

from auditdesk.audit import workflow
from auditdesk.audit.document import Audit
from auditdesk.audit.identity import Identity
from auditdesk.criteria.catalog import BUILTIN_DIR, Catalogs
from auditdesk.desk.actions import approve
from auditdesk.report import bulk
from auditdesk.report.bulk import MANIFEST, Progress, render_all
from auditdesk.report.provenance import verify
from auditdesk.store.audits import AuditStore

LEADER = Identity("韩永师", "leader@example.org")
REVIEWER = Identity("Rita Reviewer", "rita@example.org")
NOW = dt.datetime(2024, 4, 12, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
STAGES = {"10234-2024-SD": "conclusion", "20001-2024-SD": "approved", "20002-2024-SD": "planning", "20003-2025-SD": "conclusion"}


def make_store(root: Path, sample: Audit, catalogs: Catalogs | None = None) -> AuditStore:
    """Four audits: the sample and three variants (other number, organisation, stage)."""
    store = AuditStore.open(root, create=True, catalogs=catalogs)
    for n, (project_no, stage) in enumerate(STAGES.items()):
        audit = copy.deepcopy(sample)
        audit.project_no, audit.stage = project_no, "conclusion" if stage == "approved" else stage  # type: ignore[assignment]
        audit.planning.organisation += "" if n == 0 else f" 分公司{n}"
        store.save(audit, base=None, user=LEADER)
        if stage == "approved":  # only the workflow approves (a file that merely says so is not approved)
            loaded = store.load(project_no)
            store.transition(loaded, lambda a: workflow.advance(a, loaded.catalog, LEADER, NOW), LEADER)  # noqa: B023
            approve(store, project_no, REVIEWER, NOW)
    return store


@pytest.fixture
def store(tmp_path: Path, sample: Audit) -> AuditStore:
    with make_store(tmp_path / "store", sample) as store:
        yield store


def reports(out: Path, suffix: str = ".md") -> list[str]:
    return sorted(p.stem for p in out.glob(f"*{suffix}") if "-radar-" not in p.name)


def test_renders_every_audit_with_its_charts_and_its_own_revision(store: AuditStore, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = render_all(store, out)
    assert (result.rendered, result.skipped, result.failed) == (4, 0, [])
    assert reports(out) == sorted(STAGES)
    assert len(list(out.glob("*-radar-*.svg"))) == 4 * 3
    own = store.own_revision("20002-2024-SD")
    assert own is not None and own != store.repo.head()  # 20003-2025-SD was saved after it
    report = (out / "20002-2024-SD.md").read_text("utf-8")
    assert f"报告来源：20002-2024-SD · 修订 {own} · " in report
    assert f"20002-2024-SD-{own[:12]}-radar-B.svg" in report and (out / f"20002-2024-SD-{own[:12]}-radar-B.svg").exists()
    assert "分公司2" in report


def test_incremental_run_agrees_with_a_single_report(store: AuditStore, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """Saving another audit changes neither this audit's report nor what `report` prints for it."""
    out = tmp_path / "out"
    render_all(store, out)
    before = (out / "10234-2024-SD.md").read_bytes()
    loaded = store.load("20003-2025-SD")
    loaded.audit.planning.scope = "另一个范围"
    store.save(loaded.audit, base=loaded.blob, user=LEADER)
    assert render_all(store, out).rendered == 1
    assert (out / "10234-2024-SD.md").read_bytes() == before
    code, printed, _ = Cli(capsys, store.root)("report", "10234-2024-SD")
    assert code == 0 and printed.encode("utf-8") == before


def test_second_run_skips_everything_without_parsing(store: AuditStore, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    render_all(store, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def no_parsing(*args: object) -> None:
        raise AssertionError("an unchanged audit was parsed")

    monkeypatch.setattr(AuditStore, "parse", no_parsing)
    result = render_all(store, out)
    assert (result.rendered, result.skipped, result.failed, result.removed) == (0, 4, [], 0)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_changing_one_audit_rerenders_just_that_one(store: AuditStore, tmp_path: Path) -> None:
    out = tmp_path / "out"
    render_all(store, out)
    untouched = (out / "10234-2024-SD.md").read_bytes()
    loaded = store.load("20003-2025-SD")
    loaded.audit.planning.organisation = "改名后的公司"
    store.save(loaded.audit, base=loaded.blob, user=LEADER)
    result = render_all(store, out)
    assert (result.rendered, result.skipped) == (1, 3)
    assert "改名后的公司" in (out / "20003-2025-SD.md").read_text("utf-8")
    assert (out / "10234-2024-SD.md").read_bytes() == untouched


def test_catalog_template_or_missing_file_rerenders(store: AuditStore, tmp_path: Path, sample: Audit,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    render_all(store, out)
    next(out.glob("20002-2024-SD-*-radar-B.svg")).unlink()
    (out / "20003-2025-SD.md").write_text("")  # what a crash can leave of an unsynced file
    assert render_all(store, out).rendered == 2

    edited = tmp_path / "catalogs"
    edited.mkdir()
    text = (BUILTIN_DIR / "cts-isc-jsgf-05.toml").read_text("utf-8")
    (edited / "cts-isc-jsgf-05.toml").write_text(text.replace("售后服务体系", "售后服务管理体系", 1), "utf-8")
    with AuditStore.open(store.root, catalogs=Catalogs((edited,))) as changed:
        result = render_all(changed, out)
    assert (result.rendered, result.skipped) == (4, 0)
    assert "售后服务管理体系" in (out / "10234-2024-SD.md").read_text("utf-8")

    monkeypatch.setattr(bulk, "renderer_key", lambda fmt: f"{fmt}:a new template")
    assert render_all(store, out).rendered == 4


def test_force_renders_all(store: AuditStore, tmp_path: Path) -> None:
    out = tmp_path / "out"
    render_all(store, out)
    result = render_all(store, out, force=True)
    assert (result.rendered, result.skipped) == (4, 0)


def test_stage_filter_selects_and_the_folder_follows(store: AuditStore, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = render_all(store, out, stage="conclusion")
    assert (result.rendered, result.excluded) == (2, 2)
    assert reports(out) == ["10234-2024-SD", "20003-2025-SD"]

    render_all(store, out)
    assert reports(out) == sorted(STAGES)
    result = render_all(store, out, stage="approved")  # stages known from the manifest: nothing parsed
    assert (result.rendered, result.skipped, result.excluded, result.removed) == (0, 1, 3, 3)
    assert reports(out) == ["20001-2024-SD"]
    assert not list(out.glob("10234-2024-SD*"))


def test_broken_audit_fails_alone_in_parallel_workers(store: AuditStore, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    (store.root / "audits" / "20009-2024-SD.toml").write_text('schema = 1\nproject_no = "20009-2024-SD"\nstage = [\n')
    git(store.root, "add", "audits/20009-2024-SD.toml")
    git(store.root, "-c", "user.name=Hand", "-c", "user.email=hand@example.org", "commit", "-q", "-m", "hand edit")
    monkeypatch.setattr(bulk, "MIN_PER_WORKER", 1)  # small store, but through the process pool
    cli = Cli(capsys, store.root)
    code, stdout, stderr = cli("report", "--all", "--out", str(out), "--jobs", "2")
    assert code == 1
    assert stdout.strip() == f"reports in {out}: 4 rendered, 0 unchanged, 1 failed"
    assert "failed 20009-2024-SD: " in stderr and "audits/20009-2024-SD.toml: invalid TOML" in stderr
    assert stderr.count("\n") == 1  # no progress bar: not a terminal
    assert reports(out) == sorted(STAGES)

    code, stdout, _ = cli("report", "--all", "--out", str(out), "--jobs", "2")
    assert code == 1 and "4 unchanged, 1 failed" in stdout  # still failing, still named; the rest unchanged


def test_deleted_audit_loses_its_report(store: AuditStore, tmp_path: Path) -> None:
    out = tmp_path / "out"
    render_all(store, out)
    git(store.root, "rm", "-q", "audits/20002-2024-SD.toml")
    git(store.root, "-c", "user.name=Hand", "-c", "user.email=hand@example.org", "commit", "-q", "-m", "withdrawn")
    result = render_all(store, out)
    assert (result.rendered, result.skipped, result.removed) == (0, 3, 1)
    assert not list(out.glob("20002-2024-SD*"))
    assert "20002-2024-SD" not in json.loads((out / MANIFEST).read_text("utf-8"))["reports"]


def test_html_is_standalone_and_replaces_markdown(store: AuditStore, tmp_path: Path) -> None:
    out = tmp_path / "out"
    render_all(store, out)
    result = render_all(store, out, fmt="html")
    assert result.rendered == 4
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [f"{n}.html" for n in sorted(STAGES)]
    page = (out / "10234-2024-SD.html").read_text("utf-8")
    assert page.count("data:image/svg+xml;base64,") == 3 and "<script" not in page


def test_approved_report_names_the_approved_revision_and_verifies(store: AuditStore, tmp_path: Path) -> None:
    loaded = store.load("10234-2024-SD")
    store.transition(loaded, lambda a: workflow.advance(a, loaded.catalog, LEADER, NOW), LEADER)
    tag = approve(store, "10234-2024-SD", REVIEWER, NOW)
    loaded = store.load("20002-2024-SD")
    loaded.audit.planning.scope = "新的范围"
    store.save(loaded.audit, base=loaded.blob, user=LEADER)
    assert store.repo.head() != tag.commit

    out = tmp_path / "out"
    render_all(store, out, stage="approved")
    verdict = verify(store, out / "10234-2024-SD.md")
    assert verdict.ok, verdict.message


def test_progress_bar_only_on_a_terminal() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    job = bulk.Job("x", "audits/x.toml", "0" * 40, "0" * 40)
    quiet, tty = io.StringIO(), Terminal()
    for stream in (quiet, tty):
        bar = Progress(stream, 2)
        bar.advance(bulk.Outcome(job, error="broken"))
        bar.advance(bulk.Outcome(job, "planning", {}))
        bar.close()
    assert quiet.getvalue() == ""
    assert "2/2, 1 failed" in tty.getvalue() and tty.getvalue().endswith("\r\033[K")


def test_a_tampered_manifest_deletes_nothing_outside_the_folder(store: AuditStore, tmp_path: Path) -> None:
    out = tmp_path / "out"
    render_all(store, out)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    manifest = json.loads((out / MANIFEST).read_text("utf-8"))
    manifest["reports"]["gone-2024-SD"] = {"blob": "0" * 40, "files": {"../victim.txt": 7}}
    manifest["reports"]["10234-2024-SD"]["files"]["../victim.txt"] = 7
    (out / MANIFEST).write_text(json.dumps(manifest), "utf-8")
    result = render_all(store, out)
    assert victim.read_text() == "keep me"
    assert (result.rendered, result.skipped) == (1, 3)  # the tampered entry is dropped, its report redone
