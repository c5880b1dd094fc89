"""Whether the sentence holding a span answers the question asked or a neighbouring one.

"How much will a single ticket on the Eastline tram cost?" finds a figure in "the council put
its cost at 412 million euros": the right kind of span about another thing. Two signs give a
neighbour away, both read from the question's grammar and the articles, never from a list:

- the words of the asked phrase (what follows the question word: "a single ticket") appear in
  none of the retrieved passages, so the articles do not speak of it at all;
- the question names a time ("at its September 2024 meeting") and the span's article was
  published outside it without the sentence naming that time.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from service.answering.vocabulary import ANSWER_VOCABULARY, content_words, stems
from service.contract import Passage
from service.question.dates import DateWindow
from service.question.kinds import NAME_NOUNS

SHORT_QUESTION_WORDS = 20
ASKED_WORDS = 3
"""How many content words after the question word make the asked phrase."""
_QUESTION_PHRASE = re.compile(
    r"^\W*(?:(?:in|on|at|for|from|by|to|with) )?(?:who|whom|whose|what|which|where|when|how"
    r"(?: (?:many|much|long|old|far|big|large|tall|high|deep|fast|often))?)\b",
    re.IGNORECASE,
)
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
    return [w for w in asked_phrase(question) if not stems([w]) <= said]


def outside_window(passage: Passage, sentence: str, windows: Sequence[DateWindow]) -> bool:
    """The article was published outside every window the question names, and the sentence
    does not name the asked time itself."""
    published = passage.chunk.published
    if not windows or published is None:
        return False
    if any(
        (w.after is None or published >= w.after) and (w.before is None or published <= w.before)
        for w in windows
    ):
        return False
    return not any(w.text and w.text.lower() in sentence.lower() for w in windows)
