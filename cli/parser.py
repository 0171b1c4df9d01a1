"""The command line's grammar as data: each command, its help and its arguments.

Choices come from the domain (stages, audit types, the stages a reviewer may
return to), so a new stage or format needs no change here.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from auditdesk.audit.document import AUDIT_TYPES, STAGE_ORDER, WORK_STAGES
from auditdesk.audit.people import ROLES
from auditdesk.cli.commands import app, audits, history, people, reports, shell, workflow
from auditdesk.cli.context import Context

Command = Callable[[Context], int]


@dataclass(frozen=True)
class Arg:
    """One argument: its names and argparse's keyword arguments."""

    names: tuple[str, ...]
    options: dict[str, Any] = field(default_factory=dict)


def arg(*names: str, **options: Any) -> Arg:
    return Arg(names, options)


@dataclass(frozen=True)
class Cmd:
    name: str
    run: Command | None
    """None for a group of commands (``sub``): it prints its help."""
    help: str
    args: tuple[Arg, ...] = ()
    exclusive: tuple[Arg, ...] = ()
    """Arguments of which exactly one must be given."""
    sub: tuple[Cmd, ...] = ()


STAGE = arg("--stage", choices=list(STAGE_ORDER), help="only audits at this stage")
YEAR = arg("--year", metavar="YYYY", help="audits whose on-site audit started in this year")
AUDIT = arg("audit", metavar="AUDIT", help="project number")
JSON = arg("--json", action="store_true", help="print JSON for scripts")


