"""A rendered report read back the way a browser would: through markdown-it-py."""

from __future__ import annotations

import html
from dataclasses import dataclass

from markdown_it.renderer import RendererHTML
from markdown_it.token import Token

from auditdesk.report.html import parser


@dataclass(frozen=True)
class Table:
    """A parsed table: header cells, body rows, and its source lines."""

    header: list[str]
    rows: list[list[str]]
    source: list[str]


def tokens(markdown: str) -> list[Token]:
    return parser().parse(markdown)


def inline_text(token: Token) -> str:
    """An inline token as the text a reader sees: rendered, hard breaks as newlines, unescaped."""
    rendered = RendererHTML().renderInline(token.children or [], parser().options, {})
    return html.unescape(rendered.replace("<br />\n", "\n"))


def tables(markdown: str) -> list[Table]:
    lines = markdown.split("\n")
    found: list[Table] = []
    rows: list[list[str]] = []
    source: list[str] | None = None  # set inside a table
    for token in tokens(markdown):
        if token.type == "table_open":
            assert token.map is not None
            rows, source = [], lines[token.map[0] : token.map[1]]
        elif token.type == "tr_open":
            rows.append([])
        elif token.type == "inline" and source is not None:
            rows[-1].append(inline_text(token))
        elif token.type == "table_close" and source is not None:
            found.append(Table(rows[0], rows[1:], source))
            source = None
    return found


def blocks(markdown: str, kind: str) -> list[str]:
    """Texts of the headings ("heading") or paragraphs ("paragraph"), in order."""
    out: list[str] = []
    opened = False
    for token in tokens(markdown):
        if token.type == f"{kind}_open":
            opened = True
        elif token.type == "inline" and opened:
            out.append(inline_text(token))
            opened = False
    return out


def table_with(markdown: str, *header: str) -> list[Table]:
    return [t for t in tables(markdown) if tuple(t.header) == header]
