"""``-o/--output FILE``: the output written whole or not at all.

A clinic's list is read by someone later, who cannot tell a cut-off file from a short
list. So the output goes to a temporary file beside FILE (same folder, same file
system), is flushed and synced to disk, and only then renamed over FILE, in one step.
If the run fails or is interrupted, the temporary file is removed: FILE is either the
whole new output or whatever was there before, never a part. A FILE that already
exists keeps its permissions; a new one gets the usual ones (the umask's).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from eligibility.cli.streams import guarded_text, unwritable
from eligibility.errors import UsageError

STDOUT = "-"


@contextlib.contextmanager
def output_stream(path: str | None) -> Iterator[TextIO]:
    """stdout for no FILE (or ``-``), else a text stream that becomes FILE on success.

    FILE is what it names once symbolic links are followed: a link stays a link and its
    target gets the output. A FILE that exists and is not a regular file (``/dev/null``,
    ``/dev/stdout``, a named pipe) is written straight into: renaming over it would put a
    plain file in its place (as root, /dev/null itself), and nobody reads a device later
    as a list, so there is nothing for the rename to protect.
    """
    if path is None or path == STDOUT:
        yield sys.stdout
        return
    target = Path(os.path.realpath(path))
    try:
        mode = target.stat().st_mode
    except OSError:
        mode = None
    if mode is not None and not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
        with _direct(target) as stream:
            yield stream
        return
    with atomic_file(target) as stream:
        yield stream


@contextlib.contextmanager
def _direct(target: Path) -> Iterator[TextIO]:
    """A UTF-8 text stream straight into an existing device, pipe or socket."""
    try:
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    except OSError as error:
        raise UsageError(f"--output {target}: cannot write there: "
                         f"{error.strerror or error}") from None
    with guarded_text(descriptor, f" to {target}") as stream:
        yield stream


@contextlib.contextmanager
def atomic_file(target: Path) -> Iterator[TextIO]:
    """A UTF-8 text stream renamed to ``target`` when the block ends without an error."""
    if target.is_dir():
        raise UsageError(f"--output {target}: is a folder; name a file")
    folder = target.parent
    temporary = folder / f".{target.name}.{secrets.token_hex(4)}.partial"
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as error:
        raise UsageError(f"--output {target}: cannot write there: "
                         f"{error.strerror or error}") from None
    try:
        with contextlib.suppress(FileNotFoundError):
            os.fchmod(descriptor, stat.S_IMODE(target.stat().st_mode))
        with guarded_text(descriptor, f" to {target}") as stream:
            yield stream
            stream.flush()
            try:
                os.fsync(stream.fileno())
            except OSError as error:
                raise unwritable(error, f" to {target}") from None
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        print(f"eligibility: {target} was not written", file=sys.stderr)
        raise
    _sync_folder(folder)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (where the platform allows opening a folder)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - not every system opens folders
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(descriptor)
    finally:
        os.close(descriptor)
