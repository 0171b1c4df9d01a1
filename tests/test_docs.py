"""The documents the code cites exist and say what the code does: every cited
heading is there, the import graph is the code's, every private Textual use is listed."""

from __future__ import annotations

import ast
import functools
import importlib
import importlib.util
import inspect
import re
from pathlib import Path
from typing import Any

import pytest
from support.gate import load_gate
from support.seed import ROOT

DOCS = ROOT / "docs"
#: `docs/domain.md, "Scoring"` or `RELIABILITY.md "Threat model"`: a document and one of its headings.
CITATION = re.compile(r'\b((?:docs/)?[A-Za-z][\w-]*\.md),? "([^"\n]+)"')
#: Citations of headings another issue of this wave is writing; each entry goes once the heading exists.
PENDING: dict[tuple[str, str], str] = {}


def gate() -> Any:
    return load_gate()


def sources() -> list[Path]:
    """The repository's Python files and Markdown documents."""
    return gate().python_files() + sorted([*ROOT.glob("*.md"), *DOCS.glob("*.md")])


def headings(document: Path) -> set[str]:
    return {m.group(1).strip() for m in re.finditer(r"^#+ (.+)$", document.read_text("utf-8"), re.MULTILINE)}


def citations() -> list[tuple[str, str, str]]:
    """(citing file, document, heading) for every heading cited in the repository."""
    found = []
    for path in sources():
        for document, heading in CITATION.findall(path.read_text("utf-8")):
            found.append((path.relative_to(ROOT).as_posix(), document, heading))
    return found


def test_every_cited_heading_exists() -> None:
    missing = []
    cited = citations()
    for where, document, heading in cited:
        target = ROOT / document
        if (Path(document).name, heading) in PENDING or (document, heading) in PENDING:
            continue
        if not target.exists():
            missing.append(f"{where} cites {document}, which does not exist")
        elif heading not in headings(target):
            missing.append(f"{where} cites {document}, \"{heading}\": no such heading")
    assert missing == []
    assert {(d, h) for _, d, h in cited} >= {("docs/domain.md", "Scoring"), ("docs/domain.md", "Stages"),
                                             ("docs/store.md", "Atomic writes"), ("docs/store.md", "Crash recovery")}


def test_pending_citations_are_still_pending() -> None:
    """Once another issue writes a pending heading, its PENDING entry must go."""
    written = [f"{d} now has \"{h}\": remove it from PENDING ({why})" for (d, h), why in PENDING.items()
               if (ROOT / d).exists() and h in headings(ROOT / d)]
    assert written == []


def test_every_document_cited_by_the_code_exists() -> None:
    cited = set()
    for path in gate().python_files():
        cited |= {(path.relative_to(ROOT).as_posix(), m) for m in re.findall(r"\bdocs/[\w-]+\.md\b", path.read_text("utf-8"))}
    assert [f"{where} cites {doc}" for where, doc in sorted(cited) if not (ROOT / doc).exists()] == []


def test_links_between_documents_resolve() -> None:
    broken = []
    for document in sorted([*ROOT.glob("*.md"), *DOCS.glob("*.md")]):
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", document.read_text("utf-8")):
            if ":" not in target and not (document.parent / target).exists():  # a URL or javascript: is not a file
                broken.append(f"{document.relative_to(ROOT)} links to {target}")
    assert broken == []


def test_the_import_graph_in_architecture_md_is_the_codes() -> None:
    """`python scripts/check.py --write-graph` redraws it after an import moves."""
    checks = gate()
    drawn = checks.graph_block((DOCS / "architecture.md").read_text("utf-8"))
    assert drawn == checks.draw_graph()


def test_the_graph_shows_a_new_upward_import(tmp_path: Path) -> None:
    """The picture is drawn from the imports, so a planted one appears in it."""
    checks = gate()
    found = checks.modules()
    planted = tmp_path / "planted.py"
    planted.write_text("from auditdesk.tui import app\n", "utf-8")
    found["auditdesk.criteria.planted"] = planted
    assert "auditdesk_criteria --> auditdesk_tui_app" in checks.draw_graph(checks.import_edges(found))
    assert "auditdesk_criteria --> auditdesk_tui_app" not in checks.draw_graph()


# ------------------------------------------------------------ Textual internals


