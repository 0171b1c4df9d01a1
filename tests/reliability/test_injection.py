"""Injection: typed text stays text in the reports, and nothing typed reaches a
shell or a git command line as an option.

tests/report/test_report_hostile.py renders a hostile audit in-process (chosen
fields) and tests/report/test_escape_props.py checks escaping with hypothesis;
here *every* free-text field of a hand-edited audit goes through the command
line (`commit`, then `report` to Markdown and `--format html`), and hostile
arguments go to every command that hands something to git.
"""

from __future__ import annotations

import dataclasses
import re
import typing
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt
from support import git
from support.reliability import AUDIT, LEADER, Run, consistent

from auditdesk.audit.document import Audit, Member, Site, Special, from_toml, to_toml
from auditdesk.criteria.results import SpecialBonus, SpecialDeduction

EVIL = ("A|B <script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1)) "
        "![y](javascript:alert(2)) <javascript:alert(3)> `code` **b** _i_ ~~s~~ &amp; &#60; \\| "
        "<iframe src=//evil> <a href=x>y</a>\n# heading | - list | 1. list | > quote | ``` | ---")
PLAIN = "X\nY"
SKIP = {"project_no", "id", "version", "hash", "previous", "created_by", "by"}


def _fill(obj: Any, text: str) -> None:
    """Set every free-text field (declared `str`) in a dataclass tree to `text`."""
    hints = typing.get_type_hints(type(obj))
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if hints[f.name] is str and f.name not in SKIP:
            object.__setattr__(obj, f.name, text)  # some records are frozen
        elif dataclasses.is_dataclass(value):
            _fill(value, text)
        elif isinstance(value, tuple):
            for v in value:
                if dataclasses.is_dataclass(v):
                    _fill(v, text)


def hostile_audit(data: bytes, text: str) -> Audit:
    """The seed audit with every free-text field, including ones the seed leaves
    empty (sub-sites, remote audit, special items, notes, reasons), set to `text`."""
    audit = from_toml(data, "seed")
    p = audit.planning
    p.multi_site, p.method = True, "both"
    p.subsites = (Site("s"),)
    p.team = p.team + (Member("2", "x"),)
    for answer in (p.past_year.accident, p.risks):
        answer.yes = True
    p.remote.obstacles = p.remote.onsite_needed = True
    audit.onsite.special = Special((SpecialDeduction("law", "d"),), SpecialBonus("b"))
    audit.items = {code: dataclasses.replace(r, note=text, reason=text if r.na else "") for code, r in audit.items.items()}
    audit.conclusion.recommended_star = "九星级"  # so the star justification is printed
    _fill(audit, text)
    p.criteria = (text, text)
    for m in p.team:  # the acting leader stays on the team, so the edit is allowed
        m.name = "韩永师" if m.role == "leader" else m.name
    return audit


def _report(run: Run, store: Path, out: Path, fmt: str) -> str:
    code, _, err = run("report", AUDIT, "--format", fmt, "-o", str(out), "--store", str(store))
    assert code == 0, err
    return out.read_text("utf-8")


def _skeleton(page: str) -> list[str]:
    """The page's structure: its tags in order, without attributes or text."""
    return re.findall(r"<(/?[a-zA-Z][a-zA-Z0-9]*)", page)


@pytest.fixture
def pages(run: Run, tmp_path: Path) -> dict[str, str]:
    out = {}
    for label, text in (("plain", PLAIN), ("evil", EVIL)):
        store = tmp_path / label
        assert run("demo", "--store", str(store), "--user", LEADER)[0] == 0
        target = store / "audits" / f"{AUDIT}.toml"
        target.write_bytes(to_toml(hostile_audit(target.read_bytes(), text)))
        code, _, err = run("commit", AUDIT, "--store", str(store))  # a hand edit, validated and committed
        assert code == 0, err
        out[f"{label}.html"] = _report(run, store, tmp_path / f"{label}.html", "html")
        out[f"{label}.md"] = _report(run, store, tmp_path / f"{label}.md", "md")
        assert consistent(store) == 1
    return out


