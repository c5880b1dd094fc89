"""The API fuzzed against its own OpenAPI document, over real HTTP to the app under uvicorn on
127.0.0.1: no input, whether the document allows or forbids it, causes a server error; every
response is one the document describes (its status, content type, headers and body, each event
of a stream included); and the document and validation agree, what it allows accepted and what
it forbids refused. A bounded number of examples per operation keeps it to a CI budget.

The document is read when the module is collected, from an app configured as the served one
(schemathesis makes one test per operation from it then; its fixture-based loader does not run
under pytest 9.2), and the served app is checked to serve exactly that document.
"""

from __future__ import annotations

import json
import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ingest.pipeline import build_ingestor
from service.api.app import create_app
from service.settings import Settings
from tests.service.api.serving import served

pytestmark = pytest.mark.integration


KEY = "fuzz-key"


def index_settings(data_dir: Path, **overrides: Any) -> Settings:
    """``POST /feeds`` may fetch nothing: every host is refused before any DNS lookup, so the
    fuzzer's URLs never leave the machine (loopback, the one host listed, is refused too)."""
    return Settings(
        _env_file=None,
        data_dir=data_dir,
        collection_prefix="fuzz" + uuid.uuid4().hex[:8],
        fetch_only_hosts=["127.0.0.1"],
        **overrides,
    )


def document(data_dir: Path, **overrides: Any) -> dict[str, Any]:
    return create_app(index_settings(data_dir, **overrides), preload=False).openapi()


with tempfile.TemporaryDirectory() as scratch:
    DOCUMENT = document(Path(scratch) / "open")
    KEYED_DOCUMENT = document(Path(scratch) / "keyed", api_keys=KEY)
schema = schemathesis.openapi.from_dict(DOCUMENT)
keyed_schema = schemathesis.openapi.from_dict(KEYED_DOCUMENT)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
UNSTATABLE = (
    "published_after is later than published_before",
    "the last message must be the user's question",
    "the last message has no text",
    "zero-width or other invisible characters)",
    "String should have at most 2000 characters",
)
"""Rules a JSON schema cannot state (an order between two fields; the last item of an array,
whose text is the question and so has a visible character and at most 2000), stated in the
descriptions instead."""


@schemathesis.check
def valid_data_is_accepted(ctx, response, case) -> bool | None:
    """Input the document allows is not refused as invalid (a 4xx other than auth, a missing
    resource or a conflict), unless by a rule of ``UNSTATABLE`` or by the fetcher's safety
    rules (here every host is refused: see ``index_settings``), a server setting no schema
    can state."""
    if response.status_code == 422:
        body = response.json()
        messages = [e["message"] for e in body.get("errors") or []] or [
            body.get("error", {}).get("message", "")
        ]
        if body.get("rule") or all(m.endswith(UNSTATABLE) for m in messages):
            return None
    return positive_data_acceptance(ctx, response, case)


AGREEMENT = [valid_data_is_accepted, negative_data_rejection]
"""The document and validation agree: what it allows is accepted, what it forbids refused."""
EXAMPLES = 60
"""Generated inputs per operation, on top of the document's examples and schemathesis's
coverage cases (boundaries, each constraint broken in turn): about a minute in all on 2 cores."""
FUZZING = settings(
    deadline=None,
    derandomize=bool(os.environ.get("CI")),
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
"""New inputs on every run on a developer's machine, to find what the last runs missed; the
same inputs on every CI run (which sets CI), so a submission is judged by its own change."""


@pytest.fixture(scope="module")
def fuzzed_url(tmp_path_factory, embedder, sample_article, multihop_articles) -> Iterator[str]:
    """The app over an index of its own, which the fuzzer may write to."""
    index = index_settings(tmp_path_factory.mktemp("fuzzed-index"))
    report = build_ingestor(index, embedder=embedder).ingest_articles(
        [sample_article, *multihop_articles[:2]]
    )
    assert report.ok, report.errors
    with served(create_app(index)) as url:
        yield url


@pytest.fixture(scope="module")
def keyed_url(tmp_path_factory) -> Iterator[str]:
    """The app with API keys set, to callers without one: the guard answers before the index
    is needed, so it has none."""
    settings = index_settings(tmp_path_factory.mktemp("keyed"), api_keys=KEY)
    with served(create_app(settings, preload=False)) as url:
        yield url


def test_the_served_apps_serve_the_fuzzed_documents(fuzzed_url, keyed_url):
    assert httpx.get(f"{fuzzed_url}/openapi.json").json() == DOCUMENT
    assert httpx.get(f"{keyed_url}/openapi.json").json() == KEYED_DOCUMENT


def stream_errors(content: bytes) -> list[dict]:
    """The `error` events of a server-sent event stream."""
    errors, event = [], None
    for line in content.decode().splitlines():
        field, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if not line:
            event = None
        elif field == "event":
            event = value
        elif field == "data" and event == "error":
            errors.append(json.loads(value))
    return errors


@schemathesis.check
def no_server_error_in_a_stream(ctx, response, case) -> bool | None:
    """A stream has answered 200 before it fails: its `error` event carries the status."""
    if not response.headers.get("content-type", [""])[0].startswith("text/event-stream"):
        return None
    failed = [e for e in stream_errors(response.content) if e["status"] >= 500]
    assert not failed, f"the stream failed: {failed}"
    return True


@schema.parametrize()
@settings(FUZZING, max_examples=EXAMPLES)
def test_no_input_causes_a_server_error_or_an_undocumented_response(case, fuzzed_url):
    case.call_and_validate(
        base_url=fuzzed_url,
        checks=[*CHECKS, no_server_error_in_a_stream, *AGREEMENT],
        timeout=60,
    )


@keyed_schema.parametrize()
@settings(FUZZING, max_examples=5)
def test_without_a_key_only_health_answers_and_every_refusal_is_documented(case, keyed_url):
    """Refused with a 401; or a 422 for a body that is not JSON at all, which FastAPI reads
    before the key guard runs; or a 405 for a method the path does not serve."""
    response = case.call_and_validate(base_url=keyed_url, checks=CHECKS, timeout=60)
    assert case.path == "/health" or response.status_code in (401, 405, 422)
