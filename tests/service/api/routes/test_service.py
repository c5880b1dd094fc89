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
        loading = client.get("/health").json()
        assert (loading["status"], loading["model_ready"]) == ("loading", False)
        client.get("/articles", headers={"Authorization": "Bearer key-one"})
        ready = client.get("/health").json()
        assert (ready["status"], ready["index_ready"], ready["articles"]) == ("ok", True, 0)
