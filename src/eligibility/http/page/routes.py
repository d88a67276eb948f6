"""The page's routes: the form (``GET /``, ``GET /assess``), the answer (``POST /assess``)
and its own two static files.

Server-rendered through Jinja2 with autoescaping on, so any text a profile or a pack
carries is text in the page, never markup. Every response carries a strict
Content-Security-Policy (scripts, styles and requests to this origin only; no inline
script or style), ``no-store`` and no referrer: the page makes no request to any other
host, and nothing the clinician typed is kept by the server, a cache or the next site.
The body is read here (``form.read_body``): no session, no cookie, no log of it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from importlib import resources

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from eligibility.http.page.answer import Answer, answer
from eligibility.http.page.form import (
    AGE_UNITS,
    AS_OF,
    CONTROLS,
    MAX_BODY,
    NONE_KNOWN,
    FormInput,
    FormUnreadable,
    read_body,
    read_form,
)
from eligibility.http.page.packs import PackChooser, pack_chooser
from eligibility.model.fields import BIRTH_DATE

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
       "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
HEADERS: Mapping[str, str] = {
    "Content-Security-Policy": CSP,
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}
STATIC: Mapping[str, str] = {"page.css": "text/css; charset=utf-8",
                             "page.js": "text/javascript; charset=utf-8",
                             "icon.svg": "image/svg+xml"}
FORM_TYPE = "application/x-www-form-urlencoded"


def _environment() -> Environment:
    return Environment(loader=PackageLoader("eligibility.http.page", "templates"),
                       autoescape=select_autoescape(("html",), default=True),
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def page_router(rules: str | None = None,
                today: Callable[[], dt.date] = dt.date.today) -> APIRouter:
    """The page as a router to include in the service's app.

    ``rules``: the default pack (the service's configured one; else the user's default).
    ``today``: the assessment date when the form gives none (a birth date needs one).
    """
    packs = pack_chooser(rules)
    templates = _environment()
    static = {name: resources.files("eligibility.http.page").joinpath("static", name).read_bytes()
              for name in STATIC}
    router = APIRouter(include_in_schema=False)

    def refused(code: int, message: str) -> HTMLResponse:
        html = templates.get_template("refused.html").render(message=message)
        return HTMLResponse(html, status_code=code, headers=dict(HEADERS))

    def render(form: FormInput | None, result: Answer | None, status_code: int = 200) -> HTMLResponse:
        chosen = form.rules if form is not None and form.rules in packs.choices else packs.default
        html = templates.get_template("page.html").render(
            form=form, typed=form.typed if form is not None else {},
            ticked=form.ticked if form is not None else {},
            as_of=(form.as_of if form is not None else today()).isoformat(),
            answer=result, errors=result.errors if result is not None else {},
            packs=packs, chosen=chosen, newer=packs.newer_note(chosen),
            controls=CONTROLS, none_known=NONE_KNOWN, age_units=AGE_UNITS,
            birth_date=BIRTH_DATE, as_of_name=AS_OF)
        return HTMLResponse(html, status_code=status_code, headers=dict(HEADERS))

    @router.get("/", response_class=HTMLResponse)
    @router.get("/assess", response_class=HTMLResponse)
    def form_page() -> HTMLResponse:
        return render(None, None)

    @router.post("/assess", response_class=HTMLResponse)
    async def assess(request: Request) -> HTMLResponse:
        kind = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if kind != FORM_TYPE:
            return refused(415, f"send the form as {FORM_TYPE}")
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY:  # read_body refuses it: stop reading here
                break
        try:
            form = read_form(read_body(bytes(body)), today(), packs.default)
        except FormUnreadable as error:
            return refused(413 if "larger" in str(error) else 400, str(error))
        result = answer(form, packs)
        return render(form, result, 422 if result.errors else 200)

    @router.get("/static/{name}")
    def static_file(name: str) -> Response:
        if name not in STATIC:
            return Response("not found\n", status_code=404, media_type="text/plain",
                            headers=dict(HEADERS))
        return Response(static[name], media_type=STATIC[name],
                        headers={**HEADERS, "Cache-Control": "no-cache"})

    return router


__all__ = ["CSP", "PackChooser", "page_router"]
