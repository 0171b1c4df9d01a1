"""`auditdesk score --from FILE`: many audits scored by one process, one commit per audit."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from support import Cli, git

AUDIT = "10234-2024-SD"
LEADER = "韩永师 <han@example.org>"


def test_batch_commits_once_per_audit_and_reports_refused_lines(cli: Cli, store: Path, tmp_path: Path) -> None:
    assert cli("new", "--catalog", "cts-isc-jsgf-05", "--project-no", "P-2", "--org", "Org", "--user", LEADER)[0] == 0
    before = int(git(store, "rev-list", "--count", "HEAD"))
    batch = tmp_path / "scores.txt"
    batch.write_text(
        "# scores typed on site\n"
        f"{AUDIT} A2=91 A3=92\n"
        "\n"
        'P-2 B17=80 --note "checked again"\n'
        f"{AUDIT} C1 --na --reason 'not offered'\n"
        "P-2 Z9=1\n", "utf-8")
    code, out, err = cli("score", "--from", str(batch), "--user", LEADER)
    assert code == 1
    assert out.startswith(f"{AUDIT}: revision ") and out.count("\n") == 1
    assert err == (f"auditdesk: {batch}:6: P-2: Z9: unknown item code 'Z9' in catalog cts-isc-jsgf-05@2024\n"
                   "auditdesk: 1 of 2 audit(s) not saved\n")
    assert int(git(store, "rev-list", "--count", "HEAD")) == before + 1  # P-2 kept as it was: its last line was refused
    subject = git(store, "log", "-1", "--format=%s")
    assert subject.startswith(f"{AUDIT}: score A2 ") and "→ 91" in subject and "→ 92" in subject and "→ N/A" in subject
    text = (store / "audits" / f"{AUDIT}.toml").read_text("utf-8")
    assert "[items.A2]\npct = 91\n" in text and "[items.C1]\nna = true\nreason = \"not offered\"\n" in text


def test_batch_from_standard_input(cli: Cli, store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{AUDIT} B17=97\n"))
    code, out, err = cli("score", "--from", "-", "--user", LEADER)
    assert (code, err) == (0, "") and out.startswith(f"{AUDIT}: revision ")
    assert "[items.B17]\npct = 97\n" in (store / "audits" / f"{AUDIT}.toml").read_text("utf-8")


@pytest.mark.parametrize(("line", "message"), [
    (f'{AUDIT} A2=91 "unclosed', "No closing quotation"),
    (f"{AUDIT} A2=91 --bogus", "unrecognized arguments: --bogus"),
    (f"{AUDIT}", "write AUDIT CODE=PCT"),
    ("--help", "write AUDIT CODE=PCT"),
])
def test_a_malformed_line_stops_the_batch_before_any_save(cli: Cli, store: Path, tmp_path: Path, line: str, message: str) -> None:
    head = git(store, "rev-parse", "HEAD")
    batch = tmp_path / "b.txt"
    batch.write_text(f"{AUDIT} A2=91\n{line}\n", "utf-8")
    code, out, err = cli("score", "--from", str(batch), "--user", LEADER)
    assert code == 1 and out == "" and err.startswith(f"auditdesk: {batch}:2: ") and message in err
    assert git(store, "rev-parse", "HEAD") == head


def test_score_needs_its_arguments_or_a_file(cli: Cli) -> None:
    for argv in (("score",), ("score", AUDIT), ("score", AUDIT, "A2=90", "--from", "x.txt")):
        code, out, err = cli(*argv)  # the harness turns argparse's SystemExit into the exit status
        assert code == 2 and out == ""
        assert err.startswith("usage: auditdesk score ") and ("required: AUDIT, CODE=PCT" in err or "with --from FILE" in err)
