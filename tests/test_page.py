"""The clinician page over HTTP (in-process): the form, the answer, the errors, the headers.

The browser tests (``test_page_browser.py``) drive the same page in Chromium; these check
what a server must guarantee whatever the browser: the same answers and messages as the
library and the command line, escaped text, no cookies, a strict CSP, bounded bodies.
"""

from __future__ import annotations

import html
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import markupsafe
import pytest

if not os.environ.get("CI"):
    pytest.importorskip("fastapi")
    pytest.importorskip("jinja2")

from fastapi import FastAPI
from fastapi.testclient import TestClient
from page_forms import AS_OF, EXAMPLE_FILES, example, form_of

from eligibility import evaluate, explain
from eligibility.errors import ProfileError
from eligibility.http.page import CSP, page_router
from eligibility.model.profile import parse_profile
from eligibility.render.status import label
from eligibility.render.why import why_text


@pytest.fixture(scope="module")
def client() -> TestClient:
    app = FastAPI()
    app.include_router(page_router())
    return TestClient(app)


class _Controls(HTMLParser):
    """The page's form controls, labels, scripts and inline styles, as parsed."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict[str, str | None]] = []
        self.labelled: set[str] = set()
        self.wrapped = 0
        self.scripts: list[dict[str, str | None]] = []
        self.styles = 0
        self._in_label = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if "style" in found or tag == "style":
            self.styles += 1
        if tag == "label":
            self._in_label += 1
            if found.get("for"):
                self.labelled.add(str(found["for"]))
        elif tag in ("input", "select", "textarea"):
            self.controls.append(found)
            self.wrapped += bool(self._in_label)
        elif tag == "script":
            self.scripts.append(found)

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self._in_label -= 1


def _parsed(text: str) -> _Controls:
    parser = _Controls()
    parser.feed(text)
    return parser


def _post(client: TestClient, form: dict[str, object]) -> tuple[int, str]:
    response = client.post("/assess", data=form)
    return response.status_code, response.text


def _overview(text: str) -> dict[str, tuple[str, str]]:
    """Option name -> (status label, why) from the answer's overview table."""
    rows = re.findall(r'<tr class="status-[a-z_]+( trial)?">\s*<th scope="row"><a [^>]*>([^<]*)</a>.*?'
                      r'</th>\s*<td><span [^>]*>.</span> ([^<]*)</td>\s*<td>([^<]*)</td>', text, re.S)
    return {html.unescape(name): (html.unescape(status), html.unescape(why))
            for _trial, name, status, why in rows}


def test_the_form_labels_every_control_and_defaults_to_unknown(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    page = _parsed(response.text)
    named = [control for control in page.controls if control.get("type") != "hidden"]
    unlabelled = [control.get("name") for control in named
                  if control.get("id") not in page.labelled and control.get("type") != "checkbox"]
    assert unlabelled == []
    assert page.wrapped == sum(1 for control in named if control.get("type") == "checkbox")
    selected = re.findall(r'<select id="([a-z_]+)"[^>]*>\s*<option value="([^"]*)" selected', response.text)
    assert {name for name, value in selected if value == ""} >= {
        "severity", "topical_response", "systemic_response", "allergy_eczema_link"}
    assert client.get("/assess").text == response.text


def test_headers_forbid_inline_scripts_outside_requests_and_storage(client: TestClient) -> None:
    response = client.get("/")
    assert response.headers["content-security-policy"] == CSP
    assert "default-src 'none'" in CSP and "unsafe-inline" not in CSP
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "set-cookie" not in response.headers
    page = _parsed(response.text)
    assert page.styles == 0
    assert [script.get("src") for script in page.scripts] == ["static/page.js"]
    assert not re.search(r"https?://", response.text)  # no other host named anywhere


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda path: path.stem)
def test_each_example_answers_as_the_library_does(client: TestClient, path: Path) -> None:
    profile = example(path)
    code, text = _post(client, form_of(profile))
    assert code == 200, text
    expected = evaluate(profile)
    assert _overview(text) == {option.name: (label(option), why_text(option))
                               for option in expected.options}
    for item in explain(profile).options:
        for change in item.changes:
            assert str(markupsafe.escape(change.change.sentence)) in text  # as Jinja escapes
    assert "set-cookie" not in client.post("/assess", data=form_of(profile)).headers


