"""How the reports a question compares are asked to relate: agree, conflict, differ or say the
same, read from the relation word of its main clause ("consistent", "contradict", "a change")
and whether it is negated ("no change")."""

from __future__ import annotations

import re
from typing import Literal

Relation = Literal["agree", "conflict", "differ", "same"]

_CONFLICT = re.compile(
    r"\b(inconsisten\w*|contradict\w*|discrepan\w*|disagree\w*|conflict\w*|clash\w*|"
    r"at odds)\b",
    re.IGNORECASE,
)
_DIFFER = re.compile(r"\b(differ\w*|contrast\w*|chang\w*|shift\w*|diverg\w*|distinct)\b", re.I)
_AGREE = re.compile(
    r"\b(consisten\w*|agree\w*|align\w*|same|similar\w*|match\w*|corroborat\w*|echo\w*|"
    r"in line with|in keeping with)\b",
    re.IGNORECASE,
)
RELATION_WORD = re.compile("|".join(p.pattern for p in (_AGREE, _CONFLICT, _DIFFER)), re.IGNORECASE)
"""A word asking how reports relate: it is the question's relation, not a claim's content."""
LEADING_RELATION = re.compile(
    rf"^(?:(?:be|been|were|was|remain\w*|appear\w*)\s+)?(?:{RELATION_WORD.pattern})", re.I
)
"""A predicate opening with how reports relate: "inconsistent in…", "remained consistent"."""
_NEGATED_RELATION = re.compile(r"\b(no|not|never|without)\s+(\w+\s+)?$", re.IGNORECASE)


def relation_of(text: str) -> Relation | None:
    """What the main clause asks of its sides: that they agree ("consistent", "align"), that
    they conflict ("contradict", "inconsistent": one says what the other denies) or that they
    differ ("a different aspect", "a change": each says something of its own). The first such
    word decides; negated it asks the opposite: "not consistent" that they conflict, "no
    change" or "no different" that they say the same."""
    found = [
        (match.start(), relation)
        for relation, pattern in (("agree", _AGREE), ("conflict", _CONFLICT), ("differ", _DIFFER))
        if (match := pattern.search(text))
    ]
    if not found:
        return None
    start, relation = min(found)
    if _NEGATED_RELATION.search(text[max(0, start - 12) : start]):
        return {"agree": "conflict", "conflict": "agree", "differ": "same"}[relation]
    return relation
