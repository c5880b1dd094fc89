"""/health (open, for load balancers) and /metrics (Prometheus): how the service is doing."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from service.api.deps import AppMetrics, AppSettings, Holder
from service.api.guards import presents_key
from service.api.prometheus import CONTENT_TYPE
from service.api.schemas import Health, HealthStatus

health_router = APIRouter()
metrics_router = APIRouter()


@health_router.get("/health", response_model=Health | HealthStatus, tags=["service"])
async def health(holder: Holder, settings: AppSettings, request: Request) -> Health | HealthStatus:
    """Open without an API key: whether the model is loaded and the index reachable. With
    keys set, a caller without one learns only the status (not the model or the counts)."""
    report = await _health(holder, settings)
    if presents_key(request.headers.get("authorization"), settings.api_keys):
        return report
    return HealthStatus(status=report.status)


async def _health(holder: Holder, settings: AppSettings) -> Health:
    service = holder.service
    if service is None:
        return Health(
            status="loading" if holder.error is None else "unavailable",
            model_ready=False,
            index_ready=False,
            embedding_model=settings.embedding_model,
            detail=holder.error,
        )
    try:
        counts = await run_in_threadpool(service.index.counts)
    except Exception as exc:
        return Health(
            status="unavailable",
            model_ready=True,
            index_ready=False,
            embedding_model=settings.embedding_model,
            detail=f"index unreachable: {exc}",
        )
    problem = service.llm_problem
    return Health(
        status="degraded" if problem else "ok",
        model_ready=True,
        index_ready=True,
        embedding_model=settings.embedding_model,
        detail=f"answers fall back to quotes: {problem}" if problem else None,
        **counts,
    )


@metrics_router.get(
    "/metrics",
    tags=["service"],
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE: {}}, "description": "Prometheus text."}},
)
async def metrics_text(holder: Holder, metrics: AppMetrics) -> Response:
    """Requests and latency per route, per-stage timings and the index size."""
    counts = None
    if holder.service is not None:
        try:
            counts = await run_in_threadpool(holder.service.index.counts)
        except Exception:
            counts = None
    return Response(metrics.render(counts), media_type=CONTENT_TYPE)
