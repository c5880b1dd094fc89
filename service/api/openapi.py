"""What the OpenAPI document says beyond the models: request examples and response docs."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from service.api.errors import PROBLEM
from service.api.schemas import ArticleIn, Problem

DESCRIPTIONS = {
    422: (
        "Invalid request: `errors` names each field and why. A body that is not valid JSON "
        "(a syntax error, not UTF-8, nested too deeply) is this 422 too, on the field `body`."
    ),
    500: "Internal error: the request failed unexpectedly; the error has been logged.",
}


def problem_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """Error statuses a route can answer, each documented as a problem-details body."""
    return {
        code: {
            "model": Problem,
            "description": DESCRIPTIONS.get(code, HTTPStatus(code).phrase),
            "content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for code in codes
    }


STREAM_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": (
            "Server-sent events, in order: `passages`, then `direct` (the direct answer: a "
            "span, a verdict with its claims, or 'the articles do not say'; when there is "
            "one), then `delta` (answer text) with a `citation` after each new marker, then "
            "one `answer` (the full Answer); or an `error` (problem details). A `heartbeat` "
            "event comes every 15 s."
        ),
        "content": {"text/event-stream": {"schema": {"type": "string"}}},
    }
}

ASK_EXAMPLES = {
    "plain": {
        "summary": "A question",
        "value": {"question": "How many North Korean troops were killed or wounded in Kursk?"},
    },
    "filtered": {
        "summary": "Restricted to an outlet and a date range",
        "value": {
            "question": "What did Apple announce?",
            "source": "The Verge",
            "published_after": "2023-11-01",
            "published_before": "2023-12-31",
            "top_k": 5,
        },
    },
}

CHAT_EXAMPLES = {
    "first": {
        "summary": "Start a conversation",
        "value": {"question": "Who did Zelensky say was fighting in Kursk?"},
    },
    "follow-up": {
        "summary": "A follow-up in the same conversation",
        "value": {"question": "and how many were wounded?", "conversation_id": "9b2f…"},
    },
}

ARTICLE_EXAMPLES = {
    "one": {"summary": "One article", "value": ArticleIn.model_json_schema()["examples"][0]},
    "many": {
        "summary": "Several at once",
        "value": [
            ArticleIn.model_json_schema()["examples"][0],
            {
                "title": "Estoria central bank holds rates",
                "text": "The central bank kept its main rate at 4.25 percent…",
                "source": "Estoria Ledger",
                "published": "2024-02-01",
            },
        ],
    },
}
