"""The chat page at / and its static files: a browser client of /chat/stream."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from service.api.headers import CHAT_PAGE_POLICY

STATIC = Path(__file__).resolve().parents[1] / "static"
router = APIRouter()


@router.get("/", include_in_schema=False)
async def chat_page() -> FileResponse:
    return FileResponse(
        STATIC / "index.html", headers={"Content-Security-Policy": CHAT_PAGE_POLICY}
    )


def add_chat_page(app: FastAPI) -> None:
    """The page, open without an API key (it asks for one), and /static beside it."""
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
