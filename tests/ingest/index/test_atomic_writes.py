"""Crash safety of article writes: whatever step a writer stops at, readers get the article's
old version or its new one, never a mix and never chunks of an unfinished write, and the next
open of the index leaves exactly what a clean run leaves.

The store is real (embedded Chroma). Faults are injected around its collections: each call of a
write that changes the store fails in turn, either once ("fail": the writer sees the error and
cleans up) or for good ("kill": that call and every later one fail, as if the process died
there). Then one real writer process is killed with SIGKILL half-way through a write.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ingest.index.store import NewsIndex
from ingest.models import Article
from newsdesk_cli import app
from service.retrieval.keyword_index import KeywordIndex
from service.settings import Settings
from tests.support.crash_writer import (
    BASE,
    CHUNKER,
    HARBOUR,
    HARBOUR_V2,
    LIBRARY,
    MID_WRITE,
    vectors,
    write,
)

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[3]
DIMENSION = 8
FINGERPRINT = f"atomic-writes|dim={DIMENSION}"
CHANGES = frozenset({"add", "upsert", "update", "delete"})
EVERY_TEXT = sorted({c.text for a in (*BASE, HARBOUR_V2, LIBRARY) for c in CHUNKER.split(a)})

Served = dict[str, tuple[str, dict[str, str], list[tuple[int, str]]]]


class Crash(RuntimeError):
    pass


@dataclass
class Faults:
    at: int
    kill: bool
    changes: int = 0
    dead: bool = False

    def check(self, method: str) -> None:
        if self.dead:
            raise Crash("the writer is gone")
        if method in CHANGES:
            self.changes += 1
            if self.changes - 1 == self.at:
                self.dead = self.kill
                raise Crash(f"change {self.at} failed")


class Faulty:
    """A collection whose calls go through ``faults`` first."""

    def __init__(self, real, faults: Faults):
        self.real, self.faults = real, faults

    def __getattr__(self, name: str):
        attr = getattr(self.real, name)
        if not callable(attr):
            return attr

        def call(*args, **kwargs):
            self.faults.check(name)
            return attr(*args, **kwargs)

        return call


@contextlib.contextmanager
def faulty(index: NewsIndex, faults: Faults) -> Iterator[None]:
    real = index.chunks, index.articles, index.state, index.versions
    index.chunks, index.articles, index.state, index.versions = (Faulty(c, faults) for c in real)
    try:
        yield
    finally:
        index.chunks, index.articles, index.state, index.versions = real


def served(index: NewsIndex) -> Served:
    """Each listed article's body, its chunks (id → text) and its versions (number, body), as
    every reader gets them: the listing, the chunk scan, get_chunks, the keyword index and
    nearest must all agree, and each chunk carries its article's current version."""
    articles, _ = index.list_articles(limit=100)
    bodies = {a.id: a.body for a in articles}
    versions = {aid: index.list_versions(aid) for aid in bodies}
    chunks = list(index.iter_chunks())
    texts = {c.id: c.text for c in chunks}
    for chunk in chunks:
        assert chunk.article_id in bodies, f"{chunk.id} served, its article not listed"
        assert bodies[chunk.article_id][chunk.start : chunk.end] == chunk.text, "a mix"
        current = versions[chunk.article_id][-1]
        assert (chunk.article_version, chunk.content_hash) == (current.number, current.content_hash)
    assert {cid: c.text for cid, c in index.get_chunks(list(texts)).items()} == texts
    assert {c.id: c.text for c in KeywordIndex(index).refresh().chunks} == texts
    for text in EVERY_TEXT:  # the vector of any chunk ever written finds only served chunks
        for cid, similarity in index.nearest(vectors([text], DIMENSION)[0], 5):
            assert cid in texts, f"nearest served {cid}, which is not visible"
            assert similarity < 0.999 or texts[cid] == text, f"nearest served {cid}'s other version"
    return {
        aid: (
            body,
            {c.id: c.text for c in chunks if c.article_id == aid},
            [(v.number, v.body) for v in versions[aid]],
        )
        for aid, body in bodies.items()
    }


def left_over(index: NewsIndex) -> bool:
    """Whether the store holds anything readers are not served: chunks, kept versions, or an
    open intent."""
    articles, _ = index.list_articles(limit=100)
    kept = sum(len(index.list_versions(a.id)) - 1 for a in articles)
    return (
        index.chunks.count() != len(list(index.iter_chunks()))
        or index.versions.count() != kept
        or index.state.count() > 1
    )


class Indexes:
    """Fresh indexes in one store, writes of a dead writer taken as stale at once."""

    def __init__(self, root: Path, chroma_url: str | None = None):
        self.root, self.chroma_url = root, chroma_url

    def open(self, *articles: Article) -> NewsIndex:
        settings = Settings(
            _env_file=None,
            data_dir=self.root,
            chroma_url=self.chroma_url,
            collection_prefix="w" + uuid.uuid4().hex[:12],
            stale_write_seconds=0,
        )
        index = NewsIndex(settings, FINGERPRINT, DIMENSION)
        index._max_batch = 2  # several chunk batches per write, each a step to stop at
        for article in articles:
            write(index, article)
        return index


@pytest.fixture(params=["embedded", "server"])
def indexes(request, tmp_path) -> Indexes:
    if request.param == "server":
        return Indexes(tmp_path / "data", request.getfixturevalue("chroma_server"))
    return Indexes(tmp_path / "data")


