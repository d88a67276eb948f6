"""The one error root of the project and its branches.

::

    EligibilityError            anything this package raises on purpose
    ├── ProfileError            a patient profile that cannot be evaluated
    ├── RulePackError           a rule pack that cannot be loaded or is unsound
    ├── EngineError             the inference engine misbehaved; the answer is withheld
    └── EngineUnavailableError  the inference engine cannot be imported (a broken install)

Every message names where the problem is (a field, a file and line, a rule id) and, where
one can be guessed, what to do about it. An ``EngineError`` is fail-closed: the tool never
turns an engine fault into a status.
"""

from __future__ import annotations


class EligibilityError(Exception):
    """Root of every error this package raises on purpose."""


class ProfileError(EligibilityError, ValueError):
    """A patient profile was rejected.

    ``field`` is the dotted path of the offending field (``None`` when the whole
    document is at fault, for example invalid JSON); ``suggestion`` a likely fix.
    """

    def __init__(self, message: str, *, field: str | None = None,
                 suggestion: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.suggestion = suggestion

    def __reduce__(self) -> tuple[object, ...]:
        # Keyword-only arguments do not survive the default pickling that worker
        # processes use to send errors back.
        return (_rebuild_profile_error, (self.message, self.field, self.suggestion))


def _rebuild_profile_error(message: str, field: str | None,
                           suggestion: str | None) -> ProfileError:
    return ProfileError(message, field=field, suggestion=suggestion)


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
