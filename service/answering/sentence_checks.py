"""Each sentence a model wrote, checked against the numbered passages it was shown.

A sentence passes when it is close to the passages it cites (``service.answering.support``),
holds no figure, date or name they lack (``service.answering.facts``) and does not rest on a
sentence written to a model (``service.answering.instructions``). A small model often cites the
chunk next to the one it read, or forgets a marker: a sentence that fails against what it cites
but passes every check against another passage it was shown cites that one instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ingest.sentences import sentence_spans
from service.answering.facts import known_names, missing_facts, passage_evidence
from service.answering.instructions import addressed_to_model
from service.answering.reply_parsing import DraftSentence
from service.answering.support import SentenceMatch, SupportChecker
from service.answering.vocabulary import SUPPORT_VOCABULARY, content_words
from service.contract import Passage


@dataclass
class Check:
    """One written sentence checked against the passages it cites."""

    draft: DraftSentence
    score: float
    matches: dict[int, SentenceMatch]
    problem: str | None
    """Why it is unsupported; None when it is supported."""
    recited: str | None = None
    """How its markers were changed to the passage that supports it, when they were."""


class SentenceChecks:
    """The checks for one reply, over ``passages`` as the prompt numbered them (from 1)."""

    def __init__(self, checker: SupportChecker, passages: list[Passage], written: list[str]):
        self.checker = checker
        self.passages = passages
        self.known = known_names(
            written + [t for p in passages for _, _, t in passage_sentences(p)]
        )
        """Names even where a sentence starts with them (``facts.known_names``)."""

    def passage(self, n: int) -> Passage | None:
        return self.passages[n - 1] if 1 <= n <= len(self.passages) else None

    def check(self, d: DraftSentence, vector: Any) -> Check:
        """``d`` against what it cites, else against the one other passage that supports it
        best: the first check that passes, or the failed one against what it cites."""
        first = self._against(d, vector)
        if first.problem is None:
            return first
        passing = [
            check
            for n in range(1, len(self.passages) + 1)
            if n not in d.markers
            and (check := self._against(DraftSentence(d.text, [n]), vector)).problem is None
        ]
        other = max(passing, key=lambda c: c.score, default=None)
        if other is None:
            return first
        was = f"{d.markers} re-cited" if d.markers else "uncited, cited"
        other.recited = f"{was} as {other.draft.markers}: {d.text[:80]!r}"
        return other

    def missing(self, text: str, cited: list[Passage]) -> list[str]:
        """The figures, dates and names of ``text`` that none of ``cited`` holds."""
        return missing_facts(text, [passage_evidence(p) for p in cited], self.known)

    def _against(self, d: DraftSentence, vector: Any) -> Check:
        cited = [p for n in d.markers if (p := self.passage(n))]
        judgement = self.checker.judge(d.text, cited, claim_vector=vector)
        matches = {n: judgement.matches[self.passages[n - 1].id] for n in d.markers}
        missing = self.missing(d.text, cited)
        instructed = (
            judgement.best is not None and addressed_to_model(judgement.best.text)
        ) or bool(instructed_words(d.text, cited))
        problem = None
        if instructed:
            problem = f"rests on text addressed to a model: {d.text[:80]!r}"
        elif missing and cited:
            problem = f"not in the cited passages ({', '.join(missing)}): {d.text[:80]!r}"
        elif judgement.score < self.checker.threshold:
            problem = f"unsupported ({judgement.score:.2f}): {d.text[:80]!r}"
        return Check(d, judgement.score, matches, problem)


def instructed_words(sentence: str, passages: list[Passage]) -> set[str]:
    """The sentence's content words that its passages hold only in text written to a model:
    what it took from an instruction ("the merger has been cancelled") rather than the news."""
    told = " ".join(
        t for p in passages for _, _, t in passage_sentences(p) if addressed_to_model(t)
    )
    if not told:
        return set()
    reported = content_words(" ".join(passage_evidence(p) for p in passages), SUPPORT_VOCABULARY)
    told_only = content_words(told, SUPPORT_VOCABULARY) - reported
    return content_words(sentence, SUPPORT_VOCABULARY) & told_only


def passage_sentences(passage: Passage) -> list[tuple[int, int, str]]:
    """Every sentence of the passage, instructions included (offsets in the chunk)."""
    text = passage.chunk.text
    return [(start, end, text[start:end]) for start, end in sentence_spans(text)]
