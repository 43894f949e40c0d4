"""Every metric declares its options as a schema, and ``nlpbench validate`` checks a suite
against them before anything runs, naming the file, the line and the option."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from nlpbench import ConfigError, Options
from nlpbench.cli import build_cli
from nlpbench.testing import make_host, run_suite_text
from nlpbench.testing.harness import tiny_suite
from nlpbench_metrics import plugin
from nlpbench_metrics.options import AveragingOptions
from nlpbench_metrics.rouge import RougeLsumMetric, RougeLsumOptions


def _metrics() -> list[Any]:
    return list(make_host(plugin, tiny_plugin=False).metrics)


@pytest.mark.parametrize("registered", _metrics(), ids=lambda r: r.name)
def test_every_metric_declares_a_schema_that_refuses_a_stranger(registered: Any) -> None:
    schema = registered.component.options
    assert issubclass(schema, Options)
    assert all(field.description for field in schema.model_fields.values()), "every option is documented"
    registered.component()  # the defaults are valid
    with pytest.raises(ConfigError, match="no_such_option: unknown option"):
        registered.component(no_such_option=1)


def test_averaging_checks_positive_against_average() -> None:
    assert AveragingOptions(average="binary", positive="pos").positive == "pos"
    assert AveragingOptions(average="binary", positive=1).positive == 1
    with pytest.raises(ValueError, match="average binary needs the positive label"):
        AveragingOptions(average="binary")


SUITE = """\
name: metric-options
models:
  - name: tiny
    type: tiny
tasks:
  - name: t
    type: tiny
    metrics:
      - accuracy
      - {name: ece, bins: 0}
      - {name: precision, averag: binary}
      - name: bleu
        max_ngram_order: 100000000
      - accuracy
      - {name: rouge-lsum, split_sentences: nltkk}
"""


def test_validate_reports_every_metric_option_mistake_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "suite.yaml"
    path.write_text(textwrap.dedent(SUITE))
    host = make_host(plugin)
    result = CliRunner().invoke(build_cli(host), ["validate", str(path)], obj={"host": host})
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"Error: {path}:10: tasks[0].metrics[1] (ece).bins: must be at least 1, not 0",
        f"Error: {path}:11: tasks[0].metrics[2] (precision).averag: unknown option (did you mean 'average'?); "
        "known: average, positive",
        f"Error: {path}:13: tasks[0].metrics[3] (bleu).max_ngram_order: must be at most 10, not 100000000",
        f"Error: {path}:14: tasks[0].metrics[4] (accuracy): 'accuracy' is listed twice (also tasks[0].metrics[0]): "
        "give one of them `as:` another name",
        f"Error: {path}:15: tasks[0].metrics[5] (rouge-lsum).split_sentences: must be 'newline', 'nltk' or 'regex', "
        "not 'nltkk' (did you mean 'nltk'?)",
    ]


def test_rouge_lsums_old_flag_keeps_its_meaning() -> None:
    # split_sentences was a flag (true: the regex splitter, the old default); runs recorded
    # with it must still rescore and compare
    assert RougeLsumOptions.model_validate({"split_sentences": True}).split_sentences == "regex"
    assert RougeLsumOptions.model_validate({"split_sentences": False}).split_sentences == "newline"
    with pytest.raises(ConfigError, match=r"split_sentences: must be 'newline', 'nltk' or 'regex', not 1"):
        RougeLsumMetric(split_sentences=1)


def test_a_run_recorded_with_the_old_flag_rescores(tmp_path: Path) -> None:
    task = {"name": "t", "type": "tiny", "metrics": [{"name": "rouge-lsum", "split_sentences": "regex"}]}
    run = run_suite_text(tiny_suite(tasks=[task]), tmp_path, host=make_host(plugin))
    assert run.exit_code == 0
    path = run.out_dir / "results.json"
    results = json.loads(path.read_text(encoding="utf-8"))
    before = results["cells"][0]["metrics"]["rouge-lsum"]["value"]
    results["tasks"]["t"]["metrics"]["rouge-lsum"]["split_sentences"] = True  # as an older nlpbench wrote it
    path.write_text(json.dumps(results), encoding="utf-8")
    host = make_host(plugin)
    result = CliRunner().invoke(build_cli(host), ["rescore", str(run.out_dir)], obj={"host": host})
    assert result.exit_code == 0, result.output
    cell = json.loads(path.read_text(encoding="utf-8"))["cells"][0]["metrics"]["rouge-lsum"]
    assert (cell["value"], cell["info"]["split_sentences"]) == (before, "regex")


def test_list_metrics_json_gives_each_schema() -> None:
    host = make_host(plugin, tiny_plugin=False)
    result = CliRunner().invoke(build_cli(host), ["list", "metrics", "--json"], obj={"host": host})
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    bins = rows["ece"]["options"]["properties"]["bins"]
    assert (bins["type"], bins["default"], bins["minimum"], bins["maximum"]) == ("integer", 10, 1, 1000)
    assert rows["accuracy"]["options"]["properties"] == {}
    assert rows["ter"]["scale"] == [0.0, None]  # unbounded above, as results write it
