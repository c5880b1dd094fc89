"""A yes/no question broken into the claims it makes, so each can be judged on its own.

"Did both the Courier and the Ledger say the fund pays 55 percent?" makes two claims, one per
outlet; "Does A suggest X, while B reports Y?" makes one per clause; "Was the Norrvik story
published before the Kestrel one?" makes an order claim, checked on publication dates. A
question asking whether reports agree (or differ, or changed) also carries that relation, judged
once its sides are. The splitting reads only the grammar of questions (auxiliaries, clause
joints, before/after, agreement words), never a dataset's templates, so a reader's own question
splits the same way.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import pairwise

from service.question.dates import MONTH_NAMES
from service.question.outlets import OutletMention
from service.question.relations import LEADING_RELATION, RELATION_WORD, Relation, relation_of

AUXILIARY = r"did|does|do|is|are|was|were|has|have|had|will|would|can|could|should|might|may|must"
_YES_NO = re.compile(rf"^\W*({AUXILIARY})\b", re.IGNORECASE)
_WH = re.compile(r"^\W*(?:\w+\s+)?(who|whom|whose|what|which|when|where|why|how)\b", re.I)
_WH_CLAUSE = re.compile(
    r"(?:^|[,;:]\s*)(?:\w+\s+)?(who|whom|whose|what|which|when|where|why|how)\s"
    r"(?!(?:also\s+)?(?:\w+ed|is|was|are|were|has|had|have)\b)",
    re.I,
)
"""A clause opening with a question word: "Considering A and B, which country...?" asks for a
name, whatever auxiliary follows. One whose verb follows at once (", which described the
deal,", ", who was fired") describes a report or a person: a relative clause, not a
question."""
_LIKE_ANOTHER = re.compile(rf",?\s+(?:just\s+)?(?:like|as)\s+(?:[A-Z][\w'’-]*\s+)+(?:{AUXILIARY})$")
"""A comparison with another subject closing a clause ("…grow its revenue like Kestrel did")
presumes what that subject did; the claim asked is about the clause's own subject."""
_ASIDE = re.compile(
    r",?\s+(?:indicating|suggesting|showing|implying|highlighting|reflecting|given)\b.*$", re.I
)
"""A participle closing a clause comments on it ("..., indicating a difference in focus"):
what it says is not what the question asks."""
_OPENER = re.compile(r"^\W*(after|before|between|following|since|prior to|given)\b", re.I)
# Where one clause of a compound question ends and the next begins.
_JOINT = re.compile(
    r",?\s+(?:while|whereas|but|although|even though)\s+"
    r"|\s*;\s*"
    r"|,?\s+(?:just as|much as)\s+"
    rf"|,?\s+and\s+(?=(?:{AUXILIARY})\s)"
    rf"|,\s+(?:and|or)\s+(?:also\s+)?(?=(?:the|an?|another)\s)",
    re.IGNORECASE,
)
_COMPARING = re.compile(
    r",?\s+(?:compared (?:to|with)|in contrast (?:to|with)|as opposed to|unlike|similar to|"
    r"in (?:a|the) (?:similar|same|different) (?:way|manner) (?:to|as|from))\s+",
    re.IGNORECASE,
)
"""Before what a clause is compared with: a clause of its own when it is another report ("as
opposed to the B article"), else part of the claim ("compared to previous years")."""
_HOW = re.compile(r"^how\s+", re.IGNORECASE)
_REPORT = re.compile(r"\b(?:article|report|story|piece|coverage|column|review|post)s?\b", re.I)
_MAIN_CLAUSE = re.compile(rf",\s*(?=(?:{AUXILIARY})\b)", re.IGNORECASE)
_DATED = re.compile(rf"^(?:(?:on|in|the week of)\s+)?(?:\d|(?:{'|'.join(MONTH_NAMES)})\b)", re.I)
"""A date after before/after bounds the publication window; it orders no two reports."""
_ORDER = re.compile(
    r"\b(?P<word>before|after|earlier than|later than|prior to|ahead of|since)\b", re.I
)
_SIDE_BY_SIDE = re.compile(r"[\s,'’\"]*(?:(?:and|&|or)\s+)?(?:the\s+)?[\s'’\"]*", re.I)
"""What stands between outlets named together: "A and B", "A, B and the C", "'A' and 'B'"."""
_TWO_REPORTS = re.compile(r",?\s+and\s+(?=(?:the|an?|another|its|their)\s)", re.I)
"""Where an opening phrase names a second report: "After A on May 4, 2024, and the B..."."""
_WORD_PAIR = re.compile(
    rf"(?P<holds>{RELATION_WORD.pattern})\s+or\s+(?P<fails>(?:not\s+)?(?:{RELATION_WORD.pattern}))",
    re.IGNORECASE,
)
_OR_CLAUSE = re.compile(rf",?\s+or\s+(?:{AUXILIARY})\s", re.IGNORECASE)
_WHICH_FIRST = re.compile(
    r"^\W*which\b[^,?]*?\b(?P<when>first|earlier|sooner|later|last|more recently)(?![\w-])[^,?]*,"
    r"\s*(?P<a>.+?)\s+or\s+(?P<b>[^?]+)\??$",
    re.IGNORECASE,
)
_ALTERNATIVE = re.compile(
    rf"\bor\s+(not|in\w+|dis\w+|different\w*|chang\w*|the same)\b|{_OR_CLAUSE.pattern}",
    re.IGNORECASE,
)
"""A question offering alternatives ("consistent or inconsistent?", "..., or do they differ?")
asks which, not whether."""
_FRAME = re.compile(r"^\W*(?:(?:" + AUXILIARY + r")\s+)?(?:there\s+)?", re.IGNORECASE)


@dataclass(frozen=True)
class Claim:
    """One clause of the question, with the outlets it names (index names, may be empty)."""

    text: str
    outlets: tuple[str, ...] = ()
    named: tuple[str, ...] = ()
    """Every outlet its clause names, ``outlets`` among them ("both A and B say X" makes a
    claim about A naming B too): what is left out when comparing it with the articles."""
    describes: bool = False
    """It names a report or event the question compares ("the Kestrel story" in "Was the
    Kestrel story published before...?") rather than stating a fact of its own."""


@dataclass(frozen=True)
class OrderClaim:
    """``earlier`` was published before ``later``: each side is the words that describe it."""

    earlier: Claim
    later: Claim


@dataclass(frozen=True)
class YesNo:
    text: str
    """The question as asked."""
    claims: list[Claim]
    order: OrderClaim | None = None
    relation: Relation | None = None
    """Whether the question asks that its sides agree or that they differ."""
    options: tuple[str, str] | None = None
    """For a question offering alternatives ("consistent or inconsistent?"), the word that
    answers it when its relation holds, and the word when it does not."""


@dataclass(frozen=True)
class OrderChoice:
    """ "Which came first, A or B?": two reports or events, and whether the earlier is asked."""

    sides: tuple[Claim, Claim]
    earlier: bool = True


def order_choice(question: str, outlets: Sequence[OutletMention] = ()) -> OrderChoice | None:
    """The two sides of a question asking which of them came first (or last), or None."""
    match = _WHICH_FIRST.match(question.strip())
    if match is None:
        return None
    first, second = match.group("a").strip(" ,"), match.group("b").strip(" ,?")
    if _words(first) < 2 or _words(second) < 2:
        return None
    earlier = match.group("when").lower() in ("first", "earlier", "sooner")
    return OrderChoice((_bind(first, outlets), _bind(second, outlets)), earlier)


def is_yes_no(question: str, alternatives: bool = False) -> bool:
    """A question answered by yes or no: its main clause opens with an auxiliary ("Did...?",
    "After the vote on May 4, 2024, was...?"), and it does not offer alternatives
    ("consistent or not?") unless ``alternatives`` allows them."""
    if (_ALTERNATIVE.search(question) and not alternatives) or _WH.match(question):
        return False
    if _YES_NO.match(question):
        return True
    joint = _MAIN_CLAUSE.search(question)
    return joint is not None and not _WH_CLAUSE.search(question)


def split_claims(question: str, outlets: Sequence[OutletMention] = ()) -> YesNo | None:
    """The claims of a yes/no question, or None when it is not one. ``outlets`` are the index
    outlets it names, with their positions (``find_outlets``)."""
    text = question.strip().rstrip("?").strip()
    options = _options(text)
    second = _OR_CLAUSE.search(text) if options is None else None
    if second is not None and is_yes_no(text[: second.start()]):
        # "Does A say X, or do both imply Y?": the question asked first is answered.
        text = text[: second.start()]
    elif not is_yes_no(question, alternatives=options is not None):
        return None
    if options is not None:
        text = options.text.strip(" ,")
    order, clauses, main, sides = _order(text, outlets)
    asked = (_clauses(main, outlets) or [main])[0]
    relation = relation_of(_ASIDE.sub("", asked))
    if relation is None and len(clauses) >= 2:
        relation, clauses = _shared_predicate(clauses)
    if options is not None and relation is None:
        return None
    if relation is not None and len(clauses) > 2 and asked in clauses:
        clauses = [c for c in clauses if c != asked]
    claims: list[Claim] = []
    for clause in clauses:
        relating = relation is not None and clause == asked
        claims.extend(_distribute(clause, outlets, relating, clause in sides or relating))
    if order is not None:
        order = OrderClaim(_bind(order.earlier.text, outlets), _bind(order.later.text, outlets))
    return YesNo(
        text=question,
        claims=[c for c in claims if _words(c.text) >= 2],
        order=order,
        relation=relation,
        options=(options.holds, options.fails) if options else None,
    )


@dataclass(frozen=True)
class _Options:
    holds: str
    fails: str
    text: str
    """The question without its second alternative: it asks the first."""


def _options(text: str) -> _Options | None:
    """The two answers a question offering alternatives about how reports relate names
    ("consistent or inconsistent", "align with..., or do they differ"), or None."""
    pair = _WORD_PAIR.search(text)
    if pair:
        asked = text[: pair.end("holds")] + text[pair.end("fails") :]
        return _Options(pair.group("holds"), pair.group("fails"), asked)
    clause = _OR_CLAUSE.search(text)
    if clause is None:
        return None
    first = RELATION_WORD.search(text[: clause.start()])
    second = RELATION_WORD.search(text[clause.end() :])
    if first is None or second is None:
        return None
    return _Options(first.group(), second.group(), text[: clause.start()])


def _order(
    text: str, outlets: Sequence[OutletMention] = ()
) -> tuple[OrderClaim | None, list[str], str, set[str]]:
    """The order claim (if the question sets one report or event before another), the
    clauses left to judge as content, the main clause (where the question asks its
    relation) and the clauses among them that name a report or event being compared.
    "After A, did B...?" puts A first; "Was A before B?" too; "Did A come after B?" puts B
    first. "Between A and B, ..." orders nothing, nor does a "before" or "after" inside one
    clause of several ("Did A report X, while B described an exit after an injury?")."""
    opener = _OPENER.match(text)
    joint = _MAIN_CLAUSE.search(text)
    two_sides = bool(joint and _TWO_REPORTS.search(text[: joint.start()]))
    if opener and joint and opener.group(1).lower() != "between" and not two_sides:
        lead, main = text[opener.end() : joint.start()].strip(), text[joint.end() :]
        main = _strip_frame(main)
        word = opener.group(1).lower()
        earlier, later = (
            (lead, main)
            if word in ("after", "following", "since", "given")
            else (
                main,
                lead,
            )
        )
        return (
            OrderClaim(Claim(earlier), Claim(later)),
            [lead, *_clauses(main, outlets)],
            main,
            {lead},
        )
    if opener and joint:
        lead, main = text[opener.end() : joint.start()], text[joint.end() :]
        sides = _TWO_REPORTS.split(lead.strip(), maxsplit=1)
        return None, [*sides, *_clauses(main, outlets)], main, set(sides)
    body = _strip_frame(text)
    match = _ORDER.search(body)
    if match is None:
        return None, _clauses(body, outlets), body, set()
    left, right = body[: match.start()].strip(), body[match.end() :].strip()
    inside = len(_clauses(left, outlets)) > 1 or len(_clauses(right, outlets)) > 1
    if _words(left) < 2 or _words(right) < 2 or _DATED.match(right) or inside:
        return None, _clauses(body, outlets), body, set()
    word = match.group("word").lower()
    earlier, later = (right, left) if word in ("after", "later than", "since") else (left, right)
    return OrderClaim(Claim(earlier), Claim(later)), [left, right], body, {left, right}


def _shared_predicate(clauses: list[str]) -> tuple[Relation | None, list[str]]:
    """The relation asked after a compound subject, and the clauses without it: in "Was A,
    and the later report by B, inconsistent in their reporting?" the last clause closes with
    what is asked of both ("inconsistent in…", "portray him inconsistently"), not with what B
    says."""
    last = clauses[-1]
    cut = last.rfind(",")
    tail = last[cut + 1 :].strip() if cut >= 0 else ""
    found = RELATION_WORD.search(tail)
    if found is None:
        return None, clauses
    if not LEADING_RELATION.match(tail) and found.end() != len(tail):
        return None, clauses
    return relation_of(tail), [*clauses[:-1], last[:cut].strip(" ,")]


def _clauses(text: str, outlets: Sequence[OutletMention] = ()) -> list[str]:
    split = (piece for part in _JOINT.split(text) if part for piece in _compared(part, outlets))
    parts = (_LIKE_ANOTHER.sub("", part) for part in split)
    return [part.strip(" ,") for part in parts if part.strip(" ,")]


def _compared(text: str, outlets: Sequence[OutletMention]) -> list[str]:
    pieces = [text]
    for joint in reversed(list(_COMPARING.finditer(text))):
        right = pieces[0][joint.end() :]
        names = any(m.text.casefold() in right.casefold() for m in outlets)
        if names or _REPORT.search(right) or _HOW.match(right):
            pieces[0:1] = [pieces[0][: joint.start()], _HOW.sub("", right, count=1)]
    return pieces


def _strip_frame(text: str) -> str:
    return _FRAME.sub("", text.strip(), count=1).strip()


_ABSENCE = re.compile(
    r",?\s+without\s+(?:any\s+|explicitly\s+|directly\s+)?(?:mention\w*|discuss\w*|specify\w*|"
    r"address\w*|referenc\w*|detail\w*|not\w*|indicat\w*|provid\w*|acknowledg\w*|"
    r"elaborat\w*|touch\w*)\b.*$",
    re.IGNORECASE,
)
CHECKABLE_WORDS = 3


def _checkable(text: str) -> str:
    """The part of a claim a quote can show. A clause closing with what an article leaves out
    ("…, without mentioning the jury's role") or with the asker's reading of it ("…,
    indicating a difference in focus") claims what no sentence states; the claim is judged
    on what comes before, when that still says something."""
    cut = _ASIDE.sub("", _ABSENCE.sub("", text)).strip(" ,")
    return cut if _words(cut) >= CHECKABLE_WORDS else text


def _distribute(
    clause: str, outlets: Sequence[OutletMention], every: bool = False, describes: bool = False
) -> list[Claim]:
    """A clause naming outlets side by side ("Did both A and B say X?", "Do the A and B
    articles...") claims X of each; one naming them apart ("A says X about B's report") is a
    claim about its first, its subject, unless it asks how they relate (``every``: "Is A's
    report consistent with B's?")."""
    text = _checkable(_strip_frame(clause))
    claim = replace(_bind(text, outlets), describes=describes)
    if len(claim.outlets) < 2:
        return [claim]
    folded = text.casefold()
    named = sorted(
        ((folded.find(m.text.casefold()), m) for m in outlets if m.text.casefold() in folded),
        key=lambda found: found[0],
    )
    between = [
        text[start + len(mention.text) : following]
        for (start, mention), (following, _) in pairwise(named)
    ]
    if every or all(_SIDE_BY_SIDE.fullmatch(gap) for gap in between):
        return [replace(claim, outlets=(source,), named=claim.outlets) for source in claim.outlets]
    return [replace(claim, outlets=claim.outlets[:1], named=claim.outlets)]


def _bind(clause: str, outlets: Sequence[OutletMention]) -> Claim:
    """The clause with the index outlets it names, in the order it names them."""
    folded = clause.casefold()
    named = sorted(
        (folded.find(m.text.casefold()), s)
        for m in outlets
        if m.text.casefold() in folded
        for s in m.sources
    )
    return Claim(clause.strip(), tuple(dict.fromkeys(s for _, s in named)))


def _words(text: str) -> int:
    return len(re.findall(r"\w+", text))
