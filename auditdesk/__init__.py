"""auditdesk: plan, score, conclude and review service-certification audits.

This package's own modules are the root of the layering (errors, file
writing, paths, text safety); the layers install beneath it as
``auditdesk.criteria``, ``.audit``, ``.store``, ``.report``, ``.desk``,
``.cli`` and ``.tui`` (see docs/architecture.md).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("auditdesk")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0+unknown"
