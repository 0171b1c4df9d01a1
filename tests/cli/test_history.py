"""History tools: log, semantic diff, blame, hand edits, listing, git's own diff, follow-up audits."""

from __future__ import annotations

import json
from pathlib import Path

from support import Cli, git

AUDIT = "10234-2024-SD"


def edit_file(store: Path, old: str, new: str) -> None:
    path = store / "audits" / f"{AUDIT}.toml"
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


def test_diff_shows_exactly_the_changed_score_and_conclusion(cli: Cli, store: Path) -> None:
    assert cli("score", AUDIT, "B17=97")[0] == 0
    edit_file(store, 'recommended_star = "十星级"', 'recommended_star = "十星级"\nstar_justification = "复核后确认"')
    assert cli("commit", AUDIT)[0] == 0
    first = git(store, "rev-list", "--max-count=1", "HEAD~2").strip()
    code, out, _ = cli("diff", AUDIT, first, "HEAD", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["fields"] == [{"field": "conclusion.star_justification", "old": "", "new": "复核后确认"}]
    assert data["items"] == [{"code": "B17", "old": "95", "new": "97", "old_score": "2.85", "new_score": "2.91", "delta": "0.06"}]
    assert (data["before"]["total"], data["after"]["total"]) == ("138.33", "138.39")
    assert (data["before"]["parts"]["B"], data["after"]["parts"]["B"]) == ("59.81", "59.87")
    assert (data["before"]["rate"], data["after"]["rate"], data["after"]["star"]) == ("96.73", "96.78", "十星级")
    code, out, _ = cli("diff", AUDIT)  # default: the last two revisions
    assert out.splitlines()[1:] == ["conclusion.star_justification: (empty) → 复核后确认"]


def test_git_diff_in_the_store_is_readable(cli: Cli, store: Path) -> None:
    assert cli("score", AUDIT, "B17=97")[0] == 0
    patch = git(store, "log", "-p", "-1")
    assert "-item B17 5.2.3.2 = 95 → 2.85" in patch and "+item B17 5.2.3.2 = 97 → 2.91" in patch
    assert "-total = 138.33 / 150" in patch and "+total = 138.39 / 150" in patch


def test_log_lists_revisions_with_stage_and_total(cli: Cli, store: Path) -> None:
    assert cli("score", AUDIT, "B17=97")[0] == 0
    _code, out, _ = cli("log", AUDIT, "--json")
    entries = json.loads(out)
    assert [(e["message"].splitlines()[0], e["stage"], e["total"]) for e in entries] == [
        (f"{AUDIT}: score B17 95 → 97", "conclusion", "138.39"),
        (f"{AUDIT}: create audit {AUDIT} (demo: the seed report)".replace(f"{AUDIT}: ", ""), "conclusion", "138.33"),
    ]
    assert entries[0]["author"] == "韩永师"


def test_blame_names_who_changed_an_item_and_from_what(cli: Cli, store: Path) -> None:
    assert cli("score", AUDIT, "B17=97", "--user", "韩永师 <h@x.org>")[0] == 0
    _, out, _ = cli("blame", AUDIT, "B17")
    (line,) = out.splitlines()
    assert line.endswith("韩永师        items.B17: 95 → 97") or ("items.B17: 95 → 97" in line and "韩永师" in line)
    _code, out, _ = cli("blame", AUDIT, "conclusion.author")
    assert "conclusion.author: (none) → 韩永师" in out
    assert cli("blame", AUDIT, "nothing.here")[0] == 1


def test_hand_edit_invalid_then_valid(cli: Cli, store: Path) -> None:
    edit_file(store, "[items.B17]\npct = 95", "[items.B17]\npct = 195")
    code, _, err = cli("commit", AUDIT)
    assert code == 1 and "items.B17.pct: percentage must be between 0 and 100, got 195" in err
    # the app refuses to overwrite the hand edit
    code, _, err = cli("score", AUDIT, "B18=96")
    assert code == 1 and "not committed" in err
    edit_file(store, "pct = 195", "pct = 96  # checked again on site")
    code, out, _ = cli("commit", AUDIT)
    assert code == 0 and "committed" in out
    assert git(store, "log", "-1", "--format=%s").strip() == f"{AUDIT}: hand edit: score B17 95 → 96"
    text = (store / "audits" / f"{AUDIT}.toml").read_text("utf-8")
    assert "[items.B17]\npct = 96\n" in text and "#" not in text  # canonical form; the typed bytes are on a side ref
    assert git(store, "status", "--porcelain") == ""
    assert "refs/auditdesk/discarded/" in git(store, "for-each-ref", "--format=%(refname)")


def test_list_filters_and_json(cli: Cli, store: Path) -> None:
    assert cli("new", "--catalog", "cts-isc-jsgf-05", "--project-no", "N-1", "--org", "乙公司")[0] == 0
    code, out, _ = cli("list", "--json")
    assert code == 0
    rows = {r["project_no"]: r for r in json.loads(out)}
    assert rows[AUDIT]["total"] == "138.33" and rows[AUDIT]["star"] == "十星级" and rows[AUDIT]["year"] == "2024"
    assert rows["N-1"]["stage"] == "planning"
    _, out, _ = cli("list", "--stage", "planning")
    assert [line.split()[0] for line in out.splitlines()] == ["N-1"]
    _, out, _ = cli("list", "--year", "2024")
    assert [line.split()[0] for line in out.splitlines()] == [AUDIT]


def test_a_broken_file_in_the_store_is_listed_with_its_problem(cli: Cli, store: Path) -> None:
    (store / "audits" / "BROKEN.toml").write_text("schema = 1\nproject_no = [", "utf-8")
    git(store, "add", "audits/BROKEN.toml")
    git(store, "-c", "user.name=x", "-c", "user.email=x@x", "commit", "-qm", "broken by hand")
    code, out, _ = cli("list")
    assert code == 0 and "BROKEN           ! " in out and "invalid TOML" in out


def test_follow_up_audit_copies_planning_and_compares_year_over_year(cli: Cli, store: Path) -> None:
    code, out, _ = cli("new", "--from", AUDIT, "--project-no", "10234-2025-SD", "--type", "surveillance")
    assert code == 0 and "following 10234-2024-SD" in out
    text = (store / "audits" / "10234-2025-SD.toml").read_text("utf-8")
    assert 'previous = "10234-2024-SD"' in text and 'audit_type = "surveillance"' in text and "韩永师" in text
    assert "audit_from" not in text and "[items." not in text
    assert cli("score", "10234-2025-SD", "B17=90")[0] == 0
    code, out, _ = cli("diff", "10234-2025-SD", "--against", AUDIT, "--json")
    data = json.loads(out)
    b17 = next(i for i in data["items"] if i["code"] == "B17")
    assert (b17["old"], b17["new"], b17["delta"]) == ("95", "90", "-0.15")
    assert {"field": "planning.audit_type", "old": "initial", "new": "surveillance"} in data["fields"]


def test_store_settings_give_new_audits_the_certification_body(cli: Cli, store: Path) -> None:
    assert 'name = "北京国标联合认证有限公司"' in (store / "auditdesk.toml").read_text("utf-8")
    assert cli("new", "--catalog", "cts-isc-jsgf-05", "--project-no", "N-2", "--org", "丙公司")[0] == 0
    text = (store / "audits" / "N-2.toml").read_text("utf-8")
    assert '[body]\nname = "北京国标联合认证有限公司"' in text and 'postcode = "100028"' in text


def test_stage_move_diff_names_only_what_changed(cli: Cli, store: Path) -> None:
    assert cli("advance", AUDIT)[0] == 0
    _code, out, _ = cli("diff", AUDIT, "--json")
    fields = [f["field"] for f in json.loads(out)["fields"]]
    assert fields == ["stage", "transitions[0].to", "transitions[0].by", "transitions[0].at"]


def test_year_over_year_leaves_out_what_is_not_filled_yet(cli: Cli, store: Path) -> None:
    """Score changes per item and per section, changed facts; not the empty fields of a new audit."""
    from auditdesk.audit.identity import Identity
    from auditdesk.store.audits import AuditStore

    assert cli("new", "--from", AUDIT, "--project-no", "10234-2025-SD", "--type", "surveillance")[0] == 0
    assert cli("score", "10234-2025-SD", "B17=90")[0] == 0
    _, out, _ = cli("diff", "10234-2025-SD", "--against", AUDIT)
    assert out.splitlines()[1:] == ["planning.audit_type: initial → surveillance", "B17: 95 → 90 (score 2.85 → 2.7)"]
    with AuditStore.open(store) as opened:  # this year scored in full: the same as last year but B17 and B18
        last, this = opened.load(AUDIT), opened.load("10234-2025-SD")
        this.audit.items = {**last.audit.items, "B17": this.audit.items["B17"]}
        this.audit.planning.scope = "资质范围内水表、智能表所涉及的商品售后绿色服务。"
        opened.save(this.audit, base=this.blob, user=Identity("韩永师", "h@x.org"))
    assert cli("score", "10234-2025-SD", "B18=96")[0] == 0
    _, out, _ = cli("diff", "10234-2025-SD", "--against", AUDIT)
    assert out.splitlines()[1:] == [
        "planning.audit_type: initial → surveillance",
        "planning.scope: 资质范围内水表、智能表、供水设备、热量表所涉及的商品售后绿色服务。 → 资质范围内水表、智能表所涉及的商品售后绿色服务。",
        "B17: 95 → 90 (score 2.85 → 2.7)",
        "B18: 97 → 96 (score 1.94 → 1.92)",
        "section 5.2.3 配送: 7.73 → 7.56",
        "part B: 59.81 → 59.64",
        "total: 138.33 → 138.16",
        "rate: 96.73 → 96.62",
    ]
