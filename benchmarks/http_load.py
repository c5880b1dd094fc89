"""Concurrent load on /search and /ask against a real `newsdesk serve` process.

Starts the server on a free loopback port over a fresh index (the sample article plus the
first N MultiHop-RAG articles, posted through POST /articles), or targets --url. Then, for each
endpoint in turn, C clients send MultiHop-RAG questions back to back for S seconds, and the
script prints requests/s, p50/p95/p99 latency and the error count.

    python -m benchmarks.http_load --clients 16 --seconds 30
    python -m benchmarks.http_load --url http://127.0.0.1:8000 --api-key KEY

The load generator shares the machine with the server, so figures are a floor for the server.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import httpx
import numpy as np

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "datasets" / "multihop-rag" / "corpus.json"
QUESTIONS = SHARED / "datasets" / "multihop-rag" / "MultiHopRAG.json"
SAMPLE = SHARED / "samples" / "north-korean-troops-kursk.txt"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def local_server(articles: int):
    """`newsdesk serve` over a temporary data dir, filled through the API."""
    data_dir = Path(tempfile.mkdtemp(prefix="newsdesk-bench-"))
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
    env.update(
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        ANONYMIZED_TELEMETRY="False",
        NEWSDESK_DATA_DIR=str(data_dir),
        NEWSDESK_COLLECTION_PREFIX="bench" + uuid.uuid4().hex[:8],
        NEWSDESK_LOG_LEVEL="WARNING",
    )
    log = (data_dir / "server.log").open("w")
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "newsdesk"), "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc)
        records = json.loads(CORPUS.read_text(encoding="utf-8"))[:articles]
        title, _, body = SAMPLE.read_text(encoding="utf-8").partition("\n")
        records.append({"title": title.strip(), "body": body.strip(), "source": "Sample"})
        started = time.perf_counter()
        response = httpx.post(f"{url}/articles", json=records, timeout=1800)
        response.raise_for_status()
        report = response.json()
        print(
            f"indexed {len(records)} articles ({report['chunks_written']} chunks) through "
            f"POST /articles in {time.perf_counter() - started:.1f} s",
            file=sys.stderr,
        )
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def wait_healthy(url: str, proc: subprocess.Popen | None = None, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise SystemExit("the server exited during start-up")
        try:
            if httpx.get(f"{url}/health", timeout=2).json().get("status") == "ok":
                return
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(0.3)
    raise SystemExit(f"{url} did not become healthy")


async def load(
    url: str, endpoint: str, questions: list[str], clients: int, seconds: float, key: str | None
) -> dict:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    latencies: list[float] = []
    errors = 0
    deadline = time.monotonic() + seconds

    async def client(worker: int, http: httpx.AsyncClient) -> None:
        nonlocal errors
        i = worker
        while time.monotonic() < deadline:
            question = questions[i % len(questions)]
            i += clients
            started = time.perf_counter()
            try:
                if endpoint == "/search":
                    response = await http.get("/search", params={"q": question, "k": 8})
                else:
                    response = await http.post("/ask", json={"question": question})
                ok = response.status_code == 200
            except httpx.HTTPError:
                ok = False
            if ok:
                latencies.append(time.perf_counter() - started)
            else:
                errors += 1

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=120, limits=limits) as http:
        started = time.perf_counter()
        await asyncio.gather(*(client(w, http) for w in range(clients)))
        elapsed = time.perf_counter() - started
    ms = np.array(latencies) * 1000 if latencies else np.array([np.nan])
    return {
        "endpoint": endpoint,
        "clients": clients,
        "seconds": round(elapsed, 1),
        "requests": len(latencies),
        "errors": errors,
        "rps": round(len(latencies) / elapsed, 2),
        "p50_ms": round(float(np.percentile(ms, 50)), 1),
        "p95_ms": round(float(np.percentile(ms, 95)), 1),
        "p99_ms": round(float(np.percentile(ms, 99)), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="Benchmark this running server instead of starting one.")
    parser.add_argument("--api-key", default=os.environ.get("NEWSDESK_BENCH_KEY"))
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--articles", type=int, default=50, help="MultiHop-RAG articles to index.")
    parser.add_argument("--endpoints", nargs="+", default=["/search", "/ask"])
    parser.add_argument("--json", action="store_true", help="Print JSON lines, not a table.")
    args = parser.parse_args()

    questions = [q["query"] for q in json.loads(QUESTIONS.read_text(encoding="utf-8"))[:500]]
    with local_server(args.articles) if args.url is None else _existing(args.url) as url:
        results = [
            asyncio.run(load(url, ep, questions, args.clients, args.seconds, args.api_key))
            for ep in args.endpoints
        ]
    if args.json:
        for row in results:
            print(json.dumps(row))
        return
    print(
        f"{'endpoint':<10}{'clients':>8}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}"
        f"{'p99 ms':>9}{'requests':>10}{'errors':>8}"
    )
    for r in results:
        print(
            f"{r['endpoint']:<10}{r['clients']:>8}{r['rps']:>9.2f}{r['p50_ms']:>9.1f}"
            f"{r['p95_ms']:>9.1f}{r['p99_ms']:>9.1f}{r['requests']:>10}{r['errors']:>8}"
        )


@contextmanager
def _existing(url: str):
    wait_healthy(url, timeout=30)
    yield url.rstrip("/")


if __name__ == "__main__":
    main()
