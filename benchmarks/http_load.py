"""Mixed HTTP load with concurrent ingest against a real `newsdesk serve` process (#16).

Starts the server on a free loopback port over a fresh index (the sample article plus the
first N MultiHop-RAG articles, posted through POST /articles), or targets --url. Then, for S
seconds, C clients send a mix of POST /ask and GET /search (MultiHop-RAG questions), GET
/articles and GET /articles/{id}, while W writers POST MultiHop-RAG articles not yet indexed
(then generated ones) and DELETE every second one they added. It prints, per route, requests,
successful req/s, p50/p95/p99 ms of the successful ones and errors (a 5xx, a reset connection or
a timeout; the first few shown), then checks that every acknowledged add is listed by GET
/articles and every acknowledged delete is not.

    python -m benchmarks.http_load --clients 16 --seconds 60 --writers 1
    python -m benchmarks.http_load --repo ../old-checkout --json   # the "before" figures
    python -m benchmarks.http_load --url http://127.0.0.1:8000 --api-key KEY

--repo runs `python -m newsdesk_cli serve` from another source tree with this interpreter, so
one venv measures older code. The load generator shares the machine with the server, so
figures are a floor for the server.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import httpx
import numpy as np

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "datasets" / "multihop-rag" / "corpus.json"
QUESTIONS = SHARED / "datasets" / "multihop-rag" / "MultiHopRAG.json"
SAMPLE = SHARED / "samples" / "north-korean-troops-kursk.txt"
READS = ("POST /ask", "GET /search", "GET /articles", "GET /articles/{id}")
WRITES = ("POST /articles", "DELETE /articles/{id}")
SHOWN_ERRORS = 3


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def local_server(repo: Path, records: list[dict]) -> Iterator[str]:
    """`newsdesk serve` of the tree at `repo` over a temporary data dir, filled through the API.

    Run as `python -m newsdesk_cli` with that tree first on the path, so this venv serves older
    checkouts too (their CLI takes the same `serve --port` and NEWSDESK_* settings)."""
    data_dir = Path(tempfile.mkdtemp(prefix="newsdesk-bench-"))
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
    env.update(
        PYTHONPATH=str(repo),
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        ANONYMIZED_TELEMETRY="False",
        NEWSDESK_DATA_DIR=str(data_dir),
        NEWSDESK_COLLECTION_PREFIX="bench" + uuid.uuid4().hex[:8],
        NEWSDESK_LOG_LEVEL="WARNING",
    )
    log_path = data_dir / "server.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "newsdesk_cli", "serve", "--port", str(port)],
        cwd=repo,
        env=env,
        stdout=log_path.open("w"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc)
        started = time.perf_counter()
        response = httpx.post(f"{url}/articles", json=records, timeout=1800)
        response.raise_for_status()
        print(
            f"serving {repo} (log {log_path}); indexed {len(records)} articles "
            f"({response.json()['chunks_written']} chunks) through POST /articles in "
            f"{time.perf_counter() - started:.1f} s",
            file=sys.stderr,
        )
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextmanager
def existing_server(url: str) -> Iterator[str]:
    wait_healthy(url, timeout=30)
    yield url.rstrip("/")


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


@dataclass
class RouteStats:
    """One route's outcomes. Errors are what a client cannot retry its way around (5xx, reset,
    timeout); any other unexpected status is counted apart as `unexpected`."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    unexpected: int = 0
    messages: list[str] = field(default_factory=list)

    def failed(self, message: str, error: bool = True) -> None:
        if error:
            self.errors += 1
        else:
            self.unexpected += 1
        if len(self.messages) < SHOWN_ERRORS:
            self.messages.append(message)

    def summary(self, route: str, elapsed: float) -> dict:
        ms = np.array(self.latencies) * 1000 if self.latencies else np.array([np.nan])
        return {
            "route": route,
            "requests": len(self.latencies) + self.errors + self.unexpected,
            "rps": round(len(self.latencies) / elapsed, 2),
            "p50_ms": round(float(np.percentile(ms, 50)), 1),
            "p95_ms": round(float(np.percentile(ms, 95)), 1),
            "p99_ms": round(float(np.percentile(ms, 99)), 1),
            "errors": self.errors,
            "unexpected": self.unexpected,
            "messages": self.messages,
        }


