"""The Ray executor against the local one, on one machine: the same suite, the same
predictions, and what Ray costs.

Issue 14's target (2 CPU cores): Ray with one replica ≤ 1.10× the local executor on the
model phase; two replicas with one torch thread each reported beside it.

A small GPT built from a config (seeded weights) answers ``--docs`` synthetic reviews
(sentiment, multiple choice over the labels: loglikelihood requests). Each contender is
``nlpbench run --no-cache`` in a fresh process:

- **local**: the model in the nlpbench process, torch with the machine's threads;
- **ray ×1**: one actor asking for every CPU (``num_cpus: 2``: Ray gives it as many torch threads);
- **ray ×2**: two replicas of one CPU each (one torch thread each), sharing each cell's batches.

It prints, per contender, the wall time end to end, the model phase (the cell's
``seconds``: asking and scoring, loading apart) and its ratio to local, and checks that
every contender's predictions and scores are the local ones. Without ``--ray-address``
each Ray run starts (and stops) a local cluster: its start-up is in the wall time, not
in the model phase.

    .venv/bin/python benchmarks/perf/ray_executor.py [--work DIR] [--docs 500] [--layers 4] [--width 256]
        [--repeats 1] [--ray-address HOST:PORT]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

NLPBENCH = Path(sys.executable).parent / "nlpbench"
WORDS = ("good", "bad", "dull", "fine", "warm", "long", "short", "story", "plot", "cast", "music", "great", "awful")


def write_work(work: Path, docs: int, layers: int, width: int) -> None:
    work.mkdir(parents=True, exist_ok=True)
    rng = random.Random(7)
    rows = []
    for i in range(docs):
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 40)))
        rows.append({"id": f"r{i}", "text": text, "label": rng.choice(["positive", "negative"])})
    (work / "reviews.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    config = {"n_layer": layers, "n_embd": width, "n_head": 4, "n_positions": 256}
    for name, replicas, cpus in (("local", 1, 2), ("ray1", 1, 2), ("ray2", 2, 1)):
        suite = {
            "name": f"bench-{name}",
            "seed": 7,
            "bootstrap": {"resamples": 200},
            "models": [
                {
                    "name": "gpt",
                    "type": "gpt",
                    "config": config,
                    "params": {"batch_size": 32},
                    "replicas": replicas,
                    "resources": {"num_cpus": cpus},
                }
            ],
            "tasks": [
                {
                    "name": "reviews",
                    "type": "sentiment",
                    "data": {"path": "reviews.jsonl", "text": "text", "label": "label", "id": "id"},
                }
            ],
            "reporters": ["json"],
        }
        (work / f"{name}.yaml").write_text(json.dumps(suite), encoding="utf-8")


def run(work: Path, name: str, executor: str, address: str | None) -> tuple[float, dict[str, Any]]:
    out = work / f"run-{name}"
    command = [str(NLPBENCH), "run", str(work / f"{name}.yaml"), "--out", str(out), "--no-cache", "--no-progress"]
    command += ["--executor", executor] + (["--ray-address", address] if address else [])
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "RAY_USAGE_STATS_ENABLED": "0"})
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{name}: exit {done.returncode}\n{done.stderr[-3000:]}")
    return wall, json.loads((out / "results.json").read_text(encoding="utf-8"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/nlpbench-ray-bench"))
    parser.add_argument("--docs", type=int, default=500)
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--width", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--ray-address")
    args = parser.parse_args()
    write_work(args.work, args.docs, args.layers, args.width)
    contenders = (("local", "local", "local"), ("ray ×1", "ray1", "ray"), ("ray ×2", "ray2", "ray"))
    best: dict[str, tuple[float, float, dict[str, Any]]] = {}
    for _ in range(args.repeats):
        for label, name, executor in contenders:
            wall, results = run(args.work, name, executor, args.ray_address)
            cell = results["cells"][0]
            if cell["status"] != "ok":
                raise SystemExit(f"{label}: the cell failed: {cell['error']}")
            if label not in best or cell["seconds"] < best[label][1]:
                best[label] = (wall, cell["seconds"], cell)
    local = best["local"][2]
    print(f"{args.docs} reviews, GPT {args.layers} layers × {args.width}, {os.cpu_count()} CPUs reported")
    print("| contender | wall s | model phase s | × local (model phase) | same scores |")
    print("| --- | --- | --- | --- | --- |")
    for label, (wall, seconds, cell) in best.items():
        same = cell["metrics"] == local["metrics"]
        ratio = seconds / best["local"][1]
        print(f"| {label} | {wall:.1f} | {seconds:.2f} | {ratio:.2f} | {'yes' if same else 'NO'} |")


if __name__ == "__main__":
    main()
