"""Answer spans cut from sentences of examples/: the asked kind, never what the question gives."""

from datetime import UTC, datetime

from ingest.models import Chunk
from service.answering.direct.spans import Ranked, find_span
from service.contract import Passage
from service.question.kinds import asked_category, asked_words, counted_words


def ranked(*sentences: str) -> list[Ranked]:
    text = " ".join(sentences)
    chunk = Chunk(
        id="a1:0",
        article_id="a1",
        title="t",
        text=text,
        start=100,
        end=100 + len(text),
        index=0,
        source="Harrowgate Courier",
        published=datetime(2024, 3, 5, tzinfo=UTC),
    )
    passage = Passage(chunk=chunk, rank=1)
    out, offset = [], 0
    for n, sentence in enumerate(sentences):
        start = text.index(sentence, offset)
        out.append(Ranked(passage, 100 + start, 100 + start + len(sentence), sentence, 1 - n / 10))
        offset = start + len(sentence)
    return out


def span(kind, question, *sentences):
    items = ranked(*sentences)
    words = asked_words(question)
    return find_span(
        kind,
        items,
        words,
        [items[0].passage],
        counted=counted_words(question),
        category=asked_category(question),
    )


def test_a_figure_with_its_unit_and_offsets():
    found = span(
        "quantity",
        "How many flights did Skyhaven cancel?",
        "The regional airline Skyhaven cancelled 140 flights on Tuesday and Wednesday.",
    )
    assert found.text == "140 flights"
    sentence = "The regional airline Skyhaven cancelled 140 flights on Tuesday and Wednesday."
    assert found.start == 100 + sentence.index("140") and found.end - found.start == 11


def test_the_figure_counting_what_is_asked_wins():
    found = span(
        "quantity",
        "How many goals did Ferreira score last season?",
        "Ferreira, 24, signed for 48 million pounds and scored 31 goals last season.",
    )
    assert found.text == "31 goals"


def test_a_name_the_question_already_gives_is_not_the_answer():
    found = span(
        "name",
        "Who is the chief executive of Kestrel Semiconductor?",
        "Kestrel Semiconductor chief executive Ilse Marven said sales doubled.",
    )
    assert found.text == "Ilse Marven"


def test_no_span_of_the_kind_gives_none():
    assert (
        span(
            "time",
            "When will the tram open?",
            "The council said the tram would open once the depot is built.",
        )
        is None
    )


def test_a_time_and_a_multiword_name():
    assert (
        span(
            "time",
            "When was the previous record set?",
            "The previous record was set in August 2019.",
        ).text
        == "August 2019"
    )
    assert (
        span(
            "name",
            "In what journal did the team publish the finding?",
            "The team published the finding in the Journal of Planetary Atmospheres on Monday.",
        ).text
        == "Journal of Planetary Atmospheres"
    )


def test_a_figure_keeps_every_word_of_the_counted_thing_the_question_names():
    sentence = (
        "The city has opened 26 cooling centres in libraries, schools and sports halls, and "
        "extended their hours until 10 pm."
    )
    found = span("quantity", "How many cooling centres has Valmora opened?", sentence)
    assert found.text == "26 cooling centres"
    found = span("quantity", "How many places to cool off has Valmora opened?", sentence)
    assert found.text == "26 cooling"


def test_a_figure_comes_from_a_sentence_naming_what_is_counted():
    vote = (
        "Harrowgate city council voted 7 to 4 on Monday night to build the Eastline tram, "
        "ending eleven years of studies and false starts."
    )
    stops = "The number of stops is unchanged at 14, but one of them will move 300 metres east."
    assert span("quantity", "How many stops will the Eastline tram have?", vote, stops).text == "14"
    assert (
        span("quantity", "How many years did the Eastline studies take?", vote, stops).text
        == "eleven years"
    )


def test_when_no_sentence_names_the_counted_thing_another_word_for_it_still_answers():
    found = span(
        "quantity",
        "How many people live in Harrowgate?",
        "Harrowgate, home to 210,000 residents, approved the tram on Monday.",
    )
    assert found.text == "210,000 residents"


def test_a_year_or_a_day_of_a_date_is_not_a_count():
    found = span(
        "quantity",
        "How many will the city buy?",
        "On 14 December 2028 the city will buy 22 trams from Alstom.",
    )
    assert found.text == "22 trams"


def test_a_name_holding_the_noun_a_which_question_names_its_answer_by_wins():
    sentence = (
        "Astronomers at Calder Observatory said the finding, published in the Journal of "
        "Planetary Atmospheres, was checked by a second team."
    )
    found = span("name", "In what journal was the Meridian-4b finding published?", sentence)
    assert found.text == "Journal of Planetary Atmospheres"
    found = span("name", "Which observatory reported the Meridian-4b finding?", sentence)
    assert found.text == "Calder Observatory"
