"""A ``ProfileReader`` (validation remembered a field value at a time) gives what
``parse_profile`` gives, whatever it remembered before: the same profile, or the same
error, word for word."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from eligibility.errors import ProfileError
from eligibility.model.profile import Profile, parse_profile
from eligibility.model.profile_reader import ProfileReader
from eligibility.testing import invalid_profiles, profiles

_json = st.recursive(st.none() | st.booleans() | st.integers(-5, 300) | st.floats(allow_nan=False)
                     | st.text(max_size=8), lambda inner: st.lists(inner, max_size=3), max_leaves=4)
_FIELDS = st.sampled_from([*Profile.model_fields, "agee"])
#: Valid profiles as JSON, invalid ones, and mixtures of real fields with any JSON value.
_payloads = st.one_of(
    profiles(complete=False).map(lambda profile: json.loads(profile.model_dump_json(exclude_none=True))),
    profiles().map(lambda profile: profile.model_dump(mode="json")),  # every field, nulls too
    invalid_profiles().map(lambda bad: bad.data),
    st.dictionaries(_FIELDS, _json, max_size=5))


def _answer(parse: object, data: object) -> object:
    try:
        profile = parse(data)  # type: ignore[operator]
    except ProfileError as error:
        return ("error", str(error), error.field, error.suggestion, error.problems)
    assert isinstance(profile, Profile)
    # The reader builds profiles itself, not through pydantic: the private date and the
    # extras must be what pydantic sets, and the profile must copy as one does.
    return ("profile", profile, repr(profile), profile.model_fields_set, profile.model_dump_json(),
            profile.__pydantic_private__, profile.__pydantic_extra__, profile.model_copy(),
            profile.as_of)


@settings(max_examples=150, deadline=None)
@given(batch=st.lists(_payloads, min_size=1, max_size=12))
def test_a_reader_gives_what_parse_profile_gives(batch: list[object]) -> None:
    reader = ProfileReader()
    for _ in range(2):  # the second time, every value that validated is remembered
        for data in batch:
            assert _answer(reader, data) == _answer(parse_profile, data)


def test_profiles_never_share_a_list() -> None:
    reader = ProfileReader()
    first = reader({"allergies": ["dust mite"], "conditions": []})
    second = reader({"allergies": ["dust mite"], "conditions": []})
    assert first == second
    assert first.allergies is not second.allergies
    assert first.conditions is not second.conditions


def test_equal_values_of_other_types_are_validated_apart() -> None:
    reader = ProfileReader()
    assert reader({"age_years": 16}).age_years == 16.0
    assert reader({"allergy_eczema_link": True}).allergy_eczema_link is True
    for wrong in ({"age_months": True}, {"age_months": 16.0}, {"allergy_eczema_link": 1}):
        assert _answer(reader, wrong) == _answer(parse_profile, wrong)
        assert _answer(reader, wrong)[0] == "error"


def test_long_text_is_validated_each_time_and_never_remembered() -> None:
    # Text is stripped before its length is checked: padded to 60,000 characters it is valid,
    # and remembered whole, 4,096 such values held hundreds of MB in one reader.
    reader = ProfileReader()
    padded = {"severity": "severe", "conditions": [" " * 60_000 + "asthma"],
              "allergies": ["dust mite" + " " * 60_000]}
    for _ in range(2):
        assert _answer(reader, padded) == _answer(parse_profile, padded)
    held = [key for by_kind in reader._memos.values() for memo in by_kind.values() for key in memo]
    assert held  # the short values were remembered: the bound is on something
    assert max((len(repr(key)) for key in held), default=0) < 1_000
    assert reader(padded).conditions == ["asthma"]


@settings(max_examples=300, deadline=None)
@given(ident=st.one_of(st.text(max_size=12), st.text(alphabet=" ab\t\x00\x7f\u00e9", max_size=5),
                       st.integers(190, 210).map(lambda n: "x" * n)))
def test_ids_read_as_parse_profile_reads_them(ident: str) -> None:
    # Plain ASCII ids skip the id's own validator: any other id, and every id that the
    # validator would strip, refuse or change, must still read as ``parse_profile`` reads it.
    reader = ProfileReader()
    for data in ({"id": ident}, {"id": ident, "severity": "mild"}, {"id": " " + ident}):
        assert _answer(reader, data) == _answer(parse_profile, data)