@pytest.mark.parametrize("kill", [False, True], ids=["fail", "kill"])
@pytest.mark.parametrize("target", [LIBRARY, HARBOUR_V2], ids=["new", "update"])
def test_a_write_stopped_at_any_step_leaves_the_old_or_the_new_version(
    indexes: Indexes, target: Article, kill: bool
):
    before = served(indexes.open(*BASE))
    after = served(indexes.open(*BASE, target))
    assert before != after

    counting = Faults(at=-1, kill=False)
    probe = indexes.open(*BASE)
    with faulty(probe, counting):
        write(probe, target)
    steps = counting.changes
    assert steps >= 5, "intent, kept version, chunk batches, record, generation, intent closed"

    for at in range(steps):
        step = f"change {at} of {steps} failed" + (", the writer died" if kill else "")
        index = indexes.open(*BASE)
        with faulty(index, Faults(at, kill)), contextlib.suppress(Crash):
            write(index, target)
        seen = served(index)
        assert seen in (before, after), step
        needs_repair = left_over(index)

        reopened = NewsIndex(index.settings, FINGERPRINT, DIMENSION)
        assert served(reopened) == seen, step
        assert not left_over(reopened), step
        assert reopened.repaired.changed == needs_repair, step
        for action in reopened.repaired.actions:
            assert action.article_id == target.id, step
            assert action.outcome == ("completed" if seen == after else "rolled back"), step

        write(reopened, target)
        assert served(reopened) == after, step
        assert not left_over(reopened), step


def test_a_deletion_stopped_at_any_step_leaves_the_article_or_nothing(indexes: Indexes):
    """The article deleted has an earlier version: it goes with it, or both stay."""
    before = served(indexes.open(*BASE, HARBOUR_V2))
    after = served(indexes.open(BASE[1]))
    assert [n for n, _ in before[HARBOUR.id][2]] == [1, 2]

    counting = Faults(at=-1, kill=False)
    probe = indexes.open(*BASE, HARBOUR_V2)
    with faulty(probe, counting):
        probe.delete_article(HARBOUR.id)
    for at in range(counting.changes):
        index = indexes.open(*BASE, HARBOUR_V2)
        with faulty(index, Faults(at, kill=True)), contextlib.suppress(Crash):
            index.delete_article(HARBOUR.id)
        seen = served(index)
        assert seen in (before, after), at
        reopened = NewsIndex(index.settings, FINGERPRINT, DIMENSION)
        assert served(reopened) == seen and not left_over(reopened), at


def test_a_write_under_way_elsewhere_is_left_to_its_writer(tmp_path):
    """Opening the index (another replica starting) while a live writer is half-way through
    neither serves nor removes that writer's chunks; the writer then finishes normally."""
    settings = Settings(_env_file=None, data_dir=tmp_path / "data", collection_prefix="live")
    writer = NewsIndex(settings, FINGERPRINT, DIMENSION)
    for article in BASE:
        write(writer, article)
    before = served(writer)
    writer._max_batch = 1
    opened: list[NewsIndex] = []

    class OpenMeanwhile:
        def __init__(self, real):
            self.real = real

        def __getattr__(self, name):
            return getattr(self.real, name)

        def upsert(self, **kwargs):
            self.real.upsert(**kwargs)
            if not opened:
                opened.append(NewsIndex(settings, FINGERPRINT, DIMENSION))
                assert served(opened[0]) == before

    writer.chunks = OpenMeanwhile(writer.chunks)
    write(writer, HARBOUR_V2)
    (other,) = opened
    assert other.repaired.pending == 1 and not other.repaired.changed
    assert served(other)[HARBOUR.id][0] == HARBOUR_V2.body
    assert not left_over(other)


def test_a_writer_killed_mid_write_is_repaired_by_the_next_ingest(tmp_path, embedder, caplog):
    """A real process killed with SIGKILL while its update's chunks are half stored: the old
    version is still served, and the next `newsdesk ingest` undoes the rest and says so."""
    env = {"NEWSDESK_DATA_DIR": str(tmp_path / "data"), "NEWSDESK_COLLECTION_PREFIX": "crash"}
    writer = subprocess.Popen(
        [sys.executable, "-m", "tests.support.crash_writer", embedder.fingerprint, "384"],
        cwd=REPO,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        output = []
        for line in writer.stdout:
            output.append(line)
            if line.strip() == MID_WRITE:
                break
        assert output and output[-1].strip() == MID_WRITE, "".join(output)
    finally:
        writer.kill()
        writer.wait(timeout=60)

    feed = tmp_path / "library.jsonl"
    record = {"title": LIBRARY.title, "body": LIBRARY.body, "url": LIBRARY.url}
    feed.write_text(json.dumps(record) + "\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="newsdesk.index"):
        result = CliRunner().invoke(app, ["ingest", str(feed)], env=env)
    assert result.exit_code == 0, result.output
    assert f"write of article {HARBOUR.id} cut short, rolled back" in result.output
    assert any("repaired the index" in r.getMessage() for r in caplog.records)

    settings = Settings(_env_file=None, data_dir=tmp_path / "data", collection_prefix="crash")
    index = NewsIndex(settings, embedder.fingerprint, embedder.dimension)
    assert not index.repaired.changed
    assert index.get_article(HARBOUR.id).body == HARBOUR.body
    harbour = sorted((c.id, c.text) for c in index.iter_chunks() if c.article_id == HARBOUR.id)
    assert harbour == sorted((c.id, c.text) for c in CHUNKER.split(HARBOUR))
    assert index.get_article(LIBRARY.id) is not None
    assert not left_over(index)
