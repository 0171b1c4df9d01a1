"""The people of a store: who may act, in which role, with which keys.

A store may keep a registry (``people.toml`` beside ``auditdesk.toml``).  Each
person has a stable id (what audit files and signatures refer to), a name,
an e-mail, roles and SSH public keys.  Whoever acts is resolved to exactly
one registered person, by id, e-mail or name, compared after NFKC
normalisation; text with invisible or control characters is refused, and
so is a name that only *looks* like a registered one (a Cyrillic ``а`` for a
Latin ``a``, a full-width letter, a zero-width space): the refusal names the
person it resembles, so a forged display name cannot pass for a colleague.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Literal

from auditdesk.errors import AuditdeskError
from auditdesk.safetext import unsafe_characters

__all__ = [
    "KEY_TYPES",
    "ROLES",
    "LookAlike",
    "NotRegistered",
    "People",
    "Person",
    "Role",
    "describe_char",
    "hidden_characters",
    "key_problem",
    "normalise",
    "skeleton",
]

Role = Literal["auditor", "reviewer", "administrator"]
ROLES: dict[str, str] = {"auditor": "审查员", "reviewer": "复核人", "administrator": "管理员"}

PERSON_ID = re.compile(r"^[a-z][a-z0-9._-]{0,31}$")
#: The SSH public key types git's signing and sshd accept (no certificates: a certificate authority
#: line would let one key vouch for others).
KEY_TYPES = (
    "ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com",
)
_KEY = re.compile(r"^(?P<type>[a-z0-9@.-]+) (?P<blob>[A-Za-z0-9+/]+={0,2})(?: (?P<comment>[\x21-\x7e][\x20-\x7e]*))?$")

#: Characters that render as nothing (or as a plain space) but make text differ: besides what
#: safetext refuses (controls, bidi), every format character (Cf: zero-width space, joiners,
#: word joiner, BOM, soft hyphen …) and the fillers and selectors below.
_INVISIBLE_EXTRA = frozenset(
    "\u034f\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180e\u180f\u2800\u3164\uffa0"
    + "".join(chr(c) for c in range(0xFE00, 0xFE10))
)

#: Letters of other scripts (and symbols) that look like Latin letters or digits.
_CONFUSABLE = str.maketrans({
    # Cyrillic
    "а": "a", "А": "a", "в": "b", "В": "b", "е": "e", "Е": "e", "ё": "e", "Ё": "e", "к": "k", "К": "k",
    "м": "m", "М": "m", "н": "h", "Н": "h", "о": "o", "О": "o", "р": "p", "Р": "p", "с": "c", "С": "c",
    "т": "t", "Т": "t", "у": "y", "У": "y", "х": "x", "Х": "x", "ѕ": "s", "Ѕ": "s", "і": "i", "І": "l",
    "ї": "i", "Ї": "l", "ј": "j", "Ј": "j", "ԁ": "d", "ԛ": "q", "ԝ": "w", "Ԝ": "w", "һ": "h", "ӏ": "l", "Ӏ": "l",
    "ь": "b", "г": "r",
    # Greek
    "α": "a", "Α": "a", "β": "b", "Β": "b", "ε": "e", "Ε": "e", "Ζ": "z", "η": "n", "Η": "h", "ι": "i",
    "Ι": "l", "κ": "k", "Κ": "k", "Μ": "m", "ν": "v", "Ν": "n", "ο": "o", "Ο": "o", "ρ": "p", "Ρ": "p",
    "τ": "t", "Τ": "t", "υ": "u", "Υ": "y", "χ": "x", "Χ": "x", "ϲ": "c", "Ϲ": "c", "ϳ": "j",
    # Latin look-alikes of other letters, and digits
    "ı": "i", "ɡ": "g", "ɑ": "a", "ɩ": "i", "ʟ": "l", "ℓ": "l", "I": "l", "|": "l", "1": "l", "0": "o",
    # Katakana and symbols that look like CJK ideographs
    "ー": "一", "—": "一", "―": "一", "ロ": "口", "エ": "工", "カ": "力", "タ": "夕", "ニ": "二",
    "ハ": "八", "ト": "卜", "〇": "o",
})


def _is_invisible(c: str) -> bool:
    return unicodedata.category(c) in ("Cf", "Cc", "Zl", "Zp", "Co", "Cn", "Cs") or c in _INVISIBLE_EXTRA


def hidden_characters(text: str) -> list[str]:
    """The characters of `text` a name must not contain, each once: what safetext refuses
    (controls, bidi) plus every invisible or format character."""
    found = unsafe_characters(text) + [c for c in text if _is_invisible(c)]
    return list(dict.fromkeys(found))


def describe_char(c: str) -> str:
    """``U+200B ZERO WIDTH SPACE``: a character as a person can look it up."""
    return f"U+{ord(c):04X} {unicodedata.name(c, 'unnamed character')}"


def normalise(text: str) -> str:
    """NFKC, with runs of white space made one space and ends trimmed: how names are compared."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def skeleton(text: str) -> str:
    """What `text` looks like: invisible characters, accents, case, spacing and punctuation
    gone, look-alike letters of other scripts made Latin.  Two names with one skeleton
    are hard to tell apart on a screen."""
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(c for c in decomposed if not _is_invisible(c) and unicodedata.category(c) not in ("Mn", "Me"))
    mapped = unicodedata.normalize("NFKC", kept).translate(_CONFUSABLE).casefold().translate(_CONFUSABLE)
    return "".join(c for c in mapped if c.isalnum())


