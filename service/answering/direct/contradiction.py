"""Whether a sentence about a claim says otherwise: a different figure for the same thing, the
opposite direction (rose against "fell"), the opposite stance (approved against "rejected"), or
the claim negated ("lack combat experience").

These are the contradictions a reader sees at a glance and a rule can check without a trained
inference model (none ships offline, see STACK-NOTES). The sentence must already be about the
claim (the judge decides that); each check only looks for the sign that it disagrees.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from service.answering.vocabulary import SUPPORT_VOCABULARY, content_words, stems

_NUMBER_WORDS = (
    "one two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty "
    "hundred thousand"
).split()
_MAGNITUDE = r"(?:\s+(?:thousand|million|billion|trillion|bn|m))?"
_FIGURE = re.compile(
    rf"(?P<number>\d+(?:[.,]\d+)*{_MAGNITUDE}|\b(?:{'|'.join(_NUMBER_WORDS)})\b{_MAGNITUDE})"
    r"(?:\s*(?:%|-))?\s*(?P<unit>[A-Za-z][\w-]*)?",
    re.IGNORECASE,
)
_YEAR = re.compile(r"\b(19\d\d|20\d\d)\b")
# Opposite directions: a claim of one is contradicted by a sentence about it saying the other.
_UP = (
    "rise rises rose risen rising increase increased increases grow grew grown growing gain "
    "gained gains higher high up above beat beats exceeded exceed more strong stronger "
    "improve improved hot hotter warm warmer win won ahead surge surged jump jumped"
)
_DOWN = (
    "fall falls fell fallen falling decrease decreased decreases shrink shrank drop dropped "
    "decline declined lose lost lower low down below miss missed short less weak weaker "
    "worsen worsened cold colder cool cooler behind slump slumped slip slipped"
)
_DIRECTION = {w: "up" for w in _UP.split()} | {w: "down" for w in _DOWN.split()}
# Opposite stances of a decision: for (approved, voted for) and against (rejected, vetoed).
# "Against" and "for" alone are prepositions ("rose against the euro"): only after a vote.
_STANCE = {
    "for": re.compile(
        r"\b(?:approv(?:e|es|ed|ing|al)|endors(?:e|es|ed|ing|ement)|accept(?:s|ed|ing)?|"
        r"adopt(?:s|ed|ing)?|uph[eo]ld(?:s|ing)?|ratif(?:y|ies|ied)|"
        r"vot(?:e|es|ed|ing) (?:\w+ )?(?:to \d+ )?(?:in )?(?:for|favou?r)|in favou?r of)\b",
        re.IGNORECASE,
    ),
    "against": re.compile(
        r"\b(?:reject(?:s|ed|ing|ion)?|oppos(?:e|es|ed|ing)|veto(?:es|ed|ing)?|"
        r"overturn(?:s|ed|ing)?|scrap(?:s|ped|ping)?|vot(?:e|es|ed|ing) (?:\w+ )?against|"
        r"vot(?:e|es|ed|ing) down)\b",
        re.IGNORECASE,
    ),
}
_NEGATION = re.compile(
    r"\b(not|no|never|none|neither|nor|without|lack|lacks|lacked|lacking|cannot|"
    r"denied|denies|deny|refused|refuses)\b|n[’']t\b",
    re.IGNORECASE,
)

_TOO = re.compile(r"\btoo \w+ (?=for|to)\b", re.IGNORECASE)


YEAR = "<year>"
NEGATION_SCOPE = 4


@dataclass(frozen=True)
class Disagreement:
    """Why the sentence contradicts the claim, in words a reader can check against the quote."""

    reason: str


def figures(text: str) -> dict[str, set[str]]:
    """The numbers of ``text`` by the word that counts them ("140 flights": flights → {140});
    calendar years are kept apart under ``YEAR``."""
    found: dict[str, set[str]] = {}
    for year in _YEAR.findall(text):
        found.setdefault(YEAR, set()).add(year)
    for match in _FIGURE.finditer(text):
        number = match.group("number").lower().replace(",", "")
        if _YEAR.fullmatch(number):
            continue
        unit = (match.group("unit") or "").lower()
        unit = next(iter(content_words(unit, SUPPORT_VOCABULARY)), "") if unit else ""
        found.setdefault(unit, set()).add(number)
    return found


def directions(text: str) -> set[str]:
    return {_DIRECTION[w] for w in re.findall(r"[a-z]+", text.lower()) if w in _DIRECTION}


def stance(text: str) -> str | None:
    """ "for" or "against" when ``text`` reports a decision one way only, else None."""
    found = {side for side, pattern in _STANCE.items() if pattern.search(text)}
    return found.pop() if len(found) == 1 else None


def negated(text: str, scope: set[str] | None = None) -> bool:
    """Whether ``text`` negates something; with ``scope`` (stems), only a negation followed
    within ``NEGATION_SCOPE`` words by one of them counts: "lack combat experience" negates
    combat experience, "It's not the NHL he played in" does not negate dominating."""
    if scope is None:
        return bool(_NEGATION.search(text))
    for match in _NEGATION.finditer(text):
        following = re.findall(r"[\w’'-]+", text[match.end() :])[:NEGATION_SCOPE]
        if stems(content_words(" ".join(following), SUPPORT_VOCABULARY)) & scope:
            return True
    return False


def disagreement(
    claim: str, sentence: str, negation: bool = True, headline: str = ""
) -> Disagreement | None:
    """How ``sentence``, which is about ``claim``, contradicts it, if it visibly does.
    ``negation`` False leaves out the weakest sign, a negation only one of them has; a
    negation counts only where it bears on the other text's words. A sentence that reports a
    decision without its stance ("voted 7 to 4 to build the line") takes it from its article's
    ``headline`` ("Council approves the line")."""
    claimed, stated = figures(claim), figures(sentence)
    for unit, numbers in claimed.items():
        if not unit:
            continue
        others = stated.get(unit, set())
        if others and not numbers & others:
            said, asked = " or ".join(sorted(others)), " or ".join(sorted(numbers))
            return Disagreement(f"the articles give {said}, not {asked}")
    claim_stems = stems(content_words(claim, SUPPORT_VOCABULARY))
    sentence_stems = stems(content_words(sentence, SUPPORT_VOCABULARY))
    said, asked = _polarity(sentence, claim_stems), _polarity(claim, sentence_stems)
    # Opposite directions or stances with the same negation disagree; with one negated
    # ("did not fall" against "rose") they agree.
    if said.direction and asked.direction and said.direction != asked.direction:
        if said.negated != asked.negated:
            return None
        return Disagreement(f"the articles report {_DIRECTION_WORD[said.direction]}")
    own = stance(sentence)
    wanted, stated = stance(claim), own or stance(headline)
    if wanted and stated and wanted != stated:
        if said.negated != asked.negated:
            return None
        where = "" if own else f" (“{headline}”)"
        return Disagreement(f"the articles report {_STANCE_WORD[stated]}{where}")
    if negation and said.negated != asked.negated:
        return Disagreement("the articles say the opposite")
    return None


@dataclass(frozen=True)
class _Polarity:
    direction: str | None
    negated: bool


def _polarity(text: str, scope: set[str]) -> _Polarity:
    """Its one direction (None when it has none or both) and whether it is negated; "too hot
    for" negates what follows, so its adjective gives no direction."""
    plain = _TOO.sub(" not ", text)
    found = directions(plain)
    return _Polarity(found.pop() if len(found) == 1 else None, negated(plain, scope))


_DIRECTION_WORD = {"up": "a rise", "down": "a fall"}
_STANCE_WORD = {"for": "approval", "against": "rejection"}
