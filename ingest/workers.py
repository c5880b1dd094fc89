"""Ingest past one process: N worker processes writing to one Chroma server.

The document encoder is CPU-bound in each process (one model call at a time, ``Embedder``), so
a machine with more cores than one encoder uses well is filled by more processes. Every worker
reads all the files (cheap next to encoding) and takes the articles whose id hashes to it: an
article, even one given twice in different files, belongs to exactly one worker and is written
once. Each write commits whole (``ingest.index.writes``), so readers and the keyword index see
the same articles whichever worker wrote them.

Embedded Chroma is one process's folder; workers need ``NEWSDESK_CHROMA_URL``.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from ingest.pipeline import IngestReport
from ingest.settings import IndexSettings
from ingest.sources.files import load_paths
from ingest.sources.records import LoadedArticle, LoadError


class WorkersNeedServer(ValueError):
    """More than one worker asked for with an embedded index."""


def share_of(article_id: str, workers: int) -> int:
    """The worker an article belongs to: a stable hash, the same in every process."""
    digest = hashlib.sha256(article_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % workers


def shared(
    items: Iterable[LoadedArticle | LoadError], worker: int, workers: int
) -> Iterator[LoadedArticle | LoadError]:
    """Worker ``worker``'s articles; the files' load errors go to worker 0 only."""
    for item in items:
        if isinstance(item, LoadError):
            if worker == 0:
                yield item
        elif share_of(item.article.id, workers) == worker:
            yield item


def ingest_in_workers(settings: IndexSettings, paths: list[Path], workers: int) -> IngestReport:
    """One report for the whole run: the workers' counts added up, ``seconds`` the wall time."""
    if workers > 1 and not settings.chroma_url:
        raise WorkersNeedServer(
            "several ingest workers write to one Chroma server: set NEWSDESK_CHROMA_URL "
            "(e.g. to a `chroma run` server), or use one worker with an embedded index"
        )
    started = time.perf_counter()
    context = multiprocessing.get_context("spawn")  # no forked copies of a loaded model
    threads = max(1, (os.cpu_count() or 1) // workers)
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        futures = [
            pool.submit(_work, settings, paths, worker, workers, threads)
            for worker in range(workers)
        ]
        reports = [future.result() for future in futures]
    total = IngestReport()
    for report in reports:
        for name in ("new", "updated", "unchanged", "failed", "chunks_written"):
            setattr(total, name, getattr(total, name) + getattr(report, name))
        total.errors += report.errors
        total.article_ids += report.article_ids
        total.assumed += report.assumed
    total.seconds = time.perf_counter() - started
    return total


def _work(
    settings: IndexSettings, paths: list[Path], worker: int, workers: int, threads: int
) -> IngestReport:
    """In a worker process: its share of the articles, through the usual pipeline. Its
    encoder gets its share of the cores: N encoders each on every core slow one another."""
    import torch

    from ingest.pipeline import build_ingestor

    torch.set_num_threads(threads)
    ingestor = build_ingestor(settings)
    return ingestor.run(shared(load_paths(paths), worker, workers))
