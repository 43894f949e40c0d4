"""The whole path through the real, installed plugins, as a user runs it."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from .conftest import NLPBENCH, REPO, child_env, pip_install_target

pytestmark = pytest.mark.slow

QUICK = REPO / "benchmarks" / "suites" / "quick.yaml"


def _nlpbench(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*NLPBENCH, *args], capture_output=True, text=True, env=child_env(**(env or {})), cwd=cwd, timeout=900
    )


@pytest.fixture(scope="module")
def broken_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The broken fixture plugin, pip-installed into a folder of its own."""
    site = tmp_path_factory.mktemp("broken-site")
    source = tmp_path_factory.mktemp("broken-src") / "nlpbench-broken"
    shutil.copytree(REPO / "tests" / "fixtures" / "nlpbench-broken", source)
    pip_install_target(source, site)
    return site


def test_the_quick_suite_runs_and_writes_the_contract(tmp_path: Path) -> None:
    out = tmp_path / "quick"
    completed = _nlpbench("run", str(QUICK), "--out", str(out))
    assert completed.returncode == 0, completed.stderr
    assert "reviews-dev" in completed.stdout and "wordlist" in completed.stdout
    # untrained models are marked as such on the leaderboard
    assert "gpt-tiny (untrained)" in completed.stdout and "t5-tiny (untrained)" in completed.stdout
    results: dict[str, Any] = json.loads((out / "results.json").read_text())
    assert results["suite"]["name"] == "quick"
    plugins = {
        "nlpbench-sentiment",
        "nlpbench-qa",
        "nlpbench-translation",
        "nlpbench-summarization",
        "nlpbench-lm",
        "nlpbench-metrics",
        "nlpbench-baselines",
        "nlpbench-bert",
        "nlpbench-gpt",
        "nlpbench-t5",
        "nlpbench-bias",
    }
    assert plugins <= set(results["nlpbench"]["plugins"])
    # the counterfactual audit ran on the sentiment, QA and summarization cells
    audited = {(e["audit"], e["task"]) for e in results["audits"]}
    assert {task for audit, task in audited if audit == "counterfactual"} == {
        "reviews-sample", "qa-sample", "summarization-sample",
    }  # fmt: skip
    assert any(e["measure"] == "flip" and e["interval"] == "exact-binomial" for e in results["audits"])
    # minilm classifies: the change in its predicted label's probability is measured
    assert any(
        e["measure"] == "probability_change" and e["model"] == "minilm" and e["value"] is not None
        for e in results["audits"]
    )
    # the group-gap audit broke the people reviews down by whom each is about
    gaps = [e for e in results["audits"] if e["audit"] == "group-gap"]
    assert {e["task"] for e in gaps} == {"reviews-people"} and {e["model"] for e in gaps} == {
        "wordlist", "majority", "minilm", "gpt-tiny", "t5-tiny",
    }  # fmt: skip
    assert all(e["reason"] is None for e in gaps)
    assert {(e["group"], e["measure"]) for e in gaps if e["model"] == "minilm"} >= {
        ("female", "true_positive_rate"), ("male", "false_positive_rate"), ("all", "gap:accuracy"),
        ("female - male", "difference:metric:macro-f1"),
    }  # fmt: skip
    # every task type, each with its baselines and the small models
    expected = {
        "reviews-sample": ({"wordlist", "majority", "minilm", "gpt-tiny", "t5-tiny"}, {"accuracy", "macro-f1", "mcc"}),
        "reviews-dev": ({"wordlist", "majority", "minilm", "gpt-tiny", "t5-tiny"}, {"accuracy", "macro-f1", "mcc"}),
        "reviews-people": ({"wordlist", "majority", "minilm", "gpt-tiny", "t5-tiny"}, {"accuracy", "macro-f1"}),
        "qa-sample": ({"sliding-window", "gpt-tiny", "t5-tiny"}, {"squad-em", "squad-f1"}),
        "translation-sample": ({"copy", "gpt-tiny", "t5-tiny"}, {"bleu", "chrf", "ter"}),
        "summarization-sample": ({"lead-3", "gpt-tiny", "t5-tiny"}, {"rouge-1", "rouge-2", "rouge-l", "rouge-lsum"}),
        "lm-sample": ({"gpt-tiny", "t5-tiny"}, {"perplexity", "word-perplexity", "bits-per-byte"}),
        "nli": ({"majority-nli", "minilm", "gpt-tiny", "t5-tiny"}, {"acc", "acc_norm", "brier", "ece"}),
    }
    assert len(results["cells"]) == sum(len(models) for models, _ in expected.values())
    strategies = {
        ("wordlist", "sentiment"): "classify", ("majority", "sentiment"): "classify",
        ("minilm", "sentiment"): "classify", ("gpt-tiny", "sentiment"): "loglikelihood",
        ("t5-tiny", "sentiment"): "loglikelihood", ("sliding-window", "qa"): "extract_span",
        ("gpt-tiny", "qa"): "generate", ("t5-tiny", "qa"): "generate", ("copy", "translation"): "generate",
        ("gpt-tiny", "translation"): "generate", ("t5-tiny", "translation"): "generate",
        ("lead-3", "summarization"): "generate", ("gpt-tiny", "summarization"): "generate",
        ("t5-tiny", "summarization"): "generate", ("gpt-tiny", "language-modeling"): "loglikelihood_rolling",
        ("t5-tiny", "language-modeling"): "loglikelihood", ("majority-nli", "template"): "classify",
        ("minilm", "template"): "classify", ("gpt-tiny", "template"): "loglikelihood",
        ("t5-tiny", "template"): "loglikelihood",
    }  # fmt: skip
    for cell in results["cells"]:
        assert cell["status"] == "ok", cell
        models, metrics = expected[cell["task"]]
        assert cell["model"] in models
        assert cell["strategy"] == strategies[(cell["model"], cell["task_type"])]
        assert set(cell["metrics"]) == metrics
        for name, score in cell["metrics"].items():
            if score["value"] is None:  # a classifier's answers have no lengths to normalise by
                assert (
                    name == "acc_norm" and cell["strategy"] == "classify" and score["reason"].startswith("not computed")
                )
                continue
            assert score["ci_low"] <= score["value"] <= score["ci_high"]
    by = {(c["model"], c["task"]): c for c in results["cells"]}
    # what the scores depend on is recorded beside them
    assert by[("copy", "translation-sample")]["metrics"]["bleu"]["info"]["signature"].startswith("nrefs:1|case:mixed")
    assert by[("lead-3", "summarization-sample")]["metrics"]["rouge-1"]["info"]["stemming"] is True
    assert "not an average of per-text" in by[("gpt-tiny", "lm-sample")]["task_info"]["convention"]
    assert by[("t5-tiny", "translation-sample")]["task_info"]["template_for"] == "t5"
    samples = [json.loads(line) for line in (out / "samples.jsonl").read_text().splitlines()]
    cell_lines = [s for s in samples if "audit" not in s]  # audit lines come on top: one per perturbed example
    assert len(cell_lines) == sum(cell["n"] for cell in results["cells"])
    assert all({"model", "task", "id", "prediction", "references", "scores"} <= set(s) for s in samples)
    assert (out / "report.html").read_text().count("<table>") == len(expected)
    # the rendered prompt is kept: the T5 gets its task prefix, the GPT its few-shot prompt
    prompts = {(s["model"], s["task"], s["id"]): s["prompt"] for s in cell_lines}
    first = next(s["id"] for s in cell_lines if s["task"] == "translation-sample")
    assert prompts[("t5-tiny", "translation-sample", first)].startswith("translate German to English: ")
    assert prompts[("gpt-tiny", "translation-sample", first)].startswith("German: ")
    assert prompts[("gpt-tiny", "translation-sample", first)].count("English:") == 3  # two shots and the question
    # the word list beats always answering the majority label on the balanced dev set
    assert by[("gpt-tiny", "reviews-dev")]["model_info"]["trained"] is False
    assert by[("minilm", "reviews-dev")]["model_info"]["trained"] is True
    # the real pretrained encoder, zero-shot, does better than chance on our reviews
    assert by[("minilm", "reviews-dev")]["metrics"]["accuracy"]["value"] > 0.75
    assert (
        by[("wordlist", "reviews-dev")]["metrics"]["accuracy"]["value"]
        > by[("majority", "reviews-dev")]["metrics"]["accuracy"]["value"]
    )


