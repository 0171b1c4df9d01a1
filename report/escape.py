"""Free text typed by users, made inert for CommonMark + GitHub tables.

Users type anything (`|`, newlines, `<script>`, Markdown syntax) into fields
the report prints, and none of it may change the report's structure: break a
table row, start a heading or list, form a link, or reach the HTML as markup.
Only what could act as syntax is escaped, so the Markdown source stays
readable:

- everywhere: the backslash itself, `` ` * _ ~ [ ] < | `` (code spans,
  emphasis, GitHub strikethrough, links and images, autolinks, table cells),
  and `&` only where it would start an entity (`&amp;`);
- at the start of a line: `# > + - = :` and `1.`/`1)` list markers (headings,
  block quotes, lists, thematic breaks, setext underlines, table delimiter
  rows);
- control characters are dropped, leading and trailing blanks trimmed (they
  would start indented code blocks).

Raw HTML is never produced and the report is rendered with HTML disabled, so
`<` needs escaping only to keep autolinks (`<javascript:…>`) from forming.
"""

from __future__ import annotations

import re

SEPARATOR = " / "  # what a newline becomes in a one-line field
_ALWAYS = re.compile(r"[\\`*_~\[\]<|]|&(?=#?[A-Za-z0-9]+;)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # category Cc but tab and newline
_PLAIN = re.compile(r"(?![0-9]{1,9}[.)](?:\s|$))[^\x00-\x1f\x7f-\x9f\\`*_~\[\]<|&#>+\-=:\s][^\x00-\x1f\x7f-\x9f\\`*_~\[\]<|&]*(?<=\S)|")
_LINE_START = re.compile(r"^(?:[#>+\-=:]|[0-9]{1,9}(?=[.)](?:[ \t]|$)))")


def _lines(text: str) -> list[str]:
    """The text's lines without control characters or surrounding blanks."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    return [line.strip() for line in text.split("\n")]


def _escape_line(line: str) -> str:
    """One stripped line, escaped so it renders as exactly its own text."""
    escaped = _ALWAYS.sub(lambda m: "\\" + m.group(0), line)
    start = _LINE_START.match(escaped)
    if start is None:
        return escaped
    if start.group(0).isdigit():  # "1." → "1\." : escape the list delimiter
        end = start.end()
        return escaped[:end] + "\\" + escaped[end:]
    return "\\" + escaped


def inline(text: str) -> str:
    """Text for a table cell or a one-line field: newlines become " / "."""
    if _PLAIN.fullmatch(text):  # most cells (codes, numbers, Chinese prose) need nothing
        return text
    return SEPARATOR.join(_escape_line(line) for line in _lines(text) if line)


def block(text: str) -> str:
    """Multi-paragraph text: blank lines separate paragraphs, newlines break lines."""
    paragraphs: list[list[str]] = [[]]
    for line in _lines(text):
        if line:
            paragraphs[-1].append(_escape_line(line))
        elif paragraphs[-1]:
            paragraphs.append([])
    return "\n\n".join("\\\n".join(p) for p in paragraphs if p)
