"""Report tests: make the shared reading helpers (report_helpers.py) importable.

The suite runs with --import-mode=importlib, which does not put test folders
on sys.path; the helpers module has a name no other folder uses.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
