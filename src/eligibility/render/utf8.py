"""Machine output is UTF-8 bytes, whatever the stream's text encoding says.

Why: with ``PYTHONIOENCODING=ascii`` (or a Latin-1 terminal) a text stream escapes what
it cannot encode as ``\\xe9``, which is not JSON, and JSON output changed with the
environment. JSON and JSON Lines are defined as UTF-8, so their writers hand their text
to ``utf8_writer``, which writes its bytes to the stream's binary buffer. A stream with
no buffer (``io.StringIO`` in tests) takes the text as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO


def utf8_writer(out: TextIO) -> Callable[[str], object]:
    """A function writing text to ``out`` as UTF-8 bytes (text already written is flushed)."""
    raw = getattr(out, "buffer", None)
    if raw is None:
        return out.write
    out.flush()

    def write(text: str) -> object:
        return raw.write(text.encode("utf-8"))
    return write
