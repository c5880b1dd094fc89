"""Direct answers over examples/, the sample article and one results page written for this test:
what a reader sees first, and the quotes that prove it."""

from datetime import UTC, datetime

import pytest

from ingest.models import Article
from ingest.pipeline import build_ingestor
from service.answering.service import AnswerService
from service.contract import Answer, AskRequest

pytestmark = pytest.mark.integration

RESULTS_PAGE = Article(
    title="Northbridge United beat Castlebrook in the opening match",
    body=(
        "Date Fixture/Result Aug. 17 Northbridge United 2-1 Castlebrook Aug. 24 Redmoor 0-0 "
        "Northbridge United Aug. 31 Northbridge United v Fenwick Athletic\n\n"
        "Sign up for our newsletter to get every Northbridge United result first.\n\n"
        "Tomás Ferreira celebrates scoring against Castlebrook (Photo: Lena Brandt)\n\n"
        "Northbridge United opened the season with a 2-1 win over Castlebrook on Saturday. "
        "Elias Brandt put Northbridge ahead after 12 minutes with a low shot, and Tomás Ferreira "
        "scored the winner on his debut in the 78th minute after Castlebrook had equalised."
    ),
    url="https://touchlinereport.example/football/northbridge-castlebrook",
    source="Touchline Report",
    published=datetime(2024, 8, 18, 9, 0, tzinfo=UTC),
)


@pytest.fixture(scope="module")
def service(examples_index, embedder) -> AnswerService:
    report = build_ingestor(examples_index, embedder=embedder).ingest_articles([RESULTS_PAGE])
    assert report.ok, report.errors
    return AnswerService.from_settings(examples_index)


def ask(service: AnswerService, question: str) -> Answer:
    answer = service.ask(AskRequest(question=question))
    assert answer.status == "answered", answer.text
    return answer


def quotes(answer: Answer, markers: list[int]) -> list[str]:
    by_n = {c.n: c for c in answer.citations}
    return [by_n[n].quote for n in markers]


def test_a_span_comes_first_cited_by_its_own_offsets(service):
    answer = ask(service, "How many flights did Skyhaven cancel because of the strike?")
    assert answer.direct.form == "span"
    assert answer.direct.text == "140 flights"
    assert answer.text.startswith("140 flights [1]")
    (span,) = quotes(answer, answer.direct.citations)
    assert span == "140 flights"
    article = service.index.get_articles([answer.citations[0].article_id])
    first = answer.citations[0]
    assert article[first.article_id].body[first.start : first.end] == "140 flights"
    assert any("cancelled 140 flights" in c.quote for c in answer.citations[1:])


def test_a_name_the_question_already_gives_is_not_its_answer(service):
    answer = ask(service, "Who is the chief executive of Kestrel Semiconductor?")
    assert answer.direct.text == "Ilse Marven"


def test_a_name_comes_from_an_article_about_the_company_asked_about(service):
    answer = ask(service, "Who is the chief executive of Norrvik Microdevices?")
    assert answer.direct.text == "Anders Lyng", "not Kestrel's chief executive"
    answer = ask(service, "Who leads Norrvik?")
    assert "Norrvik" not in answer.direct.text, "the company asked about is not its own answer"


def test_a_neighbouring_fact_is_not_presented_as_the_answer(service):
    answer = ask(service, "How much will a single ticket on the Eastline tram cost?")
    assert answer.direct.form == "not_said"
    assert answer.text.startswith("The articles do not say")
    assert "ticket" in answer.direct.text
    assert answer.citations, "what the articles do say is still quoted, as context"


def test_a_figure_from_a_sentence_about_something_else_is_not_the_answer(service):
    answer = ask(service, "How much will the Weir Street shopkeepers be paid in compensation?")
    assert answer.direct.form == "not_said"
    assert "“Weir Street shopkeepers”" in answer.direct.text
    assert "800 metres" not in answer.direct.text and "455 million" not in answer.direct.text
    assert any("asked for compensation" in c.quote for c in answer.citations)


def test_a_figure_whose_sentence_says_nothing_of_what_is_asked_is_not_the_answer(service):
    answer = ask(service, "How many aircraft does Skyhaven lease from other carriers?")
    assert answer.direct.form == "not_said", "52 is the fleet Skyhaven operates"
    assert "“lease” or “carriers”" in answer.direct.text
    assert ask(service, "How many aircraft does Skyhaven operate?").direct.text == "52 aircraft"
    answer = ask(service, "How many soldiers has Russia assembled to reclaim Kursk?")
    assert answer.direct.text == "50,000 soldiers"