@functools.cache
def textual_private_names() -> frozenset[str]:
    """Every `_name` Textual defines (``def _name``, ``self._name =``, ``_name =`` or ``_name:`` at the
    start of a line); a regular expression over its source, a fifth of the time of parsing it."""
    import textual

    definition = re.compile(r"\bdef\s+(_[A-Za-z]\w*)|(?:\bself\.|^\s*)(_[A-Za-z]\w*)\s*(?::|=(?!=))", re.MULTILINE)
    names: set[str] = set()
    for path in Path(textual.__file__).parent.rglob("*.py"):
        names.update(name for found in definition.findall(path.read_text("utf-8")) for name in found if name)
    return frozenset(n for n in names if not n.startswith("__"))


@functools.cache
def source_of(cls: type) -> str:
    return inspect.getsource(cls)


def _module_name(path: Path) -> str | None:
    rel = path.relative_to(ROOT)
    if rel.parts[0] != "tui":
        return None
    return ".".join(("auditdesk", *rel.with_suffix("").parts)).removesuffix(".__init__")


def private_textual_uses() -> set[tuple[str, str]]:
    """(file, Textual name) for every use of a private part of Textual in the app, the tests and the scripts."""
    textual_private = textual_private_names()
    found: set[tuple[str, str]] = set()
    files = [p for p in gate().python_files() if p.relative_to(ROOT).parts[0] in ("tui", "tests", "scripts")]
    for path in files:
        rel = path.relative_to(ROOT).as_posix()
        tree = ast.parse(path.read_text("utf-8"))
        textual_names: set[str] = set()  # local names bound to something of Textual's
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "textual":
                textual_names |= {a.asname or a.name for a in node.names}
                if any(part.startswith("_") for part in node.module.split(".")):
                    found.add((rel, node.module))
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] == "textual":
                        textual_names.add((alias.asname or alias.name).split(".")[0])
                        if any(part.startswith("_") for part in alias.name.split(".")):
                            found.add((rel, alias.name))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
                owner = node.value
                if isinstance(owner, ast.Name) and owner.id in ("self", "cls"):
                    continue  # checked against the classes' Textual bases below
                if (isinstance(owner, ast.Name) and owner.id in textual_names) or node.attr in textual_private:
                    found.add((rel, node.attr))
            elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "setattr"
                  and len(node.args) >= 2 and isinstance(node.args[0], ast.Name) and node.args[0].id in textual_names
                  and isinstance(node.args[1], ast.Constant) and str(node.args[1].value).startswith("_")):
                found.add((rel, str(node.args[1].value)))  # monkeypatch.setattr(Input, "_toggle_cursor", …)
        module = _module_name(path)
        if module is None:
            continue
        loaded = importlib.import_module(module)
        for node in ast.walk(tree):
            if not isinstance(node, ast.ClassDef) or not inspect.isclass(cls := getattr(loaded, node.name, None)):
                continue
            bases = [b for b in cls.__mro__[1:] if b.__module__.split(".")[0] == "textual"]
            used = {n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name)
                    and n.value.id == "self" and n.attr in textual_private}
            for name in used:
                for base in bases:
                    if re.search(rf"\b(self\.{name}\b|def {name}\b|{name}\s*[:=])", source_of(base)):
                        found.add((rel, name))
                        break
    return found


def documented_uses() -> dict[str, str]:
    """file -> the text of its rows in docs/textual-internals.md's tables."""
    rows: dict[str, str] = {}
    for line in (DOCS / "textual-internals.md").read_text("utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| `") and len(cells) >= 2:
            rows[cells[0].strip("`")] = rows.get(cells[0].strip("`"), "") + " " + cells[1]
    return rows


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_every_private_textual_use_is_listed() -> None:
    uses = private_textual_uses()
    rows = documented_uses()
    unlisted = sorted(f"{where}: {name}" for where, name in uses if name not in rows.get(where, ""))
    assert unlisted == [], "add these to docs/textual-internals.md"
    stale = sorted(set(rows) - {where for where, _ in uses})
    assert stale == [], "docs/textual-internals.md lists files that no longer use Textual's internals"
    assert {"_css_update_count", "_modes", "_get_headers_and_rows", "textual.widgets._markdown"} <= {n for _, n in uses}
