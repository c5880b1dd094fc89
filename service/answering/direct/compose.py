"""The direct answer put in front of the quotes: a span, a verdict, or "the articles do not say".

- A question asking for a name, figure or time gets the span (``spans``), cited by its own
  offsets, then the sentence it comes from and the other quotes. When no ranked sentence holds
  a span of that kind, or the one found answers a neighbouring question (``neighbours``), the
  answer says the articles do not say, and the quotes follow as context.
- A yes/no question gets a verdict from its claims (``judge``): No when one is contradicted,
  Yes when all are supported, otherwise "the articles do not settle it". When it asks how its
  sides relate (``relations.Relation``), a figure or direction one side's evidence gives against
  the other's is a disagreement; without one, sides that agree are consistent, do not
  conflict, and differ unless they state the same thing. The model's or the quotes' wording
  never decides it. A question offering alternatives ("consistent or inconsistent?") is
  answered with the one that holds.

The sentences and citations returned replace the extractive answer's: the direct answer is the
first sentence, its evidence is quoted next, the remaining quotes after, numbered in order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import combinations
from typing import Protocol

import numpy as np

from service.answering.declines import listed
from service.answering.direct.contradiction import disagreement
from service.answering.direct.judge import ClaimJudge, Finding, Sentence
from service.answering.direct.neighbours import (
    SHORT_QUESTION_WORDS,
    fuller_sentence,
    other_occasion,
    outside_window,
    predicate,
    unsaid_predicate,
    unspoken,
)
from service.answering.direct.reporting_outlet import asks_for_outlet, reporting_outlet
from service.answering.direct.spans import Ranked, Span, find_span, holds_span
from service.answering.sentence_vectors import SentenceVectors
from service.answering.vocabulary import stems
from service.contract import AnswerSentence, Citation, ClaimCheck, DirectAnswer, Passage
from service.question.claims import OrderChoice, OrderClaim, YesNo
from service.question.kinds import AnswerKind, asked_category, counted_words, names_within
from service.question.parsed import ParsedQuestion

SAME_STATEMENT = 0.8
"""Sides whose evidence sentences are this similar say the same thing: a question asking
whether they differ is answered No. Below it, each says something of its own."""
CLOSEST = 8
"""The extractive answerer's best sentences also judged against each claim."""
NOT_SAID = "The articles do not say"
UNSETTLED = "The articles do not settle it"


class Quote(Protocol):
    """Anything quoted: a span of a passage's article, with its offsets in the body (a ranked
    sentence, a claim's evidence, an answer span)."""

    passage: Passage
    start: int
    end: int
    text: str


@dataclass
class Composed:
    direct: DirectAnswer
    sentences: list[AnswerSentence]
    citations: list[Citation]


@dataclass
class _Numbering:
    """Citations numbered in the order they are first used, one per distinct quote."""

    citations: list[Citation] = field(default_factory=list)
    _seen: dict[tuple[str, int, int], int] = field(default_factory=dict)

    def cite(self, quote: Quote) -> int:
        key = (quote.passage.chunk.article_id, quote.start, quote.end)
        if key not in self._seen:
            n = len(self.citations) + 1
            self._seen[key] = n
            self.citations.append(
                Citation.quoting(n, quote.passage, quote.text, quote.start, quote.end)
            )
        return self._seen[key]