def test_a_figure_comes_from_a_sentence_that_names_what_is_counted(service):
    answer = ask(service, "How many stops will the Eastline tram have?")
    assert answer.direct.text == "14", "eleven years of studies count no stops"
    (quote,) = quotes(answer, answer.direct.citations)
    assert quote == "14"
    assert any("number of stops is unchanged at 14" in c.quote for c in answer.citations)


def test_a_question_about_money_is_answered_with_a_sum(service):
    answer = ask(service, "How much compensation can Skyhaven passengers claim?")
    assert answer.direct.text == "up to 400 euros"
    answer = ask(service, "How much did Northbridge pay for Ferreira?")
    assert answer.direct.text == "48 million pounds"
    answer = ask(service, "How much was Kestrel's chief executive paid last year?")
    assert answer.direct.form == "not_said", "a revenue figure is not what she was paid"


def test_a_question_about_a_change_is_answered_with_the_change_not_the_level(service):
    assert ask(service, "How much did Kestrel's revenue grow?").direct.text == "22 percent"
    answer = ask(service, "How much more will the Eastline tram cost than the council approved?")
    assert answer.direct.text == "43 million more"


def test_a_fact_from_another_meeting_is_not_the_answer(service):
    answer = ask(
        service,
        "What interest rate did the Central Bank of Estoria set at its September 2024 meeting?",
    )
    assert answer.direct.form == "not_said"


def test_a_fact_from_another_day_is_not_the_answer(service):
    answer = ask(service, "How many Skyhaven flights were cancelled on Thursday?")
    assert answer.direct.form == "not_said"
    assert "“Tuesday”" in answer.direct.text and "“Thursday”" in answer.direct.text
    assert any("140 flights" in c.quote for c in answer.citations), "the neighbour is context"


def test_a_month_named_without_its_year_matches_that_month_of_any_year(service):
    answer = ask(service, "Who on the Estorian policy board wanted to cut rates in April?")
    assert answer.direct.text == "Clara Benes"


def test_a_table_row_a_caption_and_a_sign_up_line_are_never_quoted(service):
    answer = ask(service, "Who scored Northbridge United's winner against Castlebrook?")
    assert answer.direct.text == "Tomás Ferreira"
    for citation in answer.citations:
        assert "Fixture/Result" not in citation.quote
        assert "Sign up" not in citation.quote
        assert "(Photo" not in citation.quote


def test_supported_claims_give_yes_with_a_sentence_from_each_outlet(service):
    answer = ask(
        service,
        "Did both the Harrowgate Courier and the Valley Ledger say the national transport fund "
        "would pay 55 percent of the tram?",
    )
    direct = answer.direct
    assert direct.verdict == "yes" and answer.text.startswith("Yes")
    assert [c.outlets for c in direct.claims] == [["Harrowgate Courier"], ["Valley Ledger"]]
    assert all(c.status == "supported" for c in direct.claims)
    for claim in direct.claims:
        (quote,) = quotes(answer, claim.citations)
        assert "55 percent" in quote
    assert {answer.citations[n - 1].source for n in direct.citations} == {
        "Harrowgate Courier",
        "Valley Ledger",
    }


def test_a_claim_stated_in_other_words_order_gives_yes(service):
    answer = ask(service, "Did anyone on Estoria's policy board vote for a cut?")
    assert answer.direct.verdict == "yes", answer.direct.text
    assert any("Clara Benes, voted for a cut" in q for q in quotes(answer, answer.direct.citations))


def test_a_contradicting_figure_gives_no_and_says_why(service):
    answer = ask(service, "Did Skyhaven cancel 200 flights because of the pilots' walkout?")
    assert answer.direct.verdict == "no"
    assert answer.text.startswith("No: the articles give 140, not 200")
    (claim,) = answer.direct.claims
    assert claim.status == "contradicted"
    assert "140 flights" in quotes(answer, claim.citations)[0]


def test_a_figure_going_the_other_way_than_another_companys_gives_no(service):
    answer = ask(
        service, "Did Norrvik Microdevices grow its fourth-quarter revenue like Kestrel did?"
    )
    assert answer.direct.verdict == "no"
    assert "fall" in answer.direct.text


