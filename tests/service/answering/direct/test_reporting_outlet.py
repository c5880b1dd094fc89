""" "Which newspaper reported ...?" is answered with the outlet that carried the report, read
from the article's source, over examples/ and the sample article (which names no outlet)."""

import pytest

from service.answering.direct.reporting_outlet import asks_for_outlet
from service.answering.service import AnswerService
from service.contract import Answer, AskRequest


@pytest.fixture(scope="module")
def service(examples_index) -> AnswerService:
    return AnswerService.from_settings(examples_index)


def ask(service: AnswerService, question: str) -> Answer:
    answer = service.ask(AskRequest(question=question))
    assert answer.status == "answered", answer.text
    return answer


def cited_outlets(service: AnswerService, answer: Answer, markers: list[int]) -> list[str]:
    by_n = {c.n: c for c in answer.citations}
    articles = service.index.get_articles([by_n[n].article_id for n in markers])
    return [articles[by_n[n].article_id].source for n in markers]


@pytest.mark.unit
@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("Which newspaper reported the Eastline cost review?", True),
        ("What publication covered the heat record in Valmora?", True),
        ("Which news site has reported the Skyhaven strike?", True),
        ("Which outlets carried the wire story?", True),
        ("Which newspaper did the mayor accuse of bias?", False),
        ("Which paper was published in Nature?", False),
        ("Which outlet first reported the strike?", False),
        ("Which union called the strike?", False),
    ],
)
def test_only_a_question_about_who_did_the_reporting_asks_for_an_outlet(question, asks):
    assert asks_for_outlet(question) is asks


@pytest.mark.integration
def test_the_outlet_is_the_reporting_article_source_not_a_name_in_its_text(service):
    answer = ask(service, "Which newspaper reported the Eastline cost review?")
    assert answer.direct.form == "outlet"
    assert answer.direct.text == "Valley Ledger"
    assert answer.text.startswith("Valley Ledger [1]")
    assert cited_outlets(service, answer, answer.direct.citations) == ["Valley Ledger"]
    assert "review" in answer.sentences[1].text


@pytest.mark.integration
def test_an_outlet_that_reported_both_things_is_cited_by_each_report(service):
    answer = ask(
        service,
        "Which outlet reported both the Eastline tram vote and the Skyhaven pilots' strike?",
    )
    assert answer.direct.text == "Harrowgate Courier"
    markers = answer.direct.citations
    assert cited_outlets(service, answer, markers) == ["Harrowgate Courier"] * 2
    by_n = {c.n: c for c in answer.citations}
    assert len({by_n[n].article_id for n in markers}) == 2


@pytest.mark.integration
def test_an_article_without_an_outlet_is_not_answered_with_a_name_from_its_text(service):
    answer = ask(service, "Which outlet covered the North Korean troops in Kursk?")
    assert answer.direct.form == "not_said"
    assert "names no outlet" in answer.direct.text


@pytest.mark.integration
def test_other_name_questions_still_take_their_name_from_the_text(service):
    answer = ask(service, "Who is the chief executive of Skyhaven?")
    assert answer.direct.form == "span"
    assert answer.direct.text == "Marten Voss"
