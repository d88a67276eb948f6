"""The input formats, in one registry: which reader reads which file.

A file is read by a reader that names its suffix; when several do (a FHIR Bundle is a
``.json`` file too), the one that recognises the file's first bytes wins, else the
first one without an opinion. Adding a format is one module with its reader and one
line here (or one ``register`` call).
"""

from __future__ import annotations

from eligibility.inputs.base import JoiningReader, Reader
from eligibility.inputs.csv_file import CsvReader
from eligibility.inputs.fhir.reader import FhirBulkReader, FhirBundleReader
from eligibility.inputs.json_file import JsonFileReader
from eligibility.inputs.jsonl import JsonLinesReader

#: How much of a file a reader may look at to recognise it.
SNIFF_BYTES = 4096

_READERS: list[Reader] = [
    JsonFileReader(),
    JsonLinesReader(),
    CsvReader(),
    # FHIR R4 (issue 14): a Bundle .json is recognised by its first bytes (sniff says
    # True or False, never None); Bulk NDJSON files are read together (``joining``).
    FhirBundleReader(),
    FhirBulkReader(),
]


def register(reader: Reader) -> None:
    """Add a reader; it is asked before those registered earlier for the suffixes it names."""
    _READERS.insert(0, reader)


def joining(name: str) -> JoiningReader | None:
    """The reader that reads the file ``name`` together with the others it claims: the
    first reader naming its suffix, when that one joins files (a reader registered later
    for the suffix comes first, and need not join)."""
    lowered = name.lower()
    first = next((reader for reader in _READERS if lowered.endswith(reader.suffixes)), None)
    return first if isinstance(first, JoiningReader) else None


def readers() -> tuple[Reader, ...]:
    return tuple(_READERS)


def suffixes() -> tuple[str, ...]:
    """Every file name ending some reader reads, in registration order, each once."""
    return tuple(dict.fromkeys(suffix for reader in _READERS for suffix in reader.suffixes))


def claims_name(name: str) -> bool:
    return name.lower().endswith(suffixes())


def choose(name: str, head: bytes) -> Reader | None:
    """The reader for the file ``name`` whose first bytes are ``head``, if any reads it."""
    lowered = name.lower()
    named = [reader for reader in _READERS if lowered.endswith(reader.suffixes)]
    opinions = [(reader, reader.sniff(head)) for reader in named]
    for reader, mine in opinions:
        if mine is True:
            return reader
    for reader, mine in opinions:
        if mine is None:
            return reader
    return None


def names() -> tuple[str, ...]:
    """Each format by the name ``--input`` takes: its suffix without the dot (``csv``)."""
    return tuple(suffix.removeprefix(".") for suffix in suffixes())


def named(name: str) -> Reader | None:
    """The reader ``--input NAME`` means: the first that reads files ending ``.NAME``."""
    return next((reader for reader in _READERS if f".{name}" in reader.suffixes), None)