COMMANDS: tuple[Cmd, ...] = (
    Cmd("demo", audits.cmd_demo, "create a store holding the sample audit 10234-2024-SD (the seed report)", (JSON,)),
    Cmd("new", audits.cmd_new, "create an audit in the planning stage", (
        arg("--catalog", metavar="ID[@VERSION]", help="criteria catalog (see: auditdesk catalog list)"),
        arg("--project-no", required=True, metavar="NO", help="project number, also the audit's id and file name"),
        arg("--org", metavar="NAME", help="organisation audited"),
        arg("--from", dest="previous", metavar="AUDIT", help="follow an earlier audit: copies its planning forward"),
        arg("--type", default="initial", choices=list(AUDIT_TYPES)),
        JSON,
    )),
    Cmd("score", audits.cmd_score, "score items: CODE=PCT …, or one CODE with --na or --samples", (
        AUDIT,
        arg("scores", nargs="+", metavar="CODE=PCT"),
        arg("--na", action="store_true", help="not applicable (删减); needs --reason"),
        arg("--reason", help="why the item is not applicable"),
        arg("--samples", type=int, metavar="N", help="number of samples checked"),
        arg("--nonconforming", type=int, metavar="K", help="samples that did not conform"),
        arg("--note", help="evidence note for the item(s)"),
        JSON,
    )),
    Cmd("show", audits.cmd_show, "scores of an audit (--json for scripts)", (
        arg("audit", metavar="AUDIT", help="project number, or a path to an audit .toml file"),
        JSON,
        arg("--rev", default="HEAD", help="show the audit as it was at this revision"),
    )),
    Cmd("report", reports.cmd_report, "render the audit report as Markdown or standalone HTML; --all: every report", (
        arg("-o", "--output", "--out", metavar="PATH",
            help="the file to write (radar charts beside it; default: standard output); with --all, the folder"),
        arg("--format", choices=["md", "html"], help="default: from -o's extension (.html, .htm: html), else md"),
        arg("--rev", default="HEAD", help="render the audit as it was at this revision"),
        arg("--jobs", type=int, metavar="N", help="with --all: worker processes (default: one per CPU)"),
        arg("--stage", choices=list(STAGE_ORDER),
            help="with --all: only audits at this stage (reports of the others are removed from the folder)"),
        arg("--force", action="store_true", help="with --all: render every report, changed or not"),
        arg("--json", action="store_true", help="with -o FILE or --all: print what was written as JSON, for scripts"),
    ), exclusive=(
        arg("audit", nargs="?", metavar="AUDIT", help="project number, or a path to an audit .toml file"),
        arg("--all", action="store_true",
            help="every audit in the store into --out DIR, re-rendering only reports whose audit, catalog "
                 "or report code changed"),
    )),
    Cmd("export", reports.cmd_export, "one row per audit (scores, stage, dates, leader) as CSV or JSON", (
        arg("--format", choices=["csv", "json"],
            help="csv (a file gets a BOM, for Excel; formula-like text is quoted) or json; default: from -o's extension, else csv"),
        arg("-o", "--output", "--out", metavar="FILE", help="default: standard output"),
        arg("--items", action="store_true", help="add a row per catalog item: percentage or N/A, score, reason, note"),
        arg("--nonconformities", action="store_true",
            help="add a row per special deduction with its corrective action, owner and due date"),
        STAGE, YEAR,
    )),
    Cmd("validate", audits.cmd_validate, "check catalogs and audit files; lists every problem", (
        arg("files", nargs="*", metavar="FILE", help="default: the built-in catalogs and every audit in the store"),
        JSON,
    )),
    Cmd("init", audits.cmd_init, "create an empty store (a git repository), or with --bare a hub for a team", (
        arg("dir", nargs="?", metavar="DIR", help="where (default: --store)"),
        arg("--bare", action="store_true",
            help="a hub: a bare repository everyone clones (auditdesk clone) and syncs with; no working files"),
        arg("--shared", action="store_true",
            help="for several Unix users: git's --shared=group, group-writable files; the store also takes pushes"),
        JSON,
    )),
    Cmd("clone", history.cmd_clone, "your own store: a clone of the team's hub, with git's diff driver set up", (
        arg("url", metavar="URL", help="the hub: a path, ssh://host/path, host:path or https://…"),
        arg("dir", nargs="?", metavar="DIR", help="the new store (default: --store, else the hub's name without .git)"),
    )),
    Cmd("list", audits.cmd_list, "list the audits in the store", (JSON, STAGE, YEAR)),
    Cmd("log", history.cmd_log, "revisions of an audit, newest first, with stage and total", (
        AUDIT, JSON, arg("-n", "--limit", type=int, metavar="N"),
    )),
    Cmd("diff", history.cmd_diff, "what changed between two revisions (default: the last two), or two audits", (
        AUDIT,
        arg("rev_a", nargs="?", metavar="REV_A"),
        arg("rev_b", nargs="?", metavar="REV_B"),
        arg("--against", metavar="OTHER_AUDIT", help="compare with another audit (e.g. last year's), item by item"),
        JSON,
    )),
    Cmd("blame", history.cmd_blame, "who last changed each item result or field, when, and from what", (
        AUDIT, arg("key", nargs="?", metavar="CODE|FIELD", help="an item code (B17) or a field (conclusion.overview)"),
        JSON,
    )),
    Cmd("commit", history.cmd_commit, "validate a hand-edited audit file and commit it as your change", (AUDIT, JSON)),
    Cmd("status", workflow.cmd_status, "stage, what blocks the next one, approval and transitions", (AUDIT, JSON)),
    Cmd("advance", workflow.cmd_advance, "move to the next stage, or list everything that blocks it", (AUDIT, JSON)),
    Cmd("return", workflow.cmd_return, "reviewer: send the audit back to an earlier stage", (
        AUDIT, arg("--to", required=True, choices=list(WORK_STAGES)), arg("--reason", required=True), JSON,
    )),
    Cmd("approve", workflow.cmd_approve, "reviewer: approve the audit (records a tag with content and report hashes)", (
        AUDIT, arg("--comment", help="review comments to record"), JSON,
    )),
    Cmd("reopen", workflow.cmd_reopen, "reopen an approved audit for changes; the reason is recorded", (
        AUDIT, arg("--reason", required=True), JSON,
    )),
    Cmd("sync", history.cmd_sync, "pull from and push to a git remote, merging audits field by field", (
        arg("remote", nargs="?", default="origin", metavar="REMOTE", help="a remote's name, URL or path (default: origin)"),
        arg("--prefer", choices=["ours", "theirs"], help="settle fields changed differently on both sides"),
        JSON,
    )),
    Cmd("verify", reports.cmd_verify, "is this report file exactly the report of an approved revision?", (
        arg("report", metavar="REPORT.md"),
        JSON,
    )),
    Cmd("people", None, "the store's people registry (people.toml): who may act, in which role, with which SSH keys", sub=(
        Cmd("list", people.cmd_people_list, "registered people, their roles and key fingerprints", (JSON,)),
        Cmd("add", people.cmd_people_add, "administrator: register a person (the first one creates people.toml)", (
            arg("id", metavar="ID", help="a stable id: lower-case letters, digits, '.', '_' or '-'"),
            arg("--name", required=True, help="the name as audits and reports write it"),
            arg("--email", required=True),
            arg("--role", action="append", required=True, choices=list(ROLES), help="repeat for several roles"),
            arg("--key", action="append", metavar="FILE.pub|LINE", help="an SSH public key, its file or its line (repeatable)"),
            JSON,
        )),
        Cmd("commit", people.cmd_people_commit, "administrator: check a hand-edited people.toml and commit it", (JSON,)),
        Cmd("check", people.cmd_people_check, "who a name, e-mail or id is (a look-alike is refused, naming whom it resembles)",
            (arg("name", metavar="NAME"),)),
        Cmd("authorized-keys", people.cmd_people_authorized_keys,
            "authorized_keys lines for a shared SSH account: each key runs auditdesk as its person", (
                arg("--program", metavar="COMMAND", help="how sshd starts auditdesk (default: this Python, -m auditdesk)"),
                arg("--agent-forwarding", action="store_true",
                    help="allow each person's ssh-agent to be forwarded, so their key signs their work"),
                arg("--only", nargs="+", metavar="ID", help="only these people's keys"),
            )),
        Cmd("allowed-signers", people.cmd_people_allowed_signers, "git's allowed-signers file for the registry's keys"),
    )),
    Cmd("catalog", None, "criteria catalogs", sub=(
        Cmd("list", audits.cmd_catalog_list, "list the known catalogs", (JSON,)),
        Cmd("show", audits.cmd_catalog_show, "show a catalog's parts, sections and items", (arg("id", metavar="ID[@VERSION]"), JSON)),
    )),
    Cmd("completion", shell.cmd_completion, "print the shell completion script (see the README: Shell completion)", (
        arg("shell", choices=list(shell.SHELLS)),
    )),
)

