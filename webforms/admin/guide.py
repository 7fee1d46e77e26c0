"""The template guide (docgen.templates.template_guide, Markdown) as HTML for its page in the app.

Only the Markdown the guide is written in: headings, paragraphs, "- " lists with indented
continuation lines, pipe tables (`\\|` inside a cell), `code`, **bold** and links to anchors on the
same page. Every piece of text is escaped and no HTML passes through, so nothing in a definition's
labels can become markup; a general Markdown library would pass raw HTML on.
"""
from __future__ import annotations

import re

from markupsafe import Markup, escape

_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_SEPARATOR = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_LINK = re.compile(r"\[([^\]]+)\]\((#[^\s()\"'<>]+)\)")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")


def inline(text: str) -> str:
    """One line's text as HTML: code spans verbatim (escaped), then bold and same-page links."""
    out = []
    for number, part in enumerate(re.split(r"`([^`]*)`", text)):
        if number % 2:
            out.append(f"<code>{escape(part)}</code>")
            continue
        html = str(escape(part))
        html = _BOLD.sub(r"<strong>\1</strong>", html)
        html = _LINK.sub(lambda match: f'<a href="{match.group(2)}">{match.group(1)}</a>', html)
        out.append(html)
    return "".join(out)


def _cells(line: str) -> list[str]:
    line = line.strip()
    line = line[1:] if line.startswith("|") else line
    line = line[:-1] if line.endswith("|") and not line.endswith("\\|") else line
    return [cell.strip().replace("\\|", "|") for cell in _CELL_SPLIT.split(line)]


def _table(lines: list[str]) -> str:
    head, rows = _cells(lines[0]), [_cells(line) for line in lines[1:] if not _SEPARATOR.match(line)]
    header = "".join(f'<th scope="col">{inline(cell)}</th>' for cell in head)
    body = "".join("<tr>" + "".join(f"<td>{inline(cell)}</td>" for cell in row) + "</tr>" for row in rows)
    return f'<div class="table-wrap table-scroll"><table class="list guide-table"><thead><tr>{header}</tr></thead>' \
           f"<tbody>{body}</tbody></table></div>"


def _list(lines: list[str]) -> str:
    items: list[str] = []
    for line in lines:
        if line.startswith("- "):
            items.append(line[2:].strip())
        elif items:
            items[-1] += " " + line.strip()
    return "<ul>" + "".join(f"<li>{inline(item)}</li>" for item in items) + "</ul>"


def _blocks(text: str) -> list[list[str]]:
    blocks: list[list[str]] = [[]]
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("<!--"):
            blocks.append([])
        elif _HEADING.match(line):
            blocks += [[line], []]
        else:
            blocks[-1].append(line.rstrip())
    return [block for block in blocks if block]


def to_html(text: str, shift: int = 0) -> Markup:
    """The Markdown as HTML; `shift` lowers every heading by that many levels (under the page's own h1)."""
    out = []
    for block in _blocks(text):
        heading = _HEADING.match(block[0])
        if heading:
            level = min(6, len(heading.group(1)) + shift)
            out.append(f"<h{level}>{inline(heading.group(2).strip())}</h{level}>")
        elif block[0].lstrip().startswith("|"):
            out.append(_table(block))
        elif block[0].startswith("- "):
            out.append(_list(block))
        else:
            out.append(f"<p>{inline(' '.join(line.strip() for line in block))}</p>")
    return Markup("\n".join(out))  # noqa: S704 - built above from escaped text only
