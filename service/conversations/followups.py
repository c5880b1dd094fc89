"""Follow-up questions rewritten into questions that stand alone, before retrieval.

"And who said that?" retrieves nothing useful on its own. The default rewriter is offline and
deterministic: when a question leans on the conversation (a pronoun with no name of its own, a
leading "and"/"what about", or only a few words), it is rewritten from the previous turn:

- a fragment that swaps one part of the previous question ("And on Friday?", "What about the
  third quarter?") is that question with the part swapped, when the part it replaces is clear
  (the same preposition, or an occasion of the same kind);
- "he", "she" (and "his", "her") after a question answered with a name ("Who runs Norrvik?"
  → "Ilse Marven") stand for that name;
- otherwise the previous standalone question's key terms are carried over as "(about …)".

An LLM rewriter can be passed in instead; if it fails, the deterministic one answers, so a
follow-up never breaks a conversation.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence

from service.conversations.store import Turn
from service.question.qualifiers import qualifiers, replaced

log = logging.getLogger("newsdesk.followups")

Rewriter = Callable[[str, Sequence[Turn]], str]

ANAPHORS = frozenset(
    """he she it they them him her his hers its their theirs this that these those there then
    the latter former such""".split()
)
LEADING = re.compile(
    r"^\s*(?:and|but|also|so|plus|ok(?:ay)?|then|what about|how about|and what about)\b[\s,]*",
    re.IGNORECASE,
)
WHAT_ABOUT = re.compile(r"^\s*(?:and\s+)?(?:what|how)\s+about\s+(?P<rest>.+?)\s*\??\s*$", re.I)
STOPWORDS = frozenset(
    """a an the and or but of in on at to for from by with about into over after before during
    is are was were be been being do does did has have had will would can could should may
    might must shall what who whom whose which when where why how many much did does
    i you we me my our your it its it's this that these those there their they them he she his
    her than then so as if not no yes any some all more most other also just very according
    said say says tell told report reported reports""".split()
)
WORD = re.compile(r"[\w][\w'\-\.]*[\w]|[\w]", re.UNICODE)
SHORT_QUESTION_WORDS = 3
PREPOSITIONS = "in|on|at|for|from|during|after|before|since|by|until"
_PREPOSITIONAL = re.compile(rf"^(?P<prep>{PREPOSITIONS})\s+(?P<rest>[^,;]+?)\s*[?.!]*$", re.I)
_FRAGMENT_WORDS = 5
"""A fragment swapping part of the previous question is short: "and in the third quarter?"."""
_PERSONAL = {"he": "", "she": "", "him": "", "his": "’s", "hers": "’s"}
"""Pronouns that stand for a person: the previous answer's name takes their place."""


def rewrite_followup(
    question: str, history: Sequence[Turn], rewriter: Rewriter | None = None
) -> str:
    """The question as it should be searched: unchanged when it stands alone or opens a thread.

    ``history`` is the conversation so far, oldest first. ``rewriter`` (e.g. an LLM with the
    condense prompt) gets the same arguments; its answer is used when it returns text.
    """
    question = question.strip()
    if not history:
        return question
    if rewriter is not None:
        try:
            rewritten = (rewriter(question, history) or "").strip()
        except Exception as exc:
            log.warning("follow-up rewriter failed, using the offline one: %s", exc)
        else:
            if rewritten:
                return rewritten
    return rewrite_offline(question, history)


def rewrite_offline(question: str, history: Sequence[Turn]) -> str:
    """Carry the previous question's key terms into a follow-up that lacks its own."""
    previous = history[-1].standalone_question.strip()
    if not is_followup(question):
        return question
    what_about = WHAT_ABOUT.match(question)
    fragment = what_about.group("rest") if what_about else LEADING.sub("", question).strip()
    swapped = _swapped(previous, fragment)
    if swapped is not None:
        return swapped
    if what_about:
        return f"{previous.rstrip(' ?.')} — what about {what_about.group('rest')}?"
    core = LEADING.sub("", question).strip() or question
    core = core[0].upper() + core[1:]
    named = _named(core, history[-1])
    if named is not None:
        return named
    present = {w.casefold() for w in WORD.findall(core)}
    context = [t for t in key_terms(previous) if t.casefold() not in present]
    if not context:
        return core
    return f"{core.rstrip(' ?.')} (about {' '.join(context)})?"


def _swapped(previous: str, fragment: str) -> str | None:
    """The previous question with the fragment's part in place of its own, or None when the
    fragment is not such a part or the part it replaces is not clear."""
    fragment = fragment.strip().rstrip("?.! ")
    if not fragment or len(WORD.findall(fragment)) > _FRAGMENT_WORDS:
        return None
    occasions = qualifiers(fragment)
    if occasions:
        return replaced(previous, occasions)
    match = _PREPOSITIONAL.match(fragment)
    if match is None:
        return None
    prep = match.group("prep").lower()
    places = list(
        re.finditer(rf"\b{prep}\s+(?:[^,;?]+?)(?=\s+(?:{PREPOSITIONS})\b|[,;?]|$)", previous, re.I)
    )
    if len(places) != 1:
        return None
    place = places[0]
    return f"{previous[: place.start()]}{fragment}{previous[place.end() :]}"


def _named(question: str, previous: Turn) -> str | None:
    """The question with "he" or "she" replaced by the name the previous turn answered with,
    when it asked who; None otherwise."""
    asked_who = re.match(r"^\W*(?:who|whom)\b", previous.standalone_question, re.I)
    if not previous.answer_span or not asked_who:
        return None
    words = list(re.finditer(r"\b\w+\b", question))
    personal = [w for w in words if w.group().casefold() in _PERSONAL]
    if not personal:
        return None
    for word in reversed(personal):
        name = previous.answer_span + _PERSONAL[word.group().casefold()]
        question = question[: word.start()] + name + question[word.end() :]
    return question


def is_followup(question: str) -> bool:
    """True when the question cannot be searched on its own."""
    if LEADING.match(question) or WHAT_ABOUT.match(question):
        return True
    words = WORD.findall(question)
    if len(words) <= SHORT_QUESTION_WORDS:
        return True
    has_anaphor = any(w.casefold() in ANAPHORS for w in words)
    return has_anaphor and not named_terms(question)


def named_terms(text: str) -> list[str]:
    """Capitalised words and numbers past the first word: a rough stand-in for named entities."""
    words = WORD.findall(text)
    return [
        w
        for i, w in enumerate(words)
        if w.casefold() not in STOPWORDS
        and w.casefold() not in ANAPHORS
        and ((i > 0 and w[0].isupper()) or any(ch.isdigit() for ch in w))
    ]


def key_terms(text: str) -> list[str]:
    """The content words of a question, in order, without question words or duplicates."""
    seen: set[str] = set()
    terms = []
    for word in WORD.findall(text):
        folded = word.casefold()
        if folded in STOPWORDS or folded in seen:
            continue
        seen.add(folded)
        terms.append(word)
    return terms
