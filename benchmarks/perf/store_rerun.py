"""How much faster an identical rerun is when the results store serves it.

Issue 5's target: an identical rerun is served from the store at least 50× faster than
the first run. This runs one suite through the real command line three ways, side by
side, and prints the wall times and their ratios to the first run:

- **first**: a new output folder, so every model loads and answers every request;
- **rerun**: the same command again: every prediction, score and interval comes from
  `store.sqlite`, and no model loads;
- **--no-cache**: the same command with `--no-cache`, which asks the models again (the
  cost the store saves).

The suite is a small GPT (4 layers, 256 wide, the real GPT-2 tokenizer, built from a
config, untrained) translating the first 200 segments of the real WMT22 de-en test set
(from ../shared/data; the built-in sample when it is absent) and on the summarization
and language-modeling samples that ship with the plugins: generation-heavy, as
evaluating a language model is. Wall times
include starting Python and importing nlpbench, which the rerun pays too; the children
run with Python's bytecode cache on, as on a user's machine.

Then, issue 14's target: a cached rerun of a real suite (``benchmarks/suites/quick.yaml``,
what ``make demo`` runs: every task type, audits, the HTML report) takes at most 1.5×
``nlpbench validate`` of the same suite, both fresh processes. The quick suite runs in a
copy of ``runs/quick`` when it exists (else a new folder): one run fills the store
(serves it when nothing changed since), then reruns and validations alternate, and the
medians and their ratio are printed.

    .venv/bin/python benchmarks/perf/store_rerun.py [--reruns 3] [--only-quick] [--quick-run runs/quick]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SUITE = """\
name: store-bench
seed: 1
models:
  - name: gpt-small
    type: gpt
    config: {n_layer: 4, n_embd: 256, n_head: 4, n_positions: 1024}
tasks:
  - {name: translation, type: translation, params: {max_new_tokens: 48}%(translation)s}
  - {name: summarization, type: summarization, params: {max_new_tokens: 64, max_input_words: 300}}
  - {name: lm, type: language-modeling}
reporters: []
"""

#: The real WMT22 test set, when ../shared/data is there: a test set of a realistic size.
WMT = "translation_wmt22_de_en/generaltest2022.de-en"


def _translation_data() -> tuple[str, str]:
    """The translation task's data (the first 200 WMT22 segments, or the built-in sample) and what it is."""
    shared = Path(os.environ.get("NLPBENCH_SHARED_DATA", Path(__file__).resolve().parents[3] / "shared" / "data"))
    source = shared / f"{WMT}.src.de"
    if not source.is_file():
        return "", "the built-in 25-pair sample (../shared/data is absent)"
    data = (
        f", data: {{source: {source}, references: [{shared / WMT}.ref.A.en], source_lang: de, target_lang: en}}"
        ", limit: 200"
    )
    return data, "the first 200 segments of WMT22 de-en"


def _run(suite: Path, out: Path, *extra: str) -> float:
    nlpbench = [sys.executable, "-c", "from nlpbench.cli import main; main()"]
    command = [*nlpbench, "run", str(suite), "--out", str(out), "--no-progress", *extra]
    # as a user runs it: Python may cache compiled modules (some sandboxes turn that off,
    # which makes every start compile the sources again)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"the run failed ({done.returncode}): {done.stderr.strip().splitlines()[-1:]}")
    return seconds


ROOT = Path(__file__).resolve().parents[2]
QUICK = ROOT / "benchmarks" / "suites" / "quick.yaml"


def _validate(suite: Path) -> float:
    command = [sys.executable, "-c", "from nlpbench.cli import main; main()", "validate", str(suite)]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"validate failed ({done.returncode}): {done.stderr.strip().splitlines()[-1:]}")
    return seconds


def quick_rerun(reruns: int, previous: Path) -> None:
    """A cached rerun of the quick suite against ``nlpbench validate`` of it."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "quick"
        if previous.is_dir():
            shutil.copytree(previous, out)
        filled = _run(QUICK, out)  # serves from the store, or fills it when the code changed
        times: dict[str, list[float]] = {"rerun": [], "validate": []}
        for _ in range(reruns):  # alternating, so that load on the machine hits both alike
            times["validate"].append(_validate(QUICK))
            times["rerun"].append(_run(QUICK, out))
    validate, rerun = statistics.median(times["validate"]), statistics.median(times["rerun"])
    print(f"\nquick suite ({QUICK.relative_to(ROOT)}); the run that filled the store took {filled:.2f} s")
    print(f"{'command':<46} {'seconds':>8} {'× validate':>11}")
    print(f"{f'nlpbench validate (median of {reruns})':<46} {validate:8.2f} {1.0:11.2f}")
    print(f"{f'cached rerun (median of {reruns})':<46} {rerun:8.2f} {rerun / validate:11.2f}   (target ≤ 1.5)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reruns", type=int, default=3, help="how many reruns to take the median of")
    parser.add_argument("--only-quick", action="store_true", help="only the quick suite's rerun against validate")
    parser.add_argument("--quick-run", type=Path, default=ROOT / "runs" / "quick", help="a run of quick.yaml to copy")
    args = parser.parse_args()
    if not args.only_quick:
        generation_suite(args.reruns)
    quick_rerun(args.reruns, args.quick_run)


def generation_suite(reruns: int) -> None:
    """The generation-heavy suite: first run, identical reruns, --no-cache."""
    with tempfile.TemporaryDirectory() as folder:
        suite = Path(folder) / "suite.yaml"
        data, what = _translation_data()
        suite.write_text(SUITE % {"translation": data}, encoding="utf-8")
        print(f"translation data: {what}; plus the summarization and language-modeling samples")
        out = Path(folder) / "run"
        first = _run(suite, out)
        times = [_run(suite, out) for _ in range(reruns)]
        no_cache = _run(suite, out, "--no-cache")
    rerun = statistics.median(times)
    rows = [("first run (every model loads and answers)", first), (f"identical rerun (median of {reruns})", rerun),
            ("rerun with --no-cache", no_cache)]  # fmt: skip
    print(f"{'run':<46} {'seconds':>8} {'× first run':>12} {'speed-up':>9}")
    for label, seconds in rows:
        print(f"{label:<46} {seconds:8.2f} {seconds / first:12.3f} {first / seconds:8.1f}×")


if __name__ == "__main__":
    main()