def test_every_free_text_field_in_html_is_text(pages: dict[str, str]) -> None:
    evil, plain = pages["evil.html"], pages["plain.html"]
    assert _skeleton(evil) == _skeleton(plain)  # same tables, rows, cells, headings, paragraphs and breaks
    lowered = evil.lower()
    for markup in ("<script", "<iframe", "<img src=x", "<a ", "<code", "<em>", "<del>", "<h1>#"):
        assert markup not in lowered, markup
    assert not re.search(r"<[a-z]+[^>]*\son[a-z]+\s*=", evil, re.IGNORECASE)
    assert not re.search(r"(?:href|src)\s*=\s*\"?\s*javascript:", evil, re.IGNORECASE)
    assert not re.search(r'(?:src|href)="(?!data:)', evil), "nothing is loaded from elsewhere"
    shown = "A|B &lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(1)&gt; [x](javascript:alert(1))"
    assert evil.count(shown) > 40  # the text itself is there, as text, in every field


def test_every_free_text_field_in_markdown_is_text(pages: dict[str, str]) -> None:
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    structure = [(t.type, t.tag) for t in md.parse(pages["plain.md"]) if t.type != "inline"]
    assert [(t.type, t.tag) for t in md.parse(pages["evil.md"]) if t.type != "inline"] == structure
    def children(page: str) -> list[str]:
        return [c.type for t in md.parse(page) for c in t.children or () if c.type != "text"]

    assert children(pages["evil.md"]) == children(pages["plain.md"])  # the report's own emphasis and images only
    assert "link_open" not in children(pages["evil.md"]) and children(pages["evil.md"]).count("image") == 3
    rows = [line for line in pages["evil.md"].splitlines() if line.startswith("| ")]
    assert len(rows) == len([line for line in pages["plain.md"].splitlines() if line.startswith("| ")])


# ------------------------------------------------------- options for git


@pytest.fixture
def sentinel(tmp_path: Path) -> Path:
    return tmp_path / "pwned"


def _cases(s: str) -> list[tuple[list[str], dict[str, str], int, str]]:
    """(argv, environment, exit code, stderr or its start) for hostile arguments."""
    invalid_rev = ("auditdesk: invalid revision '{}': name one commit (an id, HEAD, HEAD~N, a branch such as main or "
                   "origin/main, a tag such as approved/X/1); not a range, a path, an option or a reflog entry\n")
    bad_no = ("auditdesk: audit: project_no: project number '{}' must be 1–64 letters, digits, '.', '_' or '-', "
              "starting with a letter or digit, without '..' and not ending in '.' or '.lock'\n")
    return [
        (["--user", f"-c core.pager=touch {s}", "score", AUDIT, "B17=97"], {}, 1,
         f"auditdesk: --user: '-c core.pager=touch {s}' is not a user: a name cannot start with '-'; write it as 'Name <email>' or 'Name'\n"),
        (["--user", f"--exec=touch {s} <e@x.org>", "new", "--catalog", "cts-isc-jsgf-05", "--project-no", "P-9", "--org", "o"], {}, 1,
         f"auditdesk: --user: '--exec=touch {s} <e@x.org>' is not a user: a name cannot start with '-'; write it as 'Name <email>' or 'Name'\n"),
        (["score", AUDIT, "B17=97"], {"AUDITDESK_USER": f"--upload-pack=touch {s}"}, 1,
         f"auditdesk: $AUDITDESK_USER: '--upload-pack=touch {s}' is not a user: a name cannot start with '-'; write it as 'Name <email>' or 'Name'\n"),
        (["sync", "--", f"--upload-pack=touch {s}"], {}, 1,
         f"auditdesk: invalid remote '--upload-pack=touch {s}': give a remote's name, a URL or a path\n"),
        (["sync", f"--upload-pack=touch {s}"], {}, 1,  # argparse takes an argument with a space as a value
         f"auditdesk: invalid remote '--upload-pack=touch {s}': give a remote's name, a URL or a path\n"),
        (["sync", "--upload-pack=x"], {}, 2, "usage: "),
        (["sync", f"ext::sh -c touch% {s}"], {}, 1, f"auditdesk: invalid remote 'ext::sh -c touch% {s}': give a remote's name, a URL or a path\n"),
        (["sync", "fd::3"], {}, 1, "auditdesk: invalid remote 'fd::3': give a remote's name, a URL or a path\n"),
        (["sync", f"ssh://-oProxyCommand=touch%20{s}/x"], {}, 1, "auditdesk: cannot fetch from ssh://-oProxyCommand"),
        (["sync", "host:-oProxyCommand=x"], {}, 1, "auditdesk: cannot fetch from host:-oProxyCommand=x: strange pathname '-oProxyCommand=x' blocked\n"),
        (["show", AUDIT, f"--rev=--output={s}"], {}, 1, invalid_rev.format(f"--output={s}")),
        (["report", AUDIT, "--rev=-p"], {}, 1, invalid_rev.format("-p")),
        (["report", AUDIT, "--rev=HEAD@{1}"], {}, 1, invalid_rev.format("HEAD@{1}")),
        (["diff", AUDIT, "--", f"--output={s}"], {}, 1, invalid_rev.format(f"--output={s}")),
        (["diff", AUDIT, "HEAD", f"--output={s}"], {}, 2, "usage: "),
        (["log", "--", "-rf"], {}, 1, bad_no.format("-rf")),
        (["score", "--", "-rf", "B1=1"], {}, 1, bad_no.format("-rf")),
        (["new", "--type", "surveillance", "--project-no", "P-9", "--from=--output=x"], {}, 1, bad_no.format("--output=x")),
        (["blame", AUDIT, "--", f"--output={s}"], {}, 1, f"auditdesk: {AUDIT} has no field or item '--output={s}'\n"),
        (["score", AUDIT, "--", f"--output={s}=5"], {}, 1,
         f"auditdesk: {AUDIT}: --OUTPUT: unknown item code '--OUTPUT' in catalog cts-isc-jsgf-05@2024\n"),
    ]


