"""How long the listing commands take, side by side with bare Python start-up.

The target (issue: foundation) is that `nlpbench plugins` and `nlpbench list ...`
answer in well under a second, because listing must never import torch or
transformers. Timings on shared machines are noisy, so this prints medians of
several runs and the ratio to the baseline rather than asserting anything.

    .venv/bin/python benchmarks/perf/cli_startup.py [--runs 7]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

NLPBENCH = [sys.executable, "-c", "from nlpbench.cli import main; main()"]

COMMANDS: list[tuple[str, list[str]]] = [
    ("python -c pass (baseline)", [sys.executable, "-c", "pass"]),
    ("python -c 'import click, yaml, pluggy'", [sys.executable, "-c", "import click, yaml, pluggy"]),
    ("python -c 'import torch' (what listing avoids)", [sys.executable, "-c", "import torch"]),
    ("nlpbench plugins --json", [*NLPBENCH, "plugins", "--json"]),
    ("nlpbench list models --json", [*NLPBENCH, "list", "models", "--json"]),
    ("nlpbench list metrics", [*NLPBENCH, "list", "metrics"]),
]


def median_seconds(command: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    results = [(label, median_seconds(command, args.runs)) for label, command in COMMANDS]
    baseline = results[0][1]
    width = max(len(label) for label, _ in results)
    print(f"{'command'.ljust(width)}  median s  × baseline")
    for label, seconds in results:
        print(f"{label.ljust(width)}  {seconds:8.3f}  {seconds / baseline:9.1f}")


if __name__ == "__main__":
    main()
