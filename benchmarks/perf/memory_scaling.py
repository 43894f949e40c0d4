"""Peak memory against dataset size: N and 10×N sentiment examples, side by side.

Issue 12's target: peak resident memory stays flat in the number of examples — 10×
the examples take less than 1.2× the peak memory of N, both with the baselines alone
and with a small GPT built from a config. Each run is the real command line
(``nlpbench run``, default reporters included) in a fresh subprocess; its peak RSS is
the kernel's own figure for that child (``os.wait4``'s ``ru_maxrss``), so nothing of
one run is counted in another.

The data is GLUE SST-2's validation set (872 sentences, from ../shared/data or
$NLPBENCH_SHARED_DATA), repeated to reach the sizes asked for (ids stay distinct: they
are line numbers); when that folder is absent, seeded synthetic sentences stand in and
the table says so. The rows:

- **baselines**: the `wordlist` and `majority` models (classify);
- **gpt**: an untrained GPT (2 layers, 64 wide, the real GPT-2 tokenizer) scoring each
  label by log-likelihood;
- **examples only**: loading the suite and reading the examples, nothing run: the
  memory the examples themselves take, which no fix can remove.

    .venv/bin/python benchmarks/perf/memory_scaling.py [--n 872] [--gpt-n 872] [--skip-gpt]
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SHARED = Path(os.environ.get("NLPBENCH_SHARED_DATA") or Path(__file__).resolve().parents[3] / "shared" / "data")
SST2 = SHARED / "sentiment_sst2" / "dev.tsv"

TASK = """\
tasks:
  - name: sst2
    type: sentiment
    data: {path: %(data)s, text: sentence, label: label}
    metrics: [accuracy, macro-f1, mcc]
"""
BASELINES = """\
name: memory-baselines
seed: 1
models:
  - {name: wordlist, type: wordlist}
  - {name: majority, type: majority, params: {label: positive}}
"""
GPT = """\
name: memory-gpt
seed: 1
models:
  - name: gpt-tiny
    type: gpt
    config: {n_layer: 2, n_embd: 64, n_head: 2, n_positions: 256}
    params: {device: cpu, batch_size: 32}
"""

#: Run in a child: read the suite and its examples, as a run does before any model loads.
EXAMPLES_ONLY = """\
import sys
from pathlib import Path
from nlpbench.plugins.host import PluginHost
from nlpbench.running.runner import Runner
from nlpbench.suites.suite import load_suite
host = PluginHost()
suite = load_suite(Path(sys.argv[1]), host)
runner = Runner(suite, host, Path(sys.argv[2]), progress=False, log=lambda _: None)
tasks = [runner.prepare_task(spec) for spec in suite.tasks]
print(sum(len(t.examples) for t in tasks))
"""

RUN = "import sys; from nlpbench.cli import main; main(sys.argv[1:])"


def sentences() -> tuple[list[tuple[str, str]], str]:
    """(sentence, label) rows to repeat, and where they came from."""
    if SST2.is_file():
        lines = SST2.read_text(encoding="utf-8").splitlines()[1:]
        rows = [tuple(line.split("\t")) for line in lines if line.strip()]
        return [(s, label) for s, label in rows], f"GLUE SST-2 validation ({SST2})"
    rng = random.Random(12)
    words = ["good", "bad", "film", "plot", "actor", "dull", "great", "not", "a", "the", "story", "fun"]
    made = [
        (" ".join(rng.choice(words) for _ in range(rng.randint(5, 30))), str(rng.randint(0, 1))) for _ in range(872)
    ]
    return made, "SYNTHETIC: ../shared/data is absent; seeded made-up sentences"


def write_data(path: Path, rows: list[tuple[str, str]], n: int) -> None:
    """``n`` rows of a TSV with the header ``sentence\\tlabel``, cycling through ``rows``."""
    body = "".join(f"{rows[i % len(rows)][0]}\t{rows[i % len(rows)][1]}\n" for i in range(n))
    path.write_text("sentence\tlabel\n" + body, encoding="utf-8")


def peak_mb(argv: list[str]) -> tuple[float, float, int]:
    """Run ``argv`` in a fresh process: (its peak RSS in MB, seconds, exit code)."""
    started = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert child.stderr is not None
    # read stderr before waiting, so a chatty child never blocks on a full pipe
    errors = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    if child.returncode not in (0, 1):
        sys.exit(f"{' '.join(argv)} failed ({child.returncode}):\n{errors.decode(errors='replace')[-2000:]}")
    kb = usage.ru_maxrss / 1024 if sys.platform == "darwin" else usage.ru_maxrss  # bytes on macOS
    return kb / 1024, seconds, child.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=872, help="examples of the small run (the large one has 10×)")
    parser.add_argument("--gpt-n", type=int, default=872, help="examples of the small GPT run")
    parser.add_argument("--skip-gpt", action="store_true", help="only the baselines and the examples")
    args = parser.parse_args()
    rows, origin = sentences()
    print(f"data: {origin}")
    table = []
    with tempfile.TemporaryDirectory(prefix="nlpbench-memory-") as tmp:
        folder = Path(tmp)
        runs = [("examples only", BASELINES, args.n), ("baselines", BASELINES, args.n)]
        if not args.skip_gpt:
            runs.append(("gpt", GPT, args.gpt_n))
        for label, head, n in runs:
            measured = []
            for size in (n, 10 * n):
                data = folder / f"sst2-{size}.tsv"
                if not data.exists():
                    write_data(data, rows, size)
                suite = folder / f"{label.replace(' ', '-')}-{size}.yaml"
                suite.write_text(head + TASK % {"data": data}, encoding="utf-8")
                out = folder / f"run-{suite.stem}"
                if label == "examples only":
                    argv = [sys.executable, "-c", EXAMPLES_ONLY, str(suite), str(out)]
                else:
                    argv = [sys.executable, "-c", RUN, "run", str(suite), "--out", str(out), "--no-progress"]
                mb, seconds, _ = peak_mb(argv)
                measured.append((size, mb, seconds))
                print(f"  {label:14s} n={size:6d}: {mb:8.1f} MB peak, {seconds:6.1f} s", file=sys.stderr)
            (small, small_mb, _), (large, large_mb, _) = measured
            table.append((label, small, small_mb, large, large_mb))
    print(f"{'run':14s}  {'n':>6s}  {'peak MB':>8s}  {'10×n':>6s}  {'peak MB':>8s}  {'ratio':>6s}  {'growth MB':>9s}")
    for label, small, small_mb, large, large_mb in table:
        print(
            f"{label:14s}  {small:6d}  {small_mb:8.1f}  {large:6d}  {large_mb:8.1f}  "
            f"{large_mb / small_mb:6.2f}  {large_mb - small_mb:9.1f}"
        )
    print("goal: ratio < 1.2 for the baselines and the gpt; 'examples only' is what the examples themselves take")


if __name__ == "__main__":
    main()
