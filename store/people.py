"""Who is acting in a store: the people registry (people.toml), identities, signing keys.

A store without ``people.toml`` works as before: the acting user is whatever
``--user``, ``$AUDITDESK_USER`` or the store's git config says.  With a
registry, that text must name exactly one registered person (see
`audit.people`), whose id, name, e-mail and roles then act; over SSH the
forced command's ``--as ID`` names the person and nothing else can.

A person's signing key is found in this order: ``$AUDITDESK_SIGNING_KEY`` (a
key file), the store's ``user.signingkey`` (a key file), then a key of theirs
held by the ssh-agent at ``$SSH_AUTH_SOCK`` (over SSH: their own agent,
forwarded).  A key that is not registered to the person is refused.
"""

from __future__ import annotations

import getpass
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from auditdesk.audit.identity import Identity, default_email, parse_identity
from auditdesk.audit.people import NotRegistered, People, Person, key_blob
from auditdesk.criteria import tomldata
from auditdesk.errors import AuditdeskError, InvalidInput
from auditdesk.store.git import GitRepo
from auditdesk.store.signing import Signer, SignError, agent_signer, allowed_signers

if TYPE_CHECKING:
    import tempfile

__all__ = ["PEOPLE", "Registry", "identity_of", "resolve_identity"]

PEOPLE = "people.toml"
_NAME_EMAIL = re.compile(r"^\s*([^<>]+?)\s*<([^<>\s]+@[^<>\s]+)>\s*$")


def load_people(data: bytes, source: str) -> People:
    """Parse people.toml; InvalidInput lists every problem with its line."""
    people, _ = tomldata.load_record(People, data, source)
    reader = tomldata.Reader(data.decode("utf-8"), source)
    for path, message in people.problems():
        reader.problem(path, message)
    reader.check()
    return people


def dump_people(people: People) -> bytes:
    return tomldata.dumps(tomldata.to_data(people))


def identity_of(person: Person) -> Identity:
    return Identity(person.name, person.email, person.id, tuple(person.roles))


@dataclass
class Registry:
    """The people registry of one store at one revision, and the files derived from it."""

    repo: GitRepo
    _cache: dict[str, People | None] = field(default_factory=dict)
    _signers: dict[str, Path] = field(default_factory=dict)
    _folder: tempfile.TemporaryDirectory[str] | None = None

    def at(self, rev: str = "HEAD") -> People | None:
        """The registry committed at `rev`, or None when the store has none there."""
        blob = self.repo.blob_id(PEOPLE, rev) if rev != "HEAD" or self.repo.head() else None
        if blob is None:
            return None
        if blob not in self._cache:
            self._cache[blob] = load_people(self.repo.read_blob(blob), str(self.repo.path / PEOPLE))
        return self._cache[blob]

    @property
    def folder(self) -> Path:
        """A private folder for generated files (allowed signers, agent public keys)."""
        if self._folder is None:
            import tempfile  # (here: it brings in `random`, which most commands never need)

            self._folder = tempfile.TemporaryDirectory(prefix="auditdesk-people-")
        return Path(self._folder.name)

    def signers(self, people: People | None) -> Path | None:
        """The allowed-signers file of `people` (None without a registry), generated, never taken from config."""
        if people is None:
            return None
        text = allowed_signers(people)
        if text not in self._signers:
            path = self.folder / f"allowed_signers.{len(self._signers)}"
            path.write_text(text, "utf-8")
            self._signers[text] = path
        return self._signers[text]

    def close(self) -> None:
        if self._folder is not None:
            self._folder.cleanup()
            self._folder = None
            self._signers.clear()


def resolve_identity(explicit: str | None, repo: GitRepo | None, *, people: People | None = None,
                     forced: str | None = None) -> Identity:
    """--user, else $AUDITDESK_USER, else the store's git config, else the login name; with a
    registry, resolved to the registered person it names.  `forced` (the person id of an SSH
    key's forced command) overrides them all."""
    if forced is not None:
        if people is None:
            raise NotRegistered("--as needs a people registry (people.toml) in the store")
        person = people.get(forced)
        if person is None:
            raise NotRegistered(f"--as {forced!r}: no person with that id in the store's people.toml")
        return identity_of(person)
    source, text = "--user", explicit or ""
    if not text and os.environ.get("AUDITDESK_USER"):
        source, text = "$AUDITDESK_USER", os.environ["AUDITDESK_USER"]
    if people is None:
        if text:
            return parse_identity(text, source)
        name = repo.config("user.name") if repo else ""
        if name:
            return Identity(name, (repo.config("user.email") if repo else "") or default_email())
        return Identity(getpass.getuser(), default_email())
    email: str | None = None
    if not text:
        source, text = "git config user.name", repo.config("user.name") if repo else ""
        email = (repo.config("user.email") if repo else "") or None
    if not text:
        source, text = "the login name", getpass.getuser()
    if text.lstrip().startswith("-"):
        parse_identity(text, source)  # the same message as without a registry
    match = _NAME_EMAIL.match(text)
    if match:
        text, email = match.group(1), match.group(2)
    return identity_of(people.identify(text, email, source=source))


def find_signer(who: Identity, people: People | None, repo: GitRepo, registry: Registry, *,
                use_config: bool = True) -> Signer | None:
    """The acting person's signing key, or None when none is set up (see the module doc).
    A configured key that is not registered to the person raises SignError."""
    configured = os.environ.get("AUDITDESK_SIGNING_KEY", "") or (repo.config("user.signingkey") if use_config else "")
    signer: Signer | None = None
    if configured:
        if configured.startswith("key::"):
            public = registry.folder / "configured.pub"
            public.write_text(configured[5:].strip() + "\n", "utf-8")
            signer = Signer(public, configured[5:].strip(), agent=os.environ.get("SSH_AUTH_SOCK"), person=who.person)
        else:
            signer = Signer.from_file(Path(os.path.expanduser(configured)), who.person)
    elif people is not None and who.person and os.environ.get("SSH_AUTH_SOCK"):
        person = people.get(who.person)
        if person is not None:
            signer = agent_signer(os.environ["SSH_AUTH_SOCK"], person.keys, registry.folder, person.id)
    if signer is not None and people is not None:
        person = people.get(who.person) if who.person else None
        if person is None or signer.public not in {key_blob(k) for k in person.keys}:
            owner = people.by_key(signer.public)
            whose = f"it is {owner.label}'s" if owner else "it is not in the people registry"
            raise SignError(f"the signing key {signer.key} is not registered for {who.name} ({who.person or 'unregistered'}): {whose}")
    return signer


def check_people_file(data: bytes, source: str) -> People:
    """people.toml as it would be committed: every problem at once."""
    try:
        return load_people(data, source)
    except InvalidInput:
        raise
    except (UnicodeDecodeError, AuditdeskError) as exc:
        raise InvalidInput.single(source, "", str(exc)) from None
