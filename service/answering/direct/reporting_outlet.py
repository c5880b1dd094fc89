"""Questions about who carried a story ("Which newspaper reported the strike?"): the answer is
the outlet an article came from, which its text seldom names.

Read from the text, such a question gets whatever name sits in the best sentence (the union
quoted in the strike report, the city in the cost review); the outlet is in the passage's
source instead. Asked for "both" or "each" of two things, the outlet whose articles cover more
of the best sentences is the one that reported them all. A question about the first or last to
report is left to the ordinary answer: which came first needs the dates, not this.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from service.answering.direct.spans import Ranked

ASKS_FOR_OUTLET = re.compile(
    r"\b(?:which|what)\s+(?:news\s+)?(?:outlet|newspaper|paper|publication|broadcaster|"
    r"news\s*(?:site|source|agency|organi[sz]ation)|website)s?\s+(?:ha(?:s|ve|d)\s+)?"
    r"(?:reported|covered|published|carried|ran|broke)\b",
    re.IGNORECASE,
)
"""The outlet as the one doing the reporting, straight after the noun: "which paper was
published in Nature" or "which newspaper did the minister accuse" ask about the text."""
SEVERAL = re.compile(r"\b(?:both|each|all|every)\b", re.IGNORECASE)
DEPTH = 8
"""Best sentences weighed: enough for two reports of each of two events."""


def asks_for_outlet(question: str) -> bool:
    return ASKS_FOR_OUTLET.search(question) is not None


def reporting_outlet(question: str, ranked: Sequence[Ranked]) -> tuple[str, list[Ranked]] | None:
    """The outlet that reported what the question asks about, with its best sentence (of each
    of its articles, asked about several things); None
    when the best sentence's article names no outlet (another outlet's would be a guess) or,
    for several things, when no ranked sentence's article does."""
    several = SEVERAL.search(question) is not None
    if not ranked or not (several or ranked[0].passage.chunk.source):
        return None
    sourced = [r for r in ranked[:DEPTH] if r.passage.chunk.source]
    if not sourced:
        return None
    weight: dict[str, float] = {}
    best: dict[str, list[Ranked]] = {}
    seen: set[str] = set()
    for sentence in sourced:
        outlet = sentence.passage.chunk.source or ""
        if not several:
            best.setdefault(outlet, [sentence])
            weight[outlet] = max(weight.get(outlet, 0.0), sentence.score)
        elif sentence.passage.chunk.article_id not in seen:
            seen.add(sentence.passage.chunk.article_id)
            best.setdefault(outlet, []).append(sentence)
            weight[outlet] = weight.get(outlet, 0.0) + sentence.score
    chosen = max(weight, key=lambda outlet: (weight[outlet], best[outlet][0].score))
    return chosen, best[chosen]
