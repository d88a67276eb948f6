"""CDS Hooks 2.0.1 request bodies as pydantic models, kept apart from the domain models.

Tolerant where the spec lets clients add things (unknown fields are kept and ignored:
``extra="allow"``, and the spec reserves ``extension``), strict where a wrong type would
change what the service does. Lengths are bounded so a request cannot make a field the
costly part. Responses are built as plain dicts (``cards.py``): the spec forbids ``null``
and empty values, which a model's defaults would write.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Text = Annotated[str, StringConstraints(min_length=1, max_length=4096)]
Id = Annotated[str, StringConstraints(min_length=1, max_length=256)]


class _Wire(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


class FhirAuthorization(_Wire):
    access_token: Annotated[str, StringConstraints(min_length=1, max_length=16384)]
    token_type: Literal["Bearer", "bearer"]
    expires_in: int
    scope: Text
    subject: Text
    patient: Id | None = None


class HookRequest(_Wire):
    """The body of ``POST /cds-services/{id}`` ("Calling a CDS Service", HTTP Request)."""

    hook: Id
    hookInstance: Id
    fhirServer: Annotated[str, StringConstraints(min_length=1, max_length=2048)] | None = None
    fhirAuthorization: FhirAuthorization | None = None
    context: dict[str, Any]
    prefetch: dict[str, Any] | None = None


class Coding(_Wire):
    code: Text
    system: Text
    display: Text | None = None


class OverrideReason(_Wire):
    reason: Coding | None = None
    userComment: Annotated[str, StringConstraints(max_length=4096)] | None = None


class AcceptedSuggestion(_Wire):
    id: Id


class Feedback(_Wire):
    card: Id
    outcome: Literal["accepted", "overridden"]
    acceptedSuggestions: Annotated[list[AcceptedSuggestion], Field(max_length=100)] | None = None
    overrideReason: OverrideReason | None = None
    outcomeTimestamp: Annotated[str, StringConstraints(min_length=1, max_length=64)]


class FeedbackRequest(_Wire):
    """The body of ``POST /cds-services/{id}/feedback`` ("Feedback")."""

    feedback: Annotated[list[Feedback], Field(min_length=1, max_length=100)]