#: Commands for git and tools, not people: left out of --help.
HIDDEN: tuple[Cmd, ...] = (
    Cmd("textconv", history.cmd_textconv, "git's diff driver: an audit file as one fact a line", (arg("file"),)),
)


class Version(argparse.Action):
    """--version: the installed distribution's version (importlib.metadata), read only when asked."""

    def __init__(self, option_strings: list[str], dest: str, help: str | None = None) -> None:
        super().__init__(option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, nargs=0, help=help)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any, option: str | None = None) -> None:
        import sys

        import auditdesk

        sys.stdout.write(f"auditdesk {auditdesk.__version__}\n")
        parser.exit()


def _common() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--store", metavar="PATH", default=argparse.SUPPRESS,
                        help="the audit store (default: $AUDITDESK_STORE, else ~/.local/share/auditdesk/store)")
    common.add_argument("--user", metavar="'NAME <EMAIL>'", default=argparse.SUPPRESS,
                        help="who is acting (default: $AUDITDESK_USER, else git config, else the login name)")
    return common


def _add(sub: Any, cmd: Cmd, common: argparse.ArgumentParser, *, hidden: bool = False) -> None:
    options: dict[str, Any] = {} if hidden else {"help": cmd.help}
    p = sub.add_parser(cmd.name, parents=[common], description=cmd.help, **options)
    p.set_defaults(func=cmd.run or (lambda ctx: (p.print_help(), 2)[1]))
    if cmd.exclusive:
        group = p.add_mutually_exclusive_group(required=True)
        for a in cmd.exclusive:
            group.add_argument(*a.names, **a.options)
    for a in cmd.args:
        p.add_argument(*a.names, **a.options)
    if cmd.sub:
        nested = p.add_subparsers(dest=f"{cmd.name}_command", metavar="COMMAND")
        for child in cmd.sub:
            _add(nested, child, common)


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = argparse.ArgumentParser(
        prog="auditdesk", parents=[common],
        description="Plan, score, conclude and review service-certification audits. With no command, opens the terminal app.",
    )
    parser.add_argument("--mouse", action=argparse.BooleanOptionalAction, default=None,
                        help="mouse support in the app (default: off over SSH, on otherwise)")
    parser.add_argument("--as", dest="as_person", metavar="ID", default=None,
                        help="only in an SSH key's forced command (see: auditdesk people authorized-keys): act as this "
                             "registered person, running the command the client asked for")
    parser.add_argument("--version", action=Version, help="print auditdesk's version and exit")
    parser.set_defaults(func=app.cmd_tui)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for cmd in COMMANDS:
        _add(sub, cmd, common)
    for cmd in HIDDEN:
        _add(sub, cmd, common, hidden=True)
    return parser
