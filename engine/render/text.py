"""Text as the pictures show it: short numbers, and any label made safe to draw.

A label is any Python ``str``: control characters (NUL included) are shown as visible escapes
(``\\n``, ``\\x00``), lone surrogates become U+FFFD, and what goes into DOT is ASCII, every other
character written as an HTML character reference, so every dot program reads it the same way.
"""

from __future__ import annotations

import html
import re
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine.value import Value

_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_SURROGATE = re.compile("[\ud800-\udfff]")
_EXPONENT = re.compile(r"e([+-])0*(\d)")


def num(x: float, digits: int) -> str:
    """x to ``digits`` significant digits, short: 0.1235, -3.2, 1.5e-5, 0 (never -0), nan, inf."""
    if x == 0.0:
        return "0"
    text = f"{x:.{digits}g}"
    return _EXPONENT.sub(lambda m: "e" + m[1].replace("+", "") + m[2], text)


def visible(label: str) -> str:
    """The label with control characters as escapes and lone surrogates as U+FFFD."""
    label = _SURROGATE.sub("\ufffd", label)
    out = []
    for ch in label:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif unicodedata.category(ch) == "Cc":
            out.append(f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out)


def html_text(text: str) -> str:
    """Text for a Graphviz HTML-like label: escaped, visible, and pure ASCII."""
    escaped = html.escape(visible(text), quote=True)
    return escaped.encode("ascii", "xmlcharrefreplace").decode("ascii")


def name(node: Value, digits: int, names: dict[Value, str] | None = None) -> str:
    """A node's display name: its label, or for an unlabelled node its op and value '(* -8)'."""
    if names and node in names:
        return visible(names[node])
    if node.label is not None:
        return visible(node.label)
    return f"({node.op or 'leaf'} {num(node.data, digits)})"
