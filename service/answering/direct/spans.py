"""The answer span of a who / which / when / how-many question: the name, time or figure it
asks for, cut from a supporting sentence, with its offsets in the article.

A span the question already contains is never its answer ("Who is the chief executive of
Kestrel?" is not answered "Kestrel"). Among the sentences the extractive answerer ranked, the
span is taken from the best one holding a span of the asked kind; a name is also weighed by how
many of the retrieved passages mention it, since the entity a multi-article question describes
is the one its articles share.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from service.answering.vocabulary import stems
from service.contract import Passage
from service.question.dates import MONTH_NAMES, WEEKDAYS
from service.question.kinds import AnswerKind, Measure, is_money, names_within

_MONTH = rf"(?:{'|'.join(m[:3] for m in MONTH_NAMES)})[a-z]*\.?"
_QUALIFIER = (
    r"(?i:(?:(?:more|fewer|less|greater) than|at least|at most|up to|about|around|roughly|"
    r"nearly|almost|approximately|an estimated|as many as|as few as|some|over|under|"
    r"just over|just under)\s+)"
)
_NUMBER_WORD = (
    r"(?i:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|"
    r"forty|fifty|sixty|seventy|eighty|ninety|hundred|a dozen|dozens|hundreds|thousands)"
)
_MAGNITUDE = r"(?:\s+(?:thousand|million|billion|trillion))?"
_UNIT = r"(?:\s*(?:%|percent|per cent|percentage points?|points?)|(?:[\s-][a-z][\w-]*))?"
_QUANTITY = re.compile(
    rf"(?:{_QUALIFIER})?(?:[$€£]\s?)?(?:\d+(?:[.,]\d+)*(?:\s+to\s+\d+(?!\d)|[-–]\d+(?![\d.,]))?|\b{_NUMBER_WORD}\b)"
    rf"{_MAGNITUDE}{_UNIT}"
)
_TIME = re.compile(
    rf"\b(?:(?:early|late|mid|the (?:spring|summer|autumn|fall|winter|end|start) of)\s+)?"
    rf"(?:{_MONTH}\s+\d{{1,2}}(?:,\s+\d{{4}})?|\d{{1,2}}\s+{_MONTH}(?:\s+\d{{4}})?|"
    rf"{_MONTH}\s+\d{{4}}|(?:19|20)\d\d|(?:{'|'.join(WEEKDAYS)}))\b",
    re.IGNORECASE,
)
_NAME_WORD = r"(?:[A-Z][\w’'&.-]*|\d+(?:st|nd|rd|th))"
_NAME = re.compile(
    rf"{_NAME_WORD}(?:\s+(?:of|de|la|van|von|the|and|&)\s+{_NAME_WORD}|\s+{_NAME_WORD})*"
)
_UNIT_STOP = frozenset(
    "a an the and or of on in at to for from by with as is was were be been that this it its "
    "their his her than after before since when while who which".split()
)
PERSON_WEIGHT = 0.05
NAME_SHARE_WEIGHT = 0.05
"""What each further retrieved passage mentioning a name adds to its sentence's score."""
UNIT_MATCH_WEIGHT = 0.1
"""What a figure counting the question's own noun adds."""
CHANGE_WEIGHT = 0.5
"""What a figure said as a change adds when the question asks how much something changed:
more than sentence scores differ among the best few, so a level ("revenue of 3.84 billion
dollars") answers "How much did revenue grow?" only when no change is given."""
PREDICATE_WEIGHT = 0.1
"""What a sentence holding every word of the asked phrase adds."""
NEAR_WEIGHT = 0.2
NEAR_WORDS = 3
"""What a span with every word of the asked phrase within ``NEAR_WORDS`` of it adds."""
CATEGORY_WEIGHT = 1.0
"""What a name holding the question's category noun adds, more than scores differ: it says it
is of the kind asked ("Journal of Planetary Atmospheres" for "In what journal…?")."""
ORDER_PENALTY = 0.001
"""Ties go to the span said first."""


