"""Families of comparisons: what is corrected together, that the leaderboard, `nlpbench
compare`, rescoring and results.json give the same verdicts, how often a family finds a
difference that is not there (and one that is), and the cross-task ranking."""

from __future__ import annotations

import json
import re
import shutil
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

from nlpbench.cli import build_cli
from nlpbench.results.runs import rescore
from nlpbench.statistics.ranking import rank_models, ranks_of
from nlpbench.statistics.significance import compare_models, tie_groups
from nlpbench.testing import make_host

REPO = Path(__file__).resolve().parents[1]
SUITE = REPO / "benchmarks" / "suites" / "baselines.yaml"
GUIDE = REPO / "docs" / "comparing.md"


class Accuracy:
    """Accuracy over one 0/1 column, as the metrics plugin's scores it."""

    higher_is_better = True
    scale = (0.0, 1.0)

    def aggregate(self, stats: np.ndarray) -> float:
        return float(np.mean(stats[:, 0]))

    def aggregate_resamples(self, stats: np.ndarray, indices: np.ndarray) -> np.ndarray:
        return np.asarray(stats[:, 0][indices].mean(axis=1))


# -- simulations: the family-wise error rate and the power ------------------------------

SIMULATIONS = 500
EXAMPLES = 200
ALPHA = 0.05
# at a true rate of 5%, 500 runs give a standard error of 0.97%: 2 of them above is 6.9%
FWER_LIMIT = 0.07
IDS = [f"ex{i}" for i in range(EXAMPLES)]


def _family(rng: np.random.Generator, chances: list[Any]) -> list[dict[str, Any]]:
    """One simulated family: each model answers each example right with its chance
    there; every pair compared as a run compares accuracy (exact McNemar, Holm within
    the family). The bootstrap is skipped (``resamples=0``): only p-values matter here."""
    chance = np.broadcast_to(np.asarray(chances, dtype=np.float64).reshape(len(chances), -1), (len(chances), EXAMPLES))
    correct = rng.random((len(chances), EXAMPLES)) < chance
    per_model = {f"m{k}": (IDS, correct[k][:, None].astype(np.float64)) for k in range(len(chances))}
    return compare_models(
        per_model, Accuracy(), task="t", metric_name="accuracy", resamples=0, trials=0, seed=0, accuracy_like=True
    )  # type: ignore[arg-type]


@cache
def null_rates() -> tuple[float, float]:
    """Six equally good models on 200 examples (examples differ in difficulty: each one's
    chance of being answered right is drawn from Beta(7, 3), mean 0.7, the same for every
    model): the share of runs in which the family finds any difference after Holm's
    correction, and without it."""
    rng = np.random.default_rng(1)
    corrected = uncorrected = 0
    for _ in range(SIMULATIONS):
        chance = rng.beta(7, 3, size=EXAMPLES)
        entries = _family(rng, [chance] * 6)
        corrected += any(entry["better"] for entry in entries)
        uncorrected += any(entry["p_value"] < ALPHA for entry in entries)
    return corrected / SIMULATIONS, uncorrected / SIMULATIONS


@cache
def power() -> tuple[float, float]:
    """Two models right on 75% and 65% of 200 examples, errors independent: the share of
    runs in which the better is found better, compared alone (a family of one) and as two
    of six models (the others at 70%: a family of 15)."""
    rng = np.random.default_rng(11)
    alone = among_six = 0
    for _ in range(SIMULATIONS):
        alone += _family(rng, [0.75, 0.65])[0]["better"] == "a"
        among_six += _family(rng, [0.75, 0.65, 0.7, 0.7, 0.7, 0.7])[0]["better"] == "a"
    return alone / SIMULATIONS, among_six / SIMULATIONS


def test_a_family_of_equal_models_finds_a_difference_at_most_alpha_of_the_time() -> None:
    corrected, uncorrected = null_rates()
    assert corrected <= FWER_LIMIT
    # without the correction, 15 comparisons find "something" in about a third of the runs
    assert uncorrected > 0.2


def test_the_power_to_separate_ten_points_on_200_examples() -> None:
    alone, among_six = power()
    assert alone >= 0.5  # measured 0.550
    assert among_six >= 0.15  # measured 0.200: the price of correcting 15 comparisons together
    assert among_six < alone


