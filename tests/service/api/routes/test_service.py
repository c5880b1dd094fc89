"""/health and /metrics."""

from __future__ import annotations

import pytest

from tests.service.api.bodies import QUESTION

pytestmark = pytest.mark.integration


def test_metrics_count_routes_stages_and_index(client):
    client.post("/ask", json={"question": QUESTION})
    client.get("/answers/nope")
    text = client.get("/metrics").text
    assert 'newsdesk_http_requests_total{method="POST",route="/ask",status="200"}' in text
    assert 'route="/answers/{answer_id}",status="404"' in text
    assert 'newsdesk_stage_seconds_count{stage="dense"}' in text
    assert 'newsdesk_answers_total{answerer="extractive",status="answered"}' in text
    index_line = next(x for x in text.splitlines() if x.startswith("newsdesk_index_articles "))
    assert float(index_line.split()[1]) >= 51


def test_health_is_open_and_says_when_the_service_is_ready(fresh):
    with fresh(api_keys="key-one") as client:
        key = {"Authorization": "Bearer key-one"}
        loading = client.get("/health", headers=key).json()
        assert (loading["status"], loading["model_ready"]) == ("loading", False)
        client.get("/articles", headers=key)
        ready = client.get("/health", headers=key).json()
        assert (ready["status"], ready["index_ready"], ready["articles"]) == ("ok", True, 0)


def test_health_tells_only_the_status_to_callers_without_a_key(fresh):
    with fresh(api_keys="key-one") as client:
        client.get("/articles", headers={"Authorization": "Bearer key-one"})
        assert client.get("/health").json() == {"status": "ok"}
        wrong = client.get("/health", headers={"Authorization": "Bearer key-two"})
        assert wrong.json() == {"status": "ok"}
        full = client.get("/health", headers={"Authorization": "Bearer key-one"}).json()
        assert full["articles"] == 0 and full["embedding_model"] == "all-MiniLM-L6-v2"


def test_health_tells_everything_when_no_keys_are_set(fresh):
    with fresh() as client:
        client.get("/articles")
        health = client.get("/health").json()
        assert (health["status"], health["articles"]) == ("ok", 0)
        assert health["embedding_model"] == "all-MiniLM-L6-v2"


def test_health_says_answers_are_degraded_when_the_local_model_cannot_run(fresh, tmp_path):
    with fresh(answerer=f"local:{tmp_path / 'missing.gguf'}") as client:
        client.get("/articles")
        health = client.get("/health").json()
        assert health["status"] == "degraded" and health["index_ready"]
        assert "missing.gguf" in health["detail"]
