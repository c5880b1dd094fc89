"""Yes/no questions written over examples/, broken into the claims a reader would check."""

import pytest

from service.question.claims import is_yes_no, split_claims
from service.question.outlets import find_outlets

OUTLETS = ("Harrowgate Courier", "Valley Ledger", "TechCrunch", "Fortune", "The Verge")


def split(question: str):
    return split_claims(question, find_outlets(question, OUTLETS))


@pytest.mark.parametrize(
    "question",
    [
        "Did Skyhaven cancel 200 flights because of the pilots' walkout?",
        "Is Meridian-4b cool enough for liquid water on its surface?",
        "After the vote on March 4, 2024, did the council approve the tram?",
        "Between the Courier report and the Ledger report, was there consistency on the cost?",
    ],
)
def test_questions_answered_by_yes_or_no_are_recognised(question):
    assert is_yes_no(question)


@pytest.mark.parametrize(
    "question",
    [
        "How many flights did Skyhaven cancel?",
        "Which came first, the Skyhaven strike or Valmora's heat record?",
        "Considering the Courier and the Ledger, which line is longer, the tram or the bus?",
    ],
)
def test_questions_asking_which_are_not_yes_no(question):
    assert split(question) is None


def test_a_relative_clause_describing_a_report_does_not_make_a_question_ask_which():
    asked = split(
        "After the Courier's report on May 4, 2024, which described the tram vote, did the "
        "Ledger report a higher cost?"
    )
    assert asked is not None
    assert (
        split(
            "Considering the Courier and the Ledger, which councillor, known for her "
            "objections, voted against the tram?"
        )
        is None
    )


def test_a_comparison_with_another_subject_leaves_the_claim_about_its_own():
    asked = split("Did Norrvik grow its fourth-quarter revenue like Kestrel did?")
    assert [c.text for c in asked.claims] == ["Norrvik grow its fourth-quarter revenue"]


def test_both_outlets_make_one_claim_each():
    asked = split(
        "Did both the Harrowgate Courier and the Valley Ledger say the national transport fund "
        "would pay 55 percent of the tram?"
    )
    assert [c.outlets for c in asked.claims] == [("Harrowgate Courier",), ("Valley Ledger",)]
    assert all("55 percent" in c.text for c in asked.claims)


def test_a_clause_per_outlet_with_while():
    asked = split(
        "Does the TechCrunch article say the startup raised money, while the Fortune article "
        "reports that its founder resigned?"
    )
    assert [c.outlets for c in asked.claims] == [("TechCrunch",), ("Fortune",)]
    assert "resigned" in asked.claims[1].text and "resigned" not in asked.claims[0].text


def test_an_outlet_mentioned_inside_a_claim_is_not_its_subject():
    asked = split("Does the Fortune article say that TechCrunch was first to report the deal?")
    assert [c.outlets for c in asked.claims] == [("Fortune",)]


def test_before_and_after_become_an_order_claim():
    asked = split("Was the Norrvik earnings story published before the Kestrel one?")
    assert "Norrvik" in asked.order.earlier.text and "Kestrel" in asked.order.later.text
    asked = split("Did the Valley Ledger's cost review come out after the Skyhaven strike?")
    assert "Skyhaven" in asked.order.earlier.text
    assert asked.order.later.outlets == ("Valley Ledger",)


def test_an_opening_after_clause_comes_first():
    asked = split(
        "After the Harrowgate Courier reported the tram vote, did the Valley Ledger report a "
        "higher cost for the line?"
    )
    assert asked.order.earlier.outlets == ("Harrowgate Courier",)
    assert asked.order.later.outlets == ("Valley Ledger",)
    assert [c.outlets for c in asked.claims] == [("Harrowgate Courier",), ("Valley Ledger",)]


def test_a_date_after_before_bounds_a_window_and_orders_nothing():
    asked = split("Did the Valley Ledger report a higher cost after March 4, 2024?")
    assert asked.order is None


@pytest.mark.parametrize(
    ("question", "relation"),
    [
        ("Do the vote report and the cost review agree on how many stops there are?", "agree"),
        ("Was the Courier's account of the vote consistent with the Ledger's?", "agree"),
        ("Did the Ledger's review contradict the Courier's report on the cost?", "conflict"),
        ("Was there a change in how the Ledger described the cost?", "differ"),
        ("Was there no change in how the Ledger described the cost?", "same"),
        ("Did the Ledger report a higher cost, indicating a change in the plan?", None),
    ],
)
def test_the_relation_asked_is_read_from_the_main_clause(question, relation):
    assert split(question).relation == relation


