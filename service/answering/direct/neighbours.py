"""Whether the sentence holding a span answers the question asked or a neighbouring one.

"How much will a single ticket on the Eastline tram cost?" finds a figure in "the council put
its cost at 412 million euros": the right kind of span about another thing. These signs give a
neighbour away, all read from the question's grammar and the articles, never from a list:

- the words of the asked phrase (what follows the question word: "a single ticket") appear in
  none of the retrieved passages, so the articles do not speak of it at all;
- the question names a time ("at its September 2024 meeting") and the span's article was
  published outside it without the sentence naming that time;
- the sentence pins its fact to another occasion than the question's: another weekday,
  quarter, half, year or season (``service.question.qualifiers``);
- a figure's sentence says nothing of what the question asks of the counted thing ("taken
  prisoner"), only of the thing itself ("50,000 soldiers" Russia assembled);
- another of the best sentences speaks of more of the asked phrase and gives no answer of the
  asked kind: "Shopkeepers on Weir Street have asked for compensation" is what the articles
  say of "How much compensation will each Weir Street shop get?", so the tram's cost quoted
  elsewhere answers another question.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime

from service.answering.declines import listed
from service.answering.vocabulary import ANSWER_VOCABULARY, content_words, stems
from service.contract import Passage
from service.question.claims import AUXILIARY
from service.question.dates import MONTHS, DateWindow
from service.question.kinds import NAME_NOUNS
from service.question.qualifiers import clash

SHORT_QUESTION_WORDS = 20
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
ASKED_WORDS = 3
"""How many content words after the question word make the asked phrase."""
_QUESTION_PHRASE = re.compile(
    r"^\W*(?:(?:in|on|at|for|from|by|to|with) )?(?:who|whom|whose|what|which|where|when|how"
    r"(?: (?:many|much|long|old|far|big|large|tall|high|deep|fast|often))?)\b",
    re.IGNORECASE,
)
_WHO_VERB = re.compile(rf"^\W*(?:who|whom)\s+(?!(?:{AUXILIARY})\b)(?P<verb>[\w’'-]+)", re.I)
"""A who-question's first word is its verb ("Who leads Kestrel?"), unless it is an auxiliary
("Who is the president…?"): a verb is said in many ways, so its absence proves nothing."""
_AUXILIARY = re.compile(rf"\b(?:{AUXILIARY})\b", re.IGNORECASE)
_GENERIC = frozenset(NAME_NOUNS) | frozenset(
    "kind type sort number amount level figure total year month day date time place".split()
)


def asked_phrase(question: str) -> list[str]:
    """The first content words after the question word: what the question asks about."""
    match = _QUESTION_PHRASE.match(question)
    if match is None:
        return []
    rest = question[match.end() :].split(",")[0]
    tokens = re.findall(r"[\w’'-]+", rest.lower())
    words = [w for w in tokens if content_words(w, ANSWER_VOCABULARY)]
    if (
        words
        and words[0] in _GENERIC
        and match.group().lower().rstrip().endswith(("which", "what"))
    ):
        words = words[1:]
    return words[:ASKED_WORDS]


def predicate(question: str) -> list[str]:
    """The asked phrase without its names: what is asked of them ("chief executive" in "Who
    is the chief executive of Kestrel?")."""
    named = {w.casefold() for w in re.findall(r"\b[A-Z][\w’'-]*", question)}
    return [w for w in asked_phrase(question) if w not in named]


def unspoken(question: str, passages: Sequence[Passage]) -> list[str]:
    """Words of the asked phrase that no retrieved passage (text, title, outlet) uses. Only a
    short question is read so: a long one ("Who is the individual associated with X, who...")
    names its answer by many clues, in words of its own, and one clue worded differently from
    the articles does not mean they lack the answer."""
    if len(question.split()) > SHORT_QUESTION_WORDS:
        return []
    said = stems(
        w
        for p in passages
        for w in re.findall(r"[\w’'-]+", f"{p.chunk.text} {p.chunk.title} {p.chunk.source}".lower())
    )
    verb = _WHO_VERB.match(question)
    asked = [w for w in asked_phrase(question) if not verb or w != verb.group("verb").lower()]
    return [w for w in asked if not stems([w]) <= said]


PREDICATE_WORDS = 2
"""A figure's sentence must say at least one of what the question asks of the counted thing
when it asks this many words of it: one verb may be said another way ("hit" for "affected"),
two words none of which the sentence uses ("taken prisoner") ask about another count."""


def unsaid_predicate(question: str, sentence: str) -> list[str]:
    """What a short question asks of the thing it counts ("taken prisoner" in "How many
    soldiers were taken prisoner by Ukraine?"), as the question writes it, when the figure's
    ``sentence`` says none of it: "Russia assembled a force of 50,000 soldiers" counts other
    soldiers. The counted thing (up to the auxiliary) and the names are left out: they found
    the sentence, and a name may be said elsewhere in the article. Empty when the sentence
    says any of what is asked."""
    match = _QUESTION_PHRASE.match(question)
    if match is None or len(question.split()) > SHORT_QUESTION_WORDS:
        return []
    asked = _AUXILIARY.search(question, match.end())
    if asked is None:
        return []
    named = {w.casefold() for w in re.findall(r"\b[A-Z][\w’'-]*", question)}
    rest = {
        w
        for w in re.findall(r"[\w’'-]+", question[asked.end() :].lower())
        if content_words(w, ANSWER_VOCABULARY) and w not in named | _GENERIC
    }
    if len(rest) < PREDICATE_WORDS or _spoken(sorted(rest), sentence):
        return []
    return _phrases(question, rest)


FULLER_DEPTH = 5
"""How many of the best-ranked sentences are weighed against the span's own."""


def fuller_sentence(
    question: str, said: str, others: Sequence[str], answers: Callable[[str], bool]
) -> list[str]:
    """The asked words (as the question writes them) that one of ``others`` speaks of and the
    span's sentence ``said`` does not, when that sentence holds more of the asked phrase and
    gives no answer itself (``answers``); empty when the span's sentence is as close to what
    is asked as any. Only a short question is read so, as in ``unspoken``."""
    if len(question.split()) > SHORT_QUESTION_WORDS:
        return []
    asked = [w.removesuffix("’s").removesuffix("'s") for w in asked_phrase(question)]
    own = _spoken(asked, said)
    for other in others[:FULLER_DEPTH]:
        if other == said:
            continue
        theirs = _spoken(asked, other)
        if len(theirs) > len(own) and not answers(other):
            return _phrases(question, theirs - own)
    return []


def _spoken(words: Sequence[str], sentence: str) -> set[str]:
    said = stems(re.findall(r"\w+", sentence.lower()))
    return {w for w in words if stems([w]) <= said}


def _phrases(question: str, words: set[str]) -> list[str]:
    """``words`` as the question writes them, neighbours joined: "Weir Street", not "Weir"
    and "Street"."""
    phrases: list[list[str]] = []
    previous = False
    for token in re.findall(r"[\w’'-]+", question):
        chosen = token.lower().removesuffix("’s").removesuffix("'s") in words
        if chosen and previous:
            phrases[-1].append(token)
        elif chosen:
            phrases.append([token])
        previous = chosen
    return [" ".join(p) for p in phrases]


def outside_window(passage: Passage, sentence: str, windows: Sequence[DateWindow]) -> bool:
    """The article was published outside every window the question names, and the sentence
    does not name the asked month or year itself ("at its meeting in March"). A month named
    without its year ("in April") is that month of any year: the date filters read it as the
    latest April, a guess too weak to call an older article's April a neighbour."""
    published = passage.chunk.published
    if not windows or published is None:
        return False
    if any(_within(published, w) for w in windows):
        return False
    return not any(_names_time(sentence, w) for w in windows)


def _within(published: datetime, window: DateWindow) -> bool:
    after, before = window.after, window.before
    if after is not None and before is not None and not _YEAR.search(window.text):
        if after.year != before.year:
            return True
        published = published.replace(year=after.year, day=min(published.day, 28))
    return (after is None or published >= after) and (before is None or published <= before)


def _names_time(sentence: str, window: DateWindow) -> bool:
    words = re.findall(r"[\w]+", window.text.lower())
    times = [w for w in words if w in MONTHS or _YEAR.fullmatch(w)]
    said = set(re.findall(r"[\w]+", sentence.lower()))
    if times:
        return any(t in said for t in times)
    return window.text.lower() in sentence.lower()


def other_occasion(question: str, sentence: str) -> str | None:
    """What the sentence speaks of instead, when it names another occasion than the
    question's ("Tuesday and Wednesday, not Thursday"); None when it does not."""
    found = clash(question, sentence)
    if found is None:
        return None
    wanted, stated = found
    return f"{listed(list(dict.fromkeys(q.text for q in stated)))}, not “{wanted.text}”"