def test_rerunning_gives_identical_results_apart_from_timings(tmp_path: Path) -> None:
    def stable(out: Path) -> Any:
        results = json.loads((out / "results.json").read_text())
        for key in ("started", "finished", "store"):
            results.pop(key)
        for cell in results["cells"]:
            for key in ("seconds", "load_seconds", "examples_per_second", "peak_memory_mb", "tokens_per_second"):
                cell.pop(key, None)
        return results, (out / "samples.jsonl").read_text()

    assert _nlpbench("run", str(QUICK), "--out", str(tmp_path / "a")).returncode == 0
    assert _nlpbench("run", str(QUICK), "--out", str(tmp_path / "b")).returncode == 0
    assert stable(tmp_path / "a") == stable(tmp_path / "b")


def test_validate_the_quick_suite() -> None:
    completed = _nlpbench("validate", str(QUICK))
    assert completed.returncode == 0, completed.stderr
    assert "9 models × 8 tasks = 30 cells (30 runnable, 0 not applicable)" in completed.stdout


def test_plugins_json_shows_every_plugin_and_the_broken_one(broken_site: Path) -> None:
    completed = _nlpbench("plugins", "--json", env={"PYTHONPATH": str(broken_site)})
    assert completed.returncode == 0, completed.stderr
    rows = {row["name"]: row for row in json.loads(completed.stdout)}
    assert rows["broken"]["status"] == "failed"
    assert rows["broken"]["version"] == "0.0.1"
    assert "No module named 'a_dependency_that_is_not_installed'" in rows["broken"]["error"]
    for name, kind, component in (
        ("sentiment", "tasks", "sentiment"),
        ("metrics", "metrics", "accuracy"),
        ("baselines", "models", "wordlist"),
    ):
        assert rows[name]["status"] == "ok" and rows[name]["version"] == "0.1.0"
        assert component in rows[name][kind]
    assert completed.stderr.count("plugin 'broken' failed to load") == 1


