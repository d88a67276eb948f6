"""The exit statuses of every command, in one place (README: "Exit status")."""

from __future__ import annotations

SUCCESS = 0
INVALID_INPUT = 1   # some input (or a pack under check) was invalid; the rest was still done
USAGE_ERROR = 2     # the command could not be carried out as asked; nothing was evaluated
STREAM_FAILED = 3   # the output could not be written, or stdin (-) is closed; output lost
CANNOT_RUN = 4      # the rule engine cannot be imported, or a --jobs worker died
INTERRUPTED = 130   # Ctrl-C; what was written so far is complete
READER_GONE = 141   # the reader went away (| head): 128 + SIGPIPE, as a Unix filter


def of(all_ok: bool) -> int:
    return SUCCESS if all_ok else INVALID_INPUT
