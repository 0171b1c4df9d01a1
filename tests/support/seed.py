"""The seed audit (10234-2024-SD, the report in docs/domain.md) and its people."""

from __future__ import annotations

from pathlib import Path

from auditdesk.audit.identity import Identity

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_PATH = ROOT / "auditdesk" / "demo" / "10234-2024-SD.toml"
#: The seed audit's file, as the demo store holds it.
SAMPLE = SAMPLE_PATH.read_bytes()
PROJECT_NO = "10234-2024-SD"
#: The seed's team leader: only the team may edit an audit.
LEADER = Identity("韩永师", "han@example.org")
#: Not on the seed's team; the store names no reviewers, so anyone off the team may review.
REVIEWER = Identity("李审核", "li@example.org")
