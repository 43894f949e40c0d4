"""How much sorting a cell's requests by length across the whole cell saves.

It writes N synthetic reviews of very different lengths (seeded) as a multiple-choice
task file (4 answer choices each, so 4·N log-likelihood requests) and runs it through
the runner on a small untrained GPT (built from a config, with the real GPT-2
tokenizer), offline. Batches are planned over all of a cell's missing requests, longest
first (``nlpbench.running.batching.plan_batches``); before, they were cut every 256
requests in example order and sorted only within that cut, so short and long reviews
padded each other. ``--before`` plans them that old way (runs of whole examples of at
most 256 requests, in example order, one call per capability each), so one script
compares the two on the same runner. It prints the cell's seconds (loading excluded),
examples per second and accuracy (the same either way: only the batches differ).

    .venv/bin/python benchmarks/perf/cell_batching.py [--reviews 500] [--repeats 2] [--before] [--threads 1]

``cpu`` is the process's CPU time for the whole run (loading and scoring included): on a
machine shared with other work it moves less than the wall times do.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import nlpbench.running.asking
from nlpbench import Request, evaluate

WORDS = [
    "the",
    "film",
    "was",
    "good",
    "bad",
    "long",
    "short",
    "dull",
    "warm",
    "funny",
    "sad",
    "plot",
    "cast",
    "music",
    "story",
    "end",
    "book",
]


def write_suite(folder: Path, reviews: int, seed: int) -> Path:
    """A suite of one tiny GPT and one multiple-choice task file of ``reviews`` examples."""
    rng = random.Random(seed)
    with (folder / "reviews.jsonl").open("w") as out:
        for i in range(reviews):
            length = rng.choice([4, 8, 16, 48, 120, 300])  # words: a long tail, as real reviews have
            text = " ".join(rng.choice(WORDS) for _ in range(length))
            out.write(json.dumps({"id": f"r{i}", "text": text, "label": rng.randrange(4)}) + "\n")
    (folder / "task.yaml").write_text(
        "name: stars\ntype: template\ndata: {path: reviews.jsonl}\n"
        "params:\n  input: \"{{text}}\\nRating:\"\n  choices: [' one', ' two', ' three', ' four']\n  target: label\n"
        "metrics: [acc]\n"
    )
    suite = folder / "suite.yaml"
    suite.write_text(
        "name: cell-batching\nseed: 1\nbootstrap: {resamples: 100}\n"
        "models:\n  - name: gpt-tiny\n    type: gpt\n"
        "    config: {n_layer: 2, n_embd: 64, n_head: 2, n_positions: 512}\n"
        "tasks:\n  - task: task.yaml\n"
    )
    return suite


def batches_before(requests: Sequence[Request], size: int) -> list[list[int]]:
    """The batches of the runner before whole-cell planning: whole examples, in order, in
    runs of at most ``size`` requests, each run one batch per capability (unsorted: the
    model sorted within its call)."""
    runs: list[list[int]] = []
    count = 0
    for position, request in enumerate(requests):
        first_of_example = position == 0 or request.example_id != requests[position - 1].example_id
        if not runs or (first_of_example and count + 1 > size):
            runs.append([])
            count = 0
        runs[-1].append(position)
        count += 1
    batches: list[list[int]] = []
    for positions in runs:
        by_capability: dict[str, list[int]] = {}
        for p in positions:
            by_capability.setdefault(requests[p].capability, []).append(p)
        batches.extend(by_capability.values())
    return batches


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reviews", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--before", action="store_true", help="plan batches as the runner did before")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (1: steadier on a busy machine)")
    args = parser.parse_args()
    import torch  # the gpt plugin's; imported here so --help stays quick

    torch.set_num_threads(args.threads)
    if args.before:
        nlpbench.running.asking.plan_batches = batches_before  # type: ignore[assignment]
    with tempfile.TemporaryDirectory() as tmp:
        suite = write_suite(Path(tmp), args.reviews, args.seed)
        for repeat in range(args.repeats):
            out = Path(tmp) / f"run{repeat}"
            started, cpu = time.perf_counter(), time.process_time()
            run = evaluate(suite, out=out, no_cache=True)
            wall, cpu = time.perf_counter() - started, time.process_time() - cpu
            cell = run.results["cells"][0]
            print(
                f"run {repeat}: cell {cell['seconds']:.2f} s (load {cell.get('load_seconds')} s), "
                f"{cell['examples_per_second']} examples/s, "
                f"acc {cell['metrics']['acc']['value']:.4f}, wall {wall:.2f} s, cpu {cpu:.2f} s"
            )


if __name__ == "__main__":
    main()