@dataclass(frozen=True)
class Span:
    text: str
    passage: Passage
    start: int
    """Offset in the article body."""
    end: int
    sentence_start: int
    """Where the sentence it was found in starts and ends, in ``found_in``'s article."""
    sentence_end: int
    found_in: Passage | None = None
    """The passage of that sentence, when the span is cited elsewhere (a name in full)."""


@dataclass(frozen=True)
class Ranked:
    """A sentence the answerer ranked, with its offsets in the article body."""

    passage: Passage
    start: int
    end: int
    text: str
    score: float


def find_span(
    kind: AnswerKind,
    ranked: Sequence[Ranked],
    asked: frozenset[str],
    passages: Sequence[Passage],
    focus: frozenset[str] = frozenset(),
    person: bool = False,
    depth: int = 3,
    measure: Measure | None = None,
    subject: frozenset[str] = frozenset(),
    counted: frozenset[str] = frozenset(),
    category: str | None = None,
) -> Span | None:
    """The answer span of ``kind`` from the first ``depth`` ``ranked`` sentences, that the
    question (``asked``: its case-folded words) does not already give. Each span scores its
    sentence's score; a name gains for every further passage mentioning it, a figure when it
    counts what the question counts ("how many goals": "31 goals"). A name is given in full
    where the passages write it so ("Bankman-Fried" is cited where they say "Sam
    Bankman-Fried"); ``person`` (a who-question) prefers names written as a person's;
    ``measure`` "sum" takes only figures in a currency, "change" prefers a percentage or a
    figure said with its direction ("up 22 percent", "43 million more"). ``subject``: the
    names a short question asks about ("Norrvik"): a name holding one of them is the subject,
    not its answer ("Norrvik Microdevices" does not answer "Who leads Norrvik?"), and a span
    is taken from an article naming one of them whenever one of the sentences is. ``counted``:
    what a how-many question counts, the figure's unit read over all of it; ``category``: the
    noun a which-question names its answer by (``kinds.asked_category``)."""
    names = names_within(r.text for r in ranked) if kind == "name" else frozenset()
    full = _full_names(passages, asked) if kind == "name" else {}
    asked_stems = stems(asked)
    best: tuple[float, Span] | None = None
    about = [r for r in ranked if _names_any(r.passage, subject)] if subject else []
    for sentence in _naming_counted(kind, (about or ranked)[:depth], asked, measure, counted):
        said = stems(re.findall(r"[\w’'-]+", sentence.text.lower())) if focus else set()
        predicate = PREDICATE_WEIGHT * len(focus & said) / len(focus) if focus else 0.0
        for position, (start, found_end) in enumerate(_spans(kind, sentence.text, names)):
            end = (
                _counted_in_full(sentence.text, found_end, counted)
                if kind == "quantity"
                else found_end
            )
            text = sentence.text[start:end]
            if _given(text, asked) or (person and _PLACED.search(sentence.text[:start])):
                continue
            if measure == "sum" and not is_money(text):
                continue
            if kind == "name" and subject and _holds_subject(text, full, subject):
                continue
            near = _near(sentence.text, start, end, focus, after=kind == "name")
            score = sentence.score + predicate + near - ORDER_PENALTY * position
            if kind == "name":
                shown = full.get(text, [])
                score += NAME_SHARE_WEIGHT * max(0, _mentions(text, passages) - 1)
                if person and _personal(shown[0].text if shown else text):
                    score += PERSON_WEIGHT
                named = re.findall(r"[\w’'-]+", (shown[0].text if shown else text).casefold())
                score += CATEGORY_WEIGHT if category and stems([category]) & stems(named) else 0

            elif kind == "quantity" and stems(re.findall(r"[a-z]+", text.lower())) & asked_stems:
                score += UNIT_MATCH_WEIGHT
            if measure == "change" and _changed(sentence.text, start, end):
                score += CHANGE_WEIGHT
            span = Span(
                text,
                sentence.passage,
                sentence.start + start,
                sentence.start + end,
                sentence.start,
                sentence.end,
            )
            if best is None or score > best[0]:
                best = (score, span)
    if best is None:
        return None
    span = best[1]
    places = full.get(span.text, []) if kind == "name" else []
    article = span.passage.chunk.article_id
    longer = next((p for p in places if p.passage.chunk.article_id == article), None) or (
        places[0] if places else None
    )
    if longer is not None:
        return Span(
            longer.text,
            longer.passage,
            longer.start,
            longer.end,
            span.sentence_start,
            span.sentence_end,
            span.passage,
        )
    return span


