"""Prometheus metrics: requests and latency per route, per-stage answer timings, index size.

Each app gets its own registry, so several apps in one process (tests, workers) never collide.
Routes are labelled by their template (``/articles/{article_id}``), never the raw path, to keep
the number of series bounded.
"""

from __future__ import annotations

import time

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client import generate_latest as _generate
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.api.asgi import HttpMiddleware
from service.contract import Answer, StageTimings

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
CONTENT_TYPE = CONTENT_TYPE_LATEST


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "newsdesk_http_requests",
            "HTTP requests by route, method and status code.",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "newsdesk_http_request_seconds",
            "Time from request to the end of the response, by route.",
            ["route", "method"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.stages = Histogram(
            "newsdesk_stage_seconds",
            "Time spent in each stage of answering or searching.",
            ["stage"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.answers = Counter(
            "newsdesk_answers",
            "Answers given, by status and answerer.",
            ["status", "answerer"],
            registry=self.registry,
        )
        self.feedback = Counter(
            "newsdesk_feedback", "Feedback received, by rating.", ["rating"], registry=self.registry
        )
        self.streams_abandoned = Counter(
            "newsdesk_streams_abandoned",
            "Answer streams stopped early because the client went away.",
            registry=self.registry,
        )
        self.index_articles = Gauge(
            "newsdesk_index_articles", "Articles in the index.", registry=self.registry
        )
        self.index_chunks = Gauge(
            "newsdesk_index_chunks", "Chunks in the index.", registry=self.registry
        )

    def count_answer(self, answer: Answer) -> None:
        self.answers.labels(answer.status, answer.answerer).inc()
        self.observe_timings(answer.timings)

    def observe_timings(self, timings: StageTimings) -> None:
        for stage, ms in timings.model_dump().items():
            if ms:
                self.stages.labels(stage.removesuffix("_ms")).observe(ms / 1000.0)

    def render(self, counts: dict[str, int] | None) -> bytes:
        """The exposition text; ``counts`` refreshes the index-size gauges when available."""
        if counts is not None:
            self.index_articles.set(counts.get("articles", 0))
            self.index_chunks.set(counts.get("chunks", 0))
        return _generate(self.registry)


class MetricsMiddleware(HttpMiddleware):
    """Counts every HTTP request, including those refused before reaching a route."""

    def __init__(self, app: ASGIApp, metrics: Metrics):
        super().__init__(app)
        self.metrics = metrics

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            route = scope.get("route")
            label = getattr(route, "path", None) or "unmatched"
            method = scope.get("method", "")
            self.metrics.requests.labels(label, method, str(status)).inc()
            self.metrics.latency.labels(label, method).observe(time.perf_counter() - started)