def test_a_broken_plugin_does_not_stop_a_run(broken_site: Path, tmp_path: Path) -> None:
    completed = _nlpbench("run", str(QUICK), "--out", str(tmp_path / "out"), env={"PYTHONPATH": str(broken_site)})
    assert completed.returncode == 0, completed.stderr
    assert completed.stderr.count("plugin 'broken' failed to load") == 1


def test_strict_mode_refuses_a_broken_plugin(broken_site: Path) -> None:
    completed = _nlpbench("list", "models", env={"PYTHONPATH": str(broken_site), "NLPBENCH_STRICT_PLUGINS": "1"})
    assert completed.returncode == 2
    assert completed.stderr.startswith("Error: plugin 'broken' failed to load")
    assert "Traceback" not in completed.stderr


def test_a_disabled_plugin_is_left_alone(broken_site: Path) -> None:
    completed = _nlpbench(
        "plugins", "--json", env={"PYTHONPATH": str(broken_site), "NLPBENCH_DISABLE_PLUGINS": "broken"}
    )
    rows = {row["name"]: row for row in json.loads(completed.stdout)}
    assert rows["broken"]["status"] == "disabled"
    assert "failed to load" not in completed.stderr


def test_an_unknown_model_type_names_the_broken_plugin(broken_site: Path, tmp_path: Path) -> None:
    suite = tmp_path / "suite.yaml"
    suite.write_text("name: x\nmodels:\n  - name: m\n    type: mamba\ntasks:\n  - name: t\n    type: sentiment\n")
    completed = _nlpbench("validate", str(suite), env={"PYTHONPATH": str(broken_site)})
    assert completed.returncode == 2
    last = completed.stderr.strip().splitlines()[-1]
    assert last.startswith("Error: ") and ":4: models[0].type: unknown model type 'mamba'" in last
    assert "plugin 'broken' failed to load and might provide it" in last