def _naming_counted(
    kind: AnswerKind,
    sentences: Sequence[Ranked],
    asked: frozenset[str],
    measure: Measure | None,
    counted: frozenset[str],
) -> Sequence[Ranked]:
    """Of the best sentences, those naming what a how-many question counts, when one of them
    gives a figure: a sentence that never names it ("ending eleven years of studies", for "How
    many stops will the tram have?") does not count it, however close its words."""
    wanted = stems(counted - _UNIT_STOP)
    if kind != "quantity" or not wanted:
        return sentences
    naming = [
        s
        for s in sentences
        if wanted & stems(re.findall(r"[\w’'-]+", s.text.lower()))
        and holds_span(kind, s.text, asked, measure)
    ]
    return naming or sentences


def _holds_subject(name: str, full: dict[str, list[Span]], subject: frozenset[str]) -> bool:
    """Whether the name, or the fuller name it is shown as, holds a word of ``subject``."""
    shown = full.get(name, [])
    words = set(name.split()) | (set(shown[0].text.split()) if shown else set())
    return bool(words & subject)


def _names_any(passage: Passage, names: frozenset[str]) -> bool:
    text = f"{passage.chunk.title}\n{passage.chunk.text}"
    return any(re.search(rf"(?<![\w-]){re.escape(n)}(?![\w-])", text) for n in names)


def holds_span(
    kind: AnswerKind, sentence: str, asked: frozenset[str], measure: Measure | None
) -> bool:
    """Whether ``sentence`` gives an answer of ``kind`` that the question does not hold."""
    return any(
        not _given(text, asked) and (measure != "sum" or is_money(text))
        for start, end in _spans(kind, sentence, names_within([sentence]))
        if (text := sentence[start:end])
    )


def _spans(kind: AnswerKind, sentence: str, names: frozenset[str]) -> list[tuple[int, int]]:
    if kind == "quantity":
        dates = [(m.start(), m.end()) for m in _TIME.finditer(sentence)]
        return [
            _trim_unit(sentence, m.start(), m.end())
            for m in _QUANTITY.finditer(sentence)
            if not any(start <= m.start() < end for start, end in dates)
        ]
    if kind == "time":
        return [(m.start(), m.end()) for m in _TIME.finditer(sentence)]
    found = []
    for match in _NAME.finditer(sentence):
        start, end = match.start(), match.end()
        words = match.group().split()
        if start == 0 and words[0] not in names:
            if len(words) == 1:
                continue
            start += len(words[0]) + 1
        text = re.sub(r"[’']s$", "", sentence[start:end].rstrip(".")).rstrip("’'")
        text = re.sub(r"(?:\s+(?:of|de|la|van|von|the|and|&))+$", "", text)
        if text and not _calendar(text):
            found.append((start, start + len(text)))
    return found


def _near(sentence: str, start: int, end: int, focus: frozenset[str], after: bool = True) -> float:
    """What the asked words right next to a span add: in "Chief executive Ilse Marven said",
    the name follows what "Who is the chief executive?" asks for; a figure follows what it
    measures ("a pay rise of 6 percent"), so for figures only the words before count
    (``after`` False: in "Ferreira, 24, scored 31 goals", "goals" is not the age's)."""
    if not focus:
        return 0.0
    words = re.findall(r"[\w’'-]+", sentence[:start].lower())[-NEAR_WORDS:]
    if after:
        words += re.findall(r"[\w’'-]+", sentence[end:].lower())[:NEAR_WORDS]
    return NEAR_WEIGHT * len(stems(words) & focus) / len(focus)


