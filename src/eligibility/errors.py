"""The one error root of the project and its branches.

::

    EligibilityError            anything this package raises on purpose
    ├── ProfileError            a patient profile that cannot be evaluated
    ├── RulePackError           a rule pack that cannot be loaded or is unsound
    ├── EngineError             the inference engine misbehaved; the answer is withheld
    ├── EngineUnavailableError  the inference engine cannot be imported (a broken install)
    └── UsageError              a request that cannot be carried out as asked: an unknown
                                pack or option, an unusable path (the CLI exits 2)

Every message names where the problem is (a field, a file and line, a rule id) and, where
one can be guessed, what to do about it. An ``EngineError`` is fail-closed: the tool never
turns an engine fault into a status. A ``UsageError`` is raised where the problem is found
(choosing the pack, the input paths, an option) and turned into exit status 2 in one place,
the command line's ``main``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class EligibilityError(Exception):
    """Root of every error this package raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a profile: what, in which field, and a likely fix."""

    message: str
    field: str | None = None
    suggestion: str | None = None


class ProfileError(EligibilityError, ValueError):
    """A patient profile was rejected.

    ``field`` is the dotted path of the offending field (``None`` when the whole
    document is at fault, for example invalid JSON); ``suggestion`` a likely fix.
    ``problems`` lists every problem found (the first is the one ``field`` names);
    a profile with one problem has just that one.
    """

    def __init__(self, message: str, *, field: str | None = None,
                 suggestion: str | None = None, problems: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.suggestion = suggestion
        self.problems = tuple(problems) or (Problem(message, field, suggestion),)

    def __reduce__(self) -> tuple[object, ...]:
        # Keyword-only arguments do not survive the default pickling that worker
        # processes use to send errors back.
        return (_rebuild_profile_error, (self.message, self.field, self.suggestion, self.problems))


def _rebuild_profile_error(message: str, field: str | None, suggestion: str | None,
                           problems: Sequence[Problem] = ()) -> ProfileError:
    return ProfileError(message, field=field, suggestion=suggestion, problems=problems)


class RulePackError(EligibilityError):
    """A rule pack was rejected when it was loaded or checked.

    ``problems`` lists every problem found, each already naming its file and rule id.
    """

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class EngineError(EligibilityError):
    """The rule engine did something it must not; no answer is given for that profile."""


class EngineUnavailableError(EligibilityError):
    """durable-rules cannot be imported; the message names the command that fixes it."""


class WorkerError(EligibilityError):
    """A ``--jobs`` worker process could not be started or ended before giving its answer."""


class UsageError(EligibilityError):
    """What was asked for cannot be done as asked; nothing was evaluated.

    The message says what was wrong and, where it can, what would be right; the command
    line prints it after ``eligibility: error:`` and exits 2.
    """
