"""Polish typography of printed lines: no lone one-letter word at a line's end."""
from __future__ import annotations

import re

NBSP = "\u00a0"

# "w", "z", "i", "a", "o", "u" (and their capitals) before a space: a Polish office never leaves
# them hanging at the end of a line (the addressee block "Sąd Rejonowy w / Lipowcu Mazurskim")
# one plain space becomes a non-breaking one; nothing else of the text changes
_SHORT_WORD = re.compile(r"(?<![\w.-])([aiouwzAIOUWZ]) (?=\S)")


def bind_short_words(text: str | None) -> str | None:
    """A non-breaking space after every one-letter word; the text reads the same."""
    if not text:
        return text
    return _SHORT_WORD.sub(r"\1" + NBSP, text)

