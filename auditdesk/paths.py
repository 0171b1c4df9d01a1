"""Where auditdesk keeps things on this machine, worked out in one place.

platformdirs follows each system's rules (on Linux the XDG variables):

* the default store — data: ``$XDG_DATA_HOME/auditdesk/store``;
* the terminal app's settings — config: ``$XDG_CONFIG_HOME/auditdesk/tui.toml``;
* which revision each user last looked at — state, not data (losing it only
  loses a default): ``$XDG_STATE_HOME/auditdesk/seen.json``;
* derived data (the summaries a listing shows, one file per store) — cache:
  ``$XDG_CACHE_HOME/auditdesk/``.  Never inside a store: whoever else can write
  there could make ``list`` show what no audit says.

``$AUDITDESK_STORE`` overrides the default store.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

__all__ = ["cache_dir", "default_store", "seen_path", "settings_path", "user_store"]

APP = "auditdesk"


def default_store() -> Path:
    """$AUDITDESK_STORE, else the per-user data folder's store."""
    env = os.environ.get("AUDITDESK_STORE")
    if env:
        return Path(env)
    return user_store()


def user_store() -> Path:
    """The per-user data folder's store, whatever $AUDITDESK_STORE says."""
    return Path(platformdirs.user_data_dir(APP, appauthor=False)) / "store"


def settings_path() -> Path:
    return Path(platformdirs.user_config_dir(APP, appauthor=False)) / "tui.toml"


def seen_path() -> Path:
    return Path(platformdirs.user_state_dir(APP, appauthor=False)) / "seen.json"


def cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir(APP, appauthor=False))
