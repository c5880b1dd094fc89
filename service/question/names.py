"""Names a question asks about, so a question about someone no article mentions is declined.

However close some passage's wording is, a question about a person, company or band that no
indexed article mentions cannot be answered from the index. Names are read deterministically:
runs of two or more capitalised words (a year may lead them), split at possessives and "and",
without outlet names, months, weekdays and the question words a sentence starts with. A name
counts as mentioned when some chunk holds all its words (``KeywordIndex.mentions``), not
necessarily side by side.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from service.question.dates import CALENDAR_WORDS

_WORD = r"[A-Z][\w'’.&-]*"
_JOINERS = ("of", "de", "van", "von", "the", "and", "&")
# A year may lead a name ("the 2030 World Cup"): the index must hold that edition, not another.
_RUN = re.compile(rf"\b(?:(?:19|20)\d\d\s+)?{_WORD}(?:\s+(?:{'|'.join(_JOINERS)})?\s*{_WORD})+")
_SPLIT = re.compile(r"['’]s\s+|\s+and\s+|\s+&\s+")
_TRAILING = re.compile(r"(['’]s|['’])$")
_LEADING = frozenset(
    "A An The Did Does Do Was Were Is Are Has Have Had Which What Who Whom Whose When Where Why "
    "How After Before Between Considering According In On At From Following Both While "
    "Although If Based Given Since During".split()
)


def names_in(question: str, outlets: Iterable[str] = ()) -> list[str]:
    """Multi-word names in ``question``, first mention order, outlets left out."""
    known = [o.casefold() for o in outlets if o.strip()]
    found: list[str] = []
    for run in _RUN.finditer(question):
        for part in _SPLIT.split(run.group(0)):
            words = _TRAILING.sub("", part.strip()).strip(" .,;:'’\"").split()
            while words and (words[0] in _LEADING or words[0] in _JOINERS):
                words = words[1:]
            if len(words) < 2 or any(w in CALENDAR_WORDS for w in words):
                continue
            name = " ".join(words)
            folded = name.casefold()
            if any(folded in o or o in folded for o in known):
                continue
            if name not in found:
                found.append(name)
    return found
