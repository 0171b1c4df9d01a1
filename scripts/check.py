"""The static gate CI runs before the tests: ruff, the layer contracts, mypy,
module size, and the import graph drawn in docs/architecture.md.

    python scripts/check.py              # all of them; exit 1 on any finding
    python scripts/check.py layers       # some of them: ruff, layers, mypy, size, graph
    python scripts/check.py --write-graph   # redraw docs/architecture.md's graph from the code

The layers (docs/architecture.md) flow one way, from the domain up to the
interfaces; a module may import its own layer and the layers below it,
never one above.  The check reads every import statement (``import``,
``from … import``, relative imports, imports inside functions) of every
module, mapping folders to module names through pyproject.toml's
``package-dir`` — the same table that installs them.

mypy cannot follow setuptools' editable-install finder, so it checks a
tree of symbolic links laid out as the installed package, and this script
maps the paths in its report back to the repository's files.

``size``: no Python file of the repository (package, scripts, tests) is
over :data:`MAX_LINES` lines unless its docstring says why, in a paragraph
starting ``Why this module is long:``.  ``graph``: the import graph between
packages, drawn from the same import data as ``layers``, is what
docs/architecture.md shows (redraw it with ``--write-graph``).
"""

from __future__ import annotations

import ast
import difflib
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

#: Imports that break the TUI rules below and are being removed (none left).
KNOWN: frozenset[tuple[str, str]] = frozenset()

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


# ------------------------------------------------------------------ module size

#: Lines a Python file may have before it needs a reason at its top.
MAX_LINES = 400
REASON = "Why this module is long:"

#: Files over the limit today that other issues of this wave are changing; each
#: entry names the work that splits the file or writes its reason, then leaves.
LONG_FOR_NOW: dict[str, str] = {}

_SKIPPED_DIRS = frozenset({".venv", ".git", "build", "dist", "__pycache__", "node_modules"})


def python_files() -> list[Path]:
    """Every Python file of the repository (package, scripts, tests), skipping virtual environments and builds."""
    found = []
    for folder, dirs, names in os.walk(ROOT):
        dirs[:] = sorted(d for d in dirs if d not in _SKIPPED_DIRS and not d.startswith("."))
        found += [Path(folder) / n for n in names if n.endswith(".py")]
    return sorted(found)


def has_reason(path: Path) -> bool:
    """The module docstring has a paragraph starting "Why this module is long:" with something after it."""
    try:
        doc = ast.get_docstring(ast.parse(path.read_text("utf-8"), str(path))) or ""
    except SyntaxError:
        return False
    return any(line.startswith(REASON) and (line[len(REASON):].strip() or rest.strip())
               for line, _, rest in (para.strip().partition("\n") for para in doc.split("\n\n")))


def check_size(files: list[Path] | None = None, allowed: dict[str, str] | None = None) -> tuple[list[Finding], list[str]]:
    """(findings, notes): files over MAX_LINES with no reason fail; the temporarily allowed are noted."""
    allowed = LONG_FOR_NOW if allowed is None else allowed
    problems: list[Finding] = []
    notes: list[str] = []
    for path in python_files() if files is None else files:
        count = len(path.read_text("utf-8").splitlines())
        if count <= MAX_LINES:
            continue
        rel = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)
        if has_reason(path):
            notes.append(f"{rel}: {count} lines, with its reason")
        elif rel in allowed:
            notes.append(f"{rel}: {count} lines, allowed for now: {allowed[rel]}")
        else:
            problems.append(Finding(path, 1, f"{count} lines (over {MAX_LINES}): split it, or say at its top "
                                              f"\"{REASON} …\""))
    return problems, notes


def run_size() -> int:
    problems, notes = check_size()
    for note in notes:
        print(f"size: {note}")
    for p in problems:
        print(p, flush=True)
    stale = [rel for rel in LONG_FOR_NOW if not (ROOT / rel).exists()
             or len((ROOT / rel).read_text("utf-8").splitlines()) <= MAX_LINES or has_reason(ROOT / rel)]
    for rel in stale:
        print(f"scripts/check.py: {rel} no longer needs its LONG_FOR_NOW entry; remove it")
    return 1 if problems or stale else 0


# ------------------------------------------------------------------ import graph

ARCHITECTURE = ROOT / "docs" / "architecture.md"
GRAPH_BEGIN = "<!-- import graph: generated by python scripts/check.py --write-graph; do not edit -->"
GRAPH_END = "<!-- end of import graph -->"


def node_of(module: str, packages: list[str]) -> str:
    """The graph node of a module: the package holding it, or the module itself when
    LAYERS or TUI_RULES name it alone (``auditdesk.__main__``, ``auditdesk.tui.app``)."""
    alone = {m for prefixes in LAYERS for m in prefixes} | {m for _, forbidden in TUI_RULES for m in forbidden}
    if module in alone and module not in packages:
        return module
    return max((p for p in packages if module == p or module.startswith(p + ".")), key=len)


