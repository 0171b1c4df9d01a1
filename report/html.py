"""The report as one standalone HTML page, for reading, mailing and printing.

Rendered by markdown-it-py with raw HTML disabled, so nothing typed by a user
can reach the page as markup; the radar SVGs are embedded as data: URIs so
the single file carries everything.  The page has no scripts.
"""

from __future__ import annotations

import base64
import html
import mimetypes
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.token import Token

from auditdesk.report.markdown import Rendered

STYLE = """
body { margin: 2em auto; max-width: 60em; padding: 0 1em; color: #222; line-height: 1.6;
  font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif; }
h1 { text-align: center; font-size: 1.8em; }
h2 { border-bottom: 1px solid #999; padding-bottom: .2em; margin-top: 1.6em; }
h3 { font-size: 1.1em; margin-bottom: .3em; }
h4 { font-size: 1em; }
table { border-collapse: collapse; width: 100%; margin: .6em 0; font-size: .92em; }
th, td { border: 1px solid #888; padding: .3em .5em; vertical-align: top; }
th { background: #eee; white-space: nowrap; }
blockquote { margin: 1em 0; padding: .6em 1em; border-left: .4em solid #c00; background: #fff2f2; color: #600; }
img { display: block; max-width: 100%; margin: .6em auto; }
hr { border: 0; border-top: 1px solid #bbb; margin-top: 2em; }
@media print {
  body { margin: 0; max-width: none; font-size: 10.5pt; }
  thead { display: table-header-group; }
  tr, img { break-inside: avoid; }
  h2, h3, h4 { break-after: avoid; }
}
@page {
  size: A4;
  margin: 16mm 15mm 18mm;
  /* empty boxes: a browser printing with its headers and footers on adds no date, title or address */
  @top-left { content: ""; } @top-center { content: ""; } @top-right { content: ""; }
  @bottom-left { content: ""; } @bottom-right { content: ""; }
  @bottom-center { content: "第 " counter(page) " 页 共 " counter(pages) " 页"; font-size: 9pt; color: #444;
    font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif; }
}
"""


def parser() -> MarkdownIt:
    """The report's Markdown dialect: CommonMark with GitHub tables, raw HTML off."""
    return MarkdownIt("commonmark", {"html": False}).enable("table")


def to_html(rendered: Rendered, title: str) -> str:
    """A UTF-8 HTML page of the report with its images embedded."""
    md = parser()
    tokens = md.parse(rendered.markdown)
    _embed_images(tokens, rendered.assets)
    body = md.renderer.render(tokens, md.options, {})
    return (
        "<!DOCTYPE html>\n"
        '<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n"
        f"<body>\n{body}</body>\n</html>\n"
    )


def _embed_images(tokens: list[Token], assets: dict[str, bytes]) -> None:
    """Point images that link to one of the report's assets at a data: URI of it."""
    for token in tokens:
        for child in token.children or ():
            name = unquote(str(child.attrGet("src") or ""))
            if child.type == "image" and name in assets:
                kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
                child.attrSet("src", f"data:{kind};base64," + base64.b64encode(assets[name]).decode("ascii"))
