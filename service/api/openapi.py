"""What the OpenAPI document says beyond the models: the errors each route can answer (problem
details, OpenAI's error envelope under /v1), the events of the answer streams, and request
examples.

The error statuses are read off each route when the document is built (``install_openapi``),
so they stay true as routes change: every request may be refused for its size (413) or fail
unexpectedly (500); a route with parameters or a body can refuse them (422); one behind the API
key guard, with keys configured, can refuse the caller (401); one that needs the index can find
it unreachable or still loading (503). A route adds what only it can answer (404).
"""

from __future__ import annotations

from collections.abc import Iterator
from http import HTTPStatus
from typing import Any, get_args

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from fastapi.security.base import SecurityBase
from pydantic.json_schema import models_json_schema

from service.api.deps import Service
from service.api.errors import PROBLEM, speaks_openai
from service.api.schemas import ArticleIn, Problem
from service.contract import StreamEvent
from service.openai_compat.schemas import ErrorBody

COMPONENTS = "#/components/schemas/{model}"
PROBLEM_SCHEMA = {"$ref": COMPONENTS.format(model="Problem")}
ERROR_BODY_SCHEMA = {"$ref": COMPONENTS.format(model="ErrorBody")}
NEEDS_INDEX = Service.__metadata__[0].dependency
HEARTBEAT = "heartbeat"
EVENTS = {model.model_fields["event"].default: model for model in get_args(StreamEvent)}

DESCRIPTIONS = {
    422: (
        "Invalid request: `errors` names each field and why. A body that is not valid JSON "
        "(a syntax error, not UTF-8, nested too deeply) is this 422 too, on the field `body`."
    ),
    500: "Internal error: the request failed unexpectedly; the error has been logged.",
    503: "The index cannot be reached, or is still loading.",
}
HEADERS = {
    401: {
        "WWW-Authenticate": {
            "description": "`Bearer`: the scheme the key is sent with.",
            "schema": {"type": "string"},
        }
    }
}
OPENAI_DESCRIPTIONS = {
    **DESCRIPTIONS,
    404: "Not Found: `error.code` is `model_not_found` for a model other than `newsdesk`.",
    422: (
        "Invalid request: `error.param` names the first field at fault, `error.message` each "
        "field and why. A body that is not valid JSON is this 422 too, on the field `body`."
    ),
}


def problem_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """Error statuses a route can answer, each documented as a problem-details body (only
    ``application/problem+json``: errors are never sent as plain JSON)."""
    return _error_responses(codes, PROBLEM, PROBLEM_SCHEMA, DESCRIPTIONS)


def openai_error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """Error statuses of a /v1 route, each documented as OpenAI's error envelope, sent as
    ``application/json`` as OpenAI sends it."""
    return _error_responses(codes, "application/json", ERROR_BODY_SCHEMA, OPENAI_DESCRIPTIONS)


def _error_responses(
    codes: tuple[int, ...], media_type: str, schema: dict[str, Any], descriptions: dict[int, str]
) -> dict[int | str, dict[str, Any]]:
    responses: dict[int | str, dict[str, Any]] = {}
    for code in codes:
        response = {
            "description": descriptions.get(code, HTTPStatus(code).phrase),
            "content": {media_type: {"schema": schema}},
        }
        if code in HEADERS:
            response["headers"] = HEADERS[code]
        responses[code] = response
    return responses


def _event(name: str, data: dict[str, Any]) -> dict[str, Any]:
    """One server-sent event: its name, and its ``data`` line as JSON of the given schema."""
    return {
        "type": "object",
        "required": ["event", "data"],
        "properties": {
            "event": {"const": name},
            "data": {
                "type": "string",
                "contentMediaType": "application/json",
                "contentSchema": data,
            },
        },
    }


STREAM_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": (
            "Server-sent events, in order: `passages`, then `direct` (the direct answer: a "
            "span, a verdict with its claims, or 'the articles do not say'; when there is "
            "one), then `delta` (answer text) with a `citation` after each new marker, then "
            "one `answer` (the full Answer); or an `error` (problem details). A `heartbeat` "
            "event comes every 15 s. Each event's `data` is one line of JSON."
        ),
        "content": {
            "text/event-stream": {
                "itemSchema": {
                    "oneOf": [
                        *(
                            _event(name, {"$ref": COMPONENTS.format(model=model.__name__)})
                            for name, model in EVENTS.items()
                        ),
                        _event(HEARTBEAT, {"type": "object", "maxProperties": 0}),
                    ]
                }
            }
        },
    }
}


def install_openapi(app: FastAPI) -> None:
    """The document as FastAPI builds it, once each route knows the errors it can answer, with
    the schemas no route names as a model (problem details, stream events)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        # Each route as it was included (with the router's dependencies, such as the guard);
        # FastAPI builds the document again only when the routes have changed.
        for route in iter_route_contexts(app.routes):
            if isinstance(route.original_route, APIRoute) and route.include_in_schema:
                documented = (
                    openai_error_responses if speaks_openai(route.path) else problem_responses
                )
                for code, response in documented(*error_statuses(route)).items():
                    route.responses.setdefault(code, response)
        document = build()
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        for name, schema in _unnamed_schemas().items():
            schemas.setdefault(name, schema)
        return document

    app.openapi = openapi  # type: ignore[method-assign]


def error_statuses(route: APIRoute | RouteContext) -> list[int]:
    """The error statuses a route can answer, from what it takes and depends on."""
    dependants = list(_dependants(route.dependant))
    codes = [413, 500]
    if any(isinstance(d.call, SecurityBase) for d in dependants):
        codes.append(401)
    takes_input = route.body_field is not None or any(
        d.path_params or d.query_params or d.header_params or d.cookie_params for d in dependants
    )
    if takes_input:
        codes.append(422)
    if any(d.call is NEEDS_INDEX for d in dependants):
        codes.append(503)
    return sorted(codes)


def _dependants(dependant: Dependant) -> Iterator[Dependant]:
    yield dependant
    for child in dependant.dependencies:
        yield from _dependants(child)


def _unnamed_schemas() -> dict[str, Any]:
    models = [Problem, ErrorBody, *EVENTS.values()]
    _, schema = models_json_schema(
        [(model, "serialization") for model in models], ref_template=COMPONENTS
    )
    return schema["$defs"]


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
