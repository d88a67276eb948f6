"""A ``.json`` file: one profile, at most ``MAX_FILE_BYTES``, pretty-printed or not.

People often put several profiles in one ``.json`` file, as an array or one per line;
the error then says that a ``.jsonl`` file is the way to give several.
"""

from __future__ import annotations

from collections.abc import Iterator

from eligibility.errors import ProfileError
from eligibility.inputs.base import InputRecord, Source, unreadable
from eligibility.inputs.decode import decode
from eligibility.inputs.files import Unreadable, open_regular, shown
from eligibility.limits import MAX_FILE_BYTES

SEVERAL = ("; a .json file holds one profile: to give several, write one per line in a "
           ".jsonl file")


class JsonFileReader:
    """``.json`` files: one profile each, at most ``max_bytes``."""

    suffixes = (".json",)
    max_bytes = MAX_FILE_BYTES

    def sniff(self, head: bytes) -> bool | None:
        return None

    def read(self, source: Source) -> Iterator[InputRecord]:
        yield self.read_one(source)

    def read_one(self, source: Source) -> InputRecord:
        name = f"{source.name}:1"
        data = source.handle.read(self.max_bytes + 1)
        if len(data) > self.max_bytes:
            return InputRecord(name, error=ProfileError(
                f"{source.name}: file larger than {self.max_bytes} bytes; a profile file holds "
                "one profile"))
        return document(data, name, SEVERAL)


def document(data: bytes, name: str, several: str) -> InputRecord:
    """The record of one JSON document (a profile); ``several`` says how to give more."""
    record = decode(data, name, strip_bom=True, several=several)
    if isinstance(record.payload, list):
        return InputRecord(name, error=ProfileError(
            f"a profile must be a JSON object, not an array{several}"))
    return record


def read_json_file(name: str) -> InputRecord:
    """The record of the ``.json`` file ``name`` (kept for callers and tests)."""
    try:
        handle = open_regular(name)
    except Unreadable as error:
        return unreadable(shown(name), error.reason)
    with handle:
        return JsonFileReader().read_one(Source(shown(name), handle))
