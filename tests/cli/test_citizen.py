"""A good command-line citizen: cron and pipes, a mistyped --store, --version,
completion, JSON from every command that writes, formats from -o, CJK columns."""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support import Cli, git

from auditdesk.cli import main
from auditdesk.cli.columns import cells

REVIEWER = ["--user", "Li Reviewer <li@example.org>"]
AUDIT = "10234-2024-SD"


def isolated_env(tmp_path: Path) -> dict[str, str]:
    """The environment with the default store, config and state under tmp_path."""
    env = {k: v for k, v in os.environ.items() if k not in ("AUDITDESK_STORE", "AUDITDESK_USER")}
    env.update(XDG_DATA_HOME=str(tmp_path / "data"), XDG_CONFIG_HOME=str(tmp_path / "config"),
               XDG_STATE_HOME=str(tmp_path / "state"))
    return env


# ------------------------------------------------------------------ no terminal, no app


def test_no_terminal_no_app_exit_2_with_a_message_in_under_a_second(tmp_path: Path) -> None:
    """Bare `auditdesk` from cron or a pipe: a message naming commands to run, exit 2, at once."""
    env = isolated_env(tmp_path)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "auditdesk"], stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, env=env, timeout=30, check=False)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""  # no escape codes into the pipe
    assert "needs a terminal" in done.stderr and "auditdesk list" in done.stderr and "auditdesk --help" in done.stderr
    assert cpu < 1.0, f"{cpu:.2f} s of CPU"
    # Under a second of wall time on a machine with a free core. When more processes
    # want to run than there are cores, each gets its share, so the bound stretches by
    # that factor; the CPU bound above is the one that holds whatever the load.
    share = max(1.0, os.getloadavg()[0] / (os.cpu_count() or 1))
    assert wall < 1.0 * share, f"{wall:.2f} s (load {share:.1f} per core)"
    assert not (tmp_path / "data").exists()  # nothing opened, no default store created


def test_no_terminal_on_one_side_is_enough_to_refuse(tmp_path: Path) -> None:
    """stdout to a pipe (`auditdesk | less` by mistake) with stdin from a terminal-less file."""
    done = subprocess.run([sys.executable, "-m", "auditdesk", "--store", str(tmp_path / "s")], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, env=isolated_env(tmp_path), timeout=30, check=False)
    assert done.returncode == 2 and "standard input and output are not terminals" in done.stderr


# ------------------------------------------------------------------ a missing store is refused


@pytest.mark.parametrize("command", [
    ["list"], ["show", AUDIT], ["log", AUDIT], ["status", AUDIT], ["score", AUDIT, "B17=97"],
    ["report", "--all", "--out", "REPORTS"], ["export"], ["validate"], ["sync"], ["diff", AUDIT],
    ["new", "--catalog", "cts-isc-jsgf-05", "--project-no", "N-1", "--org", "x"],
])
def test_a_missing_store_is_refused_and_not_created(capsys: pytest.CaptureFixture[str], tmp_path: Path, command: list[str]) -> None:
    typo = tmp_path / "stroe"
    argv = [str(tmp_path / "reports") if a == "REPORTS" else a for a in command]
    code, out, err = Cli(capsys, typo)(*argv)
    assert code == 1 and out == ""
    assert err.startswith(f"auditdesk: no store at {typo} (from --store)")
    assert "auditdesk init" in err and "Only init, demo and the first use of the default store create a store" in err
    assert not typo.exists() and not (tmp_path / "reports").exists()