@dataclass
class Ledger:
    """What the server acknowledged: adds with a 2xx naming a new article, deletes with a 204."""

    added: set[str] = field(default_factory=set)
    deleted: set[str] = field(default_factory=set)


async def call(
    http: httpx.AsyncClient, stats: RouteStats, method: str, path: str, ok: tuple[int, ...], **kw
) -> httpx.Response | None:
    """One timed request; the response when its status is one of `ok`, else None (counted)."""
    started = time.perf_counter()
    try:
        response = await http.request(method, path, **kw)
    except httpx.HTTPError as exc:
        stats.failed(f"{type(exc).__name__}: {exc}")
        return None
    if response.status_code in ok:
        stats.latencies.append(time.perf_counter() - started)
        return response
    message = f"{response.status_code}: {response.text[:160]}"
    stats.failed(message, error=response.status_code >= 500)
    return None


async def reader(
    number: int,
    http: httpx.AsyncClient,
    stats: dict[str, RouteStats],
    questions: list[str],
    ids: list[str],
    deadline: float,
) -> None:
    """Cycles through the four read routes, each client starting at a different one."""
    for i in itertools.count(number):
        if time.monotonic() >= deadline:
            return
        route = READS[i % len(READS)]
        question = questions[i % len(questions)]
        if route == "POST /ask":
            await call(http, stats[route], "POST", "/ask", (200,), json={"question": question})
        elif route == "GET /search":
            params = {"q": question, "k": 8}
            await call(http, stats[route], "GET", "/search", (200,), params=params)
        elif route == "GET /articles":
            params = {"limit": 20, "offset": i % 3 * 20}
            await call(http, stats[route], "GET", "/articles", (200,), params=params)
        else:
            path = "/articles/" + quote(ids[i % len(ids)], safe="")
            await call(http, stats[route], "GET", path, (200,))


async def writer(
    http: httpx.AsyncClient,
    stats: dict[str, RouteStats],
    articles: Iterator[dict],
    ledger: Ledger,
    deadline: float,
) -> None:
    """Adds one article at a time and deletes the oldest it kept after every second add."""
    kept: list[str] = []
    for n, record in enumerate(articles):
        if time.monotonic() >= deadline:
            return
        response = await call(
            http, stats["POST /articles"], "POST", "/articles", (200, 201), json=record
        )
        if response is not None and response.json()["new"]:
            kept.extend(response.json()["article_ids"])
            ledger.added.update(response.json()["article_ids"])
        if n % 2 == 1 and kept and time.monotonic() < deadline:
            article_id = kept.pop(0)
            path = "/articles/" + quote(article_id, safe="")
            if await call(http, stats["DELETE /articles/{id}"], "DELETE", path, (204,)):
                ledger.deleted.add(article_id)


def writer_articles(corpus: list[dict], writer_number: int, writers: int) -> Iterator[dict]:
    """This writer's share of the not-yet-indexed corpus, then generated articles no one else
    writes (each findable by its own made-up word)."""
    yield from corpus[writer_number::writers]
    for n in itertools.count():
        word = f"quillmoor{writer_number}x{n}x{uuid.uuid4().hex[:6]}"
        yield {
            "title": f"The {word} committee votes on Weir Street",
            "body": f"The {word} committee of Harrowgate met on Tuesday and voted to repave "
            f"Weir Street. Members said the works would start in the spring.",
            "url": f"https://example.org/committees/{word}",
            "source": "Harrowgate Courier",
        }


