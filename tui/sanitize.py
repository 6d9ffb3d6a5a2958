"""Make user-controlled text safe for a terminal.

Names, addresses, notes and usernames come from users; shown raw they could carry
escape sequences (OSC 52 clipboard writes, title changes, cursor tricks) or bidi
overrides that disguise text. Everything user-controlled passes through :func:`clean`
(and is rendered as a ``rich.text.Text``, never as markup).
"""

from __future__ import annotations

import re
import unicodedata

from rich.markup import escape
from rich.text import Text

# ESC-initiated sequences (CSI, OSC, DCS, ...) first, so their payload goes with them.
_ESCAPE_SEQ = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"  # DCS / SOS / PM / APC
    r"|\x1b[@-Z\\-_]"  # other two-byte sequences
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
    r"|\x9d[^\x07\x9c]*(?:\x07|\x9c)?"  # 8-bit OSC
)
_BIDI = dict.fromkeys(
    map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"), None
)


def clean(value: object, *, keep_newlines: bool = False) -> str:
    """Remove escape sequences, C0/C1 controls and bidi controls; visible control chars
    that remain are shown as ``�`` so the user sees something was there."""
    text = "" if value is None else str(value)
    text = _ESCAPE_SEQ.sub("\ufffd", text)
    text = text.translate(_BIDI)
    out = []
    for ch in text:
        if ch == "\n" and keep_newlines:
            out.append(ch)
        elif ch == "\t":
            out.append(" ")
        elif unicodedata.category(ch) in ("Cc", "Cs") or ch in "\u2028\u2029":
            out.append("\ufffd")
        else:
            out.append(ch)
    return "".join(out)


def safe_text(value: object, style: str = "") -> Text:
    """A Rich ``Text`` (never parsed as markup) of the cleaned value."""
    return Text(clean(value), style=style)


def safe_markup(value: object) -> str:
    """Cleaned and markup-escaped, for the few places that take a markup string."""
    return escape(clean(value))
