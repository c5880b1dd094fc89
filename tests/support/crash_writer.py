"""Articles written without the model, and a writer process to kill in the middle of a write.

``python -m tests.support.crash_writer FINGERPRINT DIMENSION`` (index settings from the
``NEWSDESK_`` env) writes ``BASE``, then starts replacing ``HARBOUR`` with ``HARBOUR_V2``,
prints ``MID_WRITE`` once part of the new chunks is stored, and waits to be killed.
"""

from __future__ import annotations

import re
import sys
import time
import zlib

import numpy as np

from ingest.chunking import Chunker
from ingest.index.store import NewsIndex
from ingest.models import Article
from service.settings import Settings

MID_WRITE = "mid-write"
_WORDS = re.compile(r"\S+")
CHUNKER = Chunker(lambda texts: [[m.span() for m in _WORDS.finditer(t)] for t in texts], 12, 0)


def _article(slug: str, title: str, sentences: list[str]) -> Article:
    return Article(title=title, body=" ".join(sentences), url=f"https://example.org/{slug}")


HARBOUR = _article(
    "harbour",
    "Port Anselm harbour reopens",
    [
        "The harbour of Port Anselm reopened on Monday after a storm closed it for a week.",
        "Fishing boats returned to the inner basin before dawn.",
        "The harbour master said the breakwater held but two cranes were damaged.",
        "Repairs to the cranes will cost about 2 million euros.",
    ],
)
HARBOUR_V2 = _article(
    "harbour",
    "Port Anselm harbour reopens",
    [
        "Port Anselm's harbour reopened on Tuesday, a day later than planned.",
        "Divers found the storm had shifted the channel markers.",
    ],
)
MARKET = _article(
    "market",
    "Covered market to stay open late",
    [
        "The covered market of Port Anselm will stay open until ten on Fridays.",
        "Stallholders voted for the change by a large majority.",
    ],
)
LIBRARY = _article(
    "library",
    "Library opens a reading room for children",
    [
        "The town library opened a reading room for children on its ground floor.",
        "It holds four thousand picture books donated by residents.",
        "Opening hours follow the school calendar.",
    ],
)
BASE = [HARBOUR, MARKET]


def vectors(texts: list[str], dimension: int) -> np.ndarray:
    """A fixed unit vector per text, so every run of a write stores the same vectors."""
    rows = [
        np.random.default_rng(zlib.crc32(text.encode())).standard_normal(dimension)
        for text in texts
    ]
    matrix = np.array(rows, dtype=np.float32).reshape(len(texts), dimension)
    return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


def write(index: NewsIndex, article: Article) -> None:
    chunks = CHUNKER.split(article)
    index.write_article(article, chunks, vectors([c.text for c in chunks], index.dimension))


class _PausingChunks:
    """The chunk collection, stopping the process for good after its first upsert."""

    def __init__(self, real):
        self.real = real

    def __getattr__(self, name):
        return getattr(self.real, name)

    def upsert(self, **kwargs):
        self.real.upsert(**kwargs)
        print(MID_WRITE, flush=True)
        time.sleep(600)


def main(fingerprint: str, dimension: int) -> None:
    index = NewsIndex(Settings(_env_file=None), fingerprint, dimension)
    for article in BASE:
        write(index, article)
    index._max_batch = 1
    index.chunks = _PausingChunks(index.chunks)
    write(index, HARBOUR_V2)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
