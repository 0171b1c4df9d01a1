"""scripts/check.py, the static gate, loaded as a module so tests can call its checks."""

from __future__ import annotations

import functools
import importlib.util
import sys
from types import ModuleType

from support.seed import ROOT


@functools.cache
def load_gate() -> ModuleType:
    spec = importlib.util.spec_from_file_location("auditdesk_gate", ROOT / "scripts" / "check.py")
    assert spec and spec.loader
    gate = importlib.util.module_from_spec(spec)
    sys.modules["auditdesk_gate"] = gate  # dataclasses look their module up while the class is made
    spec.loader.exec_module(gate)
    return gate
