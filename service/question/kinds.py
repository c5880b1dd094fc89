"""What kind of answer a question asks for, and whether a sentence could be that answer.

"Who discovered penicillin?" is not answered by a sentence about penicillin that names nobody,
however close its wording. Three kinds are read from the question's wording, deterministically:
a name (who, which company, which player...), a quantity (how many, what percentage...) and a
time (when, what year...). Anything else (yes/no, why, what is...) asks for no particular kind.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal

from service.question.claims import AUXILIARY
from service.question.dates import CALENDAR_WORDS, MONTH_NAMES, WEEKDAYS

AnswerKind = Literal["name", "quantity", "time"]
Measure = Literal["sum", "change"]

# What a question that wants each kind looks like.
_MEASURES = (
    r"score|number|total|price|cost|percentage|rate|amount|figure|margin|result|fee|pay|"
    r"salary|wage|rise|increase|cut|temperature|revenue|sales|income|profit|loss|budget|fine|"
    r"sum|value|stake|share|capacity|distance|population|attendance|turnout|valuation|level"
)
_WANTS_QUANTITY = re.compile(
    r"\b(how (many|much|long|old|far|big|large|tall|high|deep|fast)|by how much|"
    r"what (?:(?:was|is|were|are) )?(?:the |its |their |his |her )?"
    rf"(?:[\w’'-]+ ){{0,2}}(?:{_MEASURES})|"
    rf"(?:at|to) what (?:\w+ )?(?:{_MEASURES})|what percentage)\b",
    re.IGNORECASE,
)
# "When" asks for a time only where the question starts with it: mid-question it is mostly a
# conjunction ("... gained most when the market fell?").
_WANTS_TIME = re.compile(
    r"^\W*when\b|\b((what|which|in what|on what) (year|month|day|date)|since when|how long ago)\b",
    re.IGNORECASE,
)
NAME_NOUNS = tuple(
    "person individual people man woman player athlete coach manager executive ceo founder "
    "leader author writer artist singer actor actress director politician president minister "
    "company firm organisation organization startup brand team club band country nation city "
    "state university agency network platform app product outlet newspaper publication "
    "journal magazine broadcaster unit group party court body".split()
)
"""Nouns whose "which ...?" asks for a name; they say what kind of answer, not what about."""
_NAME_NOUNS = "|".join(NAME_NOUNS)
_WANTS_NAME = re.compile(
    rf"^\W*(who|whom|whose|where)\b|\b(which|what)\s+(\w+\s+){{0,2}}({_NAME_NOUNS})s?\b",
    re.IGNORECASE,
)


def asked_category(question: str) -> str | None:
    """The noun a "which / what ...?" question names its answer by ("journal" in "In what
    journal was it published?"): a name that holds it is one of the kind asked for."""
    match = _WANTS_NAME.search(question)
    return match.group(4).casefold() if match and match.group(4) else None


# What a sentence carrying each kind looks like.
_HAS_QUANTITY = re.compile(
    r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|"
    r"forty|fifty|hundred|thousand|million|billion|dozen|half)\b",
    re.IGNORECASE,
)
_HAS_TIME = re.compile(
    rf"\b(19|20)\d\d\b|\b({'|'.join(month[:3] for month in MONTH_NAMES)})[a-z]*\.?\s+\d|"
    rf"\b({'|'.join(WEEKDAYS)}|yesterday|today|tomorrow|"
    r"last (week|month|year)|next (week|month|year))\b",
    re.IGNORECASE,
)
_MONEY_WORDS = frozenset(
    "cost costs price prices fee fees fare fares salary salaries wage wages compensation bonus "
    "bonuses fine fines fined budget revenue revenues profit profits income earnings funding "
    "investment loan loans debt debts tax taxes rent damages settlement spending money cash pay "
    "pays paid paying spend spends spent earn earns earned charge charges charged raise raised "
    "invest invested lend lent borrow borrowed owe owes owed".split()
)
"""Words that make "how much" ask for a sum of money ("How much was she paid?")."""
_CHANGE_WORDS = frozenset(
    "rise rises rose risen increase increased increases cut cuts hike hikes change changed "
    "changes growth grow grows grew grown fall falls fell fallen drop dropped drops gain gained "
    "lose lost decline declined shrink shrank jump jumped more less fewer".split()
)
"""Words that make it ask for a change or a difference, which a percentage answers as well as
a sum ("What pay rise did they offer?" is answered "6 percent")."""
_RATIO_WORDS = frozenset("percentage percent proportion share rate ratio margin".split())
_ASKS_AMOUNT = re.compile(r"\b(how much|what|which)\b(?P<rest>[^?,;]*)", re.IGNORECASE)
_CURRENCY = re.compile(
    r"[$€£¥₹]|\b(?:dollars?|euros?|pounds?|sterling|yen|yuan|renminbi|francs?|kronor|krona|"
    r"kroner|krone|crowns?|rupees?|pesos?|won|rand|lira|roubles?|rubles?|zloty|dinars?|"
    r"dirhams?|riyals?|shekels?|cents?|pence|usd|eur|gbp)\b",
    re.IGNORECASE,
)
_TOKEN = re.compile(r"[^\W\d_][\w’'&-]*")
_NOT_NAMES = CALENDAR_WORDS | frozenset(
    "I A The This That These Those It He She They We You His Her Their Our Its Mr Mrs Ms Dr".split()
)
_WORD = re.compile(r"\w+")


def wanted_kind(question: str) -> AnswerKind | None:
    """The kind of answer ``question`` asks for: the one its first question phrase asks, so
    "Who ... how much ...?" wants a name and "How many players ...?" a number."""
    found = [
        (match.start(), kind)
        for kind, pattern in (
            ("quantity", _WANTS_QUANTITY),
            ("time", _WANTS_TIME),
            ("name", _WANTS_NAME),
        )
        if (match := pattern.search(question))
    ]
    return min(found)[1] if found else None


def asked_measure(question: str) -> Measure | None:
    """What a quantity question measures, when its words say: a sum of money ("how much" or
    "what" followed by a word of paying or costing: "800 metres" does not answer "How much
    compensation will each shop get?") or a change ("How much did revenue grow?" is answered
    "22 percent", not the revenue itself)."""
    if wanted_kind(question) != "quantity":
        return None
    for match in _ASKS_AMOUNT.finditer(question):
        words = {w.lower() for w in _WORD.findall(match.group("rest"))}
        if words & _CHANGE_WORDS:
            return "change"
        if words & _MONEY_WORDS and not words & _RATIO_WORDS:
            return "sum"
    return None


def is_money(text: str) -> bool:
    """Whether a figure is a sum of money: a currency sign or a currency's name."""
    return bool(_CURRENCY.search(text))


def names_within(sentences: Iterable[str]) -> frozenset[str]:
    """Capitalised words the texts use mid-sentence: the words that are names wherever they
    stand, so "Bankman-Fried pleaded not guilty." starts with one."""
    return frozenset(
        word
        for sentence in sentences
        for token in _TOKEN.findall(sentence)[1:]
        if (word := _bare(token))[:1].isupper() and word not in _NOT_NAMES
    )


def asked_words(question: str) -> frozenset[str]:
    """The question's words, case folded: a name made only of them is not its answer."""
    return frozenset(w.casefold() for w in _WORD.findall(question))


_COUNTED = re.compile(rf"^\W*how (?:many|much)\s+(?P<counted>.*?)\s*\b(?:{AUXILIARY})\b", re.I)


def counted_words(question: str) -> frozenset[str]:
    """What a how-many question counts, case folded: "cooling centres" in "How many cooling
    centres has Valmora opened?"; empty for any other question."""
    found = _COUNTED.match(question)
    return asked_words(found.group("counted")) if found else frozenset()


def carries(
    kind: AnswerKind, sentence: str, asked: frozenset[str], names: frozenset[str] = frozenset()
) -> bool:
    """Whether ``sentence`` holds something of ``kind``; a name must be one the question does
    not already give (``asked``: its ``asked_words``), or the sentence only repeats the
    question's subject. The first word is capitalised whatever it is, so it counts only when
    it is among ``names``."""
    if kind == "quantity":
        return bool(_HAS_QUANTITY.search(sentence))
    if kind == "time":
        return bool(_HAS_TIME.search(sentence))
    for position, token in enumerate(_TOKEN.findall(sentence)):
        word = _bare(token)
        if not word[:1].isupper() or word in _NOT_NAMES or (position == 0 and word not in names):
            continue
        if any(part.casefold() not in asked for part in _WORD.findall(word)):
            return True
    return False


def _bare(token: str) -> str:
    return token.rstrip("’'").removesuffix("’s").removesuffix("'s")
