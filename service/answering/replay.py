"""A finished answer as the events a stream carries, for answers not written token by token
(extractive, declined, or degraded to quotes), so every stream looks alike to its reader."""

from __future__ import annotations

from collections.abc import Iterator

from service.contract import Answer, CitationEvent, DeltaEvent, DirectEvent, StreamEvent


def replay(answer: Answer) -> Iterator[StreamEvent]:
    """An answer that was not written token by token, as the events a stream would carry."""
    by_n = {c.n: c for c in answer.citations}
    if answer.direct is not None:
        yield DirectEvent(direct=answer.direct)
    if answer.status == "declined":
        yield DeltaEvent(text=answer.text)
    for i, sentence in enumerate(answer.sentences):
        yield DeltaEvent(text=("" if i == 0 else " ") + sentence.text)
        for n in sentence.citations:
            yield DeltaEvent(text=f" [{n}]")
            if n in by_n:
                yield CitationEvent(citation=by_n[n])
