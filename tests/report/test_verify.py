"""`auditdesk verify`: what approval issued, in Markdown or HTML, with its charts, across upgrades."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import Cli, git

from auditdesk.report import markdown

AUDIT = "10234-2024-SD"
REVIEWER = ("--user", "Li Reviewer <li@example.org>")


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> Cli:
    run = Cli(capsys, tmp_path / "store")
    assert run("demo", "--user", "Ann Auditor <ann@example.org>")[0] == 0
    return run


def approve(cli: Cli) -> str:
    assert cli("advance", AUDIT)[0] == 0
    assert cli("approve", AUDIT, *REVIEWER)[0] == 0
    return git(cli.store, "rev-parse", f"approved/{AUDIT}/1^{{commit}}").strip()


def test_html_and_markdown_reports_verify(cli: Cli, tmp_path: Path) -> None:
    approved = approve(cli)
    tag = git(cli.store, "cat-file", "-p", f"approved/{AUDIT}/1")
    assert "report-html-sha256: " in tag and "charts-sha256: " in tag and "auditdesk-version: " in tag
    for name, options in (("r.md", ()), ("r.html", ("--format", "html"))):
        assert cli("report", AUDIT, "-o", str(tmp_path / name), *options)[0] == 0
        code, out, _ = cli("verify", str(tmp_path / name))
        assert code == 0 and f"verified: the report of {AUDIT} revision {approved[:12]}" in out, out
    page = (tmp_path / "r.html").read_text("utf-8")
    assert "报告状态：已批准（复核人：Li Reviewer" in page
    (tmp_path / "r.html").write_text(page.replace("138.33", "139.33"), "utf-8")
    code, out, _ = cli("verify", str(tmp_path / "r.html"))
    assert code == 1 and "differs from it: line" in out


def test_the_hash_recorded_at_approval_is_checked_before_rendering_again(
        cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A later release that renders one space differently still verifies what was issued."""
    approve(cli)
    report = tmp_path / "issued.md"
    assert cli("report", AUDIT, "-o", str(report))[0] == 0
    original = markdown.render
    monkeypatch.setattr(markdown, "render", lambda *a, **k: markdown.Rendered(
        original(*a, **k).markdown.replace("服务认证审查报告", "服务认证审查报告 "), original(*a, **k).assets))
    code, out, _ = cli("verify", str(report))
    assert code == 0 and "verified" in out and "rendered by auditdesk " in out


def test_charts_are_named_per_revision_and_checked(cli: Cli, tmp_path: Path) -> None:
    """A later report written to the same folder cannot replace the approved report's charts."""
    approved = approve(cli)
    out = tmp_path / "issued"
    assert cli("report", AUDIT, "-o", str(out / "approved.md"))[0] == 0
    assert cli("reopen", AUDIT, "--reason", "客户更正地址")[0] == 0
    assert cli("score", AUDIT, "B17=80", "--user", "韩永师 <h@x.org>")[0] == 0
    assert cli("report", AUDIT, "-o", str(out / "draft.md"))[0] == 0
    charts = sorted(p.name for p in out.glob("*.svg"))
    assert len(charts) == 6 and sum(approved[:12] in name for name in charts) == 3
    code, said, _ = cli("verify", str(out / "approved.md"))
    assert code == 0, said
    chart = next(out.glob(f"*-{approved[:12]}-radar-B.svg"))
    chart.write_bytes(chart.read_bytes().replace(b"</svg>", b"<!-- x --></svg>"))
    code, said, _ = cli("verify", str(out / "approved.md"))
    assert code == 1 and f"its chart {chart.name} is not the approved one" in said
    chart.unlink()
    code, said, _ = cli("verify", str(out / "approved.md"))
    assert code == 1 and "is missing beside it" in said


def test_the_footer_names_the_audits_own_revision(cli: Cli) -> None:
    """Saving another audit changes neither the footer nor the bytes of this audit's report."""
    _, before, _ = cli("report", AUDIT)
    own = git(cli.store, "log", "-1", "--format=%H", "--", f"audits/{AUDIT}.toml").strip()
    assert f"修订 {own} · " in before
    assert cli("new", "--catalog", "cts-isc-jsgf-05", "--project-no", "N-1", "--org", "乙公司")[0] == 0
    assert git(cli.store, "rev-parse", "HEAD").strip() != own
    assert cli("report", AUDIT)[1] == before