@pytest.mark.parametrize(
    "question",
    [
        "Was the Courier's report on the tram vote, and the later review by the Ledger on the "
        "cost, inconsistent in their account of the line?",
        "Did the Courier's report on the vote, and the Ledger's review of the cost, portray the "
        "council's plan inconsistently?",
    ],
)
def test_a_relation_asked_after_both_subjects_is_the_questions(question):
    asked = split(question)
    assert asked.relation == "conflict"
    assert len(asked.claims) == 2
    assert not any("inconsisten" in c.text for c in asked.claims)


def test_a_sides_own_words_about_consistency_are_not_the_relation():
    asked = split(
        "Did the Courier report the vote, while the Ledger said the cost stayed consistent?"
    )
    assert asked.relation is None


def test_between_two_reports_each_is_a_side():
    asked = split(
        "Between the Harrowgate Courier report on the vote published on March 5, 2024, and the "
        "Valley Ledger report on the cost published on September 18, 2024, was there "
        "consistency in how the line was described?"
    )
    assert asked.relation == "agree"
    assert asked.order is None
    assert [c.outlets for c in asked.claims] == [("Harrowgate Courier",), ("Valley Ledger",)]


def test_alternatives_about_how_reports_relate_name_both_answers():
    asked = split("Is the cost review consistent or inconsistent with the vote report?")
    assert asked.relation == "agree"
    assert asked.options == ("consistent", "inconsistent")
    assert asked.claims[0].text == "the cost review consistent with the vote report"
    asked = split("Does the Valley Ledger agree with the Harrowgate Courier, or do they differ?")
    assert asked.options == ("agree", "differ")


def test_a_second_question_offered_as_an_alternative_leaves_the_first_to_answer():
    asked = split("Did the Courier say the tram cost rose, or did it report a fall?")
    assert [c.text for c in asked.claims] == ["the Courier say the tram cost rose"]
    assert asked.options is None


def test_which_came_first_names_its_two_sides():
    from service.question.claims import order_choice

    asked = order_choice("Which came first, the Skyhaven pilots' strike or Valmora's heat record?")
    assert [s.text for s in asked.sides] == ["the Skyhaven pilots' strike", "Valmora's heat record"]
    assert asked.earlier
    assert not order_choice(
        "Which was published later, the Courier's story or the Ledger's?"
    ).earlier
    assert (
        order_choice("Which firm had first-quarter sales, Kestrel Semiconductor or Norrvik?")
        is None
    )


def test_what_an_article_leaves_out_or_the_askers_reading_is_not_part_of_the_claim():
    asked = split_claims(
        "Did the Courier report that the council approved the tram, while the Ledger covered "
        "its cost without mentioning the vote, indicating a difference in focus?"
    )
    assert [c.text for c in asked.claims][-1] == "the Ledger covered its cost"


def test_what_a_claim_is_compared_with_stays_in_the_claim_unless_it_is_another_report():
    against_last_year = split(
        "Did the Valley Ledger report that the tram will cost more compared to the figure "
        "approved in March?"
    )
    assert [c.text for c in against_last_year.claims] == [
        "the Valley Ledger report that the tram will cost more compared to the figure "
        "approved in March"
    ]
    two_reports = split(
        "Does the Valley Ledger say the tram will cost 455 million euros, as opposed to the "
        "Harrowgate Courier article, which gives 412 million?"
    )
    assert [c.outlets for c in two_reports.claims] == [("Valley Ledger",), ("Harrowgate Courier",)]


def test_an_after_inside_one_clause_of_several_orders_no_reports():
    asked = split(
        "Did the Harrowgate Courier report that the pilots walked out, while the Valley Ledger "
        "said the bridge foundations must go deeper after a soil survey?"
    )
    assert asked.order is None
    assert [c.outlets for c in asked.claims] == [("Harrowgate Courier",), ("Valley Ledger",)]
    ordered = split("Did the Valley Ledger report the cost review after the Courier's strike?")
    assert ordered.order is not None
