"""The clinician page in headless Chromium: the README's example patients entered by hand,
invalid input, keyboard-only use, the page without JavaScript and with it (live answers,
"copy as note"), print, axe-core, screenshots, and no request to any host but the service.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from page_browser import (
    Server,
    Watch,
    axe_script,
    browser,
    fill,
    open_context,
    overview,
    png_width,
    screenshot,
    server,
    submit,
)
from page_forms import AS_OF, EXAMPLE_FILES, example, form_of

from eligibility import evaluate, explain
from eligibility.errors import ProfileError
from eligibility.model.profile import parse_profile
from eligibility.render.explain import OUTCOME_LABEL
from eligibility.render.status import label
from eligibility.render.why import why_text

__all__ = ["browser", "server"]  # fixtures, imported to be found
TEEN = EXAMPLE_FILES[-1]
assert TEEN.stem.startswith("teen-16")


@pytest.fixture
def watch() -> Watch:
    return Watch()


@pytest.fixture
def page(browser: Any, server: Server, watch: Watch) -> Iterator[Any]:
    context = open_context(browser, server, watch)
    yield context.new_page()
    context.close()
    assert watch.outside == []
    assert watch.errors == []  # a CSP violation is a console error


def _expected(profile: dict[str, object]) -> dict[str, tuple[str, str]]:
    return {option.name: (label(option), why_text(option)) for option in evaluate(profile).options}


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda path: path.stem)
def test_each_example_entered_by_hand_gives_the_statuses_reasons_and_changes(
        page: Any, server: Server, path: Path) -> None:
    profile = example(path)
    page.goto(server.base + "/")
    fill(page, form_of(profile))
    submit(page)
    assert overview(page) == _expected(profile)
    for item in explain(profile).options:
        section = page.locator(f"#option-{item.option.id}")
        shown = [" ".join(text.split()) for text in section.locator("p.criterion").all_inner_texts()]
        marks = {"met": "✓", "not_met": "✗", "unknown": "?"}
        assert shown == [f"{marks[view.reason.outcome]} {OUTCOME_LABEL[view.reason.outcome]} "
                         f"{view.reason.title}" for view in item.criteria]
        values = section.locator("p.value").all_inner_texts()
        assert values == [line for view in item.criteria for line in view.comparisons]
        changes = " ".join(section.locator("ul.changes").all_inner_texts())
        for checked in item.changes:
            assert checked.change.sentence in " ".join(changes.split()) or \
                " ".join(checked.change.sentence.split()) in " ".join(changes.split())
        trial = section.locator(".tag").inner_text()
        assert ("clinical trials only" in trial) == (item.option.kind == "investigational_biologic"
                                                     or item.option.evidence == "investigational")
    assert page.locator("#disclaimer").is_visible()


def test_invalid_input_is_shown_beside_the_field_and_kept(page: Any, server: Server) -> None:
    page.goto(server.base + "/")
    fill(page, {"age": "-3", "weight_kg": "forty", "severity": "severe"})
    submit(page)
    with pytest.raises(ProfileError) as raised:
        parse_profile({"age_years": -3.0, "weight_kg": "forty", "severity": "severe"})
    by_field = {problem.field: problem.message for problem in raised.value.problems}
    assert page.locator("#age-error").inner_text().strip() == by_field["age_years"]
    assert page.locator("#weight_kg-error").inner_text().strip() == by_field["weight_kg"]
    assert page.input_value("#age") == "-3" and page.input_value("#weight_kg") == "forty"
    assert page.input_value("#severity") == "severe"
    assert page.get_attribute("#age", "aria-invalid") == "true"
    assert "age-error" in (page.get_attribute("#age", "aria-describedby") or "")
    assert page.locator("#error-summary").is_visible()
    assert page.locator("#note").count() == 0


def _tab_to(page: Any, control: str, limit: int = 60) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == control:
            return
    raise AssertionError(f"Tab never reached #{control}")


def test_keyboard_only(page: Any, server: Server) -> None:
    """The teen example with the keyboard alone: Tab, typing, type-ahead in lists, Space, Enter."""
    page.goto(server.base + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to the answer"
    _tab_to(page, "age")
    page.keyboard.type("16")
    _tab_to(page, "severity")
    page.keyboard.press("s")  # severe
    _tab_to(page, "topical_response")
    page.keyboard.press("i")  # inadequate
    for _ in range(20):  # to the pollen box
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.value") == "pollen":
            break
    page.keyboard.press("Space")
    _tab_to(page, "allergy_eczema_link")
    page.keyboard.press("n")  # no
    _tab_to(page, "weight_kg")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert overview(page) == _expected(example(TEEN))
    focused = page.evaluate("getComputedStyle(document.querySelector('.skip')).position")
    assert focused == "absolute"


def test_without_javascript_the_form_posts_and_the_note_is_there(
        browser: Any, server: Server, watch: Watch) -> None:
    context = open_context(browser, server, watch, java_script_enabled=False)
    page = context.new_page()
    page.goto(server.base + "/")
    fill(page, form_of(example(TEEN)))
    submit(page)
    assert overview(page) == _expected(example(TEEN))
    assert page.locator("#copy-note").is_hidden()  # it needs the script
    assert "not a prescription" in page.locator("#note").inner_text()
    context.close()
    assert watch.outside == []


def test_with_javascript_answers_follow_the_fields_and_the_note_copies(
        browser: Any, server: Server, watch: Watch) -> None:
    context = open_context(browser, server, watch, permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(server.base + "/")
    fill(page, {"age": "16", "severity": "severe", "topical_response": "inadequate",
                "allergies": ["pollen"], "allergy_eczema_link": "no"})
    # Functions, not strings: the page's CSP forbids eval, which a string predicate needs.
    page.wait_for_function("() => document.querySelectorAll('table.overview tbody tr').length === 5"
                           " && document.querySelector('#answer').textContent.includes('not a candidate')")
    assert page.url == server.base + "/"  # no navigation: the answer came by fetch
    assert overview(page) == _expected(example(TEEN))
    page.select_option("#severity", "mild")
    page.wait_for_function("() => document.querySelector('#note').textContent.includes('severity mild')")
    assert overview(page) == _expected({**example(TEEN), "severity": "mild"})
    page.click("#copy-note")
    page.wait_for_function("() => document.querySelector('#copy-status').textContent.startsWith('Copied')")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == page.locator("#note").text_content()
    assert "severity mild" in copied
    context.close()
    assert watch.outside == [] and watch.errors == []


def test_print_shows_the_plain_text_note_and_the_disclaimer(page: Any, server: Server) -> None:
    page.goto(server.base + "/")
    fill(page, form_of(example(TEEN)))
    submit(page)
    page.emulate_media(media="print")
    assert page.locator("form.profile").is_hidden()
    assert page.locator("table.overview").is_hidden()
    assert page.locator("#note").is_visible() and page.locator("#disclaimer").is_visible()


def test_nothing_entered_reaches_the_service_log(page: Any, server: Server) -> None:
    marker = "kiwi-zz-marker"
    page.goto(server.base + "/")
    fill(page, {"age": "41.25", "allergies": [marker], "weight_kg": "77.7"})
    submit(page)
    assert marker in page.locator("#note").inner_text()
    log = server.log_text()
    assert "POST /assess" in log  # the log is there and is read
    assert marker not in log and "41.25" not in log and "77.7" not in log


@pytest.mark.parametrize("width", [360, 1280])
def test_no_serious_accessibility_violations_and_screenshots(
        browser: Any, server: Server, watch: Watch, width: int) -> None:
    script = axe_script()
    # axe is injected by the test, so this context lets an injected script run past the CSP.
    context = open_context(browser, server, watch, bypass_csp=True,
                           viewport={"width": width, "height": 900})
    page = context.new_page()
    found = {}
    for state in ("form", "answer", "errors"):
        page.goto(server.base + "/")
        if state != "form":
            fill(page, form_of(example(TEEN)) if state == "answer" else {"age": "-3", "weight_kg": "x"})
            submit(page)
        page.add_script_tag(path=str(script))
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        found[state] = [(violation["id"], violation["impact"], len(violation["nodes"]))
                        for violation in result["violations"]
                        if violation["impact"] in ("serious", "critical")]
        if state == "answer":
            shot = screenshot(page, f"page-{width}.png")
            assert png_width(shot) == width
            screenshot(page, f"page-{width}-first-screen.png", full_page=False)
            scroll = page.evaluate("document.documentElement.scrollWidth")
            assert scroll <= width  # nothing wider than the screen
    context.close()
    assert found == {"form": [], "answer": [], "errors": []}
    assert watch.outside == []


def test_requests_stay_on_the_service(page: Any, server: Server, watch: Watch) -> None:
    page.goto(server.base + "/")
    fill(page, form_of(example(EXAMPLE_FILES[1])))
    submit(page)
    assert {url.split("/", 3)[2] for url in watch.requests} == {server.base.split("/", 3)[2]}
    assert any(url.endswith("/static/page.css") for url in watch.requests)
    assert AS_OF in page.locator("p.pack").inner_text()
