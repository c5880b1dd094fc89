"""Headers every response carries, whichever layer answered it."""

from __future__ import annotations

import pytest

from service.api.app import create_app
from tests.service.api.bodies import ARTICLE

pytestmark = pytest.mark.integration


def test_every_response_says_nosniff(settings_factory):
    from fastapi.testclient import TestClient

    app = create_app(settings_factory(max_body_bytes=2048), preload=False)

    @app.get("/fails")
    async def fails() -> None:
        raise RuntimeError("a bug")

    with TestClient(app) as client:
        responses = {
            "page": client.get("/"),
            "static file": client.get("/static/app.js"),
            "health": client.get("/health"),
            "not found": client.get("/no-such-route"),
            "invalid": client.post("/ask", json={}),
            "too large": client.post("/articles", json={**ARTICLE, "body": "word " * 1000}),
            "internal error": client.get("/fails"),
        }
    assert [r.status_code for r in responses.values()] == [200, 200, 200, 404, 422, 413, 500]
    for name, response in responses.items():
        assert response.headers.get("x-content-type-options") == "nosniff", name
