"""A minimal app with only the clinician page, for tests (``uvicorn page_app:app``)."""

from __future__ import annotations

import datetime as dt

from fastapi import FastAPI

from eligibility.http.page import page_router

app = FastAPI()
app.include_router(page_router(today=lambda: dt.date(2026, 12, 2)))
