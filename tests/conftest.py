"""Shared fixtures: the model is loaded once per session; indexes live in temporary folders."""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["ANONYMIZED_TELEMETRY"] = "False"
for _name in [n for n in os.environ if n.startswith("NEWSDESK_")]:
    del os.environ[_name]

import pytest  # noqa: E402

from ingest.embedding import Embedder, get_embedder  # noqa: E402
from ingest.models import Article  # noqa: E402
from ingest.pipeline import build_ingestor  # noqa: E402
from ingest.sources.files import load_paths  # noqa: E402
from ingest.sources.records import article_from_record  # noqa: E402
from service.settings import Settings  # noqa: E402
from tests.support.chroma_server import local_chroma_server  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
MULTIHOP = SHARED / "datasets" / "multihop-rag"
SAMPLE = SHARED / "samples" / "north-korean-troops-kursk.txt"
EXAMPLES = REPO / "examples"
NEWS_INDEX_ARTICLES = 50


def _settings(data_dir: Path, **overrides) -> Settings:
    overrides.setdefault("collection_prefix", "t" + uuid.uuid4().hex[:10])
    return Settings(_env_file=None, data_dir=data_dir, **overrides)


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    return get_embedder(Settings(_env_file=None))


@pytest.fixture
def settings_factory(tmp_path: Path):
    """Settings with a fresh data dir and collection prefix; keyword arguments override fields."""
    counter = iter(range(1000))

    def make(**overrides) -> Settings:
        return _settings(tmp_path / f"data{next(counter)}", **overrides)

    return make


@pytest.fixture(scope="session")
def multihop_records() -> list[dict]:
    return json.loads((MULTIHOP / "corpus.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def multihop_articles(multihop_records) -> list[Article]:
    return [article_from_record(r) for r in multihop_records[:NEWS_INDEX_ARTICLES]]


@pytest.fixture(scope="session")
def sample_article() -> Article:
    (loaded,) = list(load_paths([SAMPLE]))
    return loaded.article


@pytest.fixture(scope="session")
def news_index(tmp_path_factory, embedder, multihop_articles, sample_article) -> Settings:
    """Read-only index: the sample article plus the first 50 MultiHop-RAG articles."""
    settings = _settings(tmp_path_factory.mktemp("news-index"), collection_prefix="newsidx")
    report = build_ingestor(settings, embedder=embedder).ingest_articles(
        [sample_article, *multihop_articles]
    )
    assert report.ok, report.errors
    return settings


@pytest.fixture(scope="session")
def examples_index(tmp_path_factory, embedder, sample_article) -> Settings:
    """Read-only index: the articles of examples/ plus the sample article."""
    settings = _settings(tmp_path_factory.mktemp("examples-index"), collection_prefix="exidx")
    loaded = [item.article for item in load_paths([EXAMPLES])]
    report = build_ingestor(settings, embedder=embedder).ingest_articles([*loaded, sample_article])
    assert report.ok, report.errors
    return settings


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory) -> str:
    """A real `chroma run` server on a free loopback port; yields its URL."""
    path = tmp_path_factory.mktemp("chroma-server")
    with local_chroma_server(path / "db", log=path / "server.log", timeout=60) as url:
        yield url