async def listed_ids(http: httpx.AsyncClient) -> set[str]:
    """Every id GET /articles lists, page by page."""
    ids: set[str] = set()
    for offset in itertools.count(0, 100):
        response = await http.get("/articles", params={"limit": 100, "offset": offset})
        response.raise_for_status()
        page = response.json()
        ids.update(item["id"] for item in page["items"])
        if not page["items"] or offset + 100 >= page["total"]:
            return ids


async def run(url: str, args: argparse.Namespace, questions: list[str], spare: list[dict]) -> dict:
    headers = {"Authorization": f"Bearer {args.api_key}"} if args.api_key else {}
    connections = args.clients + args.writers
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    stats = {route: RouteStats() for route in READS + WRITES}
    ledger = Ledger()
    async with httpx.AsyncClient(
        base_url=url, headers=headers, timeout=args.timeout, limits=limits
    ) as http:
        ids = sorted(await listed_ids(http))
        if not ids:
            raise SystemExit(f"{url} lists no articles to read")
        started = time.perf_counter()
        deadline = time.monotonic() + args.seconds
        await asyncio.gather(
            *(reader(n, http, stats, questions, ids, deadline) for n in range(args.clients)),
            *(
                writer(http, stats, writer_articles(spare, n, args.writers), ledger, deadline)
                for n in range(args.writers)
            ),
        )
        elapsed = time.perf_counter() - started
        listed = await listed_ids(http)
    kept = ledger.added - ledger.deleted
    return {
        "clients": args.clients,
        "writers": args.writers,
        "seconds": round(elapsed, 1),
        "routes": [stats[route].summary(route, elapsed) for route in READS + WRITES],
        "check": {
            "acknowledged_adds": len(ledger.added),
            "acknowledged_deletes": len(ledger.deleted),
            "adds_not_listed": len(kept - listed),
            "deletes_still_listed": len(ledger.deleted & listed),
        },
    }


def print_table(result: dict) -> None:
    print(
        f"{result['clients']} clients, {result['writers']} writer(s), {result['seconds']} s\n"
        f"{'route':<24}{'requests':>9}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        f"{'errors':>8}{'other':>7}"
    )
    for r in result["routes"]:
        print(
            f"{r['route']:<24}{r['requests']:>9}{r['rps']:>8.2f}{r['p50_ms']:>9.1f}"
            f"{r['p95_ms']:>9.1f}{r['p99_ms']:>9.1f}{r['errors']:>8}{r['unexpected']:>7}"
        )
    for r in result["routes"]:
        for message in r["messages"]:
            print(f"  {r['route']}: {message}")
    check = result["check"]
    print(
        f"{check['acknowledged_adds']} adds and {check['acknowledged_deletes']} deletes "
        f"acknowledged: {check['adds_not_listed']} adds not listed, "
        f"{check['deletes_still_listed']} deletes still listed"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="Benchmark this running server instead of starting one.")
    parser.add_argument("--repo", type=Path, default=REPO, help="Source tree to serve.")
    parser.add_argument("--api-key", default=os.environ.get("NEWSDESK_BENCH_KEY"))
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--writers", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--timeout", type=float, default=60.0, help="Per request, in seconds.")
    parser.add_argument("--articles", type=int, default=50, help="MultiHop-RAG articles to index.")
    parser.add_argument("--json", action="store_true", help="Print JSON, not a table.")
    args = parser.parse_args()

    questions = [q["query"] for q in json.loads(QUESTIONS.read_text(encoding="utf-8"))[:500]]
    corpus = json.loads(CORPUS.read_text(encoding="utf-8"))
    title, _, body = SAMPLE.read_text(encoding="utf-8").partition("\n")
    initial = [
        *corpus[: args.articles],
        {"title": title.strip(), "body": body.strip(), "source": "Sample"},
    ]
    server = (
        local_server(args.repo.resolve(), initial)
        if args.url is None
        else existing_server(args.url)
    )
    with server as url:
        result = asyncio.run(run(url, args, questions, corpus[args.articles :]))
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print_table(result)


if __name__ == "__main__":
    main()
