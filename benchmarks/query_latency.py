"""Retrieval latency per stage (p50/p95), embedded Chroma and a `chroma run` server.

Two corpora:

- ``multihop``: the MultiHop-RAG index the eval suite caches (build it once with
  ``newsdesk eval --dataset multihop``); the server mode serves a copy of it.
- ``synthetic``: MultiHop-RAG chunks replicated until ``--chunks`` chunks, with random unit
  vectors (``benchmarks.synthetic_index``, built once and cached).

Questions are MultiHop-RAG queries (seeded sample), run through ``Retriever`` exactly as the
service does (query embedding, outlet/date sub-queries, BM25, fusion), without a reranker. The
baseline, timed in the same run on the same questions, is what a plain dense RAG stack does:
embed the question with the model's own ``encode`` and ask Chroma for the top 10 with their text.

    HF_HUB_OFFLINE=1 python -m benchmarks.query_latency --corpus multihop --mode embedded \
        --mode server
    HF_HUB_OFFLINE=1 python -m benchmarks.query_latency --corpus synthetic --chunks 100000 \
        --mode embedded
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np

from benchmarks.synthetic_index import synthetic_settings
from evals.datasets import load_multihop
from evals.runner import index_key
from evals.settings import EvalSettings
from ingest.embedding import get_embedder
from ingest.index.store import NewsIndex
from service.retrieval.retriever import Retriever
from service.settings import Settings
from tests.support.chroma_server import local_chroma_server

STAGES = ("parse", "embed", "dense", "keyword", "fuse")
AS_OF = date(2023, 12, 26)


def multihop_settings(base: Settings) -> Settings:
    dataset = load_multihop()
    key = index_key(dataset, base, get_embedder(base).fingerprint)
    folder = EvalSettings().index_cache / key
    if not (folder / "chroma").is_dir():
        sys.exit(f"no cached index at {folder}: run `newsdesk eval --dataset multihop` first")
    return base.model_copy(update={"data_dir": folder, "collection_prefix": "eval"})


def measure(settings: Settings, questions: list[str], warmup: int) -> dict[str, object]:
    embedder = get_embedder(settings)
    index = NewsIndex(settings, embedder.fingerprint, embedder.dimension)
    retriever = Retriever(settings.model_copy(update={"reranker_model": None}), index, embedder)
    started = time.perf_counter()
    retriever.keywords.refresh()
    keyword_build = time.perf_counter() - started
    for question in questions[:warmup]:
        retriever.retrieve(question, 10, as_of=AS_OF)
    rows: dict[str, list[float]] = {stage: [] for stage in (*STAGES, "total", "baseline")}
    views = []
    for question in questions:  # interleaved, so a change in the machine's load hits both
        started = time.perf_counter()
        result = retriever.retrieve(question, 10, as_of=AS_OF)
        rows["total"].append((time.perf_counter() - started) * 1000)
        timings = result.timings.model_dump()
        for stage in STAGES:
            rows[stage].append(timings[f"{stage}_ms"])
        views.append(1 + len(result.parsed.outlets) + len(result.parsed.dates))
        started = time.perf_counter()
        vector = embedder.embed([question])[0]
        index.chunks.query(
            query_embeddings=[vector.tolist()],
            n_results=10,
            include=["documents", "metadatas", "distances"],
        )
        rows["baseline"].append((time.perf_counter() - started) * 1000)
    baseline = rows["baseline"]
    bm25 = retriever.keywords.refresh().retriever
    memory = {
        "process_rss_mb": rss_mb(os.getpid()),
        "keyword_matrix_mb": round(
            sum(a.nbytes for a in bm25.scores.values() if hasattr(a, "nbytes")) / 2**20, 1
        )
        if bm25
        else 0.0,
    }
    if settings.chroma_url:
        memory["chroma_server_rss_mb"] = sum(rss_mb(pid) for pid in child_pids())
    return {
        "chunks": index.counts()["chunks"],
        "question_encoder": embedder.question_encoder if embedder.onnx_encoder else "torch",
        "total_to_baseline_p50": round(
            float(np.percentile(rows["total"], 50) / np.percentile(baseline, 50)), 2
        ),
        "keyword_index_build_s": round(keyword_build, 1),
        "memory": memory,
        "queries": len(questions),
        "searches_per_query_mean": round(float(np.mean(views)), 2),
        **{
            f"{stage}_ms": {
                "p50": round(float(np.percentile(v, 50)), 1),
                "p95": round(float(np.percentile(v, 95)), 1),
            }
            for stage, v in rows.items()
        },
    }


def rss_mb(pid: int) -> float:
    """Resident memory of a process (Linux ``/proc``)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def child_pids() -> list[int]:
    """This process's children: in server mode, the ``chroma run`` it started."""
    pids = []
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        pids += [int(pid) for pid in (task / "children").read_text().split()]
    return pids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", choices=["multihop", "synthetic"], default="multihop")
    parser.add_argument("--chunks", type=int, default=100_000, help="Synthetic corpus size.")
    parser.add_argument(
        "--mode", choices=["embedded", "server"], action="append", help="Repeatable."
    )
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument(
        "--as-built",
        action="store_true",
        help="Measure the cached synthetic index as it stands, even if its build stopped short.",
    )
    parser.add_argument("--json-out", type=Path, help="Also write the JSON report here.")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument(
        "--question-metadata",
        choices=["off", "subqueries", "filter"],
        default=None,
        help="Override NEWSDESK_QUESTION_METADATA for this run.",
    )
    parser.add_argument(
        "--question-encoder",
        choices=["onnx", "onnx-int8", "torch"],
        default=None,
        help="Override NEWSDESK_QUESTION_ENCODER for this run.",
    )
    args = parser.parse_args()

    base = Settings()
    if args.question_metadata:
        base = base.model_copy(update={"question_metadata": args.question_metadata})
    if args.question_encoder:
        base = base.model_copy(update={"question_encoder": args.question_encoder})
    if args.corpus == "multihop":
        settings = multihop_settings(base)
    else:
        settings = synthetic_settings(base, args.chunks, args.seed, build=not args.as_built)
    questions = [q.question for q in load_multihop().questions]
    questions = random.Random(args.seed).sample(questions, min(args.queries, len(questions)))

    results = {}
    for mode in args.mode or ["embedded"]:
        if mode == "embedded":
            results[mode] = measure(settings, questions, args.warmup)
            continue
        with tempfile.TemporaryDirectory() as tmp:
            served = settings.chroma_dir
            if args.corpus == "multihop":  # the eval cache may be open elsewhere: serve a copy
                served = Path(tmp) / "chroma"
                shutil.copytree(settings.chroma_dir, served)
            with local_chroma_server(served) as url:
                results[mode] = measure(
                    settings.model_copy(update={"chroma_url": url}), questions, args.warmup
                )

    report = json.dumps(
        {
            "corpus": args.corpus,
            "question_metadata": settings.question_metadata,
            "load_average": os.getloadavg(),
            "results": results,
        },
        indent=2,
    )
    print(report)
    if args.json_out:
        args.json_out.write_text(report)
    for mode, r in results.items():
        print(f"\n{args.corpus} · {mode} · {r['chunks']} chunks · {r['queries']} queries")
        print(f"{'stage':<8} {'p50 ms':>8} {'p95 ms':>8}")
        for stage in (*STAGES, "total", "baseline"):
            t = r[f"{stage}_ms"]
            print(f"{stage:<8} {t['p50']:>8} {t['p95']:>8}")
        print(f"total / baseline (p50): {r['total_to_baseline_p50']}")


if __name__ == "__main__":
    main()
