"""The question read once: everything retrieval, the decline rules and the answerers need from
its text, so no later stage reads the raw question again with its own rules.

It is read against the index's outlets (a name is an outlet only if the index holds it) and an
``as_of`` day (relative dates). With ``metadata`` off (``question_metadata="off"``) the outlets
and dates that retrieval would use are left out, while the outlets the question credits and
the names it asks about, which the decline rules check, are still read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from service.question.claims import OrderChoice, YesNo, order_choice, split_claims
from service.question.dates import DateWindow, find_dates
from service.question.kinds import AnswerKind, Measure, asked_measure, asked_words, wanted_kind
from service.question.names import names_in
from service.question.outlets import (
    OutletMention,
    find_outlets,
    outlet_aliases,
    unknown_outlets,
)


@dataclass(frozen=True)
class ParsedQuestion:
    text: str
    kind: AnswerKind | None = None
    """The kind of answer it asks for (a name, a quantity, a time), if any."""
    measure: Measure | None = None
    """Whether the quantity it asks for is a sum of money or a change, when its words say."""
    words: frozenset[str] = frozenset()
    """Its words, case folded: what a name in the answer must not merely repeat."""
    names: list[str] = field(default_factory=list)
    """Names it asks about (two or more capitalised words), outlets left out."""
    unknown_outlets: list[str] = field(default_factory=list)
    """Outlets it credits as its source that the index holds no article from."""
    outlets: list[OutletMention] = field(default_factory=list)
    """The index's outlets it names, for retrieval."""
    dates: list[DateWindow] = field(default_factory=list)
    """The publication windows it names, for retrieval."""
    yes_no: YesNo | None = None
    """The claims of a yes/no question (None for any other), judged by the direct answer."""
    order_choice: OrderChoice | None = None
    """The two sides of "Which came first, A or B?", decided by publication dates."""

    @property
    def sources(self) -> list[str]:
        """Every index outlet named, in order of first mention."""
        return list(dict.fromkeys(s for m in self.outlets for s in m.sources))

    @property
    def date_range(self) -> tuple[datetime | None, datetime | None]:
        """The smallest range holding every date window (a question can name several days)."""
        if not self.dates:
            return None, None
        afters = [d.after for d in self.dates]
        befores = [d.before for d in self.dates]
        after = None if None in afters else min(a for a in afters if a is not None)
        before = None if None in befores else max(b for b in befores if b is not None)
        return after, before


def parse_question(
    question: str, sources: Iterable[str] = (), as_of: date | None = None, metadata: bool = True
) -> ParsedQuestion:
    """``question`` read against the index's outlets (``sources``) and the day ``as_of``
    (today when None); ``metadata`` False leaves out the outlets and dates retrieval uses."""
    held = tuple(sorted(set(sources)))
    mentions = find_outlets(question, held)
    aliases = [alias for source in held for alias in outlet_aliases(source)]
    return ParsedQuestion(
        text=question,
        kind=wanted_kind(question),
        measure=asked_measure(question),
        words=asked_words(question),
        names=names_in(question, aliases),
        unknown_outlets=unknown_outlets(question, held, mentions),
        outlets=mentions if metadata else [],
        dates=find_dates(question, as_of or datetime.now(UTC).date()) if metadata else [],
        yes_no=split_claims(question, mentions),
        order_choice=order_choice(question, mentions),
    )
