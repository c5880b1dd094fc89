"""An Answer as chat text: direct answer first, quotes with markers, one source line per
article; and the span read back from that text for a follow-up."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from service.contract import AnswerSentence, Citation, ClaimCheck, DirectAnswer
from service.openai_compat.rendering import direct_span, pieces, render, without_sources
from tests.support.answers import make_answer

pytestmark = pytest.mark.unit

PUBLISHED = datetime(2024, 7, 19, 7, 15, tzinfo=UTC)


def cite(n: int, article: str = "valmora", quote: str = "q") -> Citation:
    return Citation(
        n=n,
        passage_id=f"{article}:0",
        article_id=article,
        title=f"{article.title()} story",
        url=f"https://news.example/{article}",
        source="Southern Herald",
        published=PUBLISHED,
        quote=quote,
        start=0,
        end=len(quote),
    )


SPAN = make_answer(
    "Who is the mayor?",
    direct=DirectAnswer(form="span", text="Aurelio Pask", citations=[1]),
    sentences=[
        AnswerSentence(text="Aurelio Pask", citations=[1]),
        AnswerSentence(text="Mayor Aurelio Pask asked employers to move work.", citations=[2]),
        AnswerSentence(text="The heat wave is in its ninth day.", citations=[3]),
    ],
    citations=[cite(1), cite(2), cite(3, "farms")],
)


def test_the_direct_answer_the_quotes_and_a_source_line_per_article():
    assert render(SPAN) == (
        "**Aurelio Pask** [1]\n\n"
        "Mayor Aurelio Pask asked employers to move work. [2] "
        "The heat wave is in its ninth day. [3]\n\n"
        "Sources:\n"
        "[1] [2] Valmora story (Southern Herald, 2024-07-19): https://news.example/valmora\n"
        "[3] Farms story (Southern Herald, 2024-07-19): https://news.example/farms"
    )
    assert "".join(pieces(SPAN)) == render(SPAN) and len(pieces(SPAN)) > 3


def test_a_syndicated_story_names_the_outlets_that_also_carried_it():
    carried = cite(1).model_copy(update={"also_carried_by": ["Valley Courier", "Wire Service"]})
    answer = make_answer(
        "Who is the mayor?",
        sentences=[AnswerSentence(text="Mayor Aurelio Pask asked employers.", citations=[1])],
        citations=[carried],
    )
    assert render(answer).endswith(
        "[1] Valmora story (Southern Herald, 2024-07-19; also carried by Valley Courier, "
        "Wire Service): https://news.example/valmora"
    )
    assert "also carried by" not in without_sources(render(answer))


def test_a_verdict_lists_its_claims_and_is_no_span():
    verdict = make_answer(
        "Did Valmora break its record?",
        direct=DirectAnswer(
            form="verdict",
            text="Yes.",
            verdict="yes",
            citations=[1],
            claims=[
                ClaimCheck(
                    claim="Valmora broke its record",
                    status="supported",
                    reason="an article says so",
                    citations=[1],
                )
            ],
        ),
        sentences=[AnswerSentence(text="Yes.", citations=[1])],
        citations=[cite(1)],
    )
    text = render(verdict)
    assert text.startswith(
        "**Yes.** [1]\n- Valmora broke its record: supported, an article says so [1]\n\nSources:"
    )
    assert direct_span(text) == ""


def test_a_decline_is_its_reason_alone():
    declined = make_answer(text="I could not find this in the articles.").model_copy(
        update={"status": "declined"}
    )
    assert render(declined) == "I could not find this in the articles."


def test_the_span_and_the_text_without_sources_are_read_back():
    text = render(SPAN)
    assert direct_span(text) == "Aurelio Pask"
    assert without_sources(text) == text.split("\n\nSources:")[0]
    assert direct_span("The heat wave is in its ninth day. [3]") == ""
    assert direct_span("**The articles do not say; what they do say is quoted below.**") == ""
