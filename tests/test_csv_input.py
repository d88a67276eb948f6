"""CSV input: a clinic's spreadsheet, read as strictly as JSON, one record per data row.

The dialect is the README's; ``csv_profiles.to_csv`` writes it independently, so the
round trips check the reader against the documentation, not against itself.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from csv_profiles import to_csv
from hypothesis import given, settings
from hypothesis import strategies as st

from eligibility.cli import main
from eligibility.inputs import formats
from eligibility.inputs.base import PAUSE, InputRecord, Reader, Source
from eligibility.inputs.csv_file import CsvReader
from eligibility.inputs.lines import LineReader
from eligibility.inputs.reader import expand_paths, read_records
from eligibility.limits import MAX_LINE_BYTES
from eligibility.model.profile import Profile, parse_profile
from eligibility.services.batch import assess_all
from eligibility.testing import profiles

EXAMPLE_BATCH = Path(__file__).resolve().parents[1] / "examples" / "clinic-batch-all-statuses.jsonl"
HEADER = "id,age_years,severity,topical_response,allergies,allergy_eczema_link,weight_kg\n"


def read(text: str | bytes, name: str = "c.csv") -> list[InputRecord]:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return [record for record in CsvReader().read(Source(name, io.BytesIO(data)))
            if record is not PAUSE]


def summary(records: list[InputRecord]) -> list[tuple[str, Any]]:
    return [(r.source, r.payload if r.error is None else r.error.message) for r in records]


def test_csv_is_one_reader_module_and_one_registration() -> None:
    reader = formats.named("csv")
    assert isinstance(reader, CsvReader) and isinstance(reader, Reader)
    assert isinstance(reader, LineReader)
    assert ".csv" in formats.suffixes()
    assert CsvReader.max_row_bytes == MAX_LINE_BYTES  # the same row limit as a JSON Lines line


def test_cells_are_read_by_the_kind_the_field_registry_gives() -> None:
    text = HEADER + "p1,16.5,severe,inadequate,dust_mite; pollen ,TRUE,40\n" \
                    "p2,7,,,[],false,\n"
    assert summary(read(text)) == [
        ("c.csv:2", {"id": "p1", "age_years": 16.5, "severity": "severe",
                     "topical_response": "inadequate", "allergies": ["dust_mite", "pollen"],
                     "allergy_eczema_link": True, "weight_kg": 40}),
        ("c.csv:3", {"id": "p2", "age_years": 7, "allergies": [], "allergy_eczema_link": False}),
    ]


@pytest.mark.parametrize(("cell", "column", "says"), [
    ("16 years", "age_years (column 2)", "not a number"),
    ("16,5", "age_years (column 2)", "not a number"),
    ("+16", "age_years (column 2)", "not a number"),
    ("0x10", "age_years (column 2)", "not a number"),
    ("1_000", "age_years (column 2)", "not a number"),
    ("\u0663", "age_years (column 2)", "not a number"),  # an Arabic-Indic digit
    ("=1+1", "age_years (column 2)", "not a number"),
    ("1e999", "age_years (column 2)", "too large"),
])
def test_a_number_cell_is_a_number_as_json_writes_one(cell: str, column: str, says: str) -> None:
    [record] = read(HEADER + f'p1,"{cell}",,,,,\n')
    assert record.error is not None and record.source == "c.csv:2"
    assert record.error.message.startswith(column) and says in record.error.message
    assert record.error.field == "age_years"


@pytest.mark.parametrize("cell", ["yes", "1", "Y", "ja", "truthy"])
def test_a_boolean_cell_is_true_or_false(cell: str) -> None:
    [record] = read(HEADER + f"p1,,,,,{cell},\n")
    assert record.error is not None and record.error.field == "allergy_eczema_link"
    assert "allergy_eczema_link (column 6)" in record.error.message
    assert "true or false" in record.error.message


@pytest.mark.parametrize("cell", ["dust_mite;;pollen", "dust_mite;", ";", " ; "])
def test_an_empty_list_entry_is_an_error_not_dropped(cell: str) -> None:
    [record] = read(HEADER + f"p1,,,,{cell},,\n")
    assert record.error is not None and record.error.field == "allergies"
    assert "empty entry" in record.error.message and "[]" in record.error.message


def test_every_bad_cell_of_a_row_is_reported_with_its_column() -> None:
    [record] = read(HEADER + "p1,old,severe,,,maybe,heavy\n")
    assert record.error is not None
    assert [problem.field for problem in record.error.problems] == [
        "age_years", "allergy_eczema_link", "weight_kg"]
    assert "column 2" in record.error.message and "column 7" in record.error.message


def test_an_empty_or_blank_cell_is_unknown_and_answered_as_such(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "p.csv"
    path.write_text("id,age_years,severity,topical_response\np1, ,severe,inadequate\n")
    assert main(["evaluate", str(path), "--format", "jsonl", "--rules", "article-2023"]) == 0
    record = json.loads(capsys.readouterr().out)
    dupilumab = next(o for o in record["options"] if o["id"] == "dupilumab")
    assert dupilumab["status"] == "needs_information"
    assert "age_years" in json.dumps(dupilumab)


def test_odd_cells_quotes_line_breaks_semicolons_and_formulas() -> None:
    text = (HEADER
            + '"O""Brien, J",30,severe,inadequate,"dust_mite;cat; dog",true,\n'
            + '"=1+1",,,,"=HYPERLINK(""x"")",,\n'
            + '"two\nlines",3,,,,,\n'
            + "after,4,,,,,\n")
    records = read(text)
    assert [r.source for r in records] == ["c.csv:2", "c.csv:3", "c.csv:4", "c.csv:6"]
    first, formula, broken, after = records
    # Quotes are written twice inside a quoted cell; the comma stays in the cell; ';'
    # separates entries even inside quotes (quotes are the CSV layer, ';' the list).
    assert first.payload == {"id": 'O"Brien, J', "age_years": 30, "severity": "severe",
                             "topical_response": "inadequate",
                             "allergies": ["dust_mite", "cat", "dog"], "allergy_eczema_link": True}
    # A formula is text, kept as written and never evaluated.
    assert formula.payload == {"id": "=1+1", "allergies": ['=HYPERLINK("x")']}
    assert parse_profile(formula.payload).id == "=1+1"
    # A line break inside a quoted cell is read (the next row's line number counts it),
    # and an id with a line break is then refused as any control character is.
    assert broken.payload == {"id": "two\nlines", "age_years": 3}
    with pytest.raises(Exception, match="control character"):
        parse_profile(broken.payload)
    assert after.payload == {"id": "after", "age_years": 4}


def test_utf8_with_or_without_bom_and_crlf_read_the_same() -> None:
    text = HEADER + "Zoë,30,severe,,,,\n"
    plain = summary(read(text))
    assert plain[0][1]["id"] == "Zoë"
    assert summary(read(b"\xef\xbb\xbf" + text.encode())) == plain
    assert summary(read(text.replace("\n", "\r\n"))) == plain
    assert summary(read(text.rstrip("\n"))) == plain  # no final line ending


def test_blank_rows_are_not_records_but_count_as_lines() -> None:
    text = "\n" + HEADER + "\n,,,,,,\n   \np1,,,,,,\n"
    assert summary(read(text)) == [("c.csv:6", {"id": "p1"})]


def test_rows_of_the_wrong_width_are_errors_but_trailing_empty_cells_are_fine() -> None:
    text = HEADER + "short,1\n" + "wide,1,,,,,,extra\n" + "padded,1,,,,,,,\n"
    short, wide, padded = read(text)
    assert short.error is not None and "2 cells where the header has 7" in short.error.message
    assert wide.error is not None and "8 cells" in wide.error.message
    assert padded.payload == {"id": "padded", "age_years": 1}


def test_a_column_without_a_name_must_stay_empty() -> None:
    text = "id,,severity\np1,,mild\np2,x,mild\n"
    ok, bad = read(text)
    assert ok.payload == {"id": "p1", "severity": "mild"}
    assert bad.error is not None and "column 2 has no name" in bad.error.message


@pytest.mark.parametrize(("header", "says"), [
    ("id,sevrity,age\n", ["column 2 'sevrity': unknown field (did you mean 'severity'?)",
                          "column 3 'age': unknown field (did you mean 'age_years'?)"]),
    ("id,severity,severity\n", ["column 3 'severity': the same field as column 2"]),
    ("p1,30,severe\n", ["unknown field", "the first row must name each column's field"]),
    ("id;severity\n", ["one column", "separated by ','"]),
])
def test_a_header_that_cannot_be_used_is_one_error_and_nothing_after_it_is_read(
        header: str, says: list[str]) -> None:
    [record] = read(header + "p1,severe,3\np2,mild,4\n")
    assert record.source == "c.csv:1" and record.error is not None
    assert record.error.message.startswith("header row: ")
    for part in says:
        assert part in record.error.message


def test_a_row_over_the_limit_is_an_error_and_the_next_row_is_read() -> None:
    long_row = "p1," + "x" * MAX_LINE_BYTES + ",,,,,\n"
    records = read(HEADER + long_row + "p2,4,,,,,\n")
    assert [r.source for r in records] == ["c.csv:2", "c.csv:3"]
    assert records[0].error is not None and "longer than" in records[0].error.message
    assert records[1].payload == {"id": "p2", "age_years": 4}


def test_the_row_limit_counts_the_row_not_its_line_ending() -> None:
    cell = "x" * (MAX_LINE_BYTES - len(",,,,,,"))
    row = f"{cell},,,,,,"
    assert len(row) == MAX_LINE_BYTES
    for ending in ("\n", "\r\n"):
        [record] = read(HEADER + row + ending)
        assert record.error is None  # exactly at the limit (the value is the model's to refuse)
        [record] = read(HEADER + row + "x" + ending)
        assert record.error is not None and "longer than" in record.error.message


def test_an_unclosed_quote_swallows_no_patient() -> None:
    rows = ['p1,30,"severe,,,,\n'] + [f"p{n},{n},,,,,\n" for n in range(2, 6)]
    records = read(HEADER + "".join(rows))
    assert [r.source for r in records] == [f"c.csv:{n}" for n in range(2, 7)]
    assert records[0].error is not None and "not closed" in records[0].error.message
    assert [r.payload for r in records[1:]] == [{"id": f"p{n}", "age_years": n} for n in range(2, 6)]


def test_an_unclosed_quote_running_past_the_limit_names_the_likely_cause() -> None:
    rows = ['p1,30,"severe,,,,\n'] + [f"p{n},1,,,,,\n" for n in range(2, 12_000)]
    records = read(HEADER + "".join(rows))
    assert len(records) == len(rows)
    assert records[0].error is not None and "quote left open" in records[0].error.message
    assert all(r.error is None for r in records[1:])


def test_text_after_a_closing_quote_and_bad_utf8_are_that_rows_errors() -> None:
    data = (HEADER + 'p1,"3"0,,,,,\n').encode() + b"p2,\xff,,,,,\np3,5,,,,,\n"
    bad_quote, bad_bytes, fine = read(data)
    assert bad_quote.error is not None and "closing quote" in bad_quote.error.message
    assert bad_bytes.error is not None and "line 3 is not valid UTF-8 (byte 4)" in bad_bytes.error.message
    assert fine.payload == {"id": "p3", "age_years": 5}


def test_an_empty_or_header_only_file_has_no_records() -> None:
    assert read("") == []
    assert read(HEADER) == []


def test_folder_mode_picks_up_csv_files(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text('{"id": "a"}')
    (tmp_path / "b.csv").write_text("id\nb1\nb2\n")
    (tmp_path / "c.CSV").write_text("id\nc1\n")
    (tmp_path / "d.txt").write_text("id\nd1\n")
    files = expand_paths([str(tmp_path)])
    assert [Path(name).name for name in files] == ["a.json", "b.csv", "c.CSV"]
    assert [r.payload["id"] for r in read_records(files)] == ["a", "b1", "b2", "c1"]  # type: ignore[index]


def test_a_csv_file_with_a_bad_header_is_still_read_as_csv() -> None:
    assert CsvReader().sniff(b"nonsense,header\n") is None
    assert CsvReader().sniff(b"\xef\xbb\xbf\nid,severity\n") is True
    assert formats.choose("x.csv", b"nonsense\n") is not None


def _dumped(profile: Profile) -> dict[str, Any]:
    return profile.model_dump(exclude_none=True)


def _fits_the_dialect(profile: Profile) -> bool:
    """Whether CSV can hold the profile: ';' separates entries, '[]' means none, and a
    row of empty cells is no record (spreadsheets leave such rows behind)."""
    entries = (profile.allergies or []) + (profile.conditions or [])
    return bool(profile.known_fields()) and not any(";" in entry or entry == "[]" for entry in entries)


@settings(max_examples=150)
@given(st.lists(profiles(), min_size=1, max_size=8).filter(lambda ps: all(map(_fits_the_dialect, ps))),
       st.sampled_from(["\n", "\r\n"]))
def test_profiles_round_trip_through_csv(drawn: list[Profile], ending: str) -> None:
    text = to_csv([_dumped(profile) for profile in drawn], line_ending=ending)
    records = read(text)
    assert [r.error for r in records] == [None] * len(drawn)
    assert [parse_profile(r.payload) for r in records] == drawn


@settings(max_examples=25, deadline=None)
@given(st.lists(profiles(), min_size=1, max_size=20).filter(lambda ps: all(map(_fits_the_dialect, ps))))
def test_csv_and_json_lines_of_the_same_profiles_get_the_same_answers(drawn: list[Profile]) -> None:
    dumped = [_dumped(profile) for profile in drawn]
    as_csv = read(to_csv(dumped))
    as_jsonl = [InputRecord(f"c.csv:{n}", payload=json.loads(json.dumps(p)))
                for n, p in enumerate(dumped, start=2)]
    assert [r.data() for r in assess_all(as_csv)] == [r.data() for r in assess_all(as_jsonl)]


def test_the_example_batch_as_csv_gets_the_same_statuses_from_the_command_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = [json.loads(line) for line in EXAMPLE_BATCH.read_text().splitlines() if line.strip()]
    valid = [line for line in lines if _valid(line)]
    assert len(valid) >= 4
    (tmp_path / "b.jsonl").write_text("".join(json.dumps(line) + "\n" for line in valid))
    (tmp_path / "b.csv").write_text(to_csv(valid))
    answers = []
    for name in ("b.jsonl", "b.csv"):
        code = main(["evaluate", str(tmp_path / name), "--format", "jsonl", "--rules", "us-labels-2026"])
        out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
        answers.append((code, [(r["profile"], [(o["id"], o["status"]) for o in r["options"]])
                               for r in out]))
        assert [r["source"] for r in out][:2] == [f"{tmp_path / name}:{n}" for n in
                                                  ((1, 2) if name == "b.jsonl" else (2, 3))]
    assert answers[0] == answers[1] and answers[0][0] == 0


def _valid(data: dict[str, Any]) -> bool:
    try:
        parse_profile(data)
    except Exception:
        return False
    return True


def test_a_field_added_to_the_registry_is_a_column_read_by_its_kind(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from eligibility.model import fields
    entry = fields.RuleField("height_cm", "number", ("height_cm",), ("h", "hk"), "Height",
                             "height in cm", unit="cm", high=250)
    monkeypatch.setitem(fields._FIELDS, entry.name, entry)
    ok, bad = read("id,height_cm\np1,150.5\np2,tall\n")
    assert ok.payload == {"id": "p1", "height_cm": 150.5}
    assert bad.error is not None and bad.error.field == "height_cm"
    assert "height_cm (column 2): 'tall' is not a number" in bad.error.message


def test_a_row_or_header_with_many_problems_lists_ten_and_counts_the_rest() -> None:
    [header] = read(",".join(f"x{n}" for n in range(30)) + "\n")
    assert header.error is not None and len(header.error.problems) == 10
    assert header.error.message.endswith("; and 21 more")  # 30 columns and the header hint
    [row] = read("id" + "," * 30 + "\np1" + ",x" * 30 + "\n")
    assert row.error is not None and len(row.error.problems) == 10
    assert row.error.message.endswith("; and 20 more")


def test_spaces_after_a_comma_do_not_hide_a_quoted_cell() -> None:
    [record] = read('id, allergies , severity\np1, "dust_mite, pollen;mold", severe\n')
    assert record.payload == {"id": "p1", "allergies": ["dust_mite, pollen", "mold"],
                              "severity": "severe"}
