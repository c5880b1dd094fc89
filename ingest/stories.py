"""Syndicated copies: one story carried by several outlets is found by the overlap of its words.

An article's body becomes a set of word shingles (five words in a row, lower-cased), summarised
by a MinHash signature; MinHash LSH (datasketch) proposes the stored articles whose signatures
may overlap by ``story_similarity`` or more, and the estimated Jaccard similarity decides. A
copy with a dropped sentence, a few words changed or a byline added keeps most of its shingles;
another outlet's own report of the same event shares few five-word runs.

A story is named after its earliest-published member (undated ones count as latest, then the
first indexed): ``StoryBook.place`` and ``StoryBook.remove`` say which stored articles must be
re-pointed when a new member predates the story or its first member goes.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field

import numpy as np
from datasketch import MinHash, MinHashLSH

SHINGLE_WORDS = 5
PERMUTATIONS = 128
SCHEME = "affine32"
"""datasketch's hashing scheme, named so that stored signatures are read back under it."""
_WORD = re.compile(r"\w+")


def shingles(text: str) -> set[bytes]:
    """Runs of ``SHINGLE_WORDS`` words, lower-cased: punctuation and spacing do not count."""
    words = _WORD.findall(text.lower())
    if len(words) <= SHINGLE_WORDS:
        return {" ".join(words).encode()}
    return {
        " ".join(words[i : i + SHINGLE_WORDS]).encode()
        for i in range(len(words) - SHINGLE_WORDS + 1)
    }


def signature(text: str) -> MinHash:
    minhash = MinHash(num_perm=PERMUTATIONS, scheme=SCHEME)
    minhash.update_batch(shingles(text))
    return minhash


def encode(minhash: MinHash) -> str:
    """The signature as stored in Chroma metadata (a string): 32-bit hash values, base64."""
    return base64.b64encode(minhash.hashvalues.astype("<u4").tobytes()).decode("ascii")


def decode(text: str) -> MinHash:
    values = np.frombuffer(base64.b64decode(text), dtype="<u4").astype(np.uint32)
    return MinHash(num_perm=PERMUTATIONS, hashvalues=values, scheme=SCHEME)


@dataclass(frozen=True)
class Member:
    """What the book keeps of a stored article: its signature, story and place in the order."""

    signature: MinHash
    story: str
    order: tuple  # (undated, published_ts, indexed_at, id): the smallest names the story


def order_key(article_id: str, published_ts: int | None, indexed_at: str) -> tuple:
    return (published_ts is None, published_ts or 0, indexed_at, article_id)


@dataclass
class StoryBook:
    """Every stored article's signature and story, with an LSH over the signatures."""

    threshold: float
    generation: str = ""
    members: dict[str, Member] = field(default_factory=dict)
    unsigned: dict[str, str] = field(default_factory=dict)
    """Stored records written before stories, with the signature (encoded) made for them."""

    def __post_init__(self) -> None:
        # Bands chosen to miss few true copies (weights: false positives, false negatives):
        # each candidate's estimated similarity is checked anyway.
        self.lsh = MinHashLSH(threshold=self.threshold, num_perm=PERMUTATIONS, weights=(0.1, 0.9))

    def load(self, article_id: str, member: Member) -> None:
        """A stored article as it is, without deciding its story again."""
        self.members[article_id] = member
        self.lsh.insert(article_id, member.signature)

    def copies_of(self, minhash: MinHash, excluding: str = "") -> list[tuple[str, float]]:
        """Stored articles whose estimated similarity reaches the threshold, closest first."""
        found = []
        for candidate in self.lsh.query(minhash):
            if candidate == excluding:
                continue
            similarity = minhash.jaccard(self.members[candidate].signature)
            if similarity >= self.threshold:
                found.append((candidate, similarity))
        return sorted(found, key=lambda pair: (-pair[1], pair[0]))

    def place(self, article_id: str, minhash: MinHash, order: tuple) -> tuple[str, dict[str, str]]:
        """The story of a written article (new, or changed: it may leave its old story), and
        the other articles whose story id changes, as {article id: new story id}."""
        moves = self.remove(article_id)
        copies = self.copies_of(minhash)
        if not copies:
            self.load(article_id, Member(minhash, article_id, order))
            return article_id, moves
        story = self.members[copies[0][0]].story
        group = [aid for aid, m in self.members.items() if m.story == story]
        head = min(group, key=lambda aid: self.members[aid].order)
        if order < self.members[head].order:
            for aid in group:
                self._move(aid, article_id, moves)
            story = article_id
        self.load(article_id, Member(minhash, story, order))
        return story, moves

    def remove(self, article_id: str) -> dict[str, str]:
        """Forget an article; when it named its story, the story is renamed after the next
        member in order: {article id: new story id} of the members re-pointed."""
        moves: dict[str, str] = {}
        gone = self.members.pop(article_id, None)
        if gone is None:
            return moves
        self.lsh.remove(article_id)
        if gone.story == article_id:
            group = [aid for aid, m in self.members.items() if m.story == article_id]
            if group:
                head = min(group, key=lambda aid: self.members[aid].order)
                for aid in group:
                    self._move(aid, head, moves)
        return moves

    def _move(self, article_id: str, story: str, moves: dict[str, str]) -> None:
        member = self.members[article_id]
        self.members[article_id] = Member(member.signature, story, member.order)
        moves[article_id] = story
