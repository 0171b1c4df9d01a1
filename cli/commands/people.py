"""The people registry (people.toml): listing, adding, committing hand edits, and the files
OpenSSH and git's signature checks read (authorized_keys, allowed signers)."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from auditdesk.cli import shapes
from auditdesk.cli.context import Context, out
from auditdesk.cli.formats import print_json
from auditdesk.errors import AuditdeskError, InvalidInput

if TYPE_CHECKING:
    from auditdesk.audit.identity import Identity
    from auditdesk.audit.people import People

#: What authorized_keys lines start with: no forwarding, no X11, no user rc (OpenSSH's `restrict`),
#: a terminal for the app, and the forced command (added per person).
KEY_OPTIONS = "restrict,pty"


def _people(ctx: Context) -> People:
    people = ctx.store.people
    if people is None:
        raise AuditdeskError(f"the store {ctx.store_path} has no people registry (people.toml); "
                             "create it with: auditdesk people add ID --name NAME --email EMAIL --role administrator")
    return people


def cmd_people_list(ctx: Context) -> int:
    from auditdesk.store.signing import fingerprint

    people = ctx.store.people
    if people is None:
        if ctx.args.json:
            out("null")
        else:
            out(f"{ctx.store_path}: no people registry (people.toml): who acts is taken as given (--user, "
                "$AUDITDESK_USER, git config) and signatures are not checked")
        return 0
    rows = [{"id": p.id, "name": p.name, "email": p.email, "roles": list(p.roles),
             "keys": [fingerprint(k) for k in p.keys]} for p in people.people]
    if ctx.args.json:
        out(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for row in rows:
        out(f"{row['id']:<12} {row['name']} <{row['email']}>  {', '.join(row['roles'])}  "
            f"{len(row['keys'])} key(s)" + "".join(f"\n{'':<13}{k}" for k in row["keys"]))
    return 0


def _key_line(text: str, forced: bool) -> str:
    """A key given as a .pub file (not over SSH: no reading the server's files) or as the line itself."""
    from auditdesk.audit.people import key_problem

    line = text.strip()
    if not forced and key_problem(line) is not None and Path(text).expanduser().is_file():
        line = Path(text).expanduser().read_text("utf-8", "replace").strip()
    why = key_problem(line)
    if why:
        raise InvalidInput.single("--key", "", f"{text[:60]!r}: {why}")
    return line


def cmd_people_add(ctx: Context) -> int:
    from auditdesk.audit.people import People, Person
    from auditdesk.store.people import PEOPLE, dump_people

    args = ctx.args
    forced = getattr(args, "as_person", None) is not None
    current = ctx.store.people
    keys = tuple(_key_line(k, forced) for k in args.key or ())
    person = Person(args.id, args.name, args.email, tuple(dict.fromkeys(args.role)), keys)
    if current is not None and current.get(args.id) is not None:
        raise AuditdeskError(f"{args.id} is already registered; change it by editing {PEOPLE} and: auditdesk people commit")
    people = People((*(current.people if current else ()), person))
    who = ctx.user if current is not None else _first_admin(ctx)
    result = ctx.store.save_people(dump_people(people), who, f"people: add {person.id} ({person.name}, {', '.join(person.roles)})")
    if args.json:
        print_json(shapes.people_saved(result.commit if result.changed else None, person=person.id))
        return 0
    out(f"added {person.label} as {', '.join(person.roles)} at revision {(result.commit or '')[:7]}")
    return 0


def _first_admin(ctx: Context) -> Identity:
    """The first registry is committed by whoever creates it (the store had no rules yet)."""
    from auditdesk.store.people import resolve_identity

    return resolve_identity(getattr(ctx.args, "user", None), ctx.store.repo)


def cmd_people_commit(ctx: Context) -> int:
    from auditdesk.store.people import PEOPLE

    path = ctx.store_path / PEOPLE
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise AuditdeskError(f"{path}: cannot read: {exc.strerror}") from None
    who = ctx.user if ctx.store.people is not None else _first_admin(ctx)
    result = ctx.store.save_people(data, who, "people: hand edit of the registry")
    if ctx.args.json:
        print_json(shapes.people_saved(result.commit if result.changed else None))
        return 0
    out(f"{PEOPLE}: " + (f"committed at revision {(result.commit or '')[:7]}" if result.changed else "no changes to commit"))
    return 0


def cmd_people_check(ctx: Context) -> int:
    """Who a name, e-mail or id resolves to (or why it is refused)."""
    people = _people(ctx)
    person = people.identify(ctx.args.name, source="name")
    out(f"{ctx.args.name!r} is {person.label} <{person.email}>, {', '.join(person.roles)}")
    return 0


def forced_command(ctx: Context, person_id: str) -> str:
    """The command an SSH key of `person_id` is forced to run: this auditdesk, as them, on this store."""
    program = ctx.args.program or f"{shlex.quote(sys.executable)} -m auditdesk"
    command = f"{program} --as {shlex.quote(person_id)} --store {shlex.quote(str(ctx.store_path.absolute()))}"
    if '"' in command or "\\" in command or "\n" in command:
        raise AuditdeskError(f"cannot write a forced command for {command!r}: it must not contain quotes or backslashes")
    return command


def cmd_people_authorized_keys(ctx: Context) -> int:
    """authorized_keys lines for the service account: each registered key runs auditdesk as its person."""
    from auditdesk.audit.people import key_blob

    people = _people(ctx)
    options = KEY_OPTIONS + (",agent-forwarding" if ctx.args.agent_forwarding else "")
    lines = []
    for person in people.people:
        if ctx.args.only and person.id not in ctx.args.only:
            continue
        for key in person.keys:
            lines.append(f'{options},command="{forced_command(ctx, person.id)}" {key_blob(key)} auditdesk:{person.id}')
    sys.stdout.write("".join(line + "\n" for line in lines))
    return 0


def cmd_people_allowed_signers(ctx: Context) -> int:
    """git's allowed-signers file of the registry (for `git log --show-signature` by hand)."""
    from auditdesk.store.signing import allowed_signers

    sys.stdout.write(allowed_signers(_people(ctx)))
    return 0