def test_a_missing_store_from_the_environment_is_refused_too(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUDITDESK_STORE", str(tmp_path / "typo"))
    assert main(["report", "--all", "--out", str(tmp_path / "r")]) == 1
    assert capsys.readouterr().err.startswith(f"auditdesk: no store at {tmp_path / 'typo'} (from $AUDITDESK_STORE)")
    assert not (tmp_path / "typo").exists()


def test_init_and_demo_create_the_store_they_are_given(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    run = Cli(capsys, tmp_path / "new")
    assert run("init")[0] == 0 and (tmp_path / "new" / ".git").is_dir()
    assert run("list") == (0, "", "")
    assert Cli(capsys, tmp_path / "sample")("demo")[0] == 0 and (tmp_path / "sample" / "audits" / f"{AUDIT}.toml").is_file()


def test_the_default_store_is_created_on_first_use(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert main(["list"]) == 0
    assert (tmp_path / "data" / "auditdesk" / "store" / ".git").is_dir()


def test_an_existing_folder_that_is_no_store_is_refused_not_initialised(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    code, _, err = Cli(capsys, tmp_path / "empty")("list")
    assert code == 1 and err.startswith(f"auditdesk: {tmp_path / 'empty'} is an empty folder, not a store yet; create one there with `auditdesk init")
    assert list((tmp_path / "empty").iterdir()) == []
    (tmp_path / "empty" / "notes.txt").write_text("x")
    code, _, err = Cli(capsys, tmp_path / "empty")("list")
    assert code == 1 and "exists, is not empty and is not a git repository; choose another --store" in err


# ------------------------------------------------------------------ --version, --help, completion


def test_version_from_the_installed_metadata(capsys: pytest.CaptureFixture[str]) -> None:
    from importlib.metadata import version

    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out == f"auditdesk {version('auditdesk')}\n"


def test_help_lists_every_command_but_the_hidden_one(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    text = capsys.readouterr().out
    assert "==SUPPRESS==" not in text and "textconv" not in text
    assert all(f"    {name} " in text for name in ("demo", "score", "report", "verify", "catalog", "completion"))


@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_completion_script_comes_from_the_parser(capsys: pytest.CaptureFixture[str], shell: str) -> None:
    from auditdesk.cli.parser import COMMANDS

    assert main(["completion", shell]) == 0
    script = capsys.readouterr().out
    assert all(cmd.name in script for cmd in COMMANDS) and "--project-no" in script and "--prefer" in script
    assert "textconv" not in script
    if shutil.which(shell):
        checked = subprocess.run([shell, "-n"], input=script, capture_output=True, text=True, check=False)
        assert checked.returncode == 0, checked.stderr


@pytest.mark.skipif(not shutil.which("bash"), reason="needs bash")
def test_bash_completes_commands_options_and_project_numbers(capsys: pytest.CaptureFixture[str], cli: Cli, store: Path) -> None:
    assert main(["completion", "bash"]) == 0
    script = capsys.readouterr().out

    def complete(line: str) -> list[str]:
        words = line.split(" ")
        program = (script + f"\nCOMP_WORDS=({' '.join(repr(w) for w in words)}); COMP_CWORD={len(words) - 1}; "
                   f"COMP_LINE={line!r}; COMP_POINT=${{#COMP_LINE}}; _shtab_auditdesk; printf '%s\\n' \"${{COMPREPLY[@]}}\"")
        done = subprocess.run(["bash", "-c", program], capture_output=True, text=True, check=True,
                              env={**os.environ, "AUDITDESK_STORE": str(store)})
        return sorted(done.stdout.split())

    assert complete("auditdesk rep") == ["report"]
    assert "--format" in complete("auditdesk report --f")
    assert complete("auditdesk report --format ") == ["html", "md"]
    assert complete("auditdesk show 102") == [AUDIT]
    assert complete("auditdesk completion ") == ["bash", "zsh"]


# ------------------------------------------------------------------ JSON for scripts


def as_json(result: tuple[int, str, str]) -> dict | list:
    code, out, err = result
    assert code in (0, 1), err
    return json.loads(out)


def test_every_command_that_writes_prints_its_new_revision(cli: Cli, store: Path) -> None:
    def head() -> str:
        return git(store, "rev-parse", "HEAD").strip()

    scored = as_json(cli("score", AUDIT, "B17=97", "--json"))
    assert scored == {"project_no": AUDIT, "revision": head(), "changed": True, "stage": "conclusion",
                      "totals": {"parts": {"A": "54.29", "B": "59.87", "C": "24.23"}, "total": "138.39",
                                 "applicable": "143", "rate": "96.78", "star": "十星级"}}
    again = as_json(cli("score", AUDIT, "B17=97", "--json"))
    assert (again["revision"], again["changed"]) == (None, False)

    new = as_json(cli("new", "--catalog", "cts-isc-jsgf-05", "--project-no", "N-1", "--org", "某公司", "--json"))
    assert new == {"project_no": "N-1", "revision": head(), "changed": True, "stage": "planning",
                   "catalog": "cts-isc-jsgf-05@2024", "previous": None}

    path = store / "audits" / f"{AUDIT}.toml"
    path.write_text(path.read_text("utf-8").replace("[items.B18]\npct = 97", "[items.B18]\npct = 96"), "utf-8")
    committed = as_json(cli("commit", AUDIT, "--json"))
    assert committed == {"project_no": AUDIT, "revision": head(), "changed": True, "stage": "conclusion"}
    assert as_json(cli("commit", AUDIT, "--json"))["revision"] is None

    advanced = as_json(cli("advance", AUDIT, "--json"))
    assert advanced == {"project_no": AUDIT, "revision": head(), "changed": True, "stage": "review"}
    returned = as_json(cli("return", AUDIT, "--to", "onsite", "--reason", "B17 证据不足", "--json", *REVIEWER))
    assert returned == {"project_no": AUDIT, "revision": head(), "changed": True, "stage": "onsite"}
    cli("advance", AUDIT)
    cli("advance", AUDIT)
    approved = as_json(cli("approve", AUDIT, "--json", *REVIEWER))
    assert approved == {"project_no": AUDIT, "revision": head(), "tag": f"approved/{AUDIT}/1", "stage": "approved"}
    reopened = as_json(cli("reopen", AUDIT, "--reason", "客户更正地址", "--json", *REVIEWER))
    assert reopened == {"project_no": AUDIT, "revision": head(), "changed": True, "stage": "conclusion"}


def test_init_demo_and_sync_print_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    hub = tmp_path / "hub.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(hub)], check=True)
    made = as_json(Cli(capsys, tmp_path / "empty")("init", "--json"))
    assert made == {"store": str(tmp_path / "empty"), "revision": git(tmp_path / "empty", "rev-parse", "HEAD").strip(), "shared": False}
    store = tmp_path / "s"
    demo = as_json(Cli(capsys, store)("demo", "--json"))
    assert demo == {"store": str(store), "revision": git(store, "rev-parse", "HEAD").strip(), "project_no": AUDIT, "created": True}
    assert as_json(Cli(capsys, store)("demo", "--json"))["created"] is False
    synced = as_json(Cli(capsys, store)("sync", str(hub), "--json"))
    assert synced["remote"] == str(hub) and synced["revision"] == git(store, "rev-parse", "HEAD").strip()
    assert synced["merged"] == [] and synced["settled"] == [] and synced["action"]


def test_people_add_and_commit_print_the_registrys_new_revision(cli: Cli, store: Path) -> None:
    added = as_json(cli("people", "add", "han", "--name", "韩永师", "--email", "han@example.org", "--role", "auditor",
                        "--role", "administrator", "--json", "--user", "韩永师 <han@example.org>"))
    assert added == {"file": "people.toml", "revision": git(store, "rev-parse", "HEAD").strip(), "changed": True, "person": "han"}
    same = as_json(cli("people", "commit", "--json", "--user", "han"))
    assert same == {"file": "people.toml", "revision": None, "changed": False}


def test_read_only_commands_print_json(cli: Cli, store: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text((store / "audits" / f"{AUDIT}.toml").read_text("utf-8").replace("[items.A1]\npct = 100", "[items.A1]\npct = 101"), "utf-8")
    code, out, _ = cli("validate", str(bad), str(store / "audits" / f"{AUDIT}.toml"), "--json")
    checked = json.loads(out)
    assert code == 1 and checked["ok"] is False
    assert checked["files"][0]["path"] == str(bad) and checked["files"][0]["ok"] is False
    assert any("items.A1.pct: percentage must be between 0 and 100, got 101" in p for p in checked["files"][0]["problems"])
    assert checked["files"][1] == {"path": str(store / "audits" / f"{AUDIT}.toml"), "ok": True, "problems": []}

    cli("score", AUDIT, "B17=97")
    blamed = as_json(cli("blame", AUDIT, "B17", "--json"))
    assert blamed == [{"key": "items.B17", "value": "97", "old": "95", "revision": git(store, "rev-parse", "HEAD").strip(),
                       "author": "韩永师", "email": "team-leader@demo.invalid", "date": blamed[0]["date"]}]

    catalogs = as_json(cli("catalog", "list", "--json"))
    assert catalogs[0]["id"] == "cts-isc-jsgf-05" and catalogs[0]["items"] == 82 and catalogs[0]["total"] == "150"

    reports = as_json(cli("report", "--all", "--out", str(tmp_path / "reports"), "--json"))
    assert reports == {"folder": str(tmp_path / "reports"), "format": "md", "rendered": 1, "unchanged": 0,
                       "other_stage": 0, "removed": 0, "failed": []}

    written = as_json(cli("report", AUDIT, "-o", str(tmp_path / "r.md"), "--json"))
    assert written == {"path": str(tmp_path / "r.md"), "format": "md", "project_no": AUDIT,
                       "revision": git(store, "rev-parse", "HEAD").strip(), "charts": 3}
    code, out, _ = cli("verify", str(tmp_path / "r.md"), "--json")
    verdict = json.loads(out)
    assert code == 1 and verdict["verified"] is False and "NOT an approved revision" in verdict["message"]


# ------------------------------------------------------------------ formats from -o


def test_report_format_follows_the_extension(cli: Cli, tmp_path: Path) -> None:
    assert cli("report", AUDIT, "-o", str(tmp_path / "x.html"))[0] == 0
    assert (tmp_path / "x.html").read_text("utf-8").lstrip().lower().startswith("<!doctype html")
    assert cli("report", AUDIT, "-o", str(tmp_path / "x.md"))[0] == 0
    assert "\n# 服务认证审查报告\n" in (tmp_path / "x.md").read_text("utf-8")
    assert cli("report", AUDIT, "--format", "md", "-o", str(tmp_path / "y.html"))[0] == 0  # --format wins
    assert not (tmp_path / "y.html").read_text("utf-8").lstrip().lower().startswith("<!doctype")


def test_export_format_follows_the_extension_and_stdout_gets_no_bom(cli: Cli, tmp_path: Path) -> None:
    assert cli("export", "-o", str(tmp_path / "x.json"))[0] == 0
    assert json.loads((tmp_path / "x.json").read_text("utf-8"))[0]["project_no"] == AUDIT
    assert cli("export", "-o", str(tmp_path / "x.csv"))[0] == 0
    assert (tmp_path / "x.csv").read_bytes().startswith("\ufeff".encode())  # a file for Excel keeps its BOM
    piped = subprocess.run([sys.executable, "-m", "auditdesk", "export", "--store", str(cli.store)], capture_output=True, check=True)
    assert piped.stdout.startswith(b'"record","project_no"')  # no BOM into a pipe


# ------------------------------------------------------------------ Chinese columns


def column_at(line: str, text: str) -> int:
    """The screen cell where `text` starts in `line`."""
    return cells(line[: line.index(text)])


def test_show_and_list_line_up_by_screen_cells(cli: Cli, store: Path) -> None:
    code, out, _ = cli("show", AUDIT)
    lines = out.splitlines()
    assert code == 0
    ends = {cells(line[: line.index(figure) + len(figure)])
            for line, figure in zip(lines[3:8], ["54.29", "59.81", "24.23", "138.33", "96.73"], strict=True)}
    assert len(ends) == 1, out  # the scores end in one column whatever the width of the part titles

    cli("new", "--catalog", "cts-isc-jsgf-05", "--project-no", "N-1", "--org", "Plain Ltd")
    code, out, _ = cli("list")
    rows = out.splitlines()
    assert code == 0 and len(rows) == 2
    assert column_at(rows[0], "淄博海源电子科技有限公司") == column_at(rows[1], "Plain Ltd"), out


def test_log_and_blame_line_up_a_chinese_author_by_screen_cells(cli: Cli, store: Path) -> None:
    """The demo's leader 韩永师 (3 characters, 6 cells) scores after Ann Auditor
    (11 characters) created the demo: the stage column of `log` and the key
    column of `blame` start in the same screen cell on both lines."""
    assert cli("score", AUDIT, "A1=90", "--user", "韩永师 <han@example.org>")[0] == 0
    code, out, _ = cli("log", AUDIT, "-n", "2")
    rows = out.splitlines()
    assert code == 0 and len(rows) == 2 and "韩永师" in rows[0] and "Ann Auditor" in rows[1], out
    assert column_at(rows[0], "conclusion") == column_at(rows[1], "conclusion"), out
    code, out, _ = cli("blame", AUDIT)
    han = next(line for line in out.splitlines() if "items.A1:" in line)
    ann = next(line for line in out.splitlines() if "items.A2:" in line)
    assert code == 0 and "韩永师" in han and "Ann Auditor" in ann, out
    assert column_at(han, "items.A1") == column_at(ann, "items.A2"), out


def test_demo_init_and_clone_say_when_git_cannot_find_the_diff_driver(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Followed without activating the environment, plain `git diff` of a hand edit would fail
    with git's "cannot run auditdesk-textconv": the commands that make a store say so first."""
    hub = tmp_path / "hub.git"
    assert Cli(capsys, hub)("init", "--bare")[0] == 0
    git_dir = Path(shutil.which("git") or "/usr/bin/git").parent
    monkeypatch.setenv("PATH", f"{git_dir}:/bin")  # git, but not this environment's scripts
    for argv in (("demo",), ("init",), ("clone", str(hub), str(tmp_path / "mine"))):
        code, _, err = Cli(capsys, tmp_path / argv[0])(*argv)
        assert code == 0 and "auditdesk: note: auditdesk-textconv is not on PATH" in err, (argv, err)
        assert f"run . {Path(sys.executable).parent / 'activate'}," in err  # the command to run, whole
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}:{git_dir}:/bin")
    code, _, err = Cli(capsys, tmp_path / "again")("demo")
    assert code == 0 and "not on PATH" not in err
