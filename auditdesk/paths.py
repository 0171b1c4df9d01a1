"""Where auditdesk keeps things on this machine, worked out in one place.

platformdirs follows each system's rules (on Linux the XDG variables):

* the default store — data: ``$XDG_DATA_HOME/auditdesk/store``;
* the terminal app's settings — config: ``$XDG_CONFIG_HOME/auditdesk/tui.toml``;
* which revision each user last looked at — state, not data (losing it only
  loses a default): ``$XDG_STATE_HOME/auditdesk/seen.json``;
* what can always be computed again (parsed catalogs, audit summaries) —
  cache: ``$XDG_CACHE_HOME/auditdesk/``, private to the user (see
  :func:`private_cache`).

``$AUDITDESK_STORE`` overrides the default store.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

__all__ = ["cache_home", "default_store", "owned_file", "private_cache", "seen_path", "settings_path", "user_store"]

APP = "auditdesk"


def default_store() -> Path:
    """$AUDITDESK_STORE, else the per-user data folder's store."""
    env = os.environ.get("AUDITDESK_STORE")
    if env:
        return Path(env)
    return user_store()


def user_store() -> Path:
    """The per-user data folder's store, whatever $AUDITDESK_STORE says."""
    import platformdirs  # here, not above: a short command spends ~5 ms importing it

    return Path(platformdirs.user_data_dir(APP, appauthor=False)) / "store"


def settings_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_config_dir(APP, appauthor=False)) / "tui.toml"


def seen_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_state_dir(APP, appauthor=False)) / "seen.json"


def cache_home() -> Path:
    """The user's cache folder for auditdesk: on Linux the XDG rule, as platformdirs
    applies it, without importing it (every command reads a cache); elsewhere platformdirs."""
    if sys.platform.startswith("linux"):
        base = os.environ.get("XDG_CACHE_HOME", "").strip()
        return Path(base if os.path.isabs(base) else os.path.expanduser("~/.cache")) / APP
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP, appauthor=False))


def private_cache(name: str) -> Path | None:
    """A folder of the user's cache only they can write (created 0700), or None when
    there is none to be had: a cache whose folder someone else could write to could
    be made to lie, so it is not used at all."""
    folder = cache_home() / name
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = os.lstat(folder)
    except OSError:
        return None
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o022:
        return None
    return folder


def owned_file(path: Path) -> bool:
    """A regular file of the user's that nobody else can write to (a cache entry to trust)."""
    try:
        info = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISREG(info.st_mode) and info.st_uid == os.getuid() and not info.st_mode & 0o022
