"""Checks of a page a user would otherwise only notice by luck: invalid HTML, dangling references,
ISO dates in the text, a page wider than the screen, an axe-core violation, a focus ring too faint.
Shared by the page-wide Chromium tests."""
from __future__ import annotations

import re
from collections import Counter

import html5lib
from html5lib.html5parser import ParseError

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# 1280 px, the same at 200 % zoom (a 640 px wide CSS viewport), a phone
WIDTHS = (1280, 640, 390)
REFERENCES = ("for", "aria-describedby", "aria-labelledby", "aria-controls", "form", "list")


def html_problems(html: str) -> list[str]:
    """What a validator would say: parse errors (html5lib, strict), duplicate ids, attributes rendered
    from a Python None ("None"), and labels, descriptions and in-page links pointing at no element."""
    problems = []
    try:
        document = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(html)
    except ParseError as error:
        line = html.splitlines()[max(0, _line_of(error) - 1)] if _line_of(error) else ""
        return [f"HTML parse error: {error} near {line.strip()[:160]!r}"]
    elements = list(document.iter())
    ids = Counter(e.get("id") for e in elements if e.get("id") is not None)
    problems += [f"duplicate id {name!r} ({count}×)" for name, count in ids.items() if count > 1]
    for element in elements:
        for name, value in element.attrib.items():
            if value == "None":
                problems.append(f"<{element.tag} {name}={value!r}>")
            if name in REFERENCES:
                for target in value.split():
                    if target not in ids:
                        problems.append(f"<{element.tag} {name}={value!r}> points at no element")
        href = element.get("href", "")
        if element.tag == "a" and href.startswith("#") and len(href) > 1 and href[1:] not in ids:
            problems.append(f"<a href={href!r}> points at no element")
    return problems


def _line_of(error: ParseError) -> int:
    found = re.search(r"line (\d+)", str(error))
    return int(found.group(1)) if found else 0


# the text a reader sees: no input's value (a date input holds ISO dates by design)
VISIBLE_TEXT = "() => document.body.innerText"

WIDTH_SCRIPT = "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"

# the outline of the focused element against what is behind it (its parent's background, since the ring is
# drawn outside the element): the contrast ratio of WCAG 2.1
FOCUS_RING_SCRIPT = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const parse = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  let node = el.parentElement, back = [255, 255, 255, 1];
  while (node) {
    const c = parse(getComputedStyle(node).backgroundColor);
    if (c.length >= 3 && (c.length === 3 || c[3] > 0)) { back = c; break; }
    node = node.parentElement;
  }
  const lum = (c) => { const v = c.slice(0, 3).map((x) => { x /= 255; return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
                       return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
  const ring = parse(style.outlineColor);
  const [a, b] = [lum(ring), lum(back)].sort((x, y) => y - x);
  return {tag: el.tagName, text: (el.innerText || el.value || el.id || '').trim().slice(0, 40),
          visible: el.matches(':focus-visible'), style: style.outlineStyle, width: parseFloat(style.outlineWidth),
          ratio: (a + 0.05) / (b + 0.05)};
}"""


def with_axe(context) -> None:
    """Every page the browser context opens gets axe-core (the copy axe-playwright-python ships),
    compiled once per context rather than sent with each check."""
    from axe_playwright_python.base import AXE_SCRIPT

    context.add_init_script(script=AXE_SCRIPT)


def axe_violations(page) -> list[str]:
    """axe-core's WCAG 2.1 A and AA violations on the page as it is now (see `with_axe`)."""
    result = page.evaluate("(options) => axe.run(document, options)",
                           {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"],
                            "reporter": "no-passes"})
    return [f"{v['id']} ({v['impact']}): {v['help']} – " + "; ".join(str(n["target"][0]) if n["target"] else "?"
                                                            for n in v["nodes"][:4])
            for v in result["violations"]]
