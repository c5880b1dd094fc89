"""Whether a sentence of an article reads as prose a reader could be quoted as an answer.

Articles carry text that is not reporting: fixture tables and result lists, photo captions,
newsletter and sign-up lines, bullet lists of related headlines, subheadings. Such a line can
share every word with a question ("Date Fixture/Result Sept. 20 Arsenal 2-0 Sevilla") and
still say nothing a reader can take as an answer, so it is never quoted.
"""

from __future__ import annotations

import re

MIN_LOWERCASE_SHARE = 0.35
"""Prose is mostly lower-case words; a table row, a list of names or a heading is not."""
_TOKEN = re.compile(r"\S+")
_LOWER_WORD = re.compile(r"^[(\"“‘']?[a-z][a-z’'-]*[,.;:!?)\"”’']*$")
_BOILERPLATE = re.compile(
    r"\b(sign up|signing up|subscribe|newsletter|click here|follow us|download (?:our|the) app|"
    r"read more|all rights reserved|terms of (?:use|service)|privacy policy|cookies?)\b",
    re.IGNORECASE,
)
_CAPTION = re.compile(
    r"\b(photo(?:graph)?(?: by|:)|image(?: credit)?:|getty images|ap photo|afp via|pictured|"
    r"file photo)|\((?:photo|image|credit|pictured)[^)]*\)",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^\s*[•·▪►◦‣*–—-]\s")
_TABLE = re.compile(r"\t|\s\|\s|/Result|\bvs?\.\s")


def reads_as_prose(sentence: str) -> bool:
    tokens = _TOKEN.findall(sentence)
    if not tokens or _BULLET.match(sentence) or _TABLE.search(sentence):
        return False
    if _BOILERPLATE.search(sentence) or _CAPTION.search(sentence):
        return False
    lowercase = sum(1 for t in tokens if _LOWER_WORD.match(t))
    return lowercase / len(tokens) >= MIN_LOWERCASE_SHARE
