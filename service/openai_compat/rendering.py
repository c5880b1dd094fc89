"""An Answer as the text of a chat message, for clients that show only text.

The direct answer comes first, in bold (a verdict with its claims beneath), then the quotes with
their ``[n]`` markers, then the sources, one line per article with its markers. The text is
built from pieces so a stream sends exactly the text a plain response holds. ``direct_span``
reads the direct answer's span back from such a text, so a follow-up's "he" or "she" can stand
for it.
"""

from __future__ import annotations

import re

from service.contract import Answer, AnswerSentence, Citation, DirectAnswer

SOURCES = "Sources:"
_LEAD = re.compile(r"^\*\*(?P<text>[^*\n]+)\*\*(?:\s\[\d+\])*\s*(?:\n|$)")
_SOURCES_BLOCK = re.compile(rf"\n\n{re.escape(SOURCES)}\n.*\Z", re.S)


def render(answer: Answer) -> str:
    return "".join(pieces(answer))


def pieces(answer: Answer) -> list[str]:
    """The message text in the order it is read: paragraphs, sentences, then source lines."""
    if answer.status == "declined" or not answer.sentences:
        return [answer.text]
    out: list[str] = []
    sentences = list(answer.sentences)
    if answer.direct is not None:
        out.append(_direct(answer.direct))
        if sentences and sentences[0].text == answer.direct.text:
            sentences = sentences[1:]
    for i, sentence in enumerate(sentences):
        gap = "\n\n" if i == 0 and out else (" " if i else "")
        out.append(gap + _sentence(sentence))
    if answer.citations:
        out.append(f"\n\n{SOURCES}")
        out.extend(f"\n{line}" for line in _sources(answer.citations))
    return out


def _markers(numbers: list[int]) -> str:
    return "".join(f" [{n}]" for n in numbers)


def _sentence(sentence: AnswerSentence) -> str:
    return sentence.text + _markers(sentence.citations)


def _direct(direct: DirectAnswer) -> str:
    lines = [f"**{direct.text}**{_markers(direct.citations)}"]
    lines += [f"- {c.claim}: {c.status}, {c.reason}{_markers(c.citations)}" for c in direct.claims]
    return "\n".join(lines)


def _sources(citations: list[Citation]) -> list[str]:
    """One line per article, ``[1] [3] Title (Outlet, date; also carried by …): URL``, in the
    order first cited."""
    by_article: dict[str, list[Citation]] = {}
    for citation in citations:
        by_article.setdefault(citation.article_id, []).append(citation)
    lines = []
    for cited in by_article.values():
        first = cited[0]
        date = first.published.date().isoformat() if first.published else None
        about = ", ".join(part for part in (first.source, date) if part)
        if first.also_carried_by:
            carried = "also carried by " + ", ".join(first.also_carried_by)
            about = f"{about}; {carried}" if about else carried
        line = " ".join(f"[{c.n}]" for c in cited) + f" {first.title}"
        line += f" ({about})" if about else ""
        lines.append(line + (f": {first.url}" if first.url else ""))
    return lines


def without_sources(text: str) -> str:
    """The message as a conversation remembers it: the numbered sources dropped."""
    return _SOURCES_BLOCK.sub("", text)


def direct_span(text: str) -> str:
    """The name, figure or date a rendered answer opened with, or "" for anything else.

    A span never ends in a full stop (it is cut from its sentence without one), while a verdict,
    a choice and "the articles do not say" always do.
    """
    lead = _LEAD.match(text)
    if lead is None or lead.group("text").rstrip().endswith("."):
        return ""
    return lead.group("text").strip()
