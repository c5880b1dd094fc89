"""Answer-stage latency (p50/p95 per question): MultiHop-RAG, and the same articles scraped.

    HF_HUB_OFFLINE=1 python -m benchmarks.answer_latency [--questions 40] [--distractors 40]
        [--rounds 1] [--json]

The answer stage is what ``StageTimings.answer_ms`` records (as ``newsdesk eval`` prints it):
from the passages retrieved to the Answer composed, the extractive answerer, the direct answer
and its claim checks. Two corpora, each a temporary index built once per run (cached under
``~/.cache/newsdesk/bench-answer`` by its parameters):

- ``multihop``: the evidence articles of ``--questions`` seeded MultiHop-RAG questions plus
  ``--distractors`` other articles, ingested as records;
- ``scraped``: the same articles rendered as news pages look when scraped (navigation lists, a
  results table, unpunctuated bullet lists, sign-up lines, photo captions, long run-on lines,
  a comment section), written as ``.html`` files and ingested through ``newsdesk ingest``'s
  HTML path, so the text the answerer reads is whatever the extractor keeps of them.

Each question is answered with a cold sentence cache (as a question no one asked before) and
then again warm. The baseline is the fp32 sentence encoder with no token cap, 32 sentences
embedded a question (``BASELINE``), measured in the same run, on the same questions,
interleaved; the run also counts the questions whose answer text differs from the baseline's.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
from html import escape
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import numpy as np

from evals.datasets import Question, load_multihop
from ingest.embedding import get_embedder
from ingest.index.store import NewsIndex
from ingest.models import Article
from ingest.pipeline import build_ingestor
from ingest.sources.files import load_paths
from service.answering.service import AnswerService
from service.contract import AskRequest
from service.settings import Settings

CACHE = Path.home() / ".cache/newsdesk/bench-answer"
BASELINE: dict[str, object] = {
    "sentence_encoder": "torch",
    "sentence_tokens": 0,
    "sentences_embedded": 32,
}
"""The answer stage as it was: what ``baseline`` rows run with."""
SECTIONS = ["Home", "World", "Business", "Tech", "Sport", "Culture", "Opinion", "Video"]


def sample(questions: int, distractors: int, seed: int) -> tuple[list[Question], list[Article]]:
    """Seeded questions, their evidence articles and as many other articles again."""
    dataset = load_multihop()
    rng = random.Random(seed)
    chosen = rng.sample(dataset.questions, questions)
    wanted = {a for q in chosen for a in q.evidence_articles}
    others = [a for a in dataset.articles if a.id not in wanted]
    extra = {a.id for a in rng.sample(others, min(distractors, len(others)))}
    return chosen, [a for a in dataset.articles if a.id in wanted or a.id in extra]


def scraped_page(article: Article, rng: random.Random) -> str:
    """The article as a scraped news page: the body's paragraphs among the site's furniture."""
    sentences = re.split(r"(?<=[.!?])\s+", " ".join(article.body.split()))
    words = [w.strip(".,;:!?\"'") for w in article.body.split() if len(w) > 3]
    paragraphs = [" ".join(sentences[i : i + 3]) for i in range(0, len(sentences), 3)]

    def phrase(n: int) -> str:
        start = rng.randrange(max(1, len(words) - n))
        return " ".join(words[start : start + n])

    source = escape(article.source or "The Daily")
    picked = rng.sample(sentences, min(6, len(sentences)))
    run_on = " ".join(re.sub(r"[.!?,;]", "", s) for s in picked)
    furniture = [
        f"<figure><img src='a.jpg'><figcaption>{escape(phrase(9))} Photo: "
        f"{escape(phrase(2))}/{source}</figcaption></figure>",
        "<p>Sign up for our morning newsletter and get the top stories in your inbox</p>",
        "<ul>"
        + "".join(f"<li>{escape(phrase(rng.randint(4, 9)))}</li>" for _ in range(5))
        + "</ul>",
        f"<p>{escape(run_on)}</p>",
        "<table><tr><th>Team</th><th>P</th><th>W</th><th>Pts</th></tr>"
        + "".join(
            f"<tr><td>{escape(phrase(2))}</td><td>{rng.randint(5, 38)}</td>"
            f"<td>{rng.randint(0, 30)}</td><td>{rng.randint(0, 90)}</td></tr>"
            for _ in range(6)
        )
        + "</table>",
        "<p>Read more: " + " | ".join(escape(phrase(6)) for _ in range(4)) + "</p>",
    ]
    body = []
    for n, paragraph in enumerate(paragraphs):
        body.append(f"<p>{escape(paragraph)}</p>")
        if n % 2 == 1 and furniture:
            body.append(furniture.pop(rng.randrange(len(furniture))))
    body.extend(furniture)
    nav = "".join(f"<li><a href='/{s.lower()}'>{s}</a></li>" for s in SECTIONS)
    comments = "".join(
        f"<div class='comment'><p>{escape(phrase(rng.randint(8, 30)))}</p></div>" for _ in range(4)
    )
    published = article.published.isoformat() if article.published else ""
    return f"""<!doctype html><html><head><title>{escape(article.title)} | {source}</title>