def test_the_note_is_the_same_bytes_for_the_same_form(client: TestClient) -> None:
    form = form_of(example(EXAMPLE_FILES[1]))
    notes = [re.search(r'<pre id="note"[^>]*>(.*?)</pre>', _post(client, form)[1], re.S)
             for _ in range(2)]
    assert notes[0] is not None and notes[1] is not None
    assert notes[0].group(1) == notes[1].group(1)
    note = html.unescape(notes[0].group(1))
    assert "not a prescription: the treating clinician decides" in " ".join(note.split())
    assert f"Assessed {AS_OF} with rule pack article-2023" in note
    assert max(len(line) for line in note.splitlines()) <= 80


@pytest.mark.parametrize(("form", "control", "profile"), [
    ({"age": "-3"}, "age", {"age_years": -3.0}),
    ({"age": "5.5", "age_unit": "months"}, "age", {"age_months": 5.5}),
    ({"weight_kg": "abc"}, "weight_kg", {"weight_kg": "abc"}),
    ({"weight_kg": "nan"}, "weight_kg", {"weight_kg": "nan"}),
    ({"birth_date": "2010-13-40"}, "birth_date", {"birth_date": "2010-13-40"}),
    ({"allergies_other": "dust mite, none"}, "allergies", {"allergies": ["dust mite", "none"]}),
])
def test_bad_input_gets_the_cli_message_beside_the_field_and_keeps_what_was_typed(
        client: TestClient, form: dict[str, object], control: str, profile: dict[str, object]) -> None:
    code, text = _post(client, {**form, "severity": "severe"})
    assert code == 422
    with pytest.raises(ProfileError) as raised:
        parse_profile({**profile, "severity": "severe"})
    beside = re.search(rf'<div class="field-error" id="{control}-error" data-live>(.*?)</div>', text, re.S)
    assert beside is not None
    assert [problem.message for problem in raised.value.problems] == [
        html.unescape(message) for message in re.findall(r"<p>(.*?)</p>", beside.group(1))]
    typed = next(iter(form.values()))
    assert f'value="{html.escape(str(typed))}"' in text
    assert '<option value="severe" selected>' in text
    assert 'id="note"' not in text  # no answer while an error stands


def test_a_birth_date_is_read_on_the_assessment_date(client: TestClient) -> None:
    _, text = _post(client, {"birth_date": "2010-05-01", "as_of": AS_OF, "severity": "severe",
                             "topical_response": "inadequate"})
    assert "age 16 years 7 months 1 day — rule: 18 years or older" in text
    code, text = _post(client, {"birth_date": "2030-01-01", "as_of": AS_OF})
    assert code == 422 and 'id="birth_date-error"' in text and "birth_date" in text


def test_no_known_allergies_with_allergies_listed_is_an_error(client: TestClient) -> None:
    code, text = _post(client, {"allergies": ["none_known", "pollen"]})
    assert code == 422
    assert "'no known allergies' is ticked but allergies are listed" in html.unescape(text)


def test_text_from_the_form_is_text_in_the_page(client: TestClient) -> None:
    typed = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    code, text = _post(client, {"allergies_other": typed, "allergy_eczema_link": "yes",
                                "age": "30", "severity": "severe", "topical_response": "inadequate"})
    assert code == 200
    assert "<script>alert" not in text and "<img src=x" not in text
    assert html.unescape(text).count(typed) >= 2  # kept in its box, and in the note