def key_problem(key: str) -> str | None:
    """Why `key` is not an SSH public key line (``ssh-ed25519 AAAA… comment``) auditdesk accepts, or None."""
    match = _KEY.match(key)
    if not match:
        return "expected an OpenSSH public key line such as 'ssh-ed25519 AAAAC3Nza… name@host' (from the .pub file)"
    if match.group("type") not in KEY_TYPES:
        return f"key type {match.group('type')!r} is not one of: {', '.join(KEY_TYPES)}"
    return None


def key_blob(key: str) -> str:
    """``type base64``: the key itself, without its comment."""
    return " ".join(key.split()[:2])


class NotRegistered(AuditdeskError):
    """Whoever is acting is not a registered person of this store."""


class LookAlike(NotRegistered):
    """The name (or e-mail) given looks like a registered person's but is not theirs."""

    def __init__(self, message: str, person: Person) -> None:
        super().__init__(message)
        self.person = person


@dataclass(frozen=True)
class Person:
    """One registered person (a ``[[people]]`` table of people.toml)."""

    id: str
    name: str
    email: str
    roles: tuple[Role, ...] = ()
    keys: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.name} ({self.id})"

    def has(self, role: str) -> bool:
        return role in self.roles


@dataclass(frozen=True)
class People:
    """A store's registry, as read from people.toml (see `problems` for what must hold)."""

    people: tuple[Person, ...] = ()
    _by_id: dict[str, Person] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_id.update({p.id: p for p in self.people})

    def get(self, person_id: str) -> Person | None:
        return self._by_id.get(person_id)

    def with_role(self, role: str) -> list[Person]:
        return [p for p in self.people if p.has(role)]

    def by_key(self, key: str) -> Person | None:
        blob = key_blob(key)
        return next((p for p in self.people if any(key_blob(k) == blob for k in p.keys)), None)

    def problems(self) -> list[tuple[tuple[str | int, ...], str]]:
        """Everything wrong with the registry: ids, names, e-mails, roles and keys, with where."""
        out: list[tuple[tuple[str | int, ...], str]] = []
        seen_ids: dict[str, int] = {}
        seen_emails: dict[str, int] = {}
        seen_looks: dict[str, int] = {}
        seen_keys: dict[str, int] = {}
        for i, p in enumerate(self.people):
            at: tuple[str | int, ...] = ("people", i)
            if not PERSON_ID.match(p.id):
                out.append((at + ("id",), f"{p.id!r} is not an id: 1–32 lower-case letters, digits, '.', '_' or '-', starting with a letter"))
            elif p.id in seen_ids:
                out.append((at + ("id",), f"{p.id!r} is already the id of people[{seen_ids[p.id]}]"))
            seen_ids.setdefault(p.id, i)
            for name, value in (("name", p.name), ("email", p.email)):
                hidden = hidden_characters(value)
                if not value.strip():
                    out.append((at + (name,), "missing"))
                elif hidden:
                    out.append((at + (name,), "contains invisible or control characters: " + ", ".join(map(describe_char, hidden))))
                elif value != normalise(value):
                    out.append((at + (name,), f"write it in its normal form {normalise(value)!r} (NFKC, single spaces)"))
                elif any(c in value for c in "<>"):
                    out.append((at + (name,), "must not contain < or >"))
            if p.email and "@" not in p.email:
                out.append((at + ("email",), f"{p.email!r} is not an e-mail address"))
            email = p.email.casefold()
            if email in seen_emails:
                out.append((at + ("email",), f"{p.email} is already the e-mail of people[{seen_emails[email]}]"))
            seen_emails.setdefault(email, i)
            look = skeleton(p.name)
            if look in seen_looks:
                other = self.people[seen_looks[look]]
                out.append((at + ("name",), (f"{p.name!r} is too easily taken for {other.name!r} (people[{seen_looks[look]}]); "
                                            "add something that tells them apart")))
            seen_looks.setdefault(look, i)
            if not p.roles:
                out.append((at + ("roles",), f"give at least one role: {', '.join(ROLES)}"))
            for j, key in enumerate(p.keys):
                why = key_problem(key)
                if why:
                    out.append((at + ("keys", j), why))
                    continue
                blob = key_blob(key)
                if blob in seen_keys and seen_keys[blob] != i:
                    out.append((at + ("keys", j), f"this key is already people[{seen_keys[blob]}]'s: one key, one person"))
                seen_keys.setdefault(blob, i)
        return out

    def identify(self, text: str, email: str | None = None, *, source: str = "--user") -> Person:
        """The one registered person `text` names (an id, an e-mail or a name; `email` if given
        must be theirs).  A look-alike or an unknown name raises, saying which."""
        for value in (text, email or ""):
            hidden = hidden_characters(value)
            if hidden:
                shown = ", ".join(map(describe_char, hidden))
                like = self._resembles(value)
                if like is not None:
                    raise LookAlike(f"{source}: {value!r} contains invisible or control characters ({shown}); "
                                    f"it looks like {like.label} but is not them", like)
                raise NotRegistered(f"{source}: {value!r} contains invisible or control characters ({shown})")
        wanted = normalise(text)
        found = self._by_id.get(wanted) or next((p for p in self.people if normalise(p.name) == wanted), None)
        if found is None and "@" in wanted:
            found = next((p for p in self.people if p.email.casefold() == wanted.casefold()), None)
        if found is None:
            like = self._resembles(text) or (self._resembles(email) if email else None)
            if like is not None:
                raise LookAlike(f"{source}: {text!r} is not a registered person: it looks like {like.label} "
                                f"but differs ({_difference(text, like)})", like)
            raise NotRegistered(f"{source}: {text!r} is not a registered person of this store (people.toml); "
                                "an administrator adds people with: auditdesk people add")
        if email is not None and email.casefold() != found.email.casefold():
            raise LookAlike(f"{source}: {found.label} is registered with the e-mail {found.email}, not {email}", found)
        return found

    def _resembles(self, text: str | None) -> Person | None:
        if not text:
            return None
        look = skeleton(text)
        if not look:
            return None
        for p in self.people:
            if look in (skeleton(p.name), skeleton(p.id), skeleton(p.email)):
                return p
        return None


def _difference(given: str, person: Person) -> str:
    """Where `given` first departs from the registered name (or id) it looks like."""
    target = person.name if skeleton(given) == skeleton(person.name) else person.id
    written = normalise(given)
    for index, (c, want) in enumerate(zip(written, target, strict=False)):
        if c != want:
            return f"character {index + 1} is {c!r} ({describe_char(c)}) where the registered name has {want!r}"
    return f"written {written!r}, registered {target!r}"
