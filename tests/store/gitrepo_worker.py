"""Child process for the gitrepo tests: saves from a separate process, so the
tests exercise real inter-process locking and can SIGKILL a writer mid-save.

Usage: gitrepo_worker.py MODE STORE [ARGS...]
  many STORE PREFIX N      save N new files audits/PREFIX-<i>.toml
  same STORE RELPATH BASE GO TEXT   wait for file GO, save TEXT from BASE once
  loop STORE NFILES        forever: bump the counter in one of NFILES files
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

from auditdesk.audit.identity import Identity
from auditdesk.store.git import Conflict, GitRepo

WHO = Identity("Worker", "worker@example.org")


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


def main(argv: list[str]) -> None:
    mode, store = argv[0], Path(argv[1])
    with GitRepo(store) as repo:
        if mode == "many":
            prefix, count = argv[2], int(argv[3])
            for i in range(count):
                repo.save(f"audits/{prefix}-{i}.toml", f"{prefix} = {i}\n".encode(), base=None,
                          author=Identity(f"Writer {prefix}", f"{prefix}@example.org"), message=f"{prefix} {i}")
        elif mode == "same":
            relpath, base, go, text = argv[2], argv[3], Path(argv[4]), argv[5]
            while not go.exists():
                time.sleep(0.001)
            try:
                done = repo.save(relpath, text.encode(), base=base, author=WHO, message=text)
                print(f"ok {done.commit}", flush=True)
            except Conflict as exc:
                print(f"conflict {exc.rejected_ref}", flush=True)
        elif mode == "loop":
            files = int(argv[2])
            n = 0
            while True:
                relpath = crash_relpath(n % files)
                start = repo.blob_id(relpath)
                seq = crash_seq(repo.read_blob(start)) if start else 0
                repo.save(relpath, crash_content(n % files, seq + 1), base=start, author=WHO, message=f"seq {seq + 1}")
                if n == 0:
                    print("ready", flush=True)
                n += 1
        else:
            raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main(sys.argv[1:])
