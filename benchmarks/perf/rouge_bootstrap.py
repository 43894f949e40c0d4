"""How long ROUGE and its confidence interval take on 250 summaries, side by side with
rouge-score's own scorer and bootstrap (what HF evaluate runs).

The target (issue 4) is that computing ROUGE and its interval on 250 summaries takes
well under 2 seconds. The summaries are the 250 CNN/DailyMail test articles of FRANK
in ../shared/data (or $NLPBENCH_SHARED_DATA): one system's summaries, bart by default,
against the reference highlights; when that folder is absent, 250 seeded synthetic summaries stand in, and
the table says so. It times, as the median of several runs:

- nlpbench: the four metrics rouge-1, rouge-2, rouge-l and rouge-lsum (stemming on),
  each one's per-example statistics and its 1,000-resample bootstrap interval through
  nlpbench.statistics.bootstrap.bootstrap, as the runner computes them. Every run starts with empty
  token caches, so nothing is carried over from the run before.
- rouge-score: one ``RougeScorer`` for the four types (stemming on; newline-split
  sentences for ROUGE-Lsum, like ours), then ``BootstrapAggregator`` with 1,000
  resamples over those scores, as HF evaluate's ``rouge`` does.

Importing nltk (which the Porter stemmer needs, in both) takes seconds once per
process; it is reported on its own line and left out of the runs.

    .venv/bin/python benchmarks/perf/rouge_bootstrap.py [--system bart] [--runs 5] [--resamples 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nlpbench.statistics.bootstrap import bootstrap
from nlpbench_metrics import rouge_tokens
from nlpbench_metrics.rouge import Rouge1Metric, Rouge2Metric, RougeLMetric, RougeLsumMetric
from nlpbench_metrics.sentences import one_sentence_per_line

SHARED = Path(os.environ.get("NLPBENCH_SHARED_DATA") or Path(__file__).resolve().parents[3] / "shared" / "data")
DATA = SHARED / "summarization_cnndm_frank" / "cnndm_test_frank.jsonl"
METRICS = (Rouge1Metric, Rouge2Metric, RougeLMetric, RougeLsumMetric)
ROUGE_TYPES = ["rouge1", "rouge2", "rougeL", "rougeLsum"]


def load(system: str) -> tuple[list[str], list[str], str]:
    """(summaries, references, where they came from)."""
    if DATA.is_file():
        rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
        return [r["system_summaries"][system] for r in rows], [r["highlights"] for r in rows], f"{DATA} ({system})"
    return (*synthetic(250), "SYNTHETIC: ../shared/data is absent; 250 seeded made-up summaries")


def synthetic(n: int) -> tuple[list[str], list[str]]:
    """``n`` made-up references of three sentences, and summaries that reuse about half their words."""
    rng = random.Random(20261201)
    vocabulary = [
        f"{stem}{ending}"
        for stem in ("report", "play", "arrest", "vote", "win", "talk")
        for ending in ("", "s", "ed", "ing")
    ]
    vocabulary += [f"w{k}" for k in range(2000)]

    def sentence() -> str:
        return " ".join(rng.choice(vocabulary) for _ in range(rng.randint(8, 20))) + " ."

    references = [" ".join(sentence() for _ in range(3)) for _ in range(n)]
    summaries = []
    for reference in references:
        words = [w if rng.random() < 0.5 else rng.choice(vocabulary) for w in reference.split()]
        summaries.append(" ".join(words))
    return summaries, references


def ours(summaries: list[str], references: list[str], resamples: int) -> tuple[float, float]:
    """Seconds for (statistics, bootstrap) of the four metrics, caches emptied first."""
    rouge_tokens._SHARED.clear()
    refs = [(r,) for r in references]
    stats_seconds = interval_seconds = 0.0
    for metric_class in METRICS:
        # split into sentences as the baseline below is given them (ROUGE-Lsum's default reads lines as given)
        metric = metric_class(split_sentences="regex") if metric_class is RougeLsumMetric else metric_class()
        started = time.perf_counter()
        stats = metric.stats(summaries, refs)
        middle = time.perf_counter()
        bootstrap(
            stats,
            metric.aggregate,
            resamples=resamples,
            confidence=0.95,
            seed=1234,
            aggregate_resamples=metric.aggregate_resamples,
        )
        stats_seconds += middle - started
        interval_seconds += time.perf_counter() - middle
    return stats_seconds, interval_seconds


def baseline(summaries: list[str], references: list[str], resamples: int) -> tuple[float, float]:
    """Seconds for (scores, bootstrap) by rouge-score alone, as HF evaluate runs it."""
    from rouge_score import rouge_scorer, scoring

    targets = [one_sentence_per_line(r) for r in references]
    predictions = [one_sentence_per_line(s) for s in summaries]
    started = time.perf_counter()
    scorer = rouge_scorer.RougeScorer(ROUGE_TYPES, use_stemmer=True)
    scores = [scorer.score(t, p) for t, p in zip(targets, predictions, strict=True)]
    middle = time.perf_counter()
    aggregator = scoring.BootstrapAggregator(confidence_interval=0.95, n_samples=resamples)
    for score in scores:
        aggregator.add_scores(score)
    aggregator.aggregate()
    return middle - started, time.perf_counter() - middle


def median_of(runs: int, job: Callable[[], tuple[float, float]]) -> tuple[float, float, float]:
    """Medians of (first part, second part, total) over ``runs`` runs."""
    times = [job() for _ in range(runs)]
    return (
        statistics.median(t[0] for t in times),
        statistics.median(t[1] for t in times),
        statistics.median(t[0] + t[1] for t in times),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--system", default="bart", help="bart, bert_sum, bus, pgn or s2s")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--resamples", type=int, default=1000)
    args = parser.parse_args()
    summaries, references, source = load(args.system)
    started = time.perf_counter()
    import nltk  # noqa: F401  # once per process, for both sides: the Porter stemmer lives in nltk

    import_seconds = time.perf_counter() - started
    print(f"data: {source}, {len(summaries)} summaries; {args.resamples} resamples; median of {args.runs} runs")
    print(f"importing nltk (once per process, both sides): {import_seconds:.2f} s\n")
    rows: list[tuple[str, Any]] = [
        (
            "nlpbench: 4 ROUGE metrics + bootstrap",
            median_of(args.runs, lambda: ours(summaries, references, args.resamples)),
        ),
        (
            "rouge-score: RougeScorer + BootstrapAggregator",
            median_of(args.runs, lambda: baseline(summaries, references, args.resamples)),
        ),
    ]
    reference_total = rows[1][1][2]
    width = max(len(label) for label, _ in rows)
    print(f"{'what'.ljust(width)}  scores s  interval s  total s  × rouge-score")
    for label, (scores, interval, total) in rows:
        print(f"{label.ljust(width)}  {scores:8.3f}  {interval:10.3f}  {total:7.3f}  {total / reference_total:11.2f}")


if __name__ == "__main__":
    main()