def test_a_negated_claim_gives_no(service):
    answer = ask(service, "Do the North Korean soldiers sent to Kursk have combat experience?")
    assert answer.direct.verdict == "no"
    assert any("lack combat experience" in q for q in quotes(answer, answer.direct.citations))


@pytest.mark.parametrize(
    "question",
    ["Did the council vote against the tram?", "Did Harrowgate council reject the Eastline tram?"],
)
def test_the_opposite_decision_gives_no_from_the_headline(service, question):
    """The vote's sentence gives its count, not its stance; the headline says "approves"."""
    answer = ask(service, question)
    assert answer.direct.verdict == "no"
    assert answer.text.startswith("No: the articles report approval")
    assert "voted 7 to 4" in quotes(answer, answer.direct.citations)[0]


@pytest.mark.parametrize(
    ("question", "quoted"),
    [
        ("Did the council vote for the tram?", "voted 7 to 4"),
        ("Did the four Civic Alliance councillors vote against the tram?", "voted against"),
    ],
)
def test_a_decision_reported_as_asked_gives_yes(service, question, quoted):
    answer = ask(service, question)
    assert answer.direct.verdict == "yes"
    assert quoted in quotes(answer, answer.direct.citations)[0]


@pytest.mark.parametrize(
    "question",
    [
        "Did the astronomers find oxygen on Meridian-4b?",
        # The strike report is on the topic, but says nothing of the pilots' answer.
        "Did the Skyhaven pilots accept the pay offer?",
    ],
)
def test_a_claim_nothing_states_is_left_unsettled_with_the_closest_evidence(service, question):
    answer = ask(service, question)
    assert answer.direct.verdict == "unsettled"
    assert answer.text.startswith("The articles do not settle it")
    (claim,) = answer.direct.claims
    assert claim.status == "unsettled" and claim.citations


def test_a_report_said_to_contradict_an_unnamed_earlier_one_is_not_taken_at_its_word(service):
    answer = ask(
        service, "Did the Valley Ledger's cost review contradict earlier reporting on the tram?"
    )
    assert answer.direct.verdict == "no"
    assert "nothing" in answer.direct.text and "contradicts" in answer.direct.text


def test_no_change_is_answered_as_the_opposite_of_a_difference(service):
    sides = "the Harrowgate Courier and the Valley Ledger"
    differ = ask(service, f"Did {sides} describe the Eastline tram's cost differently?")
    same = ask(service, f"Was there no change in how {sides} described the Eastline tram's cost?")
    assert differ.direct.verdict == "yes", differ.direct.text
    assert same.direct.verdict == "no", same.direct.text


def test_publication_dates_decide_an_order_claim(service):
    answer = ask(service, "Was the Norrvik earnings story published before the Kestrel one?")
    assert answer.direct.verdict == "no"
    order = [c for c in answer.direct.claims if c.kind == "order"]
    assert order and order[0].status == "contradicted"
    assert "2024-02-14" in order[0].reason and "2024-02-08" in order[0].reason
    answer = ask(service, "Was the Kestrel earnings story published before the Norrvik one?")
    assert answer.direct.verdict == "yes"


def test_a_question_asking_for_no_span_or_verdict_gets_quotes_only(service):
    answer = ask(service, "Why did the Skyhaven pilots go on strike?")
    assert answer.direct is None
    assert answer.sentences[0].citations


def test_alternatives_are_answered_with_the_one_that_holds(service):
    answer = ask(
        service,
        "Is the Valley Ledger's number of Eastline tram stops consistent or inconsistent with "
        "the Harrowgate Courier's?",
    )
    assert answer.direct.verdict == "yes"
    assert answer.text.startswith("Consistent")
    assert {c.outlets[0] for c in answer.direct.claims} == {"Valley Ledger", "Harrowgate Courier"}


def test_which_came_first_is_answered_by_publication_dates(service):
    answer = ask(service, "Which came first, the Skyhaven pilots' strike or Valmora's heat record?")
    assert answer.direct.form == "choice"
    assert answer.text.startswith("The Skyhaven pilots' strike")
    assert "2024-06-11" in answer.direct.text and "2024-07-19" in answer.direct.text
    sources = {answer.citations[n - 1].title for n in answer.direct.citations}
    assert len(sources) == 2
    later = ask(
        service, "Which was published later, the Norrvik earnings story or the Kestrel one?"
    )
    assert later.text.startswith("The Norrvik earnings story")
