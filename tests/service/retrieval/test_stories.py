"""A story carried by several outlets takes one place in the results, on its best copy, which
names the other outlets; another outlet's own report of the same event keeps its place."""

from __future__ import annotations

import pytest

from ingest.pipeline import build_ingestor
from service.answering.service import AnswerService
from service.contract import AskRequest
from service.settings import Settings
from tests.support.syndication import COURIER, GAZETTE, LEDGER, WIRE

pytestmark = pytest.mark.integration

QUESTION = "How many residents of Marrow Ford were moved to the sports hall on Quarry Road?"


@pytest.fixture(scope="module")
def service(tmp_path_factory, embedder) -> AnswerService:
    settings = Settings(_env_file=None, data_dir=tmp_path_factory.mktemp("stories"))
    report = build_ingestor(settings, embedder=embedder).ingest_articles(
        [GAZETTE, WIRE, LEDGER, COURIER]
    )
    assert report.ok, report.errors
    return AnswerService.from_settings(settings)


def test_search_returns_one_copy_of_the_story_naming_the_other_outlets(service):
    passages, _ = service.search(AskRequest(question=QUESTION, top_k=8))
    copies = {p.chunk.source for p in passages} & {a.source for a in (WIRE, GAZETTE, COURIER)}
    assert len(copies) == 1
    (copy,) = copies
    carried = {p.chunk.source: p.also_carried_by for p in passages}
    assert sorted([copy, *carried[copy]]) == ["Harbour Gazette", "Valley Courier", "Wire Service"]
    assert carried[LEDGER.source] == []


def test_a_question_naming_an_outlet_that_carried_the_story_gets_that_outlet_s_copy(service):
    question = "What did the Valley Courier report about the residents moved in Marrow Ford?"
    passages, _ = service.search(AskRequest(question=question, top_k=8))
    copies = [p for p in passages if p.chunk.source != LEDGER.source]
    assert copies and {p.chunk.source for p in copies} == {"Valley Courier"}
    assert copies[0].also_carried_by == ["Wire Service", "Harbour Gazette"]


def test_the_answer_cites_the_copy_and_names_every_outlet_that_carried_it(service):
    answer = service.ask(AskRequest(question=QUESTION))
    assert answer.status == "answered"
    cited = [c for c in answer.citations if c.source != LEDGER.source]
    assert cited, answer.text
    for citation in cited:
        outlets = [citation.source, *citation.also_carried_by]
        assert sorted(outlets) == ["Harbour Gazette", "Valley Courier", "Wire Service"]
