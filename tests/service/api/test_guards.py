"""Requests refused at the door: oversized bodies (413) and missing or wrong API keys (401)."""

from __future__ import annotations

import pytest

from tests.service.api.bodies import ARTICLE, QUESTION
from tests.service.api.reading import assert_problem

pytestmark = pytest.mark.integration


def test_oversized_bodies_are_refused(fresh):
    with fresh(max_body_bytes=2048) as client:
        big = {**ARTICLE, "body": "word " * 1000}
        assert_problem(client.post("/articles", json=big), 413, "2048")

        def chunked():
            yield b'{"question": "'
            for _ in range(100):
                yield b"x" * 100
            yield b'"}'

        response = client.post(
            "/ask", content=chunked(), headers={"content-type": "application/json"}
        )
        assert_problem(response, 413)
        assert client.get("/articles").json()["total"] == 0


def test_api_keys(fresh):
    with fresh(api_keys="key-one,key-two") as client:
        assert client.get("/health").status_code == 200
        assert client.get("/").status_code == 200
        assert client.get("/static/app.js").status_code == 200
        for path in ("/metrics", "/articles", "/answers/x"):
            assert_problem(client.get(path), 401, "API key")
        missing = client.post("/ask", json={"question": QUESTION})
        assert_problem(missing, 401, "Bearer")
        assert missing.headers["www-authenticate"] == "Bearer"
        wrong = client.get("/articles", headers={"Authorization": "Bearer key-three"})
        assert_problem(wrong, 401, "not valid")
        basic = client.get("/articles", headers={"Authorization": "Basic a2V5LW9uZQ=="})
        assert_problem(basic, 401)
        for key in ("key-one", "key-two"):
            ok = client.get("/articles", headers={"Authorization": f"Bearer {key}"})
            assert ok.status_code == 200


def test_without_a_key_no_path_says_whether_it_exists(fresh):
    with fresh(api_keys="key-one") as client:
        for path in ("/no-such-route", "/stories/a%0Ab", "/articles/a%0Ab/versions"):
            refused = client.get(path)
            assert_problem(refused, 401, "API key")
            assert refused.headers["www-authenticate"] == "Bearer"
        keyed = {"Authorization": "Bearer key-one"}
        assert_problem(client.get("/no-such-route", headers=keyed), 404)
        assert_problem(client.get("/articles/unknown", headers=keyed), 404, "unknown")
