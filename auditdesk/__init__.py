"""auditdesk: plan, score, conclude and review service-certification audits.

This package's own modules are the root of the layering (errors, file
writing, paths, text safety); the layers install beneath it as
``auditdesk.criteria``, ``.audit``, ``.store``, ``.report``, ``.desk``,
``.cli`` and ``.tui`` (see docs/architecture.md).
"""

from __future__ import annotations


def __getattr__(name: str) -> str:
    """``__version__``, looked up when asked: importlib.metadata costs every command ~20 ms."""
    if name != "__version__":
        raise AttributeError(f"module 'auditdesk' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("auditdesk")
    except PackageNotFoundError:  # running from a checkout that was never installed
        return "0+unknown"
