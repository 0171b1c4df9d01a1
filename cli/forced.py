"""auditdesk as an SSH key's forced command: the key is the identity.

``auditdesk people authorized-keys`` writes, for each registered key, a line

    restrict,pty,command="… -m auditdesk --as ID --store STORE" ssh-ed25519 AAAA… auditdesk:ID

for the ``authorized_keys`` of one shared service account.  sshd then runs
exactly that command whatever the client asked for, and passes the client's
request in ``SSH_ORIGINAL_COMMAND``: ``ssh auditdesk@host status X --json``
runs ``status X --json`` as person ID; ``ssh -t auditdesk@host`` opens the
app.  ``--as`` is honoured only there (sshd sets ``SSH_CONNECTION``), and the
client's words can name no identity (``--user``, ``--as``), no other store
(``--store``) and no file on the server (an output file, an audit file path, a
remote that is a path or URL, hand-edit commits); ``$AUDITDESK_USER`` is
ignored.
"""

from __future__ import annotations

import argparse
import shlex
from collections.abc import Mapping

from auditdesk.errors import AuditdeskError

__all__ = ["forced_args"]

#: What a person may run over SSH (everything else reads or writes the server's files or settings).
ALLOWED = frozenset({
    "status", "list", "show", "report", "export", "log", "diff", "blame", "score", "new", "advance", "return",
    "approve", "reopen", "sync", "validate", "catalog", "people",
})
ALLOWED_PEOPLE = frozenset({"list", "check", "add", "allowed-signers", "authorized-keys"})


class ForcedRefused(AuditdeskError):
    """The client asked for something an SSH key's person may not do on the server."""


def forced_args(parser: argparse.ArgumentParser, args: argparse.Namespace, environ: Mapping[str, str]) -> argparse.Namespace:
    """The arguments to run for `--as ID`: the client's request (``SSH_ORIGINAL_COMMAND``),
    checked, with the forced command's person and store."""
    person = args.as_person
    if "SSH_CONNECTION" not in environ:
        raise ForcedRefused("--as is set only by the forced command of an SSH key (see: auditdesk people "
                            "authorized-keys); on your own machine use --user")
    try:
        words = shlex.split(environ.get("SSH_ORIGINAL_COMMAND", ""))
    except ValueError as exc:
        raise ForcedRefused(f"cannot read the command you sent: {exc}") from None
    if words[:1] == ["auditdesk"]:
        words = words[1:]
    asked = parser.parse_args(words)
    command = getattr(asked, "command", None)
    if asked.as_person is not None or hasattr(asked, "user") or hasattr(asked, "store"):
        raise ForcedRefused(f"over SSH you act as {person} on the service's store: --as, --user and --store are not yours to set")
    if command is not None and command not in ALLOWED:
        raise ForcedRefused(f"'{command}' is not available over SSH (it works on the server's own files); "
                            f"available: {', '.join(sorted(ALLOWED))}")
    if command == "people" and getattr(asked, "people_command", None) not in ALLOWED_PEOPLE | {None}:
        raise ForcedRefused(f"'people {asked.people_command}' is not available over SSH; an administrator edits "
                            "people.toml on the server, or uses: people add")
    if getattr(asked, "output", None) not in (None, "-"):
        raise ForcedRefused("over SSH output goes to your terminal: leave out -o/--out and redirect on your side "
                            "(ssh … report AUDIT > report.md)")
    for name in ("audit", "files", "report"):
        value = getattr(asked, name, None)
        values = value if isinstance(value, list) else [value]
        if command in ("validate", "verify") and name in ("files", "report") and value:
            raise ForcedRefused("over SSH, files on the server cannot be named; validate checks the store's audits")
        if any(isinstance(v, str) and ("/" in v or v.endswith(".toml")) for v in values):
            raise ForcedRefused(f"over SSH an audit is named by its project number, not a path ({values[0]!r})")
    remote = getattr(asked, "remote", None)
    if command == "sync" and remote is not None and any(c in remote for c in "/:\\@"):
        raise ForcedRefused(f"over SSH sync uses a remote configured on the server (such as origin), not {remote!r}")
    asked.as_person = person
    if hasattr(args, "store"):
        asked.store = args.store
    return asked
