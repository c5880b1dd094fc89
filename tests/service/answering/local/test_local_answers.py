"""The packaged local model behind the LLM path, for real: llama.cpp serving Qwen2.5-Coder on
127.0.0.1, the real OpenAI client, the real index. A model that cannot be loaded (missing,
corrupt) degrades to the extractive answer with the reason. The real-model tests need the
``local`` extra and are skipped, saying so, without it; they are few, as the model is slow."""

from __future__ import annotations

import importlib.util
import threading

import pytest

from ingest.index.store import NewsIndex
from ingest.pipeline import build_ingestor
from ingest.sources.files import load_paths
from service.answering.service import AnswerService
from service.contract import AnswerEvent, AskRequest, DeltaEvent
from service.settings import Settings
from tests.conftest import EXAMPLES

pytestmark = pytest.mark.integration

HAS_EXTRA = importlib.util.find_spec("xllamacpp") is not None
NO_EXTRA = 'the local extra is not installed (pip install -e ".[local]" or make local)'
needs_extra = pytest.mark.skipif(not HAS_EXTRA, reason=NO_EXTRA)

ARTICLE = EXAMPLES / "kestrel-q4-earnings.txt"
QUESTION = "What revenue did Kestrel Semiconductor report for the fourth quarter?"


@pytest.fixture(scope="module")
def kestrel_index(tmp_path_factory, embedder) -> Settings:
    """One short article: a small prompt keeps each real answer to seconds, not minutes."""
    settings = Settings(
        _env_file=None,
        data_dir=tmp_path_factory.mktemp("local-llm"),
        collection_prefix="localllm",
    )
    articles = [item.article for item in load_paths([ARTICLE])]
    assert build_ingestor(settings, embedder=embedder).ingest_articles(articles).ok
    return settings


@pytest.fixture
def service_for(kestrel_index, embedder):
    def make(answerer: str = "local") -> AnswerService:
        settings = kestrel_index.model_copy(update={"answerer": answerer})
        index = NewsIndex(settings, embedder.fingerprint, embedder.dimension)
        return AnswerService(settings, index, embedder)

    return make


def assert_citations_are_valid(service: AnswerService, answer) -> None:
    """Every cited quote sits at its offsets in the article, and every sentence is supported."""
    assert answer.citations
    articles = service.index.get_articles([c.article_id for c in answer.citations])
    for citation in answer.citations:
        body = articles[citation.article_id].body
        assert body[citation.start : citation.end] == citation.quote
    numbers = {c.n for c in answer.citations}
    assert all(s.supported and set(s.citations) <= numbers for s in answer.sentences)


def test_a_missing_model_file_degrades_to_extractive(service_for, tmp_path):
    missing = tmp_path / "missing.gguf"
    service = service_for(f"local:{missing}")
    answer = service.ask(AskRequest(question=QUESTION))
    assert answer.status == "answered" and answer.answerer == "extractive"
    assert answer.degraded and "local model" in answer.degraded_reason
    assert service.llm_problem == answer.degraded_reason


@pytest.mark.skipif(HAS_EXTRA, reason="the local extra is installed")
def test_without_the_extra_answers_name_the_install_command(service_for):
    answer = service_for("local").ask(AskRequest(question=QUESTION))
    assert answer.degraded and answer.answerer == "extractive"
    assert "make local" in answer.degraded_reason
    assert 'pip install -e ".[local]"' in answer.degraded_reason


@needs_extra
def test_a_corrupt_model_file_degrades_with_the_reason(service_for, tmp_path):
    corrupt = tmp_path / "corrupt.gguf"
    corrupt.write_bytes(b"GGUF" + bytes(range(256)) * 64)
    service = service_for(f"local:{corrupt}")
    assert service.llm_problem is None
    answer = service.ask(AskRequest(question=QUESTION))
    assert answer.degraded and answer.answerer == "extractive" and answer.status == "answered"
    assert "could not load the local model" in answer.degraded_reason
    assert service.llm_problem == answer.degraded_reason
    *_, last = service.stream(AskRequest(question=QUESTION))
    assert isinstance(last, AnswerEvent) and last.answer.degraded_reason == answer.degraded_reason


@needs_extra
def test_the_local_model_answers_with_a_valid_citation(service_for):
    service = service_for()
    answer = service.ask(AskRequest(question=QUESTION))
    assert answer.status == "answered" and not answer.degraded, answer.degraded_reason
    assert answer.answerer == "local" and answer.prompt.startswith("answer@")
    assert "3.84 billion" in answer.text
    assert_citations_are_valid(service, answer)
    assert service.llm_problem is None


@needs_extra
def test_concurrent_questions_share_one_model(service_for):
    """Two services in one process, asking at once (one streaming): one server, both answered."""
    streaming, asking = service_for(), service_for()
    results: dict[str, object] = {}

    def stream() -> None:
        results["events"] = list(streaming.stream(AskRequest(question=QUESTION)))

    def ask() -> None:
        results["answer"] = asking.ask(AskRequest(question=QUESTION))

    threads = [threading.Thread(target=stream), threading.Thread(target=ask)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert streaming.llm.model.server is asking.llm.model.server
    events = results["events"]
    assert any(isinstance(e, DeltaEvent) for e in events)
    streamed = events[-1].answer
    answer = results["answer"]
    for given, service in ((streamed, streaming), (answer, asking)):
        assert given.status == "answered" and not given.degraded, given.degraded_reason
        assert_citations_are_valid(service, given)
    assert streamed.text == answer.text
