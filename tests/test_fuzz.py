"""Fuzzing the input path: arbitrary JSON values and bytes never crash, hang or vanish."""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from eligibility import EligibilityError, ProfileError, evaluate
from eligibility.cli import main
from eligibility.inputs.lines import BLANK

FIELDS = ["id", "age_years", "age_months", "severity", "topical_response", "systemic_response",
          "allergies", "allergy_eczema_link", "conditions", "weight_kg", "agee", "sid", "$s", "a.b"]

scalars = (st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
           | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=30)
           | st.sampled_from(["mild", "moderate", "severe", "inadequate", "not_advisable",
                              "dust_mite", "9", "", "true"]))
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=12)
profile_like = st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=6)


@given(value=json_values | profile_like)
def test_library_either_assesses_or_raises_profile_error(value: Any) -> None:
    try:
        assessment = evaluate(value)
    except ProfileError as error:
        assert error.message
        return
    assert len(assessment.options) == 5


def _cli_lines(data: bytes) -> tuple[int, list[dict[str, Any]]]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.jsonl"
        path.write_bytes(data)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = main(["evaluate", str(path), "--format", "jsonl"])
    # JSON Lines are split on "\n" only: str.splitlines would also split on U+0085, U+2028.
    return code, [json.loads(line) for line in out.getvalue().split("\n") if line]


def _encoded(value: Any) -> bytes:
    return json.dumps(value, allow_nan=True).encode()


@settings(max_examples=200)
@given(items=st.lists(st.binary(max_size=80) | (json_values | profile_like).map(_encoded),
                      min_size=1, max_size=12))
@example(items=[b"\x0b", b" \t\r", b"\x0c"])  # the main suite once drew a \x0b line
def test_cli_gives_one_record_per_nonblank_line_in_order(items: list[bytes]) -> None:
    # A line is what the reader sees between newlines; blank lines are not records. Blank
    # means JSON's whitespace only (inputs.lines.BLANK): a line holding a vertical tab or a
    # form feed is a record (an error), which bytes.strip() would have called blank.
    text = b"\n".join(items)
    lines = text.split(b"\n")
    expected = [n for n, line in enumerate(lines, start=1) if line.strip(BLANK)]
    code, records = _cli_lines(text)
    assert [r["source"].rsplit(":", 1)[1] for r in records] == [str(n) for n in expected]
    assert code == (1 if any("error" in r for r in records) else 0)
    for record in records:
        assert ("error" in record) != ("options" in record)


def test_engine_errors_are_eligibility_errors() -> None:
    from eligibility import EngineError
    assert issubclass(EngineError, EligibilityError)
