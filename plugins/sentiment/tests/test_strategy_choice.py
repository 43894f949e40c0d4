"""A sentiment entry's ``strategy:`` and generation params, through the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

from click.testing import CliRunner, Result

import nlpbench_metrics.plugin
from nlpbench import GenerateRequest, ModelSpec, Register, hookimpl
from nlpbench.cli import build_cli
from nlpbench.testing import make_host
from nlpbench_sentiment import plugin


class EchoModel:
    """Answers classify and generate, and keeps every generation request it was given
    (the run is in-process), so a test sees what the task asked for."""

    capabilities: ClassVar[frozenset[str]] = frozenset({"classify", "generate"})
    asked: ClassVar[list[GenerateRequest]] = []

    def __init__(self, spec: ModelSpec) -> None:
        self.spec = spec

    def classify(self, requests: list[Any]) -> list[dict[str, float]]:
        return [{label: 1.0 / len(r.labels) for label in r.labels} for r in requests]

    def generate(self, requests: list[GenerateRequest]) -> list[str]:
        EchoModel.asked.extend(requests)
        return ["positive" for _ in requests]


class EchoPlugin:
    NLPBENCH_PLUGIN_NAME = "echo-model"

    @hookimpl
    def register_models(self, register: Register) -> None:
        register(EchoModel, name="echo")


def invoke(tmp_path: Path, suite: str, *args: str) -> Result:
    path = tmp_path / "suite.yaml"
    path.write_text(suite)
    host = make_host(plugin, nlpbench_metrics.plugin, EchoPlugin())
    return CliRunner().invoke(build_cli(host), [*args, str(path)], obj={"host": host})


SUITE = """\
name: strategy
models:
  - {name: echo, type: echo}
tasks:
  - name: default
    type: sentiment
    limit: 3
  - name: generated
    type: sentiment
    limit: 3
    strategy: generate
    params: {max_new_tokens: 9, until: ["END", "\\n\\n"]}
  - name: generated-default-length
    type: sentiment
    limit: 3
    strategy: generate
"""


def test_the_entry_chooses_the_strategy_and_generation_params(tmp_path: Path) -> None:
    out = tmp_path / "out"
    EchoModel.asked.clear()
    result = invoke(tmp_path, SUITE, "run", "--out", str(out))
    assert result.exit_code == 0, result.output
    cells = {c["task"]: c for c in json.loads((out / "results.json").read_text())["cells"]}
    # without strategy: the type's most preferred one the model has; with it, the entry's,
    # in every cell (the model is loaded by the second cell)
    assert [cells[t]["strategy"] for t in ("default", "generated", "generated-default-length")] == [
        "classify",
        "generate",
        "generate",
    ]
    # three examples each way: the entry's params, and the type's defaults
    asked = [(r.max_new_tokens, r.stop) for r in EchoModel.asked]
    assert sorted(asked) == [(5, ("\n",))] * 3 + [(9, ("END", "\n\n"))] * 3


def test_an_unknown_strategy_is_a_validate_error_naming_the_line(tmp_path: Path) -> None:
    suite = SUITE.replace("strategy: generate\n    params", "strategy: genrate\n    params")
    result = invoke(tmp_path, suite, "validate")
    assert result.exit_code == 2, result.output
    line = suite.splitlines().index("    strategy: genrate") + 1
    assert (
        f"suite.yaml:{line}: tasks[1].strategy: 'genrate' is not a strategy of task type 'sentiment' "
        "(did you mean 'generate'?); it has classify, loglikelihood, generate, encode"
    ) in result.output, result.output


def test_a_model_without_the_strategy_is_not_applicable(tmp_path: Path) -> None:
    suite = SUITE.replace("{name: echo, type: echo}", "{name: echo, type: tiny, params: {capabilities: [classify]}}")
    out = tmp_path / "out"
    result = invoke(tmp_path, suite, "run", "--out", str(out))
    assert result.exit_code == 0, result.output
    cells = {c["task"]: c for c in json.loads((out / "results.json").read_text())["cells"]}
    assert cells["default"]["status"] == "ok"
    assert cells["generated"]["status"] == "not_applicable"
    assert "with its strategy 'generate'" in cells["generated"]["reason"]


def test_bad_generation_params_are_validate_errors(tmp_path: Path) -> None:
    suite = SUITE.replace("max_new_tokens: 9", "max_new_tokens: 0")
    result = invoke(tmp_path, suite, "validate")
    assert result.exit_code == 2, result.output
    assert "tasks[1].params.max_new_tokens" in result.output, result.output