def import_edges(found: dict[str, Path] | None = None) -> dict[tuple[str, str], bool]:
    """(importer, imported) between the nodes of auditdesk and to third-party libraries;
    True when every import behind the edge is a KNOWN exception."""
    found = modules() if found is None else found
    packages = list(package_dirs())
    edges: dict[tuple[str, str], bool] = {}
    for module, path in found.items():
        mine = node_of(module, packages)
        for _line, imported in imports(module, path):
            top = imported.split(".")[0]
            target = imported
            if top == "auditdesk":
                if target not in found and target.rpartition(".")[0] in found:
                    target = target.rpartition(".")[0]  # "from auditdesk.x import name"
                if target not in found:
                    continue  # "from auditdesk import x" with x a package: x's own module is seen as well
                theirs = node_of(target, packages)
            elif top and top not in sys.stdlib_module_names and top != "__future__":
                theirs = top
            else:
                continue
            if theirs != mine:
                known = (module, target) in KNOWN
                edges[(mine, theirs)] = edges.get((mine, theirs), True) and known
    return edges


def draw_graph(edges: dict[tuple[str, str], bool] | None = None) -> str:
    """The import graph as a Mermaid flowchart: a box per layer, imports pointing
    down, known exceptions (KNOWN) dotted."""
    edges = import_edges() if edges is None else edges
    packages = list(package_dirs())
    ours = sorted({n for e in edges for n in e if n.startswith("auditdesk")} | set(packages),
                  key=lambda n: (-layer_of(n), n))
    third = sorted({n for e in edges for n in e if not n.startswith("auditdesk")})
    out = ["```mermaid", "flowchart TD"]
    for i in reversed(range(len(LAYERS))):
        members = [n for n in ours if layer_of(n) == i]
        if members:
            out.append(f"  subgraph L{i}[\"{' / '.join(LAYERS[i])}\"]")
            out += [f"    {n.replace('.', '_')}[\"{n}\"]" for n in members]
            out.append("  end")
    out += [f"  {n.replace('.', '_')}([\"{n}\"])" for n in third]
    for (a, b), known in sorted(edges.items(), key=lambda e: (-layer_of(e[0][0]), e[0][0], e[0][1] not in third,
                                                               -layer_of(e[0][1]), e[0][1])):
        arrow = "-. known exception .->" if known else "-->"
        out.append(f"  {a.replace('.', '_')} {arrow} {b.replace('.', '_')}")
    out += ["```", "", "The contracts `python scripts/check.py layers` enforces, as that script states them:", ""]
    out.append("- layers, bottom first (a module imports its own layer and those below): "
               + " < ".join(" / ".join(f"`{p}`" for p in prefixes) for prefixes in LAYERS))
    out += [f"- `{inner}` must not import " + ", ".join(f"`{f}`" for f in forbidden) for inner, forbidden in TUI_RULES]
    out += [f"- `{lib}` only in " + ", ".join(f"`{a}`" for a in allowed) if allowed else f"- `{lib}` in no module of the package"
            for lib, allowed in EXTERNAL_ONLY.items()]
    out += [f"- known exception, being removed: `{a}` imports `{b}`" for a, b in sorted(KNOWN)]
    return "\n".join(out)


def graph_block(text: str) -> str | None:
    """The generated part of docs/architecture.md, or None when its markers are missing."""
    start, end = text.find(GRAPH_BEGIN), text.find(GRAPH_END)
    if start < 0 or end < start:
        return None
    return text[start + len(GRAPH_BEGIN):end].strip("\n")


def run_graph() -> int:
    doc = ARCHITECTURE.relative_to(ROOT)
    drawn = graph_block(ARCHITECTURE.read_text("utf-8")) if ARCHITECTURE.exists() else None
    wanted = draw_graph()
    if drawn == wanted:
        print(f"graph: {doc} shows the imports as they are")
        return 0
    print(f"{doc}: the import graph differs from the code's imports (or its markers are missing); "
          "redraw it with: python scripts/check.py --write-graph")
    sys.stdout.writelines(difflib.unified_diff((drawn or "").splitlines(True), wanted.splitlines(True), "docs", "code", n=0))
    print()
    return 1


def write_graph() -> int:
    text = ARCHITECTURE.read_text("utf-8")
    if graph_block(text) is None:
        print(f"{ARCHITECTURE.relative_to(ROOT)}: put the markers {GRAPH_BEGIN!r} and {GRAPH_END!r} where the graph goes")
        return 1
    start, end = text.index(GRAPH_BEGIN) + len(GRAPH_BEGIN), text.index(GRAPH_END)
    ARCHITECTURE.write_text(text[:start] + "\n" + draw_graph() + "\n" + text[end:], "utf-8")
    print(f"{ARCHITECTURE.relative_to(ROOT)}: import graph redrawn")
    return 0


CHECKS = {"ruff": run_ruff, "layers": run_layers, "mypy": run_mypy, "size": run_size, "graph": run_graph}


def main(argv: list[str]) -> int:
    if argv == ["--write-graph"]:
        return write_graph()
    chosen = argv or list(CHECKS)
    unknown = [c for c in chosen if c not in CHECKS]
    if unknown:
        print(f"unknown check {', '.join(unknown)}; choose from {', '.join(CHECKS)}", file=sys.stderr)
        return 2
    failed = [name for name in chosen if CHECKS[name]()]
    sys.stdout.flush()
    if failed:
        print(f"the gate failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