class DirectAnswerer:
    def __init__(self, vectors: SentenceVectors, max_sentences: int = 4):
        self.vectors = vectors
        self.judge = ClaimJudge(vectors)
        self.max_sentences = max_sentences

    def compose(
        self,
        parsed: ParsedQuestion,
        ranked: list[Ranked],
        quoted: list[Ranked],
        passages: list[Passage],
    ) -> Composed | None:
        """The direct answer with its quotes, or None when the question asks for no span or
        verdict (then the quotes are the answer). ``ranked``: every sentence the extractive
        answerer scored, best first, where spans and claim evidence are looked for;
        ``quoted``: the ones it chose to quote, shown after the direct answer's evidence."""
        if parsed.order_choice is not None:
            return self._choice(parsed.order_choice, ranked, quoted, passages)
        if parsed.yes_no is not None:
            return self._verdict(parsed.yes_no, ranked, quoted, passages)
        if asks_for_outlet(parsed.text):
            outlet = reporting_outlet(parsed.text, ranked)
            return self._outlet(*outlet, quoted) if outlet else self._no_outlet(quoted)
        if parsed.kind is not None:
            return self._span(parsed, ranked, quoted, passages)
        return None

    def _outlet(self, outlet: str, evidence: list[Ranked], quoted: list[Ranked]) -> Composed:
        numbering = _Numbering()
        marks = [numbering.cite(sentence) for sentence in evidence]
        direct = DirectAnswer(form="outlet", text=outlet, citations=marks)
        said = [AnswerSentence(text=outlet, citations=marks)]
        said += [
            AnswerSentence(text=r.text, citations=[n]) for r, n in zip(evidence, marks, strict=True)
        ]
        rest = self._quoted([r for r in quoted if r not in evidence], numbering)
        return Composed(direct, [*said, *rest], numbering.citations)

    def _no_outlet(self, quoted: list[Ranked]) -> Composed:
        """The best article names no outlet: any name in its text would be a wrong answer."""
        text = f"{NOT_SAID} which outlet reported it: the article saying so names no outlet."
        numbering = _Numbering()
        said = [AnswerSentence(text=text), *self._quoted(list(quoted), numbering)]
        return Composed(DirectAnswer(form="not_said", text=text), said, numbering.citations)

    def _span(
        self,
        parsed: ParsedQuestion,
        ranked: list[Ranked],
        quoted: list[Ranked],
        passages: list[Passage],
    ) -> Composed:
        numbering = _Numbering()
        kind: AnswerKind = parsed.kind  # type: ignore[assignment]
        focus = frozenset(stems(predicate(parsed.text)))
        person = bool(re.match(r"^\W*(who|whom|whose)\b", parsed.text, re.IGNORECASE))
        short = len(parsed.text.split()) <= SHORT_QUESTION_WORDS
        subject = names_within([parsed.text]) if short else frozenset()
        span = find_span(
            kind,
            ranked,
            parsed.words,
            passages,
            focus,
            person,
            measure=parsed.measure,
            subject=subject,
            counted=counted_words(parsed.text),
            category=asked_category(parsed.text),
        )
        missing = unspoken(parsed.text, passages)
        said = (_holder(span, ranked) or span).text if span is not None else ""
        occasion = other_occasion(parsed.text, said) if span is not None else None
        fuller = (
            fuller_sentence(
                parsed.text,
                said,
                [r.text for r in ranked],
                lambda text: holds_span(kind, text, parsed.words, parsed.measure),
            )
            if span is not None
            else []
        )
        unsaid = unsaid_predicate(parsed.text, said) if kind == "quantity" and span else []
        neighbour = span is not None and (
            bool(missing)
            or bool(occasion)
            or bool(fuller)
            or bool(unsaid)
            or outside_window(span.passage, said, parsed.dates)
        )
        if span is None or neighbour:
            what = f" (nothing in them mentions {listed(missing)})" if missing else ""
            what = f" (they speak of {occasion})" if occasion and not missing else what
            if fuller and not missing and not occasion:
                what = f" (what they say of {listed(fuller, 'and')} gives {_NONE_OF[kind]})"
            if unsaid and not (missing or occasion or fuller):
                what = f" (the sentence with a figure says nothing of {listed(unsaid)})"
            if span is None and parsed.measure == "sum":
                what = " (they give no sum of money for it)"
            text = f"{NOT_SAID}{what}; what they do say is quoted below."
            direct = DirectAnswer(form="not_said", text=text)
            quotes: list[Quote] = list(quoted)
            first = AnswerSentence(text=text)
        else:
            n = numbering.cite(span)
            direct = DirectAnswer(form="span", text=span.text, citations=[n])
            first = AnswerSentence(text=span.text, citations=[n])
            holder = _holder(span, ranked)
            quotes = ([holder] if holder else []) + [r for r in quoted if r is not holder]
        return Composed(direct, [first, *self._quoted(quotes, numbering)], numbering.citations)

    def _choice(
        self,
        asked: OrderChoice,
        ranked: list[Ranked],
        quoted: list[Ranked],
        passages: list[Passage],
    ) -> Composed:
        """The side published first (or last), with both articles' sentences as evidence."""
        first, second = asked.sides
        self.judge.prepare([first, second])
        embedded = frozenset(r.text for r in ranked)
        found = self.judge.order(OrderClaim(first, second), passages, embedded)
        numbering = _Numbering()
        if found is None or found.status == "unsettled":
            reason = found.reason if found else "both are in one article"
            text = f"{UNSETTLED}: {reason}."
            direct = DirectAnswer(form="choice", text=text)
            first_sentence = AnswerSentence(text=text)
            evidence: list[AnswerSentence] = []
        else:
            markers = [numbering.cite(s) for s in found.evidence]
            before = found.status == "supported"
            chosen = first if before == asked.earlier else second
            text = f"{chosen.text[:1].upper()}{chosen.text[1:]}: {found.reason}."
            direct = DirectAnswer(form="choice", text=text, citations=markers)
            first_sentence = AnswerSentence(text=text, citations=markers)
            evidence = [AnswerSentence(text=c.quote, citations=[c.n]) for c in numbering.citations]
        rest = self._quoted(list(quoted), numbering, room=self.max_sentences - len(evidence))
        return Composed(direct, [first_sentence, *evidence, *rest], numbering.citations)

    def _verdict(
        self, asked: YesNo, ranked: list[Ranked], quoted: list[Ranked], passages: list[Passage]
    ) -> Composed:
        closest = [Sentence(r.passage, r.start, r.end, r.text) for r in ranked[:CLOSEST]]
        sides = [asked.order.earlier, asked.order.later] if asked.order else []
        self.judge.prepare([*asked.claims, *sides])
        literally = len(asked.text.split()) <= SHORT_QUESTION_WORDS
        embedded = frozenset(r.text for r in ranked)
        findings = [
            self.judge.content(claim, passages, closest, literally, embedded)
            for claim in asked.claims
        ]
        order = self.judge.order(asked.order, passages, embedded) if asked.order else None
        verdict, reason, decisive = self._decide(asked, findings, order)
        numbering = _Numbering()
        every = findings + ([order] if order else [])
        checks = []
        for finding in every:
            markers = [numbering.cite(s) for s in finding.evidence]
            checks.append(
                ClaimCheck(
                    claim=finding.claim.text,
                    kind="order" if finding is order else "content",
                    outlets=list(finding.claim.outlets),
                    status=finding.status,
                    reason=finding.reason,
                    citations=markers,
                )
            )
        cited = [numbering.cite(s) for f in decisive for s in f.evidence]
        words = {"yes": "Yes", "no": "No", "unsettled": UNSETTLED}
        if asked.options is not None:
            holds, fails = asked.options
            words |= {"yes": holds[:1].upper() + holds[1:], "no": fails[:1].upper() + fails[1:]}
        text = words[verdict] + (f": {reason}." if reason else ".")
        direct = DirectAnswer(
            form="verdict",
            text=text,
            citations=list(dict.fromkeys(cited)),
            verdict=verdict,
            claims=checks,
        )
        first = AnswerSentence(text=text, citations=direct.citations)
        evidence = [
            AnswerSentence(text=c.quote, citations=[c.n]) for c in list(numbering.citations)
        ]
        rest = self._quoted(list(quoted), numbering, room=self.max_sentences - len(evidence))
        return Composed(direct, [first, *evidence, *rest], numbering.citations)

    def _decide(
        self, asked: YesNo, findings: list[Finding], order: Finding | None
    ) -> tuple[str, str, list[Finding]]:
        """The verdict, its reason and the findings that decide it."""
        every = findings + ([order] if order else [])
        against = [f for f in every if f.status == "contradicted"]
        if against:
            return "no", against[0].reason, against[:1]
        sided = len(findings) >= 2 or (asked.relation == "conflict" and findings)
        if asked.relation is not None and sided:
            sides = [f for f in findings if f.evidence]
            clash = self._clash(sides)
            found = all(f.status == "supported" for f in every)
            if clash:
                verdict = "no" if asked.relation in ("agree", "same") else "yes"
                return verdict, f"they disagree: {clash[0]}", clash[1]
            if found and asked.relation == "conflict":
                return "no", "nothing in one contradicts the other", sides
            if found and asked.relation in ("differ", "same"):
                same = self._same(sides)
                verdict = "yes" if same == (asked.relation == "same") else "no"
                reason = "they say the same" if same else "each reports something of its own"
                return verdict, reason, sides
        unsettled = [f for f in every if f.status != "supported"]
        if not every:
            return "unsettled", "the question makes no claim that could be checked", []
        if unsettled:
            first = unsettled[0]
            return "unsettled", f"for “{first.claim.text}”, {first.reason}", unsettled[:1]
        return "yes", "", every

    @staticmethod
    def _clash(sides: list[Finding]) -> tuple[str, list[Finding]] | None:
        for a, b in combinations(sides, 2):
            found = disagreement(a.evidence[0].text, b.evidence[0].text, negation=False)
            if found is not None:
                return found.reason, [a, b]
        return None

    def _same(self, sides: list[Finding]) -> bool:
        """Whether every side's evidence states the same thing (near-identical sentences)."""
        vectors = self.vectors.embed([f.evidence[0].text for f in sides])
        return bool(np.min(vectors @ vectors.T) >= SAME_STATEMENT)

    def _quoted(
        self, quotes: list[Quote], numbering: _Numbering, room: int | None = None
    ) -> list[AnswerSentence]:
        room = self.max_sentences if room is None else room
        shown: list[AnswerSentence] = []
        used = {(c.article_id, c.start, c.end) for c in numbering.citations}
        for quote in quotes:
            key = (quote.passage.chunk.article_id, quote.start, quote.end)
            if len(shown) >= room:
                break
            if key in used:
                continue
            used.add(key)
            shown.append(AnswerSentence(text=quote.text, citations=[numbering.cite(quote)]))
        return shown


_NONE_OF = {"quantity": "no figure", "name": "no name", "time": "no date"}


def _holder(span: Span, ranked: list[Ranked]) -> Ranked | None:
    """The ranked sentence the span was found in."""
    found_in = span.found_in or span.passage
    return next(
        (r for r in ranked if r.passage.id == found_in.id and r.start == span.sentence_start),
        None,
    )
