"""Each claim of a yes/no question held against the retrieved passages: supported (a sentence
says it), contradicted (a sentence about it says otherwise, or the publication dates run the
other way) or unsettled (nothing found says either).

A content claim is compared with the sentences of the passages from the outlets it names (all
passages when it names none), scored the way the citation check scores a sentence against its
source (``service.answering.support``): embedding similarity and shared content words, the
claim's framing ("the Fortune article suggests that") left out. An order claim is decided by
the publication dates of the two articles its sides describe, read from their metadata.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

import numpy as np

from service.answering.direct.contradiction import disagreement, stance
from service.answering.sentence_vectors import SentenceVectors
from service.answering.support import SupportChecker, combined_score
from service.answering.vocabulary import SUPPORT_VOCABULARY, content_words, stems
from service.contract import Passage
from service.question.claims import Claim, OrderClaim
from service.question.parsed import ParsedQuestion
from service.question.relations import RELATION_WORD

Status = Literal["supported", "contradicted", "unsettled"]

SUPPORTED = 0.48
"""A claim of a long, paraphrasing question is supported when its best sentence scores this
(similarity and word overlap, as ``support.combined_score``): the highest bar that 90% of
MultiHop-RAG claims pass against their own article (``python -m evals.claim_calibration``)."""
SUPPORTED_LITERALLY = 0.72
"""The bar for a claim read literally (a short question): nearly the sentence's own words.
On the dev set's hand-written claims over examples/, claims an article states scored 0.74 to
0.85, and claims merely on its topic ("Did the pilots accept the pay offer?" against the
strike report) 0.67 to 0.71: similarity and shared words cannot tell those apart lower down,
so below this bar the answer is "the articles do not settle it" (evals/README.md)."""
ABOUT = 0.4
"""A sentence scoring this on its own words is about the claim: a contradiction in it counts,
if it is also within ``MARGIN`` of the best-supported sentence."""
MARGIN = 0.1
COMPARABLE_WORDS = 8
"""A claim read ``literally`` (from a short question) of at most this many content words is
held word for word: a figure, direction or negation of a sentence about it can contradict
it. A longer
claim, or any claim of a long question, summarises and paraphrases ("the article suggests A,
noting B"): it is only ever supported or unsettled. Measured on 400 MultiHop-RAG yes/no
questions (long, paraphrasing): sign-based contradictions were as often wrong as right
(evals/README.md)."""
NEGATION_OVERLAP = 0.4
"""A negation contradicts only in a sentence holding this share of the claim's own words:
"too hot for liquid water" answers "cool enough for liquid water", while a negated sentence
that merely resembles "found methane" does not answer it."""
_GRAMMAR = frozenset(
    "a an the is are was were be been being am do does did has have had any anyone anybody "
    "anything of in on at to its it their they there".split()
)
"""The only words a literal claim may leave unsaid: articles, auxiliaries, "any". Every other
word, "for", "against", "not" and "more" with them, must be in the sentence."""
SHORTLIST = 6
CLOSEST = 4
MIN_CORE_CHARS = 12
_ATTRIBUTION = re.compile(
    r"^(?:(?:both|all|each|the|an?|another|one|two|and)\b|[\s'’\",&])*"
    r"(?:(?:article|report|story|piece|review|coverage|post)s?\b[^,]{0,60}?\s+)?"
    r"(?:both\s+|all\s+|also\s+)?"
    r"(?:say|says|said|suggest|suggests|suggested|claim|claims|claimed|report|reports|reported|"
    r"mention|mentions|mentioned|imply|implies|implied|indicate|indicates|state|states|stated|"
    r"note|notes|noted|argue|argues|describe|describes|highlight|highlights)\b\s*(?:that\s+)?",
    re.IGNORECASE,
)
"""Who says it and the verb of saying, at the start of a claim."""
_FRAMING = frozenset(
    "article articles report reports reported reporting story stories piece coverage review "
    "suggest suggests suggested claim claims claimed mention mentions mentioned imply implies "
    "implied indicate indicates indicated discuss discusses discussed describe describes "
    "described state states stated highlight highlights highlighted focus focuses focused "
    "according publish published come came out both another one".split()
)


@dataclass(frozen=True)
class Sentence:
    """A passage sentence with its offsets in the article body, scored against a claim."""

    passage: Passage
    start: int
    end: int
    text: str
    support: float = 0.0
    """Similarity and the claim's words found in the sentence's passage (its title too)."""
    about: float = 0.0
    """Similarity and the claim's words found in the sentence itself."""


@dataclass(frozen=True)
class Finding:
    claim: Claim
    status: Status
    reason: str
    evidence: list[Sentence]
    """The sentences that support or contradict it (the closest one when unsettled)."""


class ClaimJudge:
    def __init__(self, vectors: SentenceVectors):
        self.vectors = vectors

    def prepare(self, claims: Sequence[Claim]) -> None:
        """Embeds every claim in one model call (one per claim would cost several)."""
        self.vectors.embed([core(c) for c in claims])

    def content(
        self,
        claim: Claim,
        passages: list[Passage],
        closest: Sequence[Sentence] = (),
        literally: bool = True,
        embedded: Collection[str] = frozenset(),
    ) -> Finding:
        """``closest``: sentences already found close to the question, judged with the ones
        sharing most words with the claim; ``literally``: whether the question is short enough
        to be held to its words (``COMPARABLE_WORDS``); ``embedded``: see ``rank``."""
        pool = _from_outlets(passages, claim.outlets)
        if not pool:
            outlets = " or ".join(claim.outlets)
            return Finding(claim, "unsettled", f"no article from {outlets} was found", [])
        words = claim_words(claim)
        ranked = self.rank(claim, pool, closest, embedded)
        if not ranked:
            return Finding(claim, "unsettled", "no sentence of the articles is about it", [])
        best = ranked[0]
        literally = literally and not claim.describes
        comparable = literally and len(words) <= COMPARABLE_WORDS
        # A headline's stance stands in for a sentence's only when no sentence near the best
        # reports the claim's own: "the four councillors who voted against" answers
        # "did the four councillors vote against", whatever "Council approves" says.
        wanted = stance(core(claim))
        near = [s for s in ranked if s.about >= ABOUT and s.support >= best.support - MARGIN]
        headlines = not any(stance(s.text) == wanted for s in near)
        for sentence in sorted(near, key=lambda s: -s.about) if comparable else []:
            own_words = _shared(words, sentence.text) >= NEGATION_OVERLAP
            found = disagreement(
                core(claim),
                sentence.text,
                negation=own_words,
                headline=sentence.passage.chunk.title if headlines else "",
            )
            if found is not None:
                return Finding(claim, "contradicted", found.reason, [sentence])
        if best.support >= (SUPPORTED_LITERALLY if literally else SUPPORTED):
            return Finding(claim, "supported", "an article says so", [best])
        stating = next(
            (
                s
                for s in ranked
                if literally and states_every_word(claim, s.text, _passage_text(s.passage))
            ),
            None,
        )
        if stating is not None:
            return Finding(claim, "supported", "an article says so in its words", [stating])
        return Finding(claim, "unsettled", "no sentence of the articles says so", [best])

    def order(
        self, claim: OrderClaim, passages: list[Passage], embedded: Collection[str] = frozenset()
    ) -> Finding | None:
        """Whether ``claim.earlier``'s article was published first; None when both sides come
        from one article (the order is then not a matter of publication dates)."""
        earlier = self._article(claim.earlier, passages, embedded)
        later = self._article(claim.later, passages, embedded)
        as_claim = Claim(f"{claim.earlier.text} came before {claim.later.text}")
        if earlier is None or later is None:
            return Finding(as_claim, "unsettled", "the articles it compares were not found", [])
        if earlier.passage.chunk.article_id == later.passage.chunk.article_id:
            return None
        first, second = earlier.passage.chunk.published, later.passage.chunk.published
        if first is None or second is None:
            return Finding(
                as_claim, "unsettled", "an article it compares has no date", [earlier, later]
            )
        if first == second:
            return Finding(
                as_claim, "unsettled", "both were published at the same time", [earlier, later]
            )
        named = f"“{earlier.passage.chunk.title}” was published {_day(first)}"
        other = f"“{later.passage.chunk.title}” {_day(second)}"
        if first < second:
            return Finding(as_claim, "supported", f"{named}, {other}", [earlier, later])
        return Finding(as_claim, "contradicted", f"{named}, but {other}", [earlier, later])

    def _article(
        self, side: Claim, passages: list[Passage], embedded: Collection[str]
    ) -> Sentence | None:
        pool = _from_outlets(passages, side.outlets)
        ranked = self.rank(side, pool, embedded=embedded)
        return ranked[0] if ranked else None

    def rank(
        self,
        claim: Claim,
        pool: list[Passage],
        closest: Sequence[Sentence] = (),
        embedded: Collection[str] = frozenset(),
    ) -> list[Sentence]:
        """The pool's sentences scored against the claim, best supported first: of the
        ``SHORTLIST`` sharing most words with it, those in ``embedded`` (the sentences the
        extractive answerer embedded for this question), and the ``closest`` from the pool.
        The claims come from the question, so the sentences that bear on them are among those;
        each further sentence would cost a model call per claim. ``embedded`` is named rather
        than read from the vector cache, so the verdict does not depend on earlier questions."""
        words = claim_words(claim)
        if not words:
            return []
        spans = [
            Sentence(p, p.chunk.start + s, p.chunk.start + e, text)
            for p in pool
            for s, e, text in SupportChecker.evidence_sentences(p)
            if text.strip()
        ]
        if not spans:
            return []
        in_pool = {p.id for p in pool}
        shortlist = sorted(spans, key=lambda s: (-_shared(words, s.text), s.passage.rank, s.start))
        chosen = {(s.passage.id, s.start): s for s in shortlist[:SHORTLIST] if s.text in embedded}
        for s in closest:
            if s.passage.id in in_pool and len(chosen) < SHORTLIST + CLOSEST:
                chosen.setdefault((s.passage.id, s.start), s)
        picked = list(chosen.values())
        vectors = self.vectors.embed([core(claim)] + [s.text for s in picked])
        sims = np.asarray(vectors[1:] @ vectors[0])
        context = {p.id: _shared(words, _passage_text(p)) for p in pool}
        scored = [
            replace(
                s,
                support=combined_score(float(sim), context[s.passage.id]),
                about=combined_score(float(sim), _shared(words, s.text)),
            )
            for s, sim in zip(picked, sims, strict=True)
        ]
        return sorted(scored, key=lambda s: (-s.support, -s.about))


def claim_texts(parsed: ParsedQuestion) -> list[str]:
    """What the judge will embed of the question's claims: the extractive answerer embeds them
    with its sentences, in one model call."""
    if parsed.order_choice is not None:
        claims = list(parsed.order_choice.sides)
    elif parsed.yes_no is not None:
        order = parsed.yes_no.order
        claims = [*parsed.yes_no.claims, *([order.earlier, order.later] if order else [])]
    else:
        return []
    return [core(c) for c in claims]


def core(claim: Claim) -> str:
    """What the claim says, without who says it: "both the Courier and the Ledger say the fund
    would pay 55 percent" is compared with the articles as "the fund would pay 55 percent"."""
    text = claim.text
    for outlet in claim.named or claim.outlets:
        text = re.sub(re.escape(outlet), " ", text, flags=re.IGNORECASE)
    framed = _ATTRIBUTION.match(text)
    if framed and len(text) - framed.end() >= MIN_CORE_CHARS:
        text = text[framed.end() :]
    return " ".join(text.split())


def states_every_word(claim: Claim, sentence: str, context: str = "") -> bool:
    """Whether ``sentence`` holds every word of the claim but its grammar (``_GRAMMAR``):
    "Six members of the board voted to hold and one voted for a cut" states "anyone on the
    board voted for a cut" in other order, however low similarity scores the pair. A name
    may be said elsewhere in its passage (``context``): "Estoria's board" is the board of the
    article about Estoria's central bank. A closing parenthesis is what a follow-up is about
    ("(about Central Bank Estoria April 2024)"): its names and figures must be in the passage,
    its other words are the rewriter's, not the claim's."""
    said = stems(re.findall(r"[\w’'-]+", sentence.lower()))
    around = said | stems(re.findall(r"[\w’'-]+", context.lower()))
    text = core(claim)
    aside = _TRAILING_ASIDE.search(text)
    main = text[: aside.start()] if aside else text
    words = [w for w in re.findall(r"[\w’'-]+", main) if w.lower() not in _GRAMMAR]
    context_words = [
        w
        for w in re.findall(r"[\w’'-]+", aside.group() if aside else "")
        if w[:1].isupper() or w[:1].isdigit()
    ]
    return (
        bool(words)
        and all(
            stems([w.lower()]) <= said or (w[:1].isupper() and stems([w.lower()]) <= around)
            for w in words
        )
        and stems(w.lower() for w in context_words) <= around
    )


_TRAILING_ASIDE = re.compile(r"\s*\([^()]*\)\s*$")


def claim_words(claim: Claim) -> set[str]:
    """The claim's content words, stemmed; its framing, the outlets it names and the words
    asking how reports relate ("consistent with") left out."""
    return stems(_own_words(claim))


def _own_words(claim: Claim) -> set[str]:
    outlet_words = {
        w for o in claim.named or claim.outlets for w in content_words(o, SUPPORT_VOCABULARY)
    }
    words = content_words(core(claim), SUPPORT_VOCABULARY) - _FRAMING - outlet_words
    return {w for w in words if not RELATION_WORD.fullmatch(w)}


def _shared(words: set[str], text: str) -> float:
    return len(words & stems(content_words(text, SUPPORT_VOCABULARY))) / len(words)


def _passage_text(passage: Passage) -> str:
    chunk = passage.chunk
    day = f"{chunk.published:%B %Y}" if chunk.published else ""
    return f"{chunk.text} {chunk.title} {chunk.source or ''} {day}"


def _from_outlets(passages: list[Passage], outlets: tuple[str, ...]) -> list[Passage]:
    if not outlets:
        return passages
    wanted = {o.casefold() for o in outlets}
    return [p for p in passages if (p.chunk.source or "").casefold() in wanted]


def _day(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d}"
