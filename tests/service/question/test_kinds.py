"""A question asking who, when or how many is answered only by a sentence that can say it."""

import pytest

from service.question.kinds import (
    asked_measure,
    asked_words,
    carries,
    is_money,
    names_within,
    wanted_kind,
)

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Who discovered penicillin?", "name"),
        ("Which company, as reported by TechCrunch, bought the startup?", "name"),
        ("What player scored the winning try?", "name"),
        ("How many players are on a rugby union team?", "quantity"),
        ("What was the price of the new console?", "quantity"),
        ("When did the trial of Sam Bankman-Fried begin?", "time"),
        ("In what year was the company founded?", "time"),
        ("Who, according to Sporting News, wins when the favourite loses?", "name"),
        ("Which shares gained most when the market fell?", None),
        ("Who paid how much for the club?", "name"),
        ("Did The Verge report the launch before TechCrunch?", None),
        ("What is the plot of Hamlet?", None),
        ("Why did the shares fall?", None),
    ],
)
def test_the_kind_of_answer_is_read_from_the_wording(question, kind):
    assert wanted_kind(question) == kind


def test_a_name_must_be_new_to_the_question():
    question = "Who wrote Pride and Prejudice?"
    assert not carries("name", "She loves the plot of Pride and Prejudice.", asked_words(question))
    assert not carries(
        "name", "Today the novel is read in schools in September.", asked_words(question)
    )
    assert carries("name", "The novel was written by Jane Austen in 1813.", asked_words(question))
    assert carries(
        "name", "In 2005, Focus Features filmed it.", asked_words("Who filmed the novel?")
    )


def test_a_sentence_may_start_with_its_answer_when_the_articles_call_it_a_name():
    question = "Who pleaded not guilty?"
    sentence = "Bankman-Fried pleaded not guilty to all seven counts."
    asked = asked_words(question)
    assert not carries("name", sentence, asked)
    names = names_within(["The trial of Sam Bankman-Fried opened in New York.", sentence])
    assert carries("name", sentence, asked, names)
    assert not carries("name", "Prosecutors said the fraud was deliberate.", asked, names)


def test_quantities_and_times():
    asked = asked_words("How many fans came?")
    assert carries("quantity", "Thirty people were hurt.", asked_words("How many were hurt?"))
    assert carries("quantity", "About 1,200 fans came.", asked)
    assert not carries("quantity", "Many fans came.", asked)
    asked = asked_words("When did it open?")
    assert carries("time", "It opened on March 3, 2021.", asked)
    assert not carries("time", "It opened to great fanfare.", asked)
    assert carries("time", "Sales rose on Sept. 4 and fell on a Sunday.", asked)


@pytest.mark.parametrize(
    ("question", "measure"),
    [
        ("How much was the mayor paid last year?", "sum"),
        ("How much compensation will the shops get?", "sum"),
        ("What fee did the club pay for the striker?", "sum"),
        ("How much will the bridge cost?", "sum"),
        ("What pay rise did the nurses accept?", "change"),
        ("How much did revenue fall?", "change"),
        ("By how much did the town's population grow?", "change"),
        ("What percentage of its income comes from ads?", None),
        ("How many jobs will the mill cut?", None),
        ("How many people came?", None),
        ("How much more will the tram cost than planned?", "change"),
        ("Who paid for the bridge?", None),
    ],
)
def test_a_quantity_question_may_ask_for_a_sum_of_money_or_a_change(question, measure):
    assert asked_measure(question) == measure


def test_a_sum_of_money_is_written_with_a_currency():
    for figure in ("48 million pounds", "$5bn", "€12", "up to 400 euros", "3.84 billion dollars"):
        assert is_money(figure), figure
    for figure in ("800 metres", "6 percent", "140 flights", "a five-year"):
        assert not is_money(figure), figure
