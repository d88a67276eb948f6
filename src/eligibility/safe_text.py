"""Input text made safe to show: on a terminal, in an error line, in a JSON reader.

Anything a profile or a file name carries can reach a clinician's screen: a JSON key, an
id, an allergy, a path. A terminal obeys escape sequences (``ESC [2J`` clears it), and a
right-to-left override makes ``fdp.exe`` read as ``exe.pdf``. So every piece of input
text passes through :func:`visible` before it is printed, and every echo of input in a
message is also bounded by :func:`clip`, so a 65,000-character key cannot flood a line.
"""

from __future__ import annotations

import re
import unicodedata

#: Unicode categories shown as escapes: controls (C0, C1, DEL), format characters
#: (bidirectional overrides and isolates, zero-width marks, the BOM, tags), lone
#: surrogates (no UTF-8 form) and the line and paragraph separators.
HIDDEN = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})

_LINE_BREAK = re.compile(r"(\r?\n)")

#: How much of an input value a message quotes.
ECHO_CHARS = 40


def visible(text: str) -> str:
    """``text`` with each hidden character replaced by a visible escape (``\\x1b``, ``\\u202e``).

    Everything else, accents, scripts, emoji and backslashes included, is left as it is.
    """
    if text.isprintable():  # the common case: nothing to do (isprintable() rejects all of HIDDEN)
        return text
    return "".join(_escape(char) if unicodedata.category(char) in HIDDEN else char
                   for char in text)


def visible_lines(text: str) -> str:
    """``visible`` for text of several lines: its line breaks (LF or CR LF) are kept."""
    if text.isprintable():
        return text
    return "".join(visible(part) if part not in ("\n", "\r\n") else part
                   for part in _LINE_BREAK.split(text))


def clip(text: str, limit: int = ECHO_CHARS) -> str:
    """An echo of input for a message: visible, and at most ``limit`` characters and '…'."""
    if len(text) > limit:
        return visible(text[:limit]) + "…"
    return visible(text)


def _escape(char: str) -> str:
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"
