"""git's diff driver for audit files: ``auditdesk-textconv FILE`` prints the audit one fact a line.

git runs the driver with the store as its working directory, on files that
anyone who can push to the hub may have written.  So the driver is the
installed console script ``auditdesk-textconv``: Python puts the script's own
folder first on its path, never the current directory, so nothing committed
to a store can stand in for auditdesk's code; the file is only read as data;
and what it prints goes through `safetext.visible`.  The store's git config
names the script without a path (``diff.auditdesk.textconv =
auditdesk-textconv``), so moving or switching a virtual environment changes
nothing there.  git caches what it prints (``cachetextconv``), and auditdesk
fills that cache itself as it saves, syncs and clones, so ``git log -p``
seldom needs to run it at all.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from auditdesk.audit.document import Audit, load_audit
from auditdesk.audit.facts import readable
from auditdesk.criteria import tomldata
from auditdesk.criteria.catalog import Catalog, Catalogs
from auditdesk.errors import AuditdeskError
from auditdesk.safetext import visible

if TYPE_CHECKING:
    from auditdesk.audit.diff import AuditDiff

#: The command git runs (on PATH wherever auditdesk is installed); also the validity
#: stamp of git's cache of its output (refs/notes/textconv/auditdesk).
COMMAND = "auditdesk-textconv"
#: The diff driver's name in .git/config and .git/info/attributes.
DRIVER = "auditdesk"
CACHE_REF = f"refs/notes/textconv/{DRIVER}"


def readable_text(audit: Audit, catalog: Catalog, known: AuditDiff | None = None) -> str:
    """What the driver prints for an audit already parsed (the same as `convert` of its bytes);
    `known`: the diff a save just made, whose newer side is `audit`."""
    return visible(readable(audit, catalog, known), lines=True)


def convert(data: bytes, catalogs: Catalogs, source: str = "audit file") -> str:
    """What git shows for an audit file's bytes: the facts, or the text as it is when it
    is not a valid audit (a diff must never fail); safe to print either way."""
    try:
        audit, catalog = load_audit(data, source, catalogs)
    except AuditdeskError as exc:
        first = str(exc).splitlines()[0] if str(exc) else "invalid"
        text = f"(not a valid audit: {first})\n" + data.decode("utf-8", "replace")
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        text = f"(not a valid audit: {type(exc).__name__})\n" + data.decode("utf-8", "replace")
    else:
        return readable_text(audit, catalog)
    return visible(text, lines=True)


def main(argv: Sequence[str] | None = None) -> int:
    """``auditdesk-textconv FILE``: git hands the driver one file to convert."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print(f"usage: {COMMAND} FILE (git's diff driver for audit files)", file=sys.stderr)
        return 2
    try:
        data = tomldata.read_file(args[0])  # never a FIFO or /dev/zero, never more than the shape guard takes
    except OSError as exc:
        print(f"{COMMAND}: {args[0]}: cannot read: {exc.strerror}", file=sys.stderr)
        return 1
    except AuditdeskError as exc:
        print(f"{COMMAND}: {visible(str(exc))}", file=sys.stderr)
        return 1
    sys.stdout.buffer.write(convert(data, Catalogs(), args[0]).encode("utf-8"))  # git's bytes, whatever the locale
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
