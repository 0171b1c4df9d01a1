"""Shared fixtures: the built-in catalog, the sample audit, a fresh store."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from auditdesk.audit.document import Audit, from_toml
from auditdesk.criteria.catalog import Catalog, Catalogs

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "auditdesk" / "demo" / "10234-2024-SD.toml"

# Git must not read the developer's config or prompt for anything in tests.
os.environ["GIT_CONFIG_GLOBAL"] = os.devnull
os.environ["GIT_CONFIG_NOSYSTEM"] = "1"
os.environ["GIT_TERMINAL_PROMPT"] = "0"
for name in ("AUDITDESK_STORE", "AUDITDESK_USER"):
    os.environ.pop(name, None)


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return Catalogs().get("cts-isc-jsgf-05")


@pytest.fixture(scope="session")
def sample_bytes() -> bytes:
    return SAMPLE.read_bytes()


@pytest.fixture
def sample(sample_bytes: bytes, catalog: Catalog) -> Audit:
    return from_toml(sample_bytes, str(SAMPLE), catalog)
