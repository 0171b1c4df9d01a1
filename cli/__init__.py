"""The `auditdesk` command line: the same operations as the terminal app, for people and scripts.

Exit status: 0 success, 1 a user error (one clear message on stderr, or the
full list of problems for `validate`), 2 a usage error.  Heavy modules (git,
Textual, markdown-it) are imported only by the commands that need them.

``parser`` holds the grammar as data, ``commands`` the commands grouped as
the README groups them, ``shapes`` the JSON they print, ``context`` what
each command gets.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from auditdesk.cli.context import Context, refuse_unsafe_arguments
from auditdesk.cli.parser import Command, build_parser
from auditdesk.errors import AuditdeskError
from auditdesk.safetext import VisibleStream

__all__ = ["main"]


def hint(error: AuditdeskError) -> str:
    """The command that takes a refusal's remedy, as the command line says it."""
    from auditdesk.audit.workflow import NotAllowed

    if not isinstance(error, NotAllowed) or error.remedy is None:
        return ""
    commands = {"return": "auditdesk return", "reopen": f"auditdesk reopen {error.project_no} --reason …",
                "reason": "--reason TEXT"}
    return f" ({commands[error.remedy]})"


def main(argv: Sequence[str] | None = None) -> int:
    from auditdesk.cli.commands import app

    parser = build_parser()
    args = parser.parse_args(argv)
    if args.as_person is not None:  # an SSH key's forced command: the key's person, the client's request
        from auditdesk.cli.forced import forced_args

        try:
            args = forced_args(parser, args, os.environ)
        except AuditdeskError as exc:
            print(f"auditdesk: {exc}", file=sys.stderr)
            return 1
    ctx = Context(args)
    func: Command = args.func
    streams = sys.stdout, sys.stderr
    if func is not app.cmd_tui:  # the app draws the terminal itself (and escapes text on its own)
        sys.stdout, sys.stderr = VisibleStream(sys.stdout), VisibleStream(sys.stderr)
    try:
        refuse_unsafe_arguments(args)
        return func(ctx)
    except AuditdeskError as exc:
        print(f"auditdesk: {exc}{hint(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("auditdesk: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    finally:
        sys.stdout, sys.stderr = streams
        ctx.close()
