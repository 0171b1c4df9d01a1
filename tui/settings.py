"""The user's TUI settings: `tui.toml` in the config folder (`auditdesk.paths.settings_path`).

    language = "zh"          # or "en"; default: from $LANG
    theme = "textual-ansi"   # any Textual theme; textual-ansi follows the terminal's 16 colours
    mouse = false            # default: off over SSH, on otherwise

    [keymap]                 # binding id = keys (F1 help lists the ids)
    "scoring.na" = "x"
    "view.scoring" = "f3,ctrl+o"
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from auditdesk.errors import InvalidInput
from auditdesk.tui.i18n import LANGUAGES


@dataclass(frozen=True)
class Settings:
    language: str | None = None
    theme: str = "textual-dark"
    mouse: bool | None = None
    keymap: dict[str, str] = field(default_factory=dict)


def load_settings(path: Path) -> Settings:
    """Read the settings file; a missing file means defaults, a broken one is an error."""
    try:
        raw = tomllib.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return Settings()
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InvalidInput.single(str(path), "", f"cannot read the TUI settings: {exc}") from None
    unknown = set(raw) - {"language", "theme", "mouse", "keymap"}
    checks = [
        (bool(unknown), "", f"unknown settings {', '.join(sorted(unknown))} (known: language, theme, mouse, keymap)"),
        (raw.get("language", "en") not in LANGUAGES, "language", "write language = \"en\" or \"zh\""),
        (not isinstance(raw.get("theme", ""), str), "theme", "write theme = \"textual-dark\" (a Textual theme name)"),
        (not isinstance(raw.get("mouse", False), bool), "mouse", "write mouse = true or false"),
        (not (isinstance(raw.get("keymap", {}), dict) and all(isinstance(v, str) for v in raw.get("keymap", {}).values())),
         "keymap", "write one binding id = \"keys\" per line under [keymap]"),
    ]
    for failed, name, message in checks:
        if failed:
            raise InvalidInput.single(str(path), name, message)
    return Settings(raw.get("language"), raw.get("theme", Settings.theme), raw.get("mouse"), dict(raw.get("keymap", {})))
