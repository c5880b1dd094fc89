"""A synthetic index of any size for the latency and scale benchmarks, built once and cached.

MultiHop-RAG articles, chunked as ingest chunks them, replicated (each copy under a new article
id, its own story) until the index holds the chunks asked for, with seeded random unit vectors
instead of embeddings: the scale test costs no model time. It measures cost, not quality.

Rows are written in the index's own schema (``ingest.index.schema``, write-keyed chunks
committed by their article records) in batches of Chroma's maximum size: one intent and one
generation bump per article (``NewsIndex.write_article``) would take hours at a million chunks.
A batch's chunks are stored before its records, so a build cut short leaves only chunks no
record names, which opening the index sweeps away; the build then resumes after the last copy
it committed. Cached under ``~/.cache/newsdesk/bench-index/synthetic-{chunks}-{seed}``, with the
insertion rates in ``build.json`` beside the store.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from evals.datasets import load_multihop
from evals.settings import EvalSettings
from ingest.chunking import Chunker
from ingest.embedding import get_embedder
from ingest.index.schema import STORY_KEY, article_metadata, chunk_metadata
from ingest.index.store import NewsIndex
from ingest.index.versions import HASH_KEY, VERSION_KEY
from ingest.index.writes import WRITE_KEY, new_write, stored_key
from ingest.models import Article, Chunk
from service.settings import Settings


def synthetic_settings(base: Settings, target: int, seed: int, build: bool = True) -> Settings:
    """Settings pointing at the cached synthetic index of ``target`` chunks, built (or its
    build resumed) if short of them, unless ``build`` is False."""
    settings = base.model_copy(
        update={
            "data_dir": EvalSettings().root / "bench-index" / f"synthetic-{target}-{seed}",
            "collection_prefix": "bench",
        }
    )
    if not build:
        return settings
    embedder = get_embedder(base)
    index = NewsIndex(settings, embedder.fingerprint, embedder.dimension)
    if index.counts()["chunks"] < target:
        chunker = Chunker.for_model(embedder, base.chunk_tokens, base.chunk_overlap_tokens)
        originals = [(a, chunker.split(a)) for a in load_multihop().articles]
        write_copies(index, originals, target, seed, settings.data_dir / "build.json")
    return settings


def copies(originals: list[tuple[Article, list[Chunk]]], target: int):
    """(copy number, article copy, its chunks) in a fixed order until ``target`` chunks."""
    written, number = 0, 0
    while written < target:
        for article, chunks in originals:
            if written >= target:
                return
            copy_id = f"{article.id}~copy{number // len(originals)}"
            yield (
                number,
                article.model_copy(update={"id": copy_id}),
                [
                    c.model_copy(
                        update={"id": Chunk.make_id(copy_id, c.index), "article_id": copy_id}
                    )
                    for c in chunks
                ],
            )
            written += len(chunks)
            number += 1


def write_copies(
    index: NewsIndex,
    originals: list[tuple[Article, list[Chunk]]],
    target: int,
    seed: int,
    log_path: Path,
) -> None:
    done = index.counts()["articles"]  # copies are committed in order, whole batches at a time
    log = json.loads(log_path.read_text()) if log_path.is_file() else {"progress": []}
    batch: list[tuple[Article, list[Chunk], np.ndarray]] = []
    started = time.perf_counter() - (log["progress"][-1]["seconds"] if log["progress"] else 0)
    for number, article, chunks in copies(originals, target):
        if number < done:
            continue
        rng = np.random.default_rng([seed, number])  # a resumed build writes the same vectors
        vectors = rng.standard_normal((len(chunks), index.dimension)).astype(np.float32)
        batch.append((article, chunks, vectors / np.linalg.norm(vectors, axis=1, keepdims=True)))
        if sum(len(c) for _, c, _ in batch) >= index._max_batch:
            commit(index, batch)
            batch.clear()
            record(index, log, log_path, started)
    if batch:
        commit(index, batch)
    index._bump_generation()
    record(index, log, log_path, started)


def commit(index: NewsIndex, batch: list[tuple[Article, list[Chunk], np.ndarray]]) -> None:
    write = new_write()
    chunks = [c for _, cs, _ in batch for c in cs]
    vectors = np.concatenate([v for _, _, v in batch])
    for i in range(0, len(chunks), index._max_batch):
        part = chunks[i : i + index._max_batch]
        index.chunks.add(
            ids=[stored_key(c.id, write) for c in part],
            documents=[c.text for c in part],
            embeddings=vectors[i : i + len(part)],
            metadatas=[chunk_metadata(c) for c in part],
        )
    means = np.stack([v.mean(axis=0) for _, _, v in batch])
    index.articles.upsert(
        ids=[a.id for a, _, _ in batch],
        documents=[a.body for a, _, _ in batch],
        embeddings=means / np.linalg.norm(means, axis=1, keepdims=True),
        metadatas=[
            article_metadata(a, len(cs))
            | {WRITE_KEY: write, STORY_KEY: a.id, VERSION_KEY: 1, HASH_KEY: a.text_hash}
            for a, cs, _ in batch
        ],
    )


def record(index: NewsIndex, log: dict, log_path: Path, started: float) -> None:
    chunks = index.counts()["chunks"]
    seconds = time.perf_counter() - started
    log["progress"].append({"chunks": chunks, "seconds": round(seconds, 1)})
    log_path.write_text(json.dumps(log, indent=1))
    print(f"  {chunks} chunks in {seconds:.0f} s ({chunks / seconds:.0f} rows/s)", flush=True)


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Build (or resume) a cached synthetic index.")
    parser.add_argument("--chunks", type=int, required=True)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    print(synthetic_settings(Settings(), args.chunks, args.seed).data_dir)
