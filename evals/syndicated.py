"""MultiHop-RAG with syndicated copies: some of its articles carried again by other outlets.

Each copy is lightly edited (a byline line added, one sentence dropped, two pairs of neighbouring
words swapped) and published a few hours after its original, the way a wire story reaches
several outlets. The questions and their gold evidence are MultiHop-RAG's own; the dataset
records which article each copy was made from, so the scoring can credit a retrieved copy as
the gold article it carries (``Dataset.copies``).
"""

from __future__ import annotations

import random
import re
from datetime import timedelta

from evals.datasets import Dataset, load_multihop
from ingest.models import Article

OUTLETS = (
    "Northgate Herald",
    "Riverside Post",
    "Coastline Times",
    "Pinecrest Tribune",
    "Meadow Chronicle",
    "Lakeshore Daily",
    "Summit Observer",
    "Harbour Gazette",
    "Valley Courier",
    "Estoria Ledger",
)
COPIES = 100
SEED = 20
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def copy_of(article: Article, rng: random.Random, n: int) -> Article:
    """Another outlet's copy: a byline, one sentence fewer, two word pairs swapped."""
    outlet = OUTLETS[n % len(OUTLETS)]
    sentences = _SENTENCE_END.split(article.body.strip())
    if len(sentences) > 2:
        del sentences[rng.randrange(1, len(sentences))]
    words = " ".join(sentences).split(" ")
    for _ in range(2):
        i = rng.randrange(len(words) - 1) if len(words) > 1 else 0
        words[i : i + 2] = reversed(words[i : i + 2])
    host = re.sub(r"\W+", "", outlet.lower())
    return Article(
        title=article.title,
        body=f"By {outlet} staff\n\n" + " ".join(words),
        url=f"https://{host}.example/copy/{n}",
        source=outlet,
        author=f"{outlet} staff",
        published=(article.published + timedelta(hours=rng.randint(1, 12)))
        if article.published
        else None,
    )


def with_copies(dataset: Dataset, copies: int = COPIES, seed: int = SEED) -> Dataset:
    """``dataset`` plus ``copies`` seeded copies of its articles, named ``<name>-copies``."""
    rng = random.Random(seed)
    chosen = rng.sample(dataset.articles, copies)
    made = [copy_of(a, rng, n) for n, a in enumerate(chosen)]
    return Dataset(
        name=f"{dataset.name}-copies",
        articles=dataset.articles + made,
        questions=dataset.questions,
        copies={c.id: a.id for c, a in zip(made, chosen, strict=True)},
    )


def load_multihop_copies(copies: int = COPIES, seed: int = SEED) -> Dataset:
    return with_copies(load_multihop(), copies, seed)
