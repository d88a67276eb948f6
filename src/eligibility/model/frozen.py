"""Read-only containers for everything the library hands out: answers and rule packs.

``frozen=True`` on a pydantic model stops ``model.field = x`` but not
``model.field.append(x)``, and the parts of an answer are shared between answers (that
is what makes batches fast). So models hold tuples where JSON has arrays and read-only
mappings (``types.MappingProxyType``) where JSON has objects; nothing a caller can reach
can be changed under another caller.

Two annotations carry this into pydantic without changing any output:

* ``Array[X]`` is ``tuple[X, ...]``, validated exactly as ``list[X]`` is (same errors for
  a pack author, even in strict mode) and serialised as a JSON array; ``AsTuple(min_length=…)``
  gives the same with length limits, worded as for a list.
* ``ReadOnlyDict[K, V]`` is a ``Mapping[K, V]``, validated as ``dict[K, V]``, held as a
  deep-frozen ``MappingProxyType`` (its arrays tuples too) and serialised as a plain JSON
  object; ``model_dump()`` gives plain dicts and lists.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Annotated, Any, TypeVar, get_args

from pydantic import Field, GetCoreSchemaHandler
from pydantic_core import core_schema

T = TypeVar("T")
K = TypeVar("K")
V = TypeVar("V")


def freeze(value: Any) -> Any:
    """A deep read-only copy: mappings become ``MappingProxyType``, lists tuples."""
    if isinstance(value, Mapping):
        return MappingProxyType({key: freeze(item) for key, item in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(freeze(item) for item in value)
    return value


def thaw(value: Any) -> Any:
    """A deep plain copy, as JSON has it: mappings become dicts, tuples lists."""
    if isinstance(value, Mapping):
        return {key: thaw(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [thaw(item) for item in value]
    return value


class AsTuple:
    """Validate ``tuple[X, ...]`` as ``list[X]``, keep it a tuple, write it as an array."""

    def __init__(self, *, min_length: int | None = None, max_length: int | None = None) -> None:
        self.min_length, self.max_length = min_length, max_length

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler
                                     ) -> core_schema.CoreSchema:
        item = get_args(source)[0]
        as_list = handler.generate_schema(Annotated[
            list[item], Field(min_length=self.min_length, max_length=self.max_length)])  # type: ignore[valid-type]
        return core_schema.no_info_after_validator_function(
            tuple, as_list,
            serialization=core_schema.plain_serializer_function_ser_schema(
                list, return_schema=as_list))


class _ReadOnly:
    """Validate ``Mapping[K, V]`` as ``dict[K, V]``, hold it frozen, write a JSON object."""

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler
                                     ) -> core_schema.CoreSchema:
        key, value = get_args(source)
        as_dict = handler.generate_schema(dict[key, value])  # type: ignore[valid-type]
        return core_schema.no_info_after_validator_function(
            freeze, as_dict,
            serialization=core_schema.plain_serializer_function_ser_schema(
                thaw, return_schema=as_dict))


Array = Annotated[tuple[T, ...], AsTuple()]
ReadOnlyDict = Annotated[Mapping[K, V], _ReadOnly()]