def test_nothing_typed_reaches_git_as_an_option(run: Run, demo: Path, sentinel: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = (demo / ".git" / "config").read_bytes()
    refs = git(demo, "for-each-ref")
    tried = 0
    for argv, env, code, message in _cases(str(sentinel)):
        with monkeypatch.context() as m:
            for k, v in env.items():
                m.setenv(k, v)
            i = 2 if argv[0] == "--user" else 0  # --store goes right after the command, before any "--"
            got, _out, err = run(*argv[: i + 1], "--store", str(demo), *argv[i + 1:])
        assert got == code, (argv, err)
        assert err == message if message.endswith("\n") else err.startswith(message), (argv, err)
        assert not sentinel.exists(), argv
        tried += 1
    assert (demo / ".git" / "config").read_bytes() == config
    assert git(demo, "for-each-ref") == refs and consistent(demo) == 1
    assert tried == len(_cases(str(sentinel)))


def test_hostile_project_number_through_every_audit_command(run: Run, demo: Path, sentinel: Path) -> None:
    """`-rf`, `--output=…` and `../` as the AUDIT argument of each command that takes one."""
    commands = [["show"], ["report"], ["log"], ["diff"], ["blame"], ["status"], ["advance"], ["commit"],
                ["approve"], ["return", "--to", "planning", "--reason", "r"], ["reopen", "--reason", "r"], ["score", "--", "B1=1"]]
    head = git(demo, "rev-parse", "HEAD")
    for bad in ("-rf", f"--output={sentinel}", "../../x", "HEAD"):
        for command in commands:
            argv = [command[0], "--store", str(demo), *command[1:]]
            argv = argv[:-2] + ["--", bad, "B1=1"] if command[0] == "score" else argv + ["--", bad]
            code, _, err = run(*argv)
            assert (code == 1 and err.startswith("auditdesk: ") and "project number" in err) or (
                bad == "HEAD" and err.startswith("auditdesk: no audit HEAD in the store")) or (
                bad == "HEAD" and command == ["commit"] and err.startswith("auditdesk: ") and "cannot read" in err), (argv, err)
    assert git(demo, "rev-parse", "HEAD") == head and not sentinel.exists()
