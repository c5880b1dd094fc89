"""Ingest throughput: end-to-end chunks/s next to the raw model's chunks/s on the same chunks.

    python -m benchmarks.ingest_speed [--limit N] [--dtype float32|bfloat16]

Ingests the MultiHop-RAG corpus (or its first N articles) into a temporary embedded index,
then encodes exactly the same chunk texts with SentenceTransformer.encode alone. The ratio says
how much of the time goes to anything but the model (loading, chunking, writing to Chroma).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from ingest.embedding import get_embedder
from ingest.index.schema import contextual_text
from ingest.pipeline import build_ingestor
from ingest.sources.records import article_from_record
from service.settings import Settings

CORPUS = Path(__file__).resolve().parents[2] / "shared/datasets/multihop-rag/corpus.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--limit", type=int, default=None, help="First N articles only.")
    parser.add_argument("--dtype", choices=["float32", "bfloat16"], default="float32")
    args = parser.parse_args()

    records = json.loads(args.corpus.read_text(encoding="utf-8"))[: args.limit]
    articles = [article_from_record(r) for r in records]
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(_env_file=None, data_dir=Path(tmp), embedding_dtype=args.dtype)
        embedder = get_embedder(settings)
        embedder.embed(["warm up the model"])
        ingestor = build_ingestor(settings, embedder=embedder)

        started = time.perf_counter()
        report = ingestor.ingest_articles(articles)
        pipeline_s = time.perf_counter() - started

        texts = [contextual_text(c) for a in articles for c in ingestor.chunker.split(a)]
        started = time.perf_counter()
        embedder.model.encode(texts, batch_size=settings.embedding_batch_size)
        encode_s = time.perf_counter() - started

    pipeline_rate = report.chunks_written / pipeline_s
    encode_rate = len(texts) / encode_s
    print(f"articles            {len(articles)} ({report.failed} failed)")
    print(f"chunks              {report.chunks_written}")
    print(f"dtype               {args.dtype}")
    print(f"pipeline            {pipeline_s:8.1f} s  {pipeline_rate:7.1f} chunks/s")
    print(f"raw encode          {encode_s:8.1f} s  {encode_rate:7.1f} chunks/s")
    print(f"pipeline / encode   {pipeline_rate / encode_rate:8.2f}  (1.00 = no overhead)")


if __name__ == "__main__":
    main()
