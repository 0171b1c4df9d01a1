"""Writing git objects without git: blobs, trees and commits as loose objects.

Starting git processes is what a save costs, so the blob, the trees and the
commit of a save are written here (zlib, temp file, fsync, rename) and only
the compare-and-swap ``update-ref`` is left to git.  An object that exists
is left alone; a crash leaves at most a ``tmp_obj_`` file, which git's gc
removes.
"""

from __future__ import annotations

import hashlib
import os
import zlib
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from pathlib import Path

from auditdesk.audit.identity import Identity
from auditdesk.fileio import replace_file
from auditdesk.store.git.errors import GitError
from auditdesk.store.git.process import ObjectReader

__all__ = ["ObjectStore"]


class ObjectStore:
    """The object database of one repository, for writing."""

    def __init__(self, reader: ObjectReader, common_dir: Path, hash_name: str, file_mode: int, dir_mode: int) -> None:
        self._reader = reader
        self._objects = common_dir / "objects"
        self.hash_name = hash_name
        self.oid_len = len(hashlib.new(hash_name).hexdigest())
        self._fmode = file_mode
        self._dmode = dir_mode

    def blob_id_of(self, data: bytes) -> str:
        """The id git gives these exact bytes (no filters), computed without git."""
        return hashlib.new(self.hash_name, b"blob %d\0" % len(data) + data).hexdigest()

    @property
    def zero_id(self) -> str:
        """The all-zero id git uses for "no object" (a ref that must not exist yet)."""
        return "0" * self.oid_len

    def empty_tree(self) -> str:
        return hashlib.new(self.hash_name, b"tree 0\0").hexdigest()

    def store_blob(self, data: bytes) -> str:
        return self.write(b"blob", data)

    def write(self, kind: bytes, body: bytes, *, durable: bool = True) -> str:
        """Write one loose object (if absent) and return its id; ``durable=False`` skips the
        fsync, for objects only a cache refers to."""
        data = b"%s %d\0" % (kind, len(body)) + body
        oid = hashlib.new(self.hash_name, data).hexdigest()
        target = self._objects / oid[:2] / oid[2:]
        if target.exists():
            return oid
        try:
            folder = target.parent
            if not folder.is_dir():
                folder.mkdir(exist_ok=True)
                os.chmod(folder, self._dmode)
            replace_file(target, zlib.compress(data, 1), mode=self._fmode & 0o444, prefix="tmp_obj_", fsync_folder=False,
                         durable=durable)
        except OSError as exc:
            raise GitError(f"cannot write to the object store: {exc.strerror or exc}") from None
        return oid

    def _tree_put(self, tree: str | None, parts: list[str], blob: str | None) -> str | None:
        """``tree`` with the file at ``parts`` set to ``blob`` (None removes it);
        None when the result is an empty folder."""
        entries: dict[bytes, tuple[bytes, bytes]] = {}
        if tree is not None:
            found = self._reader.object(tree)
            if found is None or found[1] != "tree":
                raise GitError(f"tree {tree} is missing from the object store")
            data, i = found[2], 0
            while i < len(data):
                space = data.index(b" ", i)
                nul = data.index(b"\0", space)
                end = nul + 1 + self.oid_len // 2
                entries[data[space + 1:nul]] = (data[i:space], data[nul + 1:end])
                i = end
        name = os.fsencode(parts[0])
        new: str | None
        if len(parts) == 1:
            new = blob
            mode = b"100644"
        else:
            mode = b"40000"
            current = entries.get(name)
            sub = current[1].hex() if current and current[0] == b"40000" else None
            new = self._tree_put(sub, parts[1:], blob)
        if new is None:
            entries.pop(name, None)
        else:
            entries[name] = (mode, bytes.fromhex(new))
        if not entries:
            return None
        ordered = sorted(entries.items(), key=lambda e: e[0] + (b"/" if e[1][0] == b"40000" else b""))
        return self.write(b"tree", b"".join(m + b" " + n + b"\0" + oid for n, (m, oid) in ordered))

    def tree_of(self, commit: str) -> str:
        found = self._reader.object(f"{commit}^{{tree}}")
        if found is None:
            raise GitError(f"commit {commit} has no tree in the object store")
        return found[0]

    def tree_with(self, parent: str | None, files: Mapping[str, str | None]) -> str:
        """The tree of ``parent`` with ``files`` (relpath -> blob, None deletes) put in."""
        root = self.tree_of(parent) if parent else None
        for relpath, blob in files.items():
            root = self._tree_put(root, relpath.split("/"), blob)
        return root or self.write(b"tree", b"")

    def read(self, oid: str, kind: str) -> bytes:
        """The content of object ``oid``, which must be a ``kind``."""
        found = self._reader.object(oid)
        if found is None or found[1] != kind:
            raise GitError(f"{kind} {oid} is missing from the object store")
        return found[2]

    def commit(self, tree: str, parents: list[str], who: Identity, text: bytes, when: datetime,
               sign: Sign | None = None, *, durable: bool = True) -> str:
        """A commit object; with `sign`, signed as git signs (a ``gpgsig`` header over the rest)."""
        person = _person(who, when)
        body = b"tree " + tree.encode() + b"\n" + b"".join(b"parent " + p.encode() + b"\n" for p in parents)
        body += b"author " + person + b"\ncommitter " + person + b"\n\n" + text
        if sign is not None:
            body = _with_commit_signature(body, sign(body))
        return self.write(b"commit", body, durable=durable)

    def commit_with(self, parent: str | None, files: Mapping[str, str | None], who: Identity, text: bytes,
                    when: datetime, sign: Sign | None = None) -> str:
        """A commit on ``parent`` whose tree is the parent's with ``files`` put in."""
        return self.commit(self.tree_with(parent, files), [parent] if parent else [], who, text, when, sign)

    def tag(self, commit: str, name: str, who: Identity, text: bytes, when: datetime, sign: Sign | None = None) -> str:
        """An annotated tag object on ``commit``; with `sign`, the signature follows the message."""
        body = (b"object " + commit.encode() + b"\ntype commit\ntag " + name.encode() + b"\ntagger "
                + _person(who, when) + b"\n\n" + text)
        if sign is not None:
            signature = sign(body)
            body += signature if signature.endswith(b"\n") else signature + b"\n"
        return self.write(b"tag", body)


#: Signs a payload: returns git's armoured signature (see store.signing).
Sign = Callable[[bytes], bytes]


def _person(who: Identity, when: datetime) -> bytes:
    minutes = int((when.utcoffset() or timedelta(0)).total_seconds()) // 60
    stamp = f"{int(when.timestamp())} {'+' if minutes >= 0 else '-'}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"
    return f"{who.name} <{who.email}> {stamp}".encode()


def _with_commit_signature(body: bytes, signature: bytes) -> bytes:
    """The signature as the last header, continuation lines indented by one space (where git puts it)."""
    head, _, message = body.partition(b"\n\n")
    return head + b"\ngpgsig " + b"\n ".join(signature.rstrip(b"\n").split(b"\n")) + b"\n\n" + message
