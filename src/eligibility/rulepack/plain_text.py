"""Text in a pack file is plain text: no control or format characters, in keys or values.

Why: a pack's titles, rationales and names reach a clinician's terminal (``rules show``,
``explain``, the overview) and every JSON reader. An escape sequence in a rationale can
clear a screen or recolour a verdict, a carriage return can overwrite the start of a
line, and a right-to-left override can make ``not_candidate`` read as something else.
So the loader refuses such text where it is written, naming the file and the key, and
the author fixes it once, rather than every view escaping it for ever.

Refused: every character ``safe_text.HIDDEN`` names (C0 and C1 controls, DEL, format
characters such as bidirectional overrides and zero-width marks, lone surrogates, line
and paragraph separators), except a line break (``\\n``, or ``\\r\\n``) inside a value,
which a multi-line TOML string holds; and the values of a worked case's ``profile``,
which are patient input, not knowledge: a case may write "none\u2060" on purpose, to pin
how the aid reads what a real record holds (views escape it when they show it).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from eligibility.safe_text import HIDDEN, clip, visible

#: How many such problems one file reports (the first ones, in file order).
MAX_REPORTED = 10
_LINE_BREAKS = re.compile(r"\r?\n")
_CASE_INPUT = re.compile(r"cases\[\d+\]\.profile\.")


def hidden_text(document: dict[str, object], where: str) -> list[str]:
    """A problem line for each key or string value of ``document`` holding hidden text."""
    problems = []
    for path, text, is_key in _strings(document, ""):
        if not is_key and _CASE_INPUT.match(path):
            continue
        char = _first_hidden(text if is_key else _LINE_BREAKS.sub(" ", text))
        if char is None:
            continue
        what = f"the key {clip(text)!s}" if is_key else f"'{path}'"
        problems.append(f"{where}: {what} holds a control or format character "
                        f"({visible(char)}, {unicodedata.name(char, 'unnamed')}); pack text "
                        "reaches clinicians' screens as it is: remove it")
        if len(problems) == MAX_REPORTED:
            break
    return problems


def _first_hidden(text: str) -> str | None:
    if text.isprintable():
        return None
    return next((char for char in text if unicodedata.category(char) in HIDDEN), None)


def _strings(value: object, path: str) -> Iterator[tuple[str, str, bool]]:
    """(path, text, whether a key) for every key and string value, in document order."""
    if isinstance(value, dict):
        for key, item in value.items():
            inner = f"{path}.{key}" if path else str(key)
            yield inner, str(key), True
            yield from _strings(item, visible(inner))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}[{index}]")
    elif isinstance(value, str):
        yield path, value, False
