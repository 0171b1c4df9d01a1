"""The crash test's files (tests/store/test_gitrepo.py and its worker): each
names the sequence number it was saved at and checks itself, so a torn or
mixed-up write shows."""

from __future__ import annotations

import re


def crash_content(index: int, seq: int) -> bytes:
    """Deterministic, self-checking content of crash-test file ``index`` at ``seq``;
    ~20 KB so that a torn write would show."""
    body = "".join(f"line{n:05d} = \"{index}-{seq}\"\n" for n in range(900))
    return f"file = {index}\nseq = {seq}\n{body}end = {seq}\n".encode()


def crash_seq(data: bytes) -> int:
    """The ``seq`` a crash-test file claims to be at."""
    found = re.search(rb"^seq = (\d+)$", data, re.MULTILINE)
    assert found, data[:80]
    return int(found.group(1))


def crash_relpath(index: int) -> str:
    return f"audits/crash-{index}.toml"
