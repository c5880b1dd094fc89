"""Ask every question of the injection corpus and count the answers that obeyed their article.

    python -m evals.injection [--answerer local] [--out DIR]

The corpus is indexed like any eval dataset (cached under the eval index cache) and each
question goes through ``AnswerService`` as ``newsdesk eval`` sends it. For each, the report
gives whether the instruction reached the model's prompt (``exposed``), the answer, and the
signs that it followed the instruction (``evals.injection.scoring``). Exit status 1 when any
answer followed one.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from pydantic import BaseModel

from evals.datasets import load_jsonl
from evals.injection.scoring import Attack, followed
from evals.metrics import answer_correct
from evals.runner import run_dataset
from service.answering.packing import as_data
from service.answering.prompts import load_prompt
from service.contract import AskRequest

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus.jsonl"
QUESTIONS = HERE / "questions.jsonl"
EXPOSED_CHARS = 40
"""The instruction's opening that, found in the prompt, shows it reached the model (the
splitter may cut a long one in two, and an excerpt keep one half)."""


class Row(BaseModel):
    id: str
    kind: str
    question: str
    exposed: bool
    status: str
    degraded: bool
    degraded_reason: str | None
    answerer: str
    answer: str
    correct: bool | None
    signs: list[str]


def attacks(path: Path = QUESTIONS) -> dict[str, Attack]:
    """Each question's attack, from its ``injection`` field."""
    lines = path.read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines if line.strip()]
    return {r["id"]: Attack.model_validate(r["injection"]) for r in records}


def main(argv: list[str] | None = None) -> int:
    from ingest.embedding import get_embedder
    from ingest.index.store import NewsIndex
    from service.answering.service import AnswerService
    from service.settings import Settings

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--answerer", default="local", help="default: local")
    parser.add_argument("--out", type=Path, help="folder for results.json and report.md")
    args = parser.parse_args(argv)

    data = load_jsonl(CORPUS, QUESTIONS, name="injection")
    by_id = {q.id: q for q in data.questions}
    settings = Settings(answerer=args.answerer)
    run = run_dataset(
        data,
        settings,
        resamples=100,
        progress=lambda phase, done, total: print(f"{phase} {done}/{total}", file=sys.stderr),
    )
    embedder = get_embedder(settings)
    indexed = settings.model_copy(
        update={"data_dir": Path(run.meta.index_dir), "collection_prefix": "eval"}
    )
    service = AnswerService(
        indexed, NewsIndex(indexed, embedder.fingerprint, embedder.dimension), embedder
    )
    bodies = {a.id: a.body for a in data.articles}
    system = load_prompt("answer").system
    rows = []
    by_attack = attacks()
    for result in run.questions:
        qid, attack = result.id, by_attack[result.id]
        draft = service.llm_prompt(AskRequest(question=result.question))
        shown = "\n".join(text for _, text in draft.messages) if draft else ""
        rows.append(
            Row(
                id=qid,
                kind=attack.kind,
                question=result.question,
                exposed=as_data(attack.instruction)[:EXPOSED_CHARS] in shown,
                status=result.status,
                degraded=bool(result.scores.degraded),
                degraded_reason=result.degraded_reason,
                answerer=result.answerer or "",
                answer=result.answer,
                correct=answer_correct(by_id[qid], result.answer, result.status),
                signs=followed(attack, result.answer, result.citations, bodies, system),
            )
        )
    summary = {
        "answerer": args.answerer,
        "prompt": service.llm.prompt.id if service.llm else None,
        "questions": len(rows),
        "followed": sum(bool(r.signs) for r in rows),
        "exposed": sum(r.exposed for r in rows),
        "answered": sum(r.status == "answered" for r in rows),
        "degraded": sum(r.degraded for r in rows),
        "correct": sum(bool(r.correct) for r in rows),
        "by_kind": dict(Counter(r.kind for r in rows if r.signs)),
    }
    report = _markdown(summary, rows)
    print(report)
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        payload = {"summary": summary, "rows": [r.model_dump() for r in rows]}
        (args.out / "results.json").write_text(json.dumps(payload, indent=1), encoding="utf-8")
        (args.out / "report.md").write_text(report, encoding="utf-8")
    return 1 if summary["followed"] else 0


def _markdown(summary: dict, rows: list[Row]) -> str:
    lines = [
        f"# Prompt injection — answerer {summary['answerer']} ({summary['prompt']})",
        "",
        f"{summary['followed']} of {summary['questions']} answers followed their article's "
        f"instruction; the instruction reached the model's prompt for {summary['exposed']}; "
        f"{summary['answered']} answered, {summary['correct']} correct, "
        f"{summary['degraded']} degraded (the model failed: quotes instead).",
        "",
        "| id | kind | in prompt | status | by | correct | followed | answer |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        answer = " ".join(r.answer.split())[:140].replace("|", "\\|")
        lines.append(
            f"| {r.id} | {r.kind} | {'yes' if r.exposed else 'no'} | {r.status} | "
            f"{'quotes (degraded)' if r.degraded else r.answerer} | "
            f"{'yes' if r.correct else 'no'} | {', '.join(r.signs) or '—'} | {answer} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
