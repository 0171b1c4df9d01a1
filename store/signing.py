"""git's SSH signatures (``gpg.format=ssh``), made and checked without git's config.

A store writes its commit (and approval tag) objects itself, so it signs them
itself: the object without its signature is the payload, ``ssh-keygen -Y sign
-n git`` signs it with the acting person's key (a private key file, or a public
key whose private half is in the person's ssh-agent), and the armoured
signature goes where git puts it (a ``gpgsig`` header of a commit, the end of a
tag).  git's own ``verify-commit`` accepts the result.

Checking never reads repository or user config, so a hostile repository cannot
choose the program that verifies (``gpg.ssh.program``), the allowed signers or
the trust level: the raw object is split here exactly as git splits it, and only
``ssh-keygen`` from the system's own folders runs, with a fixed environment,
against an allowed-signers file generated from the store's people registry
(principal = person id, namespace ``git``).  git does not tie a signature's key
to the committer; :func:`verify_object` does, when given the expected person.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from auditdesk.audit.people import People, key_blob
from auditdesk.errors import AuditdeskError

__all__ = [
    "SSH_SIG_BEGIN",
    "Check",
    "SignError",
    "Signer",
    "add_commit_signature",
    "add_tag_signature",
    "allowed_signers",
    "split_commit",
    "split_tag",
    "ssh_keygen",
    "verify_object",
]

NAMESPACE = "git"
SSH_SIG_BEGIN = b"-----BEGIN SSH SIGNATURE-----"
#: git's parse_signed_buffer() splits a tag at the LAST line starting with any of these.
_SIG_MARKERS = (b"-----BEGIN PGP SIGNATURE-----", b"-----BEGIN PGP MESSAGE-----",
                b"-----BEGIN SIGNED MESSAGE-----", SSH_SIG_BEGIN)
_GOOD = re.compile(r'^Good "git" signature for (.+) with (\S+) key (SHA256:\S+)$', re.MULTILINE)
#: Where ssh-keygen is looked for: the system's folders only, never the caller's PATH.
_SAFE_PATH = "/usr/bin:/bin:/usr/local/bin"

Status = Literal["good", "unsigned", "bad", "unknown-key", "wrong-person", "error"]


class SignError(AuditdeskError):
    """A signature could not be made (no key, a key that is not the person's, ssh-keygen failed)."""


@dataclass(frozen=True)
class Check:
    """What a signature says: `status`, whose key made it (`principal`, a person id) and its fingerprint."""

    status: Status
    principal: str = ""
    fingerprint: str = ""
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "good"

    def describe(self) -> str:
        """One phrase for people: "signed by li (SHA256:…)", "not signed", "BAD signature"."""
        if self.status == "good":
            return f"signed by {self.principal} ({self.fingerprint})"
        if self.status == "unsigned":
            return "not signed"
        if self.status == "unknown-key":
            return "signed with a key that is not in the people registry"
        if self.status == "wrong-person":
            return f"signed with {self.principal}'s key, not the author's"
        if self.status == "bad":
            return "BAD signature: the object was changed after signing, or the signature is forged"
        return f"signature not checked: {self.detail}"


def ssh_keygen() -> str:
    found = shutil.which("ssh-keygen", path=_SAFE_PATH)
    if found is None:
        raise AuditdeskError("ssh-keygen is not installed (package openssh-client); it makes and checks signatures")
    return found


def _run(args: list[str], stdin: bytes = b"", env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    base = {"PATH": _SAFE_PATH, "LC_ALL": "C", "TZ": "UTC"}
    return subprocess.run([ssh_keygen(), *args], input=stdin, capture_output=True, env={**base, **(env or {})},
                          timeout=60, check=False)


# ------------------------------------------------------------------- splitting

def split_commit(raw: bytes) -> tuple[bytes, bytes | None]:
    """(payload, signature) of a commit object as git splits it: the payload is the object
    without its ``gpgsig`` header (and any other ``gpgsig*`` header); a second signature
    header is refused (ValueError)."""
    payload: list[bytes] = []
    signature: list[bytes] = []
    in_sig = in_other = False
    seen = 0
    pos = 0
    while pos < len(raw):
        end = raw.find(b"\n", pos)
        nxt = len(raw) if end < 0 else end + 1
        line = raw[pos:nxt]
        if in_sig and line.startswith(b" "):
            signature.append(line[1:])
        elif line.startswith(b"gpgsig "):
            seen += 1
            if seen > 1:
                raise ValueError("more than one signature header")
            in_sig, in_other = True, False
            signature.append(line[len(b"gpgsig "):])
        else:
            in_sig = False
            if line.startswith(b"gpgsig"):
                in_other = True
            elif in_other and not line.startswith(b" "):
                in_other = False
            if line.startswith(b"\n"):
                payload.append(raw[pos:])
                break
            if not in_other:
                payload.append(line)
        pos = nxt
    if not seen:
        return raw, None
    return b"".join(payload), b"".join(signature)


def split_tag(raw: bytes) -> tuple[bytes, bytes | None]:
    """(payload, signature) of a tag object: split at the last line that starts a signature."""
    pos, match = 0, len(raw)
    while pos < len(raw):
        if raw.startswith(_SIG_MARKERS, pos):
            match = pos
        end = raw.find(b"\n", pos)
        pos = len(raw) if end < 0 else end + 1
    if match == len(raw):
        return raw, None
    return raw[:match], raw[match:]


def _object_time(raw: bytes, kind: str) -> int | None:
    """The committer's (commit) or tagger's (tag) time: the signature is checked as of then."""
    key = b"committer " if kind == "commit" else b"tagger "
    for line in raw.split(b"\n\n", 1)[0].split(b"\n"):
        if line.startswith(key):
            found = re.search(rb"> (\d+) [+-]\d{4}$", line)
            if found:
                return int(found.group(1))
    return None


def add_commit_signature(payload: bytes, signature: bytes) -> bytes:
    """The signature as the last header, continuation lines indented by one space (as git writes it)."""
    head, sep, body = payload.partition(b"\n\n")
    if not sep:
        raise ValueError("a commit without a blank line after its headers")
    return head + b"\ngpgsig " + b"\n ".join(signature.rstrip(b"\n").split(b"\n")) + b"\n\n" + body


def add_tag_signature(payload: bytes, signature: bytes) -> bytes:
    return (payload if payload.endswith(b"\n") else payload + b"\n") + signature


# ---------------------------------------------------------------------- signing

class Signer:
    """Signs payloads with one SSH key: a private key file, or a public key file whose private
    half is in the ssh-agent at `agent` (``SSH_AUTH_SOCK``)."""

    def __init__(self, key: Path, public: str, *, agent: str | None = None, person: str = "") -> None:
        self.key = key
        self.public = key_blob(public)
        self.agent = agent
        self.person = person

    def __call__(self, payload: bytes) -> bytes:
        env = {"SSH_AUTH_SOCK": self.agent} if self.agent else {}
        done = _run(["-Y", "sign", "-n", NAMESPACE, "-f", str(self.key)], payload, env)
        if done.returncode != 0 or not done.stdout.startswith(SSH_SIG_BEGIN):
            why = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise SignError(f"cannot sign with {self.key}: {why[-1] if why else f'ssh-keygen exit {done.returncode}'}"
                            + (" (is the key loaded in the ssh-agent? ssh-add -l)" if self.agent else ""))
        return done.stdout

    @classmethod
    def from_file(cls, path: Path, person: str = "") -> Signer:
        """A private key file (its public half read with ``ssh-keygen -y``), or a ``.pub`` file
        whose private key is beside it or in the agent."""
        if not path.is_file():
            raise SignError(f"signing key {path} does not exist")
        text = path.read_text("utf-8", "replace").strip()
        if text.startswith("-----BEGIN"):
            done = _run(["-y", "-f", str(path)])
            if done.returncode != 0:
                raise SignError(f"cannot read the signing key {path}: "
                                f"{done.stderr.decode('utf-8', 'replace').strip() or 'ssh-keygen -y failed'}")
            return cls(path, done.stdout.decode().strip(), person=person)
        return cls(path, text, agent=os.environ.get("SSH_AUTH_SOCK"), person=person)


def fingerprint(key: str) -> str:
    """``SHA256:…`` of a public key line, as ssh-keygen -l and git print it."""
    try:
        blob = base64.b64decode(key.split()[1], validate=True)
    except (IndexError, ValueError):
        return "(not a key)"
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")


def agent_keys(sock: str) -> list[str]:
    """The public keys an ssh-agent holds (``ssh-add -L``), or [] when there is none."""
    ssh_add = shutil.which("ssh-add", path=_SAFE_PATH)
    if not sock or ssh_add is None:
        return []
    done = subprocess.run([ssh_add, "-L"], capture_output=True, env={"PATH": _SAFE_PATH, "LC_ALL": "C", "SSH_AUTH_SOCK": sock},
                          timeout=30, check=False)
    return [line.strip() for line in done.stdout.decode("utf-8", "replace").splitlines() if line.startswith(("ssh-", "ecdsa-", "sk-"))]


def agent_signer(sock: str, keys: tuple[str, ...], folder: Path, person: str) -> Signer | None:
    """A signer for the first of `keys` that the agent at `sock` holds (the private key never leaves it)."""
    held = {key_blob(k) for k in agent_keys(sock)}
    for key in keys:
        if key_blob(key) in held:
            public = folder / f"agent-{person}.pub"
            public.write_text(key_blob(key) + "\n", "utf-8")
            return Signer(public, key, agent=sock, person=person)
    return None


# ------------------------------------------------------------------- verifying

def allowed_signers(people: People) -> str:
    """The allowed-signers file of a registry: one line per key, principal = person id, namespace git."""
    return "".join(f'{p.id} namespaces="{NAMESPACE}" {key_blob(k)}\n' for p in people.people for k in p.keys)


def verify_object(raw: bytes, kind: Literal["commit", "tag"], signers: Path | None, expected: str = "") -> Check:
    """Check the signature of a raw commit or tag object against the allowed-signers file
    `signers` (None: no registry, nothing to check against); with `expected` (a person id)
    the key must be theirs."""
    try:
        payload, signature = split_commit(raw) if kind == "commit" else split_tag(raw)
    except ValueError as exc:
        return Check("bad", detail=str(exc))
    if signature is None:
        return Check("unsigned")
    if not signature.startswith(SSH_SIG_BEGIN):
        return Check("bad", detail="not an SSH signature (OpenPGP and X.509 signatures are not accepted)")
    if signers is None:
        return Check("error", detail="the store has no people registry to check keys against")
    when = _object_time(raw, kind)
    options = [f"-Overify-time={datetime.fromtimestamp(when, UTC):%Y%m%d%H%M%SZ}"] if when is not None else []
    import tempfile  # (here: it brings in `random`, which most commands never need)

    with tempfile.TemporaryDirectory(prefix="auditdesk-sig-") as folder:
        sig = Path(folder) / "sig"
        sig.write_bytes(signature)
        if expected:  # the usual case, one ssh-keygen: the key is the expected person's
            done = _run(["-Y", "verify", "-f", str(signers), "-I", expected, "-n", NAMESPACE, "-s", str(sig), *options], payload)
            good = _GOOD.search(done.stdout.decode("utf-8", "replace"))
            if done.returncode == 0 and good and good.group(1) == expected:
                return Check("good", expected, good.group(3))
        found = _run(["-Y", "find-principals", "-f", str(signers), "-s", str(sig), *options])
        principals = [p for p in found.stdout.decode("utf-8", "replace").splitlines() if p]
        if found.returncode != 0 or not principals:
            parsed = _run(["-Y", "check-novalidate", "-n", NAMESPACE, "-s", str(sig)], payload)
            return Check("unknown-key" if parsed.returncode == 0 else "bad",
                         detail=(found.stderr + parsed.stderr).decode("utf-8", "replace").strip())
        if len(principals) > 1 or any(c in principals[0] for c in "*?!,"):
            return Check("error", detail=f"the key maps to several or pattern principals: {principals}")
        principal = principals[0]
        done = _run(["-Y", "verify", "-f", str(signers), "-I", principal, "-n", NAMESPACE, "-s", str(sig), *options], payload)
    out = done.stdout.decode("utf-8", "replace")
    good = _GOOD.search(out)
    if done.returncode != 0 or not good or good.group(1) != principal:
        return Check("bad", principal, detail=(out + done.stderr.decode("utf-8", "replace")).strip())
    if expected and principal != expected:
        return Check("wrong-person", principal, good.group(3))
    return Check("good", principal, good.group(3))


SignFunction = Callable[[bytes], bytes]
