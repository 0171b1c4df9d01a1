"""`auditdesk completion bash|zsh`: tab completion generated from the parser (shtab).

The script is static: it is generated once from the same COMMANDS table that
parses the command line, so it never goes stale against the installed
version, and pressing Tab runs no Python (except listing project numbers,
which only lists the store's audits/ folder).
"""

from __future__ import annotations

import argparse
import shlex
import sys
from typing import Any

from auditdesk.cli.context import Context

SHELLS = ("bash", "zsh")

def _audits() -> str:
    """Shell code listing the project numbers in the store ($AUDITDESK_STORE when Tab is
    pressed, else the default store as platformdirs places it): the names of audits/*.toml."""
    from auditdesk.paths import user_store

    return (f'store="${{AUDITDESK_STORE:-{shlex.quote(str(user_store()))}}}"; '
            'for f in "$store"/audits/*.toml; do [ -e "$f" ] && basename "$f" .toml; done')


def _hints() -> dict[str, Any]:
    """What Tab offers for an argument, by its dest: folders, files or project numbers."""
    import shtab

    audits = shtab.cmd(_audits())
    return {"store": shtab.DIRECTORY, "output": shtab.FILE, "files": shtab.FILE, "report": shtab.FILE,
            "audit": audits, "previous": audits, "against": audits}


def _mark(parser: argparse.ArgumentParser, hints: dict[str, Any]) -> None:
    for action in parser._actions:
        if action.dest in hints and action.choices is None:
            action.complete = hints[action.dest]  # type: ignore[attr-defined]
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                _mark(child, hints)


def completion_script(shell_name: str) -> str:
    import shtab

    from auditdesk.cli.parser import build_parser

    parser = build_parser()
    _mark(parser, _hints())
    return str(shtab.complete(parser, shell=shell_name))


def cmd_completion(ctx: Context) -> int:
    sys.stdout.write(completion_script(ctx.args.shell) + "\n")
    return 0
