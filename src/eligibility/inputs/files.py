"""Opening a named input safely: regular files only, never blocking, every failure named.

A folder can hold anything under a ``.json`` name: a dangling or looping symbolic link,
a FIFO nobody writes to (opening it the usual way would wait for ever), a link to
``/dev/zero``. Each is opened without waiting and refused unless it is a regular file,
with a reason a person can act on; the caller turns that into an error record.
"""

from __future__ import annotations

import errno
import io
import os
import stat


class Unreadable(Exception):
    """This input cannot be read; ``reason`` says why in plain words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def shown(name: str) -> str:
    """A file name fit for output: undecodable bytes (kept by the OS as surrogates) become
    ``\\xNN`` escapes, so a record's ``source`` is always valid text."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def open_regular(name: str) -> io.BufferedReader:
    """``name`` opened for reading if it is a regular file; raises ``Unreadable``.

    ``O_NONBLOCK`` makes opening a FIFO return at once instead of waiting for a writer;
    the file type is then checked on the open descriptor, so nothing can swap it between
    the check and the read.
    """
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        raise Unreadable(_reason(name, error)) from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise Unreadable(f"not a regular file ({_kind(mode)})")
        os.set_blocking(fd, True)
        return open(fd, "rb", closefd=True)
    except BaseException:
        os.close(fd)
        raise


def _reason(name: str, error: OSError) -> str:
    if error.errno == errno.ELOOP:
        return "a symbolic link loop"
    if error.errno == errno.ENOENT and os.path.islink(name):
        return "a broken symbolic link (what it points to does not exist)"
    if error.errno == errno.EACCES:
        return "permission denied"
    return (error.strerror or str(error)).lower()


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "an unusual kind of file"
