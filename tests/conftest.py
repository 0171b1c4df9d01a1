"""Shared fixtures: the built-in catalog, the sample audit, a fresh store; the
Hypothesis profile (tests/support/profiles.py) and a steady environment."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from support import profiles
from support.seed import SAMPLE_PATH

from auditdesk.audit.document import Audit, from_toml
from auditdesk.criteria.catalog import Catalog, Catalogs

# Git must not read the developer's config or prompt for anything in tests.
os.environ["GIT_CONFIG_GLOBAL"] = os.devnull
os.environ["GIT_CONFIG_NOSYSTEM"] = "1"
os.environ["GIT_TERMINAL_PROMPT"] = "0"
for name in ("AUDITDESK_STORE", "AUDITDESK_USER"):
    os.environ.pop(name, None)
# git finds the diff driver (auditdesk-textconv) where this interpreter's scripts are, as in an activated venv.
os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")

PROFILE = profiles.register()


def pytest_report_header() -> str:
    return f"hypothesis profile: {PROFILE} (set {profiles.VARIABLE}=thorough for a long random run)"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests marked slow first, otherwise in file order: with ``-n 2`` the long
    ones start at once beside everything else, instead of running alone at the end
    while the other worker waits (``--dist worksteal`` then evens out the rest)."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return Catalogs().get("cts-isc-jsgf-05")


@pytest.fixture(scope="session")
def sample_bytes() -> bytes:
    return SAMPLE_PATH.read_bytes()


@pytest.fixture
def sample(sample_bytes: bytes, catalog: Catalog) -> Audit:
    return from_toml(sample_bytes, str(SAMPLE_PATH), catalog)
