"""Child process for the gitrepo tests: saves from a separate process, so the
tests exercise real inter-process locking and can SIGKILL a writer mid-save.

Usage: gitrepo_worker.py MODE STORE [ARGS...]  (with tests/ on PYTHONPATH, for support.crash)
  many STORE PREFIX N      save N new files audits/PREFIX-<i>.toml
  same STORE RELPATH BASE GO TEXT   wait for file GO, save TEXT from BASE once
  loop STORE NFILES        forever: bump the counter in one of NFILES files
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from support.crash import crash_content, crash_relpath, crash_seq

from auditdesk.audit.identity import Identity
from auditdesk.store.git import Conflict, GitRepo

WHO = Identity("Worker", "worker@example.org")


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
