"""Ingest past one process: 1 vs N workers writing to one local Chroma server, same articles.

    python -m benchmarks.ingest_workers [--limit 60] [--workers 1 2] [--encoder bf16]
        [--rounds 2] [--json]

Every row ingests the same MultiHop-RAG articles into fresh collections of one `chroma run`
server on 127.0.0.1 through ``ingest.workers`` (``newsdesk ingest --workers N``), timed as a
whole: start-up of the worker processes and their model loads included, as a user waits for
them. Each row is the best of ``--rounds`` (alternating order). A last row writes the same
chunks with random vectors and no encoder in this process: how fast the server takes writes,
the ceiling N workers share on a machine with cores to spare.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
import uuid
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import numpy as np
from pydantic import BaseModel

from benchmarks.ingest_speed import CORPUS, ENCODERS
from ingest.chunking import Chunker
from ingest.embedding import get_embedder
from ingest.index.store import NewsIndex
from ingest.sources.records import article_from_record
from ingest.workers import ingest_in_workers
from service.settings import Settings
from tests.support.chroma_server import local_chroma_server


class Row(BaseModel):
    name: str
    workers: int
    seconds: float
    articles: int
    chunks: int
    articles_per_s: float
    chunks_per_s: float
    vs_one_worker: float | None = None


class Result(BaseModel):
    articles: int
    encoder: str
    rounds: int
    cores: int
    rows: list[Row]


def _ingest(settings: Settings, corpus: Path, workers: int, articles: int) -> Row:
    fresh = settings.model_copy(update={"collection_prefix": "w" + uuid.uuid4().hex[:10]})
    report = ingest_in_workers(fresh, [corpus], workers)
    if not report.ok or report.new != articles:
        raise SystemExit(f"{workers} workers: {report.new} new, errors {report.errors[:3]}")
    return Row(
        name=f"newsdesk ingest --workers {workers}",
        workers=workers,
        seconds=report.seconds,
        articles=articles,
        chunks=report.chunks_written,
        articles_per_s=articles / report.seconds,
        chunks_per_s=report.chunks_written / report.seconds,
    )


def _writes_only(settings: Settings, records: list[dict]) -> Row:
    """The server's write rate: the articles' chunks with random unit vectors, no encoder."""
    embedder = get_embedder(settings)
    chunker = Chunker.for_model(embedder, settings.chunk_tokens, settings.chunk_overlap_tokens)
    articles = [article_from_record(r) for r in records]
    rng = np.random.default_rng(0)
    items = []
    for article in articles:
        chunks = chunker.split(article)
        vectors = rng.standard_normal((len(chunks), embedder.dimension)).astype(np.float32)
        items.append((article, chunks, vectors / np.linalg.norm(vectors, axis=1, keepdims=True)))
    fresh = settings.model_copy(update={"collection_prefix": "w" + uuid.uuid4().hex[:10]})
    index = NewsIndex(fresh, embedder.fingerprint, embedder.dimension)
    started = time.perf_counter()
    for i in range(0, len(items), 20):  # the pipeline's batches hold ~20 articles
        index.write_articles(items[i : i + 20])
    seconds = time.perf_counter() - started
    chunks = sum(len(c) for _, c, _ in items)
    return Row(
        name="server writes alone (no encoder)",
        workers=1,
        seconds=seconds,
        articles=len(items),
        chunks=chunks,
        articles_per_s=len(items) / seconds,
        chunks_per_s=chunks / seconds,
    )


def run(records: list[dict], workers: list[int], encoder: str, rounds: int) -> Result:
    best: dict[int, Row] = {}
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        corpus = tmp / "articles.json"
        corpus.write_text(json.dumps(records), encoding="utf-8")
        with local_chroma_server(tmp / "chroma", log=tmp / "server.log") as url:
            settings = Settings(
                _env_file=None, data_dir=tmp / "data", chroma_url=url, document_encoder=encoder
            )
            for round_ in range(rounds):
                for n in workers if round_ % 2 == 0 else reversed(workers):
                    row = _ingest(settings, corpus, n, len(records))
                    if n not in best or row.seconds < best[n].seconds:
                        best[n] = row
            writes = _writes_only(settings, records)
    rows = [best[n] for n in workers]
    one = best.get(1)
    for row in rows:
        row.vs_one_worker = row.articles_per_s / one.articles_per_s if one else None
    return Result(
        articles=len(records),
        encoder=encoder,
        rounds=rounds,
        cores=os.cpu_count() or 1,
        rows=[*rows, writes],
    )


def _print(result: Result) -> None:
    print(
        f"{result.articles} MultiHop-RAG articles, one local Chroma server, document encoder "
        f"{result.encoder}, {result.cores} cores; best of {result.rounds} rounds"
    )
    print(f"{'':36s} {'seconds':>8s} {'chunks':>7s} {'art/s':>7s} {'chunks/s':>9s} {'vs 1':>6s}")
    for row in result.rows:
        ratio = f"{row.vs_one_worker:6.2f}" if row.vs_one_worker is not None else ""
        print(
            f"{row.name:36s} {row.seconds:8.1f} {row.chunks:7d} {row.articles_per_s:7.2f} "
            f"{row.chunks_per_s:9.1f} {ratio}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--limit", type=int, default=60, help="First N articles.")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--encoder", choices=ENCODERS, default=Settings().document_encoder)
    parser.add_argument("--rounds", type=int, default=2, help="Runs of each row; the best counts.")
    parser.add_argument("--json", action="store_true", help="Print the figures as JSON.")
    args = parser.parse_args()

    records = json.loads(args.corpus.read_text(encoding="utf-8"))[: args.limit]
    result = run(records, args.workers, args.encoder, args.rounds)
    print(result.model_dump_json(indent=2) if args.json else "", end="")
    if not args.json:
        _print(result)


if __name__ == "__main__":
    main()
