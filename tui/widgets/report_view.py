"""Textual's Markdown widget, with each table drawn as one Rich table in ASCII.

The stock table is a grid of one widget per cell separated by box-drawing
keylines; those glyphs are ambiguous-width and break the layout in terminals
set to "ambiguous = wide" (common with Chinese fonts).  ASCII rules keep
every cell one column wide, and one renderable per table instead of ~650
cell widgets makes the report show about a fifth faster.  Each table is
drawn once per width: layout asks its height several times, and drawing the
82-item tables each time made the preview take a second to appear.
"""

from __future__ import annotations

from rich import box
from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.table import Table
from textual.app import ComposeResult
from textual.widgets import Markdown, Static
from textual.widgets._markdown import MarkdownBlock, MarkdownTable


class DrawnOnce:
    """A renderable whose lines are kept per width (and highlighting)."""

    def __init__(self, renderable: RenderableType) -> None:
        self.renderable = renderable
        self._lines: dict[tuple[int, bool], list[list[Segment]]] = {}

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        key = (options.max_width, bool(options.highlight))
        if key not in self._lines:
            self._lines[key] = console.render_lines(self.renderable, options.update(height=None), pad=False)
        new_line = Segment.line()
        for line in self._lines[key]:
            yield from line
            yield new_line

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self.renderable)


class PlainTable(MarkdownTable):
    def compose(self) -> ComposeResult:
        headers, rows = self._get_headers_and_rows()
        table = Table(box=box.ASCII, expand=True, header_style="bold", show_edge=False)
        for header in headers:
            table.add_column(header.plain)
        for row in rows:
            table.add_row(*(cell.plain for cell in row))
        yield Static(DrawnOnce(table))


class ReportMarkdown(Markdown):
    BLOCKS: dict[str, type[MarkdownBlock]] = {**Markdown.BLOCKS, "table_open": PlainTable}
