"""The last gate before an answer ships: every [n] resolves to a verbatim span of its article."""

from __future__ import annotations

import re

from ingest.models import Article
from service.contract import AnswerSentence, Citation

MARKER = re.compile(r"\[(\d+)\]")


def quote_is_exact(citation: Citation, article: Article | None) -> bool:
    return article is not None and article.body[citation.start : citation.end] == citation.quote


def drop_invalid(
    sentences: list[AnswerSentence], citations: list[Citation], articles: dict[str, Article]
) -> tuple[list[AnswerSentence], list[Citation], list[str]]:
    """Removes citations whose quote is not at its offsets and sentences left citing nothing;
    a sentence that never cited anything ("The articles do not say") quotes nothing and stays.

    Returns the kept sentences and citations and a description of each problem found.
    """
    problems: list[str] = []
    valid: dict[int, Citation] = {}
    for citation in citations:
        if quote_is_exact(citation, articles.get(citation.article_id)):
            valid[citation.n] = citation
        else:
            problems.append(
                f"[{citation.n}] quote not found at its offsets in {citation.article_id}"
            )
    kept: list[AnswerSentence] = []
    for sentence in sentences:
        markers = [n for n in sentence.citations if n in valid]
        dropped = [n for n in sentence.citations if n not in valid]
        if dropped:
            problems.extend(f"[{n}] is not a valid citation" for n in dropped if n not in valid)
        if markers or not sentence.citations:
            kept.append(sentence.model_copy(update={"citations": markers}))
        elif sentence.citations:
            problems.append(f"sentence removed, no valid citation left: {sentence.text[:60]!r}")
    used = {n for s in kept for n in s.citations}
    if not any(s.citations for s in kept):
        kept = []
    return kept, [c for n, c in sorted(valid.items()) if n in used], problems


def render(sentences: list[AnswerSentence]) -> str:
    """The answer text with its markers after each sentence."""
    return " ".join(
        sentence.text + "".join(f" [{n}]" for n in sentence.citations) for sentence in sentences
    )
