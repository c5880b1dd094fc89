"""How an article write survives a crash: each write or deletion is announced by an intent before
anything of it is stored, and settled after; opening the index sweeps away what unfinished
writes left (``ingest.index.writes`` says what a write id and a committed view are).

A mixin of ``NewsIndex``: it works on the index's collections and generation marker.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Collection
from typing import TYPE_CHECKING, Any, Literal

from ingest.index.versions import of_articles, unused_versions
from ingest.index.writes import (
    LEGACY,
    WRITE_KEY,
    Intent,
    RepairAction,
    RepairReport,
    article_of,
    new_write,
    split_key,
)

if TYPE_CHECKING:
    from ingest.settings import IndexSettings

log = logging.getLogger("newsdesk.index")

INTENT_PREFIX = "intent:"
PAGE = 5000


class WriteLog:
    """Uses the index's ``chunks``, ``state`` and ``versions`` collections, ``_max_batch``,
    ``_bump_generation``, ``_records`` and ``archived_records``."""

    settings: IndexSettings
    chunks: Any
    state: Any
    versions: Any

    def _begin(self, article_ids: list[str], kind: Literal["write", "delete"]) -> list[Intent]:
        """Record the intents (a write id each) before anything of them is stored: one call
        for a batch of articles."""
        intents = [Intent(write=new_write(), article_id=aid, kind=kind) for aid in article_ids]
        self.state.upsert(
            ids=[INTENT_PREFIX + intent.write for intent in intents],
            embeddings=[[0.0]] * len(intents),
            metadatas=[intent.model_dump() for intent in intents],
        )
        return intents

    def _settle(self, intents: list[Intent]) -> None:
        """Tell readers, then remove what the writes left unused (the versions they
        superseded, or their own chunks where they did not commit) and their intents. Never
        raises: what it cannot do (the store lost) is left to the repair on the next open."""
        try:
            self._bump_generation()
            self._sweep([i.article_id for i in intents], {i.write for i in intents})
        except Exception as exc:
            log.warning(
                "the %s of %s is left for the next open of the index to settle: %s",
                intents[0].kind,
                ", ".join(f"article {i.article_id}" for i in intents),
                exc,
            )

    def repair(self) -> RepairReport:
        """Finish or undo the writes of writers that stopped half-way (killed, or the store
        lost mid-write), and remove chunks no record names: an unfinished write is rolled back
        (the previous version stays), a committed one has its superseded chunks removed, a
        deletion its remaining chunks. Writes still under way are left to their writers.
        Logged, and kept as ``self.repaired``."""
        intents = self._intents()
        stale = {
            write
            for write, intent in intents.items()
            if intent.stale(self.settings.stale_write_seconds)
        }
        report = RepairReport(actions=self._sweep(None, stale), pending=len(intents) - len(stale))
        if report.changed:
            self._bump_generation()  # a writer may have committed and died before telling
        for action in report.actions:
            log.warning("repaired the index: %s", action)
        if report.pending:
            log.info("%d article writes under way elsewhere, left to their writers", report.pending)
        return report

    def _sweep(self, article_ids: list[str] | None, closing: Collection[str]) -> list[RepairAction]:
        """Remove the stored chunks and kept versions (of these articles, or all) that no record
        names and no other write under way claims, and close the intents ``closing``; what was
        done.

        Read in this order so that another writer's chunks and versions are never taken for
        garbage: its intent is stored before them, so it is listed after them unless that
        write has finished, and then its record, read last, names it (or a later write).
        """
        keys = self._stored_keys(article_ids)
        archived = self.archived_records(article_ids)
        intents = self._intents(article_ids)
        records = self._records(article_ids)
        writes = {aid: meta.get(WRITE_KEY, LEGACY) for aid, meta in records.items()}
        claimed = intents.keys() - set(closing)
        versions = unused_versions(archived, records, claimed)
        doomed_versions = [vid for group in versions.values() for vid in group]
        for i in range(0, len(doomed_versions), self._max_batch):
            self.versions.delete(ids=doomed_versions[i : i + self._max_batch])
        unused: dict[str, list[str]] = defaultdict(list)
        for key in keys:
            chunk_id, write = split_key(key)
            owner = article_of(chunk_id)
            if write not in claimed and writes.get(owner) != write:
                unused[owner].append(key)
        doomed = [key for group in unused.values() for key in group]
        for i in range(0, len(doomed), self._max_batch):
            self.chunks.delete(ids=doomed[i : i + self._max_batch])
        actions, closed = [], []
        for write in closing:
            intent = intents.get(write)
            if intent is None:
                continue
            if intent.kind == "write":
                done = writes.get(intent.article_id) == write
            else:
                done = intent.article_id not in writes
            actions.append(
                RepairAction(
                    article_id=intent.article_id,
                    what=intent.kind,
                    outcome="completed" if done else "rolled back",
                    chunks_removed=len(unused.pop(intent.article_id, [])),
                    versions_removed=len(versions.pop(intent.article_id, [])),
                )
            )
            closed.append(INTENT_PREFIX + write)
        if closed:
            self.state.delete(ids=closed)
        actions += [
            RepairAction(
                article_id=aid,
                what="orphan",
                outcome="removed",
                chunks_removed=len(unused.get(aid, [])),
                versions_removed=len(versions.get(aid, [])),
            )
            for aid in unused.keys() | versions.keys()
        ]
        if doomed:
            # A reader that read the chunks meanwhile may have missed some (Chroma pages by
            # offset): have it read them again.
            self._bump_generation()
        return actions

    def _stored_keys(self, article_ids: list[str] | None) -> list[str]:
        where = of_articles(article_ids)
        keys: list[str] = []
        while True:
            found = self.chunks.get(where=where, include=[], limit=PAGE, offset=len(keys))
            keys += found["ids"]
            if len(found["ids"]) < PAGE:
                return keys

    def _intents(self, article_ids: list[str] | None = None) -> dict[str, Intent]:
        where = of_articles(article_ids) or {"kind": {"$in": ["write", "delete"]}}
        found = self.state.get(where=where, include=["metadatas"])
        intents = (Intent.model_validate(meta) for meta in found["metadatas"])
        return {intent.write: intent for intent in intents}
