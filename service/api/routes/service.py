"""/health (open, for load balancers) and /metrics (Prometheus): how the service is doing."""

from __future__ import annotations

from fastapi import APIRouter, Response
from starlette.concurrency import run_in_threadpool

from service.api.deps import AppMetrics, AppSettings, Holder
from service.api.prometheus import CONTENT_TYPE
from service.api.schemas import Health

health_router = APIRouter()
metrics_router = APIRouter()


@health_router.get("/health", response_model=Health, tags=["service"])
async def health(holder: Holder, settings: AppSettings) -> Health:
    """Open without an API key: whether the model is loaded and the index reachable."""
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
    return Health(
        status="ok",
        model_ready=True,
        index_ready=True,
        embedding_model=settings.embedding_model,
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