def test_the_figures_in_the_docs_are_the_tests() -> None:
    text = " ".join(GUIDE.read_text(encoding="utf-8").split())
    corrected, uncorrected = null_rates()
    alone, among_six = power()
    figures = [
        f"{SIMULATIONS} simulated runs of 6 equally good models on {EXAMPLES} examples",
        f"found a difference in **{corrected:.1%}** of them",
        f"({uncorrected:.1%} without the correction)",
        f"**{alone:.1%}** of the time when the two are compared alone",
        f"**{among_six:.1%}** when they are two of six models",
    ]
    missing = [figure for figure in figures if figure not in text]
    assert not missing, f"docs/comparing.md does not say: {missing}"


# -- the ranking across tasks ----------------------------------------------------------------


def test_ranks_share_ties_and_put_unscorable_last() -> None:
    scores = np.array([[0.9, 0.5], [0.7, np.nan], [0.7, 0.5]])
    assert ranks_of(scores, True).tolist() == [[1.0, 1.5], [2.5, 3.0], [2.5, 1.5]]
    assert ranks_of(scores, False).tolist() == [[3.0, 1.5], [1.5, 3.0], [1.5, 1.5]]


def _stats(correct: list[int]) -> list[list[float]]:
    return [[float(value)] for value in correct]


def test_rank_models_per_task_mean_and_wins() -> None:
    metric = Accuracy()
    ids = [f"e{i}" for i in range(8)]
    cell_stats = {
        ("a", "t1"): (ids, {"acc": _stats([1, 1, 1, 1, 1, 1, 1, 0])}),
        ("b", "t1"): (ids, {"acc": _stats([1, 1, 1, 1, 0, 0, 0, 0])}),
        ("c", "t1"): (ids, {"acc": _stats([1, 1, 1, 1, 0, 0, 0, 0])}),
        ("a", "t2"): (ids, {"acc": _stats([1, 0, 0, 0, 0, 0, 0, 0])}),
        ("b", "t2"): (ids, {"acc": _stats([1, 1, 1, 1, 1, 1, 0, 0])}),
    }
    metrics = {"t1": [("acc", metric), ("other", metric)], "t2": [("acc", metric)]}
    entries = [
        {"task": "t1", "metric": "acc", "a": "a", "b": "b", "p_adjusted": 0.01, "better": "a"},
        {"task": "t1", "metric": "other", "a": "a", "b": "c", "p_adjusted": 0.01, "better": "a"},  # not primary
        {"task": "t2", "metric": "acc", "a": "a", "b": "b", "p_adjusted": 0.2, "better": None},
    ]
    cells = [
        {"model": "c", "task": "t2", "status": "failed"},
        {"model": "a", "task": "t1", "status": "ok"},
    ]
    ranking = rank_models(metrics, cell_stats, entries, suite_seed=3, resamples=200, confidence=0.95, cells=cells)  # type: ignore[arg-type]
    assert ranking["metric_by_task"] == {"t1": "acc", "t2": "acc"}
    assert ranking["models_by_task"] == {"t1": 3, "t2": 2}
    by_model = {entry["model"]: entry for entry in ranking["models"]}
    assert [entry["model"] for entry in ranking["models"]] == ["a", "b", "c"]  # by mean rank: 1.5, 1.75, 2.5
    assert by_model["a"]["ranks"] == {"t1": 1.0, "t2": 2.0} and by_model["a"]["mean_rank"] == 1.5
    assert by_model["b"]["ranks"] == {"t1": 2.5, "t2": 1.0} and by_model["b"]["tasks"] == 2
    assert by_model["c"]["ranks"] == {"t1": 2.5} and by_model["c"]["tasks"] == 1
    for entry in ranking["models"]:
        assert entry["ci_low"] <= entry["mean_rank"] <= entry["ci_high"]
    assert ranking["wins"]["a"] == {"b": 1, "c": 0} and ranking["wins"]["b"] == {"a": 0, "c": 0}
    assert ranking["shared"]["a"] == {"b": 2, "c": 0}
    assert ranking["left_out"] == [{"model": "c", "task": "t2", "reason": "failed"}]
    assert "Left out: c on t2 (failed)." in ranking["note"] and "1 of 3 models" in ranking["note"]
    again = rank_models(metrics, cell_stats, entries, suite_seed=3, resamples=200, confidence=0.95, cells=cells)  # type: ignore[arg-type]
    assert again == ranking  # seeded: the same every time


