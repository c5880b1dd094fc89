"""Ingest throughput: newsdesk end to end, its encoders alone, and a naive LangChain pipeline.

    python -m benchmarks.ingest_speed [--limit 60] [--encoder bf16] [--rounds 2] [--json]

One process, the same MultiHop-RAG articles for every row, every model loaded and warmed before
its row is timed, each row the best of ``--rounds`` (in alternating order), so the ratios hold
on a busy machine (2 shared cores here) better than the absolute rates do:

- newsdesk: ``newsdesk ingest``'s code path (chunking, the document encoder, Chroma writes)
  into a temporary embedded index, with ``--encoder`` as the document encoder;
- the raw encoders on exactly newsdesk's chunk texts: SentenceTransformer.encode in fp32 (the
  baseline encoder), then each document encoder, with the cosine of its vectors to fp32's;
- the naive LangChain pipeline: RecursiveCharacterTextSplitter 1000/200, HuggingFaceEmbeddings
  on the same local model, Chroma.from_documents into a temporary folder (the ``bench`` extra).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from functools import partial
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from pydantic import BaseModel

from ingest.chunking import Chunker
from ingest.embedding import Embedder, get_embedder
from ingest.index.schema import contextual_text
from ingest.models import Article
from ingest.pipeline import build_ingestor
from ingest.sources.records import article_from_record
from service.settings import Settings

CORPUS = Path(__file__).resolve().parents[2] / "shared/datasets/multihop-rag/corpus.json"
ENCODERS = ("torch", "bf16", "onnx-int8")


class Row(BaseModel):
    name: str
    seconds: float
    articles: int
    chunks: int
    articles_per_s: float | None = None
    chunks_per_s: float
    vs_langchain: float | None = None
    cosine_min: float | None = None
    cosine_mean: float | None = None


class Result(BaseModel):
    articles: int
    encoder: str
    rounds: int
    rows: list[Row]
    newsdesk_vs_langchain: float
    newsdesk_vs_its_encoder: float


def _newsdesk(articles: list[Article], embedder: Embedder, tmp: Path) -> list[Row]:
    settings = Settings(
        _env_file=None, data_dir=tmp / "newsdesk", document_encoder=embedder.document_encoder
    )
    ingestor = build_ingestor(settings, embedder=embedder)
    started = time.perf_counter()
    report = ingestor.ingest_articles(articles)
    seconds = time.perf_counter() - started
    if not report.ok:
        raise SystemExit(f"newsdesk ingest failed: {report.errors[:3]}")
    return [
        Row(
            name=f"newsdesk ingest ({embedder.document_encoder})",
            seconds=seconds,
            articles=len(articles),
            chunks=report.chunks_written,
            articles_per_s=len(articles) / seconds,
            chunks_per_s=report.chunks_written / seconds,
        )
    ]


def _encoders(texts: list[str], model_name: str, cache_dir: Path) -> list[Row]:
    fp32 = Embedder(model_name)
    fp32.model.encode(texts[:8])
    started = time.perf_counter()
    reference = fp32.model.encode(texts, batch_size=32, normalize_embeddings=True)
    seconds = time.perf_counter() - started
    rows = [
        Row(
            name="raw encoder: SentenceTransformer fp32",
            seconds=seconds,
            articles=0,
            chunks=len(texts),
            chunks_per_s=len(texts) / seconds,
        )
    ]
    for name in ENCODERS:
        encoder = Embedder(model_name, cache_dir=cache_dir, document_encoder=name)
        encoder.embed_documents(texts[:8])
        started = time.perf_counter()
        vectors = encoder.embed_documents(texts)
        seconds = time.perf_counter() - started
        cosine = (vectors * reference).sum(axis=1)
        rows.append(
            Row(
                name=f"raw encoder: newsdesk {name}",
                seconds=seconds,
                articles=0,
                chunks=len(texts),
                chunks_per_s=len(texts) / seconds,
                cosine_min=float(cosine.min()),
                cosine_mean=float(cosine.mean()),
            )
        )
    return rows


def _langchain(articles: list[Article], model_path: str, tmp: Path) -> list[Row]:
    try:
        from langchain_chroma import Chroma
        from langchain_huggingface import HuggingFaceEmbeddings
    except ImportError as exc:
        raise SystemExit(f"{exc}: install the benchmark extra, pip install -e '.[bench]'") from exc
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    embeddings = HuggingFaceEmbeddings(model_name=model_path)
    embeddings.embed_documents(["warm up the model"])
    started = time.perf_counter()
    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    documents = splitter.create_documents(
        [a.body for a in articles],
        metadatas=[
            {"title": a.title, "source": a.source or "", "url": a.url or ""} for a in articles
        ],
    )
    Chroma.from_documents(
        documents, embeddings, persist_directory=str(tmp / "langchain"), collection_name="naive"
    )
    seconds = time.perf_counter() - started
    return [
        Row(
            name="naive LangChain pipeline",
            seconds=seconds,
            articles=len(articles),
            chunks=len(documents),
            articles_per_s=len(articles) / seconds,
            chunks_per_s=len(documents) / seconds,
        )
    ]


def run(articles: list[Article], encoder: str, rounds: int) -> Result:
    """Each row ``rounds`` times, the order reversed every other round, keeping each row's
    fastest: other jobs on shared cores slow some rows and not others."""
    settings = Settings(_env_file=None, document_encoder=encoder)
    embedder = get_embedder(settings)
    embedder.embed_documents(["warm up the model"])
    chunker = Chunker.for_model(embedder, settings.chunk_tokens, settings.chunk_overlap_tokens)
    texts = [contextual_text(c) for a in articles for c in chunker.split(a)]
    best: dict[str, Row] = {}
    for round_ in range(rounds):
        with tempfile.TemporaryDirectory() as folder:
            tmp = Path(folder)
            steps = [
                partial(_newsdesk, articles, embedder, tmp),
                partial(_encoders, texts, settings.embedding_model, settings.model_cache_dir),
                partial(_langchain, articles, embedder.path, tmp),
            ]
            for step in steps if round_ % 2 == 0 else reversed(steps):
                for row in step():
                    if row.name not in best or row.seconds < best[row.name].seconds:
                        best[row.name] = row
    rows = list(best.values())
    langchain = best["naive LangChain pipeline"]
    for row in rows:
        row.vs_langchain = (
            row.articles_per_s / langchain.articles_per_s
            if row.articles_per_s
            else row.chunks_per_s / langchain.chunks_per_s
        )
    newsdesk = best[f"newsdesk ingest ({encoder})"]
    own = best[f"raw encoder: newsdesk {encoder}"]
    return Result(
        articles=len(articles),
        encoder=encoder,
        rounds=rounds,
        rows=rows,
        newsdesk_vs_langchain=newsdesk.articles_per_s / langchain.articles_per_s,
        newsdesk_vs_its_encoder=newsdesk.chunks_per_s / own.chunks_per_s,
    )


def _print(result: Result) -> None:
    print(
        f"{result.articles} MultiHop-RAG articles; newsdesk document encoder: {result.encoder}; "
        f"best of {result.rounds} rounds"
    )
    print(f"{'':40s} {'seconds':>8s} {'chunks':>7s} {'art/s':>7s} {'chunks/s':>9s} {'ratio':>6s}")
    for row in result.rows:
        rate = f"{row.articles_per_s:7.2f}" if row.articles_per_s else f"{'':7s}"
        cosine = (
            f"  cosine to fp32 min {row.cosine_min:.5f} mean {row.cosine_mean:.5f}"
            if row.cosine_min is not None
            else ""
        )
        print(
            f"{row.name:40s} {row.seconds:8.1f} {row.chunks:7d} {rate} {row.chunks_per_s:9.1f} "
            f"{row.vs_langchain:6.2f}{cosine}"
        )
    print("ratio: articles/s (chunks/s for the encoders alone) over the LangChain pipeline's")
    print(f"newsdesk / LangChain, articles/s   {result.newsdesk_vs_langchain:.2f}")
    print(f"newsdesk / its own encoder, chunks/s {result.newsdesk_vs_its_encoder:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--limit", type=int, default=60, help="First N articles.")
    parser.add_argument("--encoder", choices=ENCODERS, default=Settings().document_encoder)
    parser.add_argument("--rounds", type=int, default=2, help="Runs of each row; the best counts.")
    parser.add_argument("--json", action="store_true", help="Print the figures as JSON.")
    args = parser.parse_args()

    records = json.loads(args.corpus.read_text(encoding="utf-8"))[: args.limit]
    result = run([article_from_record(r) for r in records], args.encoder, args.rounds)
    if args.json:
        print(result.model_dump_json(indent=2))
    else:
        _print(result)


if __name__ == "__main__":
    main()