_PERCENT = re.compile(r"%|\bper ?cent\b|\bpercentage points?\b", re.IGNORECASE)
_DIRECTION = re.compile(
    r"\b(?:up|down|more|less|fewer|higher|lower|rise|rose|fell|fall|gain|gained|drop|dropped|"
    r"increase|increased|decrease|decreased|cut|grew|growth)\b",
    re.IGNORECASE,
)


def _changed(sentence: str, start: int, end: int) -> bool:
    """Whether the figure at ``start:end`` is a change: a percentage, or a direction word in
    it or right before or after it ("up 22 percent", "43 million more")."""
    if _PERCENT.search(sentence[start:end]):
        return True
    before = re.findall(r"[\w’'-]+", sentence[:start])[-2:]
    after = re.findall(r"[\w’'-]+", sentence[end:])[:1]
    return bool(_DIRECTION.search(" ".join([*before, sentence[start:end], *after])))


def _trim_unit(sentence: str, start: int, end: int) -> tuple[int, int]:
    """A figure ends at its unit: "140 flights on Tuesday" is "140 flights"."""
    words = sentence[start:end].split()
    while len(words) > 1 and words[-1].lower().strip(",.") in _UNIT_STOP:
        words.pop()
    text = " ".join(words).rstrip(",.;:")
    return start, start + len(text)


def _counted_in_full(sentence: str, end: int, counted: frozenset[str]) -> int:
    """A figure's unit runs on over the words of what is counted that follow it: "26 cooling
    centres" answers "How many cooling centres…?", not "26 cooling"."""
    words = counted - _UNIT_STOP
    while (word := _NEXT_WORD.match(sentence, end)) and word.group(1).casefold() in words:
        end = word.end()
    return end


_NEXT_WORD = re.compile(r"\s+([\w’'-]+)")


def _given(span: str, asked: frozenset[str]) -> bool:
    """Whether the question already holds every word of ``span`` (or its number)."""
    words = [w.casefold() for w in re.findall(r"\w+", span)]
    content = [w for w in words if w not in _UNIT_STOP]
    return not content or all(w in asked for w in content)


def _calendar(text: str) -> bool:
    return bool(_TIME.fullmatch(text))


def _mentions(name: str, passages: Sequence[Passage]) -> int:
    """In how many retrieved passages ``name`` appears as a whole word."""
    pattern = re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w-])")
    return sum(1 for p in passages if pattern.search(p.chunk.text))


def _full_names(passages: Sequence[Passage], asked: frozenset[str]) -> dict[str, list[Span]]:
    """For each last word or words of a longer name the passages use ("Bankman-Fried" of
    "Sam Bankman-Fried"), the places the fuller name most often used is written; names the
    question gives are left out."""
    seen: Counter[tuple[str, str]] = Counter()
    where: dict[str, list[Span]] = {}
    for passage in passages:
        for match in _NAME.finditer(passage.chunk.text):
            words = re.sub(r"[’']s$", "", match.group()).split()
            if len(words) < 2 or _given(" ".join(words), asked) or _calendar(words[0]):
                continue
            name = " ".join(words)
            offset = passage.chunk.start + match.start()
            where.setdefault(name, []).append(Span(name, passage, offset, offset + len(name), 0, 0))
            for cut in range(1, len(words)):
                seen[(" ".join(words[cut:]), name)] += 1
    fullest: dict[str, list[Span]] = {}
    for (tail, name), _ in seen.most_common():
        fullest.setdefault(tail, where[name])
    return fullest


_PLACED = re.compile(r"\b(?:in|at|near|outside|into|from)\s+(?:the\s+)?$", re.IGNORECASE)
"""A name after "in" or "near" is a place ("a factory in Tarnby"): never who did something."""


def _personal(name: str) -> bool:
    """Written as a person's name: two or more words, none of them all capitals."""
    words = name.split()
    return len(words) >= 2 and not any(w.isupper() and len(w) > 1 for w in words)
