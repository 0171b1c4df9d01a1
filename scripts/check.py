"""The static gate CI runs before the tests: ruff, the layer contracts, mypy.

    python scripts/check.py            # all three; exit 1 on any finding
    python scripts/check.py layers     # one of them: ruff, layers, mypy

The layers (docs/architecture.md) flow one way, from the domain up to the
interfaces; a module may import its own layer and the layers below it,
never one above.  The check reads every import statement (``import``,
``from … import``, relative imports, imports inside functions) of every
module, mapping folders to module names through pyproject.toml's
``package-dir`` — the same table that installs them.

mypy cannot follow setuptools' editable-install finder, so it checks a
tree of symbolic links laid out as the installed package, and this script
maps the paths in its report back to the repository's files.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Bottom first.  A module belongs to the last (longest) prefix it starts with.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("auditdesk",),                 # the root: errors, file writing, paths, text safety
    ("auditdesk.criteria",),        # catalogs, item results, scoring
    ("auditdesk.audit",),           # the audit document, stages, workflow, diff, merge
    ("auditdesk.store",),           # the git-backed store
    ("auditdesk.report",),          # the report, exports, provenance
    ("auditdesk.desk",),            # the operations both interfaces share
    ("auditdesk.tui",),             # the terminal app
    ("auditdesk.cli", "auditdesk.__main__"),  # the command line (it starts the app)
)

#: Imports that break the TUI rules below and are being removed (issue 10 moves
#: the dialog out of the record list and hands widgets what they show).
KNOWN: frozenset[tuple[str, str]] = frozenset({
    ("auditdesk.tui.widgets.record_list", "auditdesk.tui.dialogs.form"),
    ("auditdesk.tui.widgets.stage_progress", "auditdesk.tui.app"),
})

#: Inside the terminal app: widgets know no screens or dialogs, dialogs no screens.
TUI_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("auditdesk.tui.widgets", ("auditdesk.tui.screens", "auditdesk.tui.dialogs", "auditdesk.tui.app")),
    ("auditdesk.tui.dialogs", ("auditdesk.tui.screens", "auditdesk.tui.app")),
)

#: Third-party packages only some layers may import (the domain stays light to import).
EXTERNAL_ONLY: dict[str, tuple[str, ...]] = {
    "textual": ("auditdesk.tui",),
    "rich": ("auditdesk.tui", "auditdesk.cli"),
    "markdown_it": ("auditdesk.report.html",),
    "git": (),  # GitPython is a test dependency only
}


def package_dirs() -> dict[str, Path]:
    """Module prefix -> folder, from pyproject.toml."""
    data = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    return {name: ROOT / folder for name, folder in data["tool"]["setuptools"]["package-dir"].items()}


def modules() -> dict[str, Path]:
    """Every module of the package: dotted name -> file."""
    found: dict[str, Path] = {}
    dirs = package_dirs()
    for package, folder in dirs.items():
        for path in sorted(folder.glob("*.py")):
            name = package if path.name == "__init__.py" else f"{package}.{path.stem}"
            found[name] = path
    return found


def layer_of(module: str) -> int:
    best = -1
    for i, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and (best < 0 or len(prefix) >= len(LAYERS[best][0])):
                best = i
    return best


@dataclass(frozen=True)
class Finding:
    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}: {self.message}"


def imports(module: str, path: Path) -> list[tuple[int, str]]:
    """(line, imported module) for every import in the file, relative ones resolved."""
    tree = ast.parse(path.read_text("utf-8"), str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            out.append((node.lineno, target))
            out += [(node.lineno, f"{target}.{alias.name}") for alias in node.names]  # from pkg import module
    return out


def check_layers(found: dict[str, Path] | None = None) -> list[Finding]:
    found = modules() if found is None else found
    problems: list[Finding] = []
    for module, path in found.items():
        mine = layer_of(module)
        for line, target in imports(module, path):
            top = target.split(".")[0]
            if top == "auditdesk":
                if target not in found and target.rpartition(".")[0] in found:
                    continue  # "from auditdesk.x import name": the module itself is checked
                theirs = layer_of(target)
                if theirs > mine:
                    problems.append(Finding(path, line, f"{module} ({LAYERS[mine][0]}) imports {target} "
                                                        f"({LAYERS[theirs][0]}), a higher layer"))
                for inner, forbidden in TUI_RULES:
                    if (module.startswith(inner) and any(target == f or target.startswith(f + ".") for f in forbidden)
                            and (module, target) not in KNOWN):
                        problems.append(Finding(path, line, f"{module} imports {target}: {inner} must not import it"))
            elif top in EXTERNAL_ONLY and not any(module == a or module.startswith(a + ".") for a in EXTERNAL_ONLY[top]):
                allowed = ", ".join(EXTERNAL_ONLY[top]) or "no module of the package"
                problems.append(Finding(path, line, f"{module} imports {top}, which only {allowed} may import"))
    first: dict[tuple[Path, int], Finding] = {}
    for f in problems:  # one finding per import statement
        first.setdefault((f.path, f.line), f)
    return sorted(first.values(), key=lambda f: (str(f.path), f.line))


def link_tree(where: Path) -> Path:
    """The package as installed, made of symbolic links to the repository's files."""
    top = where / "auditdesk"
    for package, folder in package_dirs().items():
        target = where.joinpath(*package.split("."))
        target.mkdir(parents=True, exist_ok=True)
        for path in folder.glob("*.py"):
            (target / path.name).symlink_to(path)
    (top / "py.typed").touch()
    return top


def run_mypy() -> int:
    with tempfile.TemporaryDirectory(prefix="auditdesk-mypy-") as tmp:
        link_tree(Path(tmp))
        env = dict(os.environ, MYPYPATH=tmp)
        done = subprocess.run([sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"), "-p", "auditdesk"],
                              cwd=tmp, env=env, capture_output=True, text=True, check=False)
        report = done.stdout + done.stderr
        for package, folder in sorted(package_dirs().items(), key=lambda kv: -len(kv[0])):
            report = report.replace(package.replace(".", "/") + "/", str(folder.relative_to(ROOT)) + "/")
        print(report, end="")
        return done.returncode


def run_ruff() -> int:
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or "ruff"
    return subprocess.run([ruff, "check", "--quiet", str(ROOT)], check=False).returncode


def run_layers() -> int:
    problems = check_layers()
    for p in problems:
        print(p, flush=True)
    if not problems:
        print(f"layers: {len(modules())} modules, every import flows downward")
    return 1 if problems else 0


CHECKS = {"ruff": run_ruff, "layers": run_layers, "mypy": run_mypy}


def main(argv: list[str]) -> int:
    chosen = argv or list(CHECKS)
    unknown = [c for c in chosen if c not in CHECKS]
    if unknown:
        print(f"unknown check {', '.join(unknown)}; choose from {', '.join(CHECKS)}", file=sys.stderr)
        return 2
    failed = [name for name in chosen if CHECKS[name]()]
    if failed:
        print(f"the gate failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
