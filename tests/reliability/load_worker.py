"""One writer of the load test (test_load.py): read-modify-save until a deadline.

Usage: load_worker.py STORE WORKER DEADLINE SEED

Each round loads either this worker's own audit LOAD-<WORKER> or the shared
audit LOAD-SHARED, changes an item score and writes a unique token into the
overview, waits a moment (a person typing), and saves from the revision it
loaded.  One JSON line per attempt on stdout: the token, the audit, and
"ok" with the commit, or "conflict" with the rejected ref that keeps the
refused bytes, or "error" with the message.
"""

from __future__ import annotations

import json
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

from auditdesk.audit.identity import Identity
from auditdesk.criteria.results import ItemResult
from auditdesk.errors import AuditdeskError
from auditdesk.store.audits import AuditStore
from auditdesk.store.git import Conflict


def main(argv: list[str]) -> None:
    store_path, worker, deadline, seed = Path(argv[0]), int(argv[1]), float(argv[2]), int(argv[3])
    rng = random.Random(seed)
    who = Identity(f"W{worker}", f"w{worker}@example.org")
    codes = [f"A{n}" for n in range(1, 30)]
    with AuditStore.open(store_path) as store:
        seq = 0
        while time.time() < deadline:
            seq += 1
            project = f"LOAD-{worker}" if rng.random() < 0.5 else "LOAD-SHARED"
            token = f"w{worker}-{seq}"
            record: dict[str, object] = {"token": token, "audit": project, "worker": worker}
            try:
                loaded = store.load(project)
                audit = loaded.audit
                audit.items[rng.choice(codes)] = ItemResult(pct=Decimal(rng.randrange(101)))
                audit.conclusion.overview = token
                time.sleep(rng.uniform(0, 0.004))
                done = store.save(audit, base=loaded.blob, user=who)
                record.update(result="ok", commit=done.commit)
            except Conflict as exc:
                record.update(result="conflict", ref=exc.rejected_ref)
            except AuditdeskError as exc:
                record.update(result="error", message=str(exc))
            print(json.dumps(record), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