def test_the_listing_is_quick() -> None:
    """Not a timing test: listing must import no heavy library (see test_plugins), and
    here the real command must at least come back promptly."""
    completed = _nlpbench("list", "metrics", "--json")
    assert completed.returncode == 0
    names = {row["name"] for row in json.loads(completed.stdout)}
    assert {"accuracy", "precision", "recall", "macro-f1", "mcc"} <= names


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("", "reviews.jsonl: no examples in the file"),
        ('{"text": "fine", "label": "positive"}\n{"label": "negative"}\n', "reviews.jsonl:2: column 'text'"),
        ('{"text": "fine", "label": "positive"}\nnot json\n', "reviews.jsonl:2: invalid JSON"),
    ],
    ids=["empty", "missing-column", "bad-json"],
)
def test_bad_data_is_one_line_and_exits_2(tmp_path: Path, data: str, expected: str) -> None:
    (tmp_path / "reviews.jsonl").write_text(data)
    suite = tmp_path / "suite.yaml"
    suite.write_text(
        "name: bad-data\nmodels:\n  - {name: words, type: wordlist}\ntasks:\n"
        "  - name: t\n    type: sentiment\n    data: {path: reviews.jsonl, text: text, label: label}\n"
    )
    completed = _nlpbench("run", str(suite), "--out", str(tmp_path / "out"))
    assert completed.returncode == 2
    [line] = completed.stderr.strip().splitlines()
    assert line.startswith("Error: ") and expected in line
    assert not (tmp_path / "out" / "results.json").exists()


def test_a_typo_in_a_real_suite_suggests_the_name(tmp_path: Path) -> None:
    suite = tmp_path / "suite.yaml"
    suite.write_text(
        QUICK.read_text()
        .replace("type: wordlist", "type: wordlists")
        .replace("data/", str(QUICK.parent / "data") + "/")
        .replace("path: models/", f"path: {QUICK.parent / 'models'}/")
    )
    completed = _nlpbench("validate", str(suite))
    assert completed.returncode == 2
    assert "models[0].type: unknown model type 'wordlists' (did you mean 'wordlist'?)" in completed.stderr


def test_every_task_and_metric_is_listed() -> None:
    tasks = {row["name"]: row for row in json.loads(_nlpbench("list", "tasks", "--json").stdout)}
    assert {"sentiment", "qa", "translation", "summarization", "language-modeling"} <= set(tasks)
    metrics = {row["name"] for row in json.loads(_nlpbench("list", "metrics", "--json").stdout)}
    standard = {"bleu", "chrf", "ter", "rouge-1", "rouge-2", "rouge-l", "rouge-lsum", "squad-em", "squad-f1"}
    standard |= {"accuracy", "precision", "recall", "macro-f1", "mcc", "perplexity", "word-perplexity", "bits-per-byte"}
    assert standard <= metrics


CLASSIC = REPO / "benchmarks" / "suites" / "classic.yaml"


def test_the_classic_suite_validates_offline_and_says_what_it_cannot_fetch(tmp_path: Path) -> None:
    completed = _nlpbench("validate", str(CLASSIC))
    assert completed.returncode == 0, completed.stderr
    assert "8 models × 5 tasks = 15 cells (15 runnable, 0 not applicable)" in completed.stdout
    assert "distilbert-squad × squad: via extract_span" in completed.stdout
    assert "gpt2 × wikitext2: via loglikelihood_rolling" in completed.stdout
    # without the hub, the run stops before any model loads, in one line, writing nothing
    out = tmp_path / "classic"
    env = {"HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf")}
    completed = _nlpbench("run", str(CLASSIC), "--out", str(out), env=env)
    assert completed.returncode == 2
    (line,) = completed.stderr.strip().splitlines()
    assert "task 'sst2': data.hub: cannot load the HF dataset hf:nyu-mll/glue[sst2/validation]" in line
    assert not out.exists()
