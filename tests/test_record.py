"""The fast JSON record is exactly pydantic's serialisation of the same record."""

from __future__ import annotations

import random

from test_differential import random_profile

from eligibility import evaluate
from eligibility.render.record import RecordWriter, reference_json


def test_fast_record_is_byte_identical_to_pydantic_on_2000_profiles() -> None:
    rng = random.Random(5)
    writer = RecordWriter()
    for number in range(2000):
        profile = random_profile(rng)
        if number % 3 == 0:
            profile = profile.model_copy(update={"id": f"p-{number}-é\u2028\"x"})
        assessment = evaluate(profile)
        source = f"dir/ünïcode \"q\".jsonl:{number}"
        assert writer.record_json(assessment, source) == reference_json(assessment, source)