# -- one family definition everywhere: the run, the leaderboard, compare, rescore ----------


def _invoke(*args: str) -> Any:
    host = make_host(entry_points=True)
    result = CliRunner().invoke(build_cli(host), list(args), obj={"host": host})
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def baselines(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The baselines suite, run through the command line (a few seconds)."""
    out = tmp_path_factory.mktemp("baselines") / "run"
    _invoke("run", str(SUITE), "--out", str(out))
    return out


def _leaderboard_groups(text: str) -> dict[str, dict[str, int]]:
    """Each task's tie group per model, as the terminal leaderboard prints them."""
    groups: dict[str, dict[str, int]] = {}
    task = ""
    for line in text.splitlines():
        if line and not line.startswith(" "):
            task = line.split()[0]
        elif re.match(r"\s+\d+\s+\d+\s+\S", line):
            _, group, model = line.split()[:3]
            groups.setdefault(task, {})[model] = int(group)
    return groups


def test_the_leaderboard_compare_and_results_give_the_same_verdicts(baselines: Path) -> None:
    results = json.loads((baselines / "results.json").read_text(encoding="utf-8"))
    assert results["comparing"] == {"correction": "holm", "alpha": 0.05, "family": "metric"}
    assert {task: record["primary_metric"] for task, record in results["tasks"].items()} == {
        "reviews-sample": "accuracy",
        "reviews-dev": "accuracy",
        "reviews-people": "accuracy",
    }
    for entry in results["comparisons"]:
        assert entry["family"] == f"{entry['task']}/{entry['metric']}" and entry["family_size"] == 10
    compared = json.loads(_invoke("compare", str(baselines), "--metrics", "accuracy", "--format", "json").stdout)
    in_run = [e for e in results["comparisons"] if e["metric"] == "accuracy"]
    assert len(compared) == len(in_run) == 30
    assert compared == in_run  # every field: p-values, adjusted p-values, verdicts, families
    printed = _leaderboard_groups(_invoke("leaderboard", str(baselines)).stdout)
    for task in results["tasks"]:
        cells = [c for c in results["cells"] if c["task"] == task and c["status"] == "ok"]
        stored = {c["model"]: c["metrics"]["accuracy"]["tie_group"] for c in cells}
        ranked = sorted(cells, key=lambda c: (-c["metrics"]["accuracy"]["value"], c["model"]))
        found = {frozenset((e["a"], e["b"])) for e in compared if e["task"] == task and e["better"]}
        groups = tie_groups([c["model"] for c in ranked], lambda x, y, found=found: frozenset((x, y)) in found)
        from_compare = dict(zip([c["model"] for c in ranked], groups, strict=True))
        assert printed[task] == stored == from_compare, task
    # the worked example of docs/comparing.md: on reviews-dev, wordlist's lead over
    # short-list does not survive Holm within reviews-dev/accuracy; over tiny-list it does
    assert printed["reviews-dev"] == {
        "wordlist": 1,
        "short-list": 1,
        "tiny-list": 2,
        "always-negative": 2,
        "always-positive": 2,
    }


def test_rescoring_gives_the_runs_verdicts_and_ranking(baselines: Path, tmp_path: Path) -> None:
    copy = tmp_path / "run"
    shutil.copytree(baselines, copy)
    before = json.loads((copy / "results.json").read_text(encoding="utf-8"))
    after = rescore(copy, make_host(entry_points=True))
    assert after["comparisons"] == before["comparisons"]
    assert after["ranking"] == before["ranking"]
    assert after["tasks"] == before["tasks"]


def test_a_wider_family_is_recorded_and_compare_follows_it(baselines: Path, tmp_path: Path) -> None:
    copy = tmp_path / "run"
    shutil.copytree(baselines, copy)
    results = json.loads((copy / "results.json").read_text(encoding="utf-8"))
    results["comparing"]["family"] = "run"
    (copy / "results.json").write_text(json.dumps(results), encoding="utf-8")
    after = rescore(copy, make_host(entry_points=True), ["accuracy"])  # McNemar only: fast
    assert {(e["family"], e["family_size"]) for e in after["comparisons"]} == {("run", 30)}
    compared = json.loads(_invoke("compare", str(copy), "--format", "json").stdout)
    assert compared == after["comparisons"]  # compare takes the run's family
    # wordlist's lead over always-positive on reviews-dev: real within its task and
    # metric (Holm over 10 p-values), lost among the run's 30
    pair = ("reviews-dev", "accuracy", "wordlist", "always-positive")
    [wide] = [e for e in after["comparisons"] if (e["task"], e["metric"], e["a"], e["b"]) == pair]
    assert wide["p_value"] < 0.005 and wide["better"] is None
    groups = {c["model"]: c["metrics"]["accuracy"]["tie_group"] for c in after["cells"] if c["task"] == pair[0]}
    assert groups["always-positive"] == 1
    narrow = json.loads(_invoke("compare", str(copy), "--family", "metric", "--format", "json").stdout)
    before = json.loads((baselines / "results.json").read_text(encoding="utf-8"))["comparisons"]
    assert narrow == [e for e in before if e["metric"] == "accuracy"]
    [close] = [e for e in narrow if (e["task"], e["metric"], e["a"], e["b"]) == pair]
    assert close["better"] == "a"


def test_the_ranking_is_in_the_results(baselines: Path) -> None:
    ranking = json.loads((baselines / "results.json").read_text(encoding="utf-8"))["ranking"]
    assert set(ranking) == {
        "metric_by_task", "models_by_task", "confidence", "resamples", "models", "wins", "shared", "left_out", "note",
    }  # fmt: skip
    assert [m["model"] for m in ranking["models"]][:3] == ["wordlist", "short-list", "tiny-list"]
    wordlist = ranking["models"][0]
    assert wordlist["ranks"] == {"reviews-sample": 1.0, "reviews-dev": 1.0, "reviews-people": 1.0}
    assert (wordlist["mean_rank"], wordlist["ci_low"], wordlist["ci_high"]) == (1.0, 1.0, 1.0)
    # short-list's 0.625 on reviews-dev is behind wordlist's 0.958, but not significantly
    assert ranking["wins"]["wordlist"] == {"short-list": 2, "tiny-list": 3, "always-negative": 3, "always-positive": 3}
    # the guide's excerpt of this ranking is this ranking
    guide = GUIDE.read_text(encoding="utf-8")
    short = ranking["models"][1]
    for shown in [
        json.dumps({key: ranking[key] for key in ("metric_by_task",)})[1:-1],
        json.dumps({key: ranking[key] for key in ("models_by_task",)})[1:-1],
        json.dumps({key: wordlist[key] for key in ("model", "mean_rank", "ci_low", "ci_high")})[:-1],
        json.dumps({key: short[key] for key in ("model", "mean_rank", "ci_low", "ci_high")})[:-1],
        json.dumps({"ranks": short["ranks"], "tasks": short["tasks"]})[1:],
        json.dumps({"wordlist": ranking["wins"]["wordlist"]})[1:-1],
        json.dumps({"wordlist": ranking["shared"]["wordlist"]})[1:-1],
    ]:
        assert shown in guide, shown


# -- the guide shows what the commands print --------------------------------------------------


def _console_blocks(text: str) -> list[tuple[str, list[str]]]:
    """Each ```console block of the guide: its command (the ``$`` line naming
    ``runs/baselines``) and the lines it shows (``…`` marks lines left out)."""
    blocks = []
    for body in text.split("```console\n")[1:]:
        lines = body.split("```", 1)[0].rstrip("\n").splitlines()
        commands = [line[2:] for line in lines if line.startswith("$ ")]
        shown = [line for line in lines if not line.startswith("$ ") and line.strip() != "…"]
        blocks.append((commands[-1], shown))
    return blocks


def test_the_guides_examples_are_what_the_commands_print(baselines: Path) -> None:
    blocks = _console_blocks(GUIDE.read_text(encoding="utf-8"))
    assert len(blocks) >= 3
    for command, shown in blocks:
        words = command.split()
        assert words[0] == "nlpbench" and "runs/baselines" in words, command
        if words[1] == "run":
            continue
        args = [str(baselines) if word == "runs/baselines" else word for word in words[1:]]
        printed = _invoke(*args).stdout.splitlines()
        missing = [line for line in shown if line not in printed]
        assert not missing, f"`{command}` does not print: {missing}"