def test_only_shipped_or_configured_packs_can_be_chosen(client: TestClient) -> None:
    for name in ("../../etc", "/tmp", "no-such-pack"):
        code, text = _post(client, {"rules": name})
        assert code == 422
        assert "unknown rule pack" in text and 'id="note"' not in text
    _, text = _post(client, {"rules": "us-labels-2026", "severity": "severe"})
    assert "Rule pack us-labels-2026" in text and "Newer knowledge ships" not in text
    _, text = _post(client, {"rules": "article-2023"})
    assert "Newer knowledge ships: rule pack us-labels-2026" in text


def test_bodies_that_are_not_this_form_are_refused(client: TestClient) -> None:
    assert client.post("/assess", json={"age": 3}).status_code == 415
    big = client.post("/assess", content=b"a=" + b"x" * 40_000,
                      headers={"content-type": "application/x-www-form-urlencoded"})
    assert big.status_code == 413
    bad = client.post("/assess", content=b"age=%ff%fe",
                      headers={"content-type": "application/x-www-form-urlencoded"})
    assert bad.status_code == 400 and "not UTF-8" in bad.text
    assert big.headers["content-security-policy"] == CSP


def test_static_files_are_served_from_the_package_only(client: TestClient) -> None:
    css = client.get("/static/page.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    js = client.get("/static/page.js")
    assert js.status_code == 200 and "javascript" in js.headers["content-type"]
    for name in ("../routes.py", "form.py", "%2e%2e%2fform.py"):
        assert client.get(f"/static/{name}").status_code == 404


def test_the_service_app_serves_the_page_with_its_configured_pack() -> None:
    from eligibility.http import ServiceConfig, create_app

    app = create_app(ServiceConfig(base_url="http://127.0.0.1", insecure_no_auth=True,
                                   rules="us-labels-2026"))
    with TestClient(app) as service:
        page = service.get("/")
        assert page.status_code == 200
        assert page.headers["content-security-policy"] == CSP
        assert '<option value="us-labels-2026" selected>' in page.text
        answered = service.post("/assess", data={"severity": "mild"})
        assert answered.status_code == 200 and "Rule pack us-labels-2026" in answered.text
        assert "/" not in app.openapi()["paths"]  # the page is not part of the CDS API


def test_the_page_is_on_the_service_assessment_date() -> None:
    """A configured ``[service] as_of`` is the form's default date, as it is the cards'."""
    import datetime as dt

    from eligibility.http import ServiceConfig, create_app

    app = create_app(ServiceConfig(base_url="http://127.0.0.1", insecure_no_auth=True,
                                   as_of=dt.date(2026, 6, 1)))
    with TestClient(app) as service:
        assert 'value="2026-06-01"' in service.get("/").text
        answered = service.post("/assess", data={"birth_date": "2010-06-02"})
        assert "15 years" in answered.text and "16 years" not in answered.text


def test_the_page_can_be_turned_off_in_the_configuration(tmp_path: Path) -> None:
    from eligibility.http import create_app
    from eligibility.http.config import ConfigError, load_config

    path = tmp_path / "service.toml"
    path.write_text('[service]\nbase_url = "https://cds.example.org"\n[page]\nenabled = false\n',
                    encoding="utf-8")
    config = load_config(path).without_auth()
    assert not config.page_enabled
    with TestClient(create_app(config)) as service:
        for url in ("/", "/assess", "/static/page.css"):
            assert service.get(url).status_code == 404, url
        assert service.post("/assess", data={"severity": "mild"}).status_code == 404
        assert service.get("/cds-services").status_code == 200  # the CDS Hooks API stays
    path.write_text('[service]\nbase_url = "https://cds.example.org"\n[page]\nenable = false\n',
                    encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[page\]: unknown key 'enable' \(did you mean 'enabled'"):
        load_config(path)
    path.write_text('[service]\nbase_url = "https://cds.example.org"\n[page]\nenabled = "no"\n',
                    encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[page\]: enabled: true or false"):
        load_config(path)
