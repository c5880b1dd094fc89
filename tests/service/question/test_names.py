import pytest

from service.question.names import names_in

pytestmark = pytest.mark.unit

OUTLETS = ["The Verge", "Verge", "TechCrunch", "The Age", "Age", "Fortune"]


@pytest.mark.parametrize(
    ("question", "names"),
    [
        (
            "Considering an article by The Verge and another by Fortune on Shubha Satheesh, "
            "which university did she attend?",
            ["Shubha Satheesh"],
        ),
        (
            "Did TechCrunch's report on Sam Bankman-Fried's trial agree with The Verge?",
            ["Sam Bankman-Fried"],
        ),
        (
            "Does Jada Pinkett Smith's account match Will Smith's?",
            ["Jada Pinkett Smith", "Will Smith"],
        ),
        ("Did Matt Huang and Gary Wang testify?", ["Matt Huang", "Gary Wang"]),
        ("What did The Age report on October 4, 2023?", []),
        (
            "Was the Bank of England more hawkish than the Federal Reserve?",
            ["Bank of England", "Federal Reserve"],
        ),
        ("Which company did The Verge say was fined?", []),
        ("Did the 'New Jersey Devils' win?", ["New Jersey Devils"]),
        ("Which team won the 2030 World Cup?", ["2030 World Cup"]),
        ("In 2022 Apple sold more phones than Samsung, did it not?", []),
    ],
)
def test_names_a_question_asks_about(question, names):
    assert names_in(question, [o.casefold() for o in OUTLETS]) == names


def test_a_name_is_listed_once():
    question = "Did Sam Altman leave OpenAI before Sam Altman returned?"
    assert names_in(question) == ["Sam Altman"]
