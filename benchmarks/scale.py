"""The cost curve: retrieval latency and resident memory at growing synthetic index sizes.

Each size and Chroma mode is measured by ``benchmarks.query_latency`` in a process of its own,
so its resident memory is that size's alone: the service process (keyword snapshot, BM25
matrix and, embedded, Chroma's HNSW index and vectors) and, in server mode, the ``chroma run``
process. The insertion rate is the one the cached index was built at
(``benchmarks.synthetic_index``, precomputed vectors: Chroma's own cost, no model). Writes
``scale.json`` and the plot to ``--out``.

    HF_HUB_OFFLINE=1 python -m benchmarks.scale --sizes 10000 100000 1000000 --out docs
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from evals.settings import EvalSettings


def measure(chunks: int, mode: str, queries: int, as_built: bool) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        command = [
            sys.executable,
            "-m",
            "benchmarks.query_latency",
            "--corpus",
            "synthetic",
            "--chunks",
            str(chunks),
            "--mode",
            mode,
            "--queries",
            str(queries),
            "--json-out",
            str(out),
        ]
        subprocess.run(command + (["--as-built"] if as_built else []), check=True)
        report = json.loads(out.read_text())
    return report["results"][mode] | {"load_average": report["load_average"]}


def build_rate(chunks: int, seed: int) -> dict | None:
    log = EvalSettings().root / "bench-index" / f"synthetic-{chunks}-{seed}" / "build.json"
    if not log.is_file():
        return None
    progress = json.loads(log.read_text())["progress"]
    last = progress[-1]
    return {"rows": last["chunks"], "seconds": last["seconds"], "progress": progress}


def plot(rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (latency, memory) = plt.subplots(1, 2, figsize=(11, 4.2))
    for mode, marker in (("embedded", "o"), ("server", "s")):
        mine = sorted((r for r in rows if r["mode"] == mode), key=lambda r: r["chunks"])
        if not mine:
            continue
        x = [r["chunks"] for r in mine]
        latency.plot(x, [r["total_ms"]["p50"] for r in mine], marker=marker, label=f"{mode} p50")
        latency.plot(
            x, [r["total_ms"]["p95"] for r in mine], marker=marker, ls="--", label=f"{mode} p95"
        )
        latency.plot(
            x, [r["baseline_ms"]["p50"] for r in mine], marker=marker, ls=":", label=f"{mode} plain"
        )
        rss = [r["memory"]["process_rss_mb"] for r in mine]
        memory.plot(x, rss, marker=marker, label=f"{mode}: service process")
        if mode == "server":
            server = [r["memory"].get("chroma_server_rss_mb", 0) for r in mine]
            memory.plot(x, server, marker=marker, ls="--", label="server: chroma run")
    memory.plot(
        [r["chunks"] for r in rows if r["mode"] == "embedded"],
        [r["memory"]["keyword_matrix_mb"] for r in rows if r["mode"] == "embedded"],
        marker="^",
        ls=":",
        label="BM25 matrix",
    )
    latency.set(xscale="log", yscale="log", xlabel="chunks", ylabel="retrieval ms")
    latency.set_title("Retrieval latency (plain: dense top 10 with text)")
    memory.set(xscale="log", yscale="log", xlabel="chunks", ylabel="resident MB")
    memory.set_title("Resident memory")
    for axis in (latency, memory):
        axis.grid(True, which="both", alpha=0.3)
        axis.legend(fontsize=8)
    load = max(max(r["load_average"]) for r in rows)
    fig.suptitle(
        f"newsdesk at scale, synthetic MultiHop-RAG copies, 2 cores (load average ≤ {load:.1f})"
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--mode", choices=["embedded", "server"], action="append")
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument(
        "--as-built", action="store_true", help="Measure cached indexes as they stand."
    )
    parser.add_argument("--out", type=Path, default=Path("docs"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    target = args.out / "scale.json"
    rows = json.loads(target.read_text()) if target.is_file() else []
    for chunks in args.sizes:
        for mode in args.mode or ["embedded", "server"]:
            result = measure(chunks, mode, args.queries, args.as_built)
            row = {"size": chunks, "mode": mode, **result, "build": build_rate(chunks, args.seed)}
            rows = [r for r in rows if (r["size"], r["mode"]) != (chunks, mode)] + [row]
            target.write_text(json.dumps(rows, indent=1))  # a later size failing keeps these
            print(
                f"{row['chunks']:>9} {mode:<8} p50 {row['total_ms']['p50']} ms "
                f"p95 {row['total_ms']['p95']} ms  rss {row['memory']}  load {os.getloadavg()}",
                flush=True,
            )
    plot(rows, args.out / "scale.png")


if __name__ == "__main__":
    main()
