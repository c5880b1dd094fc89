"""Reading the API's responses as a client does: problem-details bodies and SSE events."""

from __future__ import annotations

import json

PROBLEM = "application/problem+json"


def parse_sse(text: str) -> list[tuple[str, dict]]:
    """(event, data) pairs from a text/event-stream body."""
    events = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        name, data = "message", []
        for line in block.split("\n"):
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].strip())
        if data:
            events.append((name, json.loads("\n".join(data))))
    return events


def assert_problem(response, status: int, *words: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status and body["title"]
    text = json.dumps(body)
    assert "Traceback" not in text
    for word in words:
        assert word in text, (word, body)
    return body