<meta property="og:site_name" content="{source}">
<meta property="og:title" content="{escape(article.title)}">
<meta name="author" content="{escape(article.author or "")}">
<meta property="article:published_time" content="{published}">
</head><body><header><nav><ul>{nav}</ul></nav></header>
<main><article><h1>{escape(article.title)}</h1>
<p class="byline">By {escape(article.author or "Staff")} · {published[:10]}</p>
{"".join(body)}
</article>
<section class="comments"><h2>Comments</h2>{comments}</section></main>
<footer><ul>{nav}</ul><p>© {source} All rights reserved</p></footer></body></html>"""


def build(corpus: str, articles: list[Article], key: str, seed: int) -> Settings:
    """The corpus's index, ingested once per ``key``."""
    folder = CACHE / f"{corpus}-{key}"
    settings = Settings(_env_file=None, data_dir=folder / "index")
    if (folder / "done").is_file():
        return settings
    ingestor = build_ingestor(settings, embedder=get_embedder(settings))
    if corpus == "multihop":
        report = ingestor.ingest_articles(articles)
    else:
        pages = folder / "pages"
        pages.mkdir(parents=True, exist_ok=True)
        rng = random.Random(seed)
        for n, article in enumerate(articles):
            (pages / f"page-{n:04d}.html").write_text(scraped_page(article, rng), "utf-8")
        report = ingestor.run(load_paths([pages]))
    if not report.ok:
        raise SystemExit(f"{corpus}: ingest failed: {report.errors[:3]}")
    (folder / "done").write_text(str(report.chunks_written))
    return settings


def service_for(settings: Settings, update: dict[str, object]) -> AnswerService:
    settings = settings.model_copy(update=update)
    embedder = get_embedder(settings)
    return AnswerService(
        settings, NewsIndex(settings, embedder.fingerprint, embedder.dimension), embedder
    )


def measure(settings: Settings, questions: list[Question], rounds: int) -> dict[str, object]:
    """Each question through both code paths in turn, cold then warm."""
    services = {"newsdesk": service_for(settings, {}), "baseline": service_for(settings, BASELINE)}
    for service in services.values():
        service.warm()
        service.ask(AskRequest(question=questions[0].question, as_of=questions[0].as_of))
    times = {(name, c): [] for name in services for c in ("cold", "warm")}
    answers: dict[str, list[str]] = {name: [] for name in services}
    for _ in range(rounds):
        for question in questions:
            request = AskRequest(question=question.question, as_of=question.as_of)
            for name, service in services.items():
                service.vectors.clear()
                cold = service.ask(request)
                times[name, "cold"].append(cold.timings.answer_ms)
                times[name, "warm"].append(service.ask(request).timings.answer_ms)
                answers[name].append(cold.text)
    figures = {
        f"{name}_{cache}_ms": {
            "p50": round(float(np.percentile(values, 50)), 1),
            "p95": round(float(np.percentile(values, 95)), 1),
        }
        for (name, cache), values in times.items()
    }
    for cache in ("cold", "warm"):
        figures[f"{cache}_p50_to_baseline"] = round(
            figures[f"newsdesk_{cache}_ms"]["p50"] / figures[f"baseline_{cache}_ms"]["p50"], 3
        )
    figures["answers_differing"] = sum(
        a != b for a, b in zip(answers["newsdesk"], answers["baseline"], strict=True)
    )
    figures["chunks"] = services["newsdesk"].index.counts()["chunks"]
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=int, default=40)
    parser.add_argument("--distractors", type=int, default=40)
    parser.add_argument("--corpus", choices=["multihop", "scraped"], action="append")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--json", action="store_true", help="Print the figures as JSON only.")
    args = parser.parse_args()

    questions, articles = sample(args.questions, args.distractors, args.seed)
    blob = json.dumps([args.seed, sorted(a.id for a in articles)]).encode()
    key = hashlib.sha256(blob).hexdigest()[:12]
    results = {}
    for corpus in args.corpus or ["multihop", "scraped"]:
        settings = build(corpus, articles, key, args.seed)
        results[corpus] = measure(settings, questions, args.rounds)
    report = {
        "questions": len(questions),
        "articles": len(articles),
        "load_average": os.getloadavg(),
        "results": results,
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"{len(questions)} questions over {len(articles)} articles, answer stage (ms)")
    for corpus, r in results.items():
        print(f"\n{corpus} · {r['chunks']} chunks")
        print(f"{'':<10} {'cold p50':>9} {'cold p95':>9} {'warm p50':>9} {'warm p95':>9}")
        for name in ("baseline", "newsdesk"):
            cold, warm = r[f"{name}_cold_ms"], r[f"{name}_warm_ms"]
            print(f"{name:<10} {cold['p50']:>9} {cold['p95']:>9} {warm['p50']:>9} {warm['p95']:>9}")
        print(
            f"newsdesk / baseline (p50): cold {r['cold_p50_to_baseline']}, "
            f"warm {r['warm_p50_to_baseline']}; answers differing: {r['answers_differing']}"
        )


if __name__ == "__main__":
    main()
