"""What a chat model wrote, read back: sentences with the ``[n]`` markers each one carries, the
fixed decline form, and what is never shown: reasoning blocks, and a bare Yes or No opening
(a verdict is decided in code from checked claims, ``service.answering.direct``, never taken
from the model)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.sentences import sentence_spans

DECLINE_FORM = "INSUFFICIENT_EVIDENCE"
"""What the answer prompt tells the model to reply, alone, when the passages do not answer."""

MARKERS = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")
"""One ``[n]`` or ``[n, m]`` marker; group 1 holds the numbers."""
_MARKERS_AFTER_STOP = re.compile(r"([.!?])((?:[ \t]*\[\d+(?:\s*,\s*\d+)*\])+)")
_VERDICT = re.compile(r"^[*_]*(?:yes|no)[*_]*(?:[.,!:;]|$)[*_]*\s*", re.IGNORECASE)
"""A reply's opening "Yes." / "No," ("No one ..." is not one)."""
_THINKING = re.compile(r"<think>.*?</think>", re.DOTALL)
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")


@dataclass(frozen=True)
class DraftSentence:
    text: str
    markers: list[int]


def visible_text(raw: str) -> str:
    """The answer without a reasoning model's ``<think>`` block."""
    return _THINKING.sub("", raw).strip()


def is_decline(raw: str) -> bool:
    return visible_text(raw).strip(" .`'\"*").upper().startswith(DECLINE_FORM)


def parse_answer(raw: str) -> list[DraftSentence]:
    """Sentences with the marker numbers each one carries.

    Markers written after the full stop ("... troops. [2]") belong to the sentence before;
    "[1, 3]" is read as "[1][3]"; a line of markers alone joins the sentence before it.
    """
    text = _MARKERS_AFTER_STOP.sub(r"\2\1", without_verdict(visible_text(raw)))
    drafts: list[DraftSentence] = []
    for start, end in sentence_spans(text):
        piece = _BULLET.sub("", text[start:end])
        markers = [int(n) for group in MARKERS.findall(piece) for n in group.split(",")]
        words = " ".join(MARKERS.sub(" ", piece).split())
        words = re.sub(r"\s+([.,;:!?])", r"\1", words)
        if not any(ch.isalnum() for ch in words):
            if drafts and markers:
                last = drafts[-1]
                drafts[-1] = DraftSentence(last.text, _unique(last.markers + markers))
            continue
        drafts.append(DraftSentence(words, _unique(markers)))
    return drafts


def _unique(numbers: list[int]) -> list[int]:
    return list(dict.fromkeys(numbers))


def without_verdict(text: str) -> str:
    """``text`` without a bare Yes or No opening; what follows it starts with a capital."""
    match = _VERDICT.match(text)
    if match is None:
        return text
    rest = text[match.end() :]
    return rest[:1].upper() + rest[1:]


def shown_text(raw: str) -> str:
    """The reply so far as a stream shows it: reasoning blocks and a Yes/No opening out,
    leading space dropped."""
    return without_verdict(_THINKING.sub("", raw).lstrip())


def undecided(raw: str) -> bool:
    """True while the reply so far could still turn out to be the decline form, a reasoning
    block or a Yes/No opening, which are not shown as they arrive (nor, the last, at all)."""
    stripped = raw.lstrip()
    if stripped.startswith("<think>") and "</think>" not in stripped:
        return True
    visible = visible_text(raw)
    opening = visible.lstrip(" `'\"*").upper()
    if DECLINE_FORM.startswith(opening) or opening.startswith(DECLINE_FORM):
        return True
    bare = visible.lstrip("*_").lower()
    if "yes".startswith(bare) or "no".startswith(bare):
        return True
    verdict = _VERDICT.match(visible)
    return verdict is not None and verdict.end() == len(visible)
