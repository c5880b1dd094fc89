"""The runner on the dev set: real model, real Chroma, the real AnswerService."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from evals.datasets import Question, load_dev
from evals.runner import index_code, index_key, run_dataset, standalone_question
from ingest import chunking
from service.settings import Settings


@pytest.mark.unit
def test_index_key_follows_corpus_and_index_settings_only():
    dev = load_dev()
    base = Settings(_env_file=None)
    key = index_key(dev, base, "model-a")
    assert key == index_key(dev, base, "model-a")
    assert key.startswith("dev-")
    assert key != index_key(dev, base, "model-b")
    assert key != index_key(dev, base.model_copy(update={"chunk_tokens": 120}), "model-a")
    assert key == index_key(dev, base.model_copy(update={"top_k": 3}), "model-a")
    smaller = dev.model_copy(update={"articles": dev.articles[1:]})
    assert key != index_key(smaller, base, "model-a")


@pytest.mark.unit
def test_index_code_follows_what_the_chunker_imports_and_leaves_the_writer_out():
    """A module moved or added under the chunker or the schema changes the key by itself: the
    modules are found through their imports, not named by hand."""
    code = index_code((chunking,))
    assert {"ingest.chunking", "ingest.index.schema", "ingest.models", "ingest.sentences"} <= set(
        code
    )
    assert not set(code) & {"ingest.index.store", "ingest.pipeline", "ingest.embedding"}
    assert all(len(digest) == 64 for digest in code.values())


@pytest.mark.integration
def test_dev_run_scores_every_question_and_reuses_its_index(tmp_path, embedder):
    dev = load_dev()
    base = Settings(_env_file=None)
    seen: list[tuple[str, int, int]] = []
    first = run_dataset(
        dev, base, cache_root=tmp_path, resamples=200, progress=lambda *a: seen.append(a)
    )
    assert first.meta.errors == 0
    assert len(first.questions) == len(dev.questions)
    assert first.meta.chunks_written > 0
    assert seen[-1] == ("questions", len(dev.questions), len(dev.questions))
    overall = first.metrics["overall"]
    assert overall["hits10"].n == sum(any(e.quote for e in q.evidence) for q in dev.questions)
    assert overall["citation_validity"].value == 1.0
    assert overall["decline_recall"].n == sum(not q.answerable for q in dev.questions)
    assert set(first.metrics) == {"overall", *dev.types}
    row = first.questions[0]
    assert row.passages and row.passages[0].rank == 1
    followups = [r for r, q in zip(first.questions, dev.questions, strict=True) if q.history]
    assert followups and all(r.standalone_question != r.question for r in followups)
    assert row.timings_ms["total"] > 0

    again = run_dataset(dev.select(limit=2, seed=1), base, cache_root=tmp_path, resamples=200)
    assert again.meta.index_key == first.meta.index_key
    assert again.meta.chunks_written == 0
    assert len(again.questions) == 2


@pytest.mark.integration
def test_two_runs_sharing_a_cache_build_its_index_once(tmp_path):
    """Two processes start on an empty cache at once: one indexes, the other waits and reuses."""
    cli = Path(sys.executable).parent / "newsdesk"
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    command = [str(cli), "eval", "--dataset", "dev", "--retrieval-only"]
    runs = [
        subprocess.Popen(
            [*command, "--cache-dir", str(tmp_path / "cache"), "--out", str(tmp_path / f"run{n}")],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in (1, 2)
    ]
    for run in runs:
        _, err = run.communicate(timeout=600)
        assert run.returncode == 0, err
    metas = [
        json.loads((tmp_path / f"run{n}" / "results.json").read_text())["meta"] for n in (1, 2)
    ]
    assert metas[0]["index_key"] == metas[1]["index_key"]
    written = sorted(m["chunks_written"] for m in metas)
    assert written[0] == 0 and written[1] > 0


@pytest.mark.unit
def test_a_follow_up_is_asked_as_the_channels_rewrite_it():
    alone = Question(id="a", question="How many flights did Skyhaven cancel?", answers=["140"])
    assert standalone_question(alone) == alone.question
    followup = Question(
        id="f",
        question="What is the union asking for?",
        answers=["12 hours of rest"],
        history=[
            "Which airline cancelled flights in a pilots' strike?",
            "How many passengers did that affect?",
        ],
    )
    asked = standalone_question(followup)
    assert asked.startswith("What is the union asking for")
    # "airline" only reaches the last question through the second one's own rewrite
    assert "airline" in asked and "pilots" in asked
