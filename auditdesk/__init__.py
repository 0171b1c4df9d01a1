"""auditdesk: plan, score, conclude and review service-certification audits.

This package's own modules are the root of the layering (errors, file
writing, paths, text safety); the layers install beneath it as
``auditdesk.criteria``, ``.audit``, ``.store``, ``.report``, ``.desk``,
``.cli`` and ``.tui`` (see docs/architecture.md).
"""

from __future__ import annotations

__all__ = ["__version__"]


def __getattr__(name: str) -> str:
    """``__version__``, looked up on first use: importlib.metadata costs tens of ms, which
    every command (and git's diff driver, once per file) would otherwise pay."""
    if name != "__version__":
        raise AttributeError(f"module 'auditdesk' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("auditdesk")
    except PackageNotFoundError:  # running from a checkout that was never installed
        found = "0+unknown"
    globals()["__version__"] = found
    return found
