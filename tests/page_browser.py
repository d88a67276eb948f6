"""The clinician page in a real browser: ``eligibility serve`` in its own process on
127.0.0.1 and Debian's Chromium driven headless by Playwright (never a browser Playwright
downloads).

Locally, without Chromium or Playwright the browser tests skip; in CI (``CI`` set) a
missing browser, Playwright or axe-core fails them. Every browser context refuses and
records any request to a host but the service, and every console error is recorded.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from http_support import serve
from page_forms import AS_OF

from eligibility.cli.serve_cmd import INSECURE_WARNING

CHROMIUM = Path(os.environ.get("ELIGIBILITY_CHROMIUM", "/usr/bin/chromium"))
#: What Chromium needs on this machine (root, a closed network); Playwright gives each
#: launch a new, empty --user-data-dir of its own.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
#: axe-core from the npm registry, installed by .ci/run (npm install --prefix build/axe).
AXE = Path(os.environ.get("ELIGIBILITY_AXE", ROOT / "build" / "axe" / "node_modules" / "axe-core"
                          / "axe.min.js"))
ARTIFACTS = Path(os.environ.get("ELIGIBILITY_ARTIFACTS", ROOT / "build" / "artifacts"))
REFUSED_FORM = "the server responded with a status of 422"


def missing(what: str) -> None:
    """Skip locally; fail in CI, where the browser is part of what is tested."""
    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing: .ci/run installs it")
    pytest.skip(f"{what} is missing (optional locally; see the README)")


def sync_api() -> Any:
    try:
        from playwright import sync_api as api
    except ImportError:
        missing("playwright (the test extra)")
    return api


@dataclass
class Server:
    base: str
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


#: The service's configuration for the page: a fixed assessment date, never the clock.
PAGE_CONFIG = """[service]
base_url = "http://127.0.0.1"
as_of = {as_of}
[page]
enabled = true
"""


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``eligibility serve`` itself (the command a clinic runs), in its own process on
    127.0.0.1 at a free port, with ``--insecure-no-auth`` (no EHR calls it here) and a
    configuration that fixes the assessment date; stopped after the tests."""
    folder = tmp_path_factory.mktemp("service")
    config = folder / "page.toml"
    config.write_text(PAGE_CONFIG.format(as_of=AS_OF), encoding="utf-8")
    with serve(config, folder / "serve.log", "--insecure-no-auth") as service:
        if INSECURE_WARNING not in service.stderr():
            raise RuntimeError(f"not the service's own start:\n{service.stderr()}")
        yield Server(service.url, service.log)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        missing(f"Chromium ({CHROMIUM}; Debian's chromium package)")
    api = sync_api()
    with api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                              args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@dataclass
class Watch:
    """What a browser context tried beyond the service, and the console's errors."""

    outside: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


def open_context(browser: Any, server: Server, watch: Watch, **options: Any) -> Any:
    """A fresh context whose every request to another host is aborted and recorded."""
    context = browser.new_context(**{"viewport": {"width": 1280, "height": 900}, **options})

    def route(handle: Any) -> None:
        url = handle.request.url
        watch.requests.append(url)
        if url == server.base or url.startswith(server.base + "/"):
            handle.continue_()
        else:
            watch.outside.append(url)
            handle.abort()

    context.route("**/*", route)
    def console(message: Any) -> None:
        # A form sent back with its errors is a 422 response, which Chromium also logs.
        if message.type == "error" and REFUSED_FORM not in message.text:
            watch.errors.append(message.text)

    context.on("console", console)
    return context


def fill(page: Any, form: Mapping[str, object]) -> None:
    """Enter a form as a clinician would: type, choose, tick."""
    for name in ("age", "birth_date", "as_of", "weight_kg"):
        if name in form:
            page.fill(f"#{name}", str(form[name]))
    for name in ("age_unit", "severity", "topical_response", "systemic_response",
                 "allergy_eczema_link", "rules"):
        if name in form:
            page.select_option(f"#{name}", str(form[name]))
    for name in ("allergies", "conditions"):
        other = []
        ticked = form.get(name, [])
        for code in ticked if isinstance(ticked, list) else [ticked]:
            box = page.locator(f'input[name="{name}"][value="{code}"]')
            if box.count():
                box.check()
            else:
                other.append(str(code))
        if other:
            page.fill(f"#{name}_other", ", ".join(other))


def submit(page: Any) -> None:
    with page.expect_navigation():
        page.click("button[type=submit]")


def overview(page: Any) -> dict[str, tuple[str, str]]:
    """Option name -> (status label, why) as the answer's overview table shows them."""
    rows = {}
    for row in page.locator("table.overview tbody tr").all():
        name = row.locator("th a").inner_text().strip()
        status = row.locator("td").nth(0).inner_text().strip()[1:].strip()
        rows[name] = (status, row.locator("td").nth(1).inner_text().strip())
    return rows


def screenshot(page: Any, name: str, *, full_page: bool = True) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=full_page)
    return path


def png_width(path: Path) -> int:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(data[16:20], "big")


def axe_script() -> Path:
    if not AXE.is_file():
        missing(f"axe-core ({AXE}; .ci/run installs it with npm)")
    return AXE

