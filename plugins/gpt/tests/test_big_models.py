"""Big models: a gpt checkpoint spread by accelerate (``device_map``, ``max_memory``) answers
as it does on one device; ``dtype: auto`` is float32 on the CPU; bad values are one-line
errors of ``nlpbench validate``. On the CPU only: accelerate keeps what does not fit in
the ``cpu`` budget on disk and streams it in, which exercises the same hooks that run
layers on other GPUs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from nlpbench import GenerateRequest, LoglikelihoodRequest, LoglikelihoodRollingRequest, ModelSpec
from nlpbench_gpt import GPTModel
from nlpbench_transformers.testing import assert_same_scores, assert_spread_on_the_cpu, offloading_memory

REQUESTS = [
    LoglikelihoodRequest("The capital of France is", " Paris"),
    LoglikelihoodRequest("The capital of France is", " Lyon and Marseille"),
    LoglikelihoodRequest("", "Hello world."),
    LoglikelihoodRequest("Numbers: 1, 2, 3,", " 4"),
]
PROMPTS = ["Once upon a time", "The capital of France is", "def add(a, b):"]


@pytest.fixture
def spread(tiny_gpt_dir: Path) -> Iterator[Callable[..., GPTModel]]:
    """``spread(**params)``: the tiny model with ``device_map: auto`` (and no ``device``,
    which would keep it whole on the CPU), closed after the test."""
    made: list[GPTModel] = []

    def load(**params: Any) -> GPTModel:
        model = GPTModel(ModelSpec(name="big", type="gpt", path=tiny_gpt_dir, params={"device_map": "auto", **params}))
        made.append(model)
        return model

    yield load
    for model in made:
        model.close()


@pytest.mark.parametrize("memory", ["cpu", "offloaded"])
def test_a_spread_model_answers_as_a_whole_one(
    gpt: Callable[..., GPTModel], spread: Callable[..., GPTModel], tiny_gpt_dir: Path, memory: str
) -> None:
    whole = gpt(batch_size=4)
    max_memory = {"cpu": "1GiB"} if memory == "cpu" else offloading_memory(tiny_gpt_dir)
    model = spread(max_memory=max_memory, batch_size="auto", dtype="auto")
    assert_same_scores(model.loglikelihood(REQUESTS), whole.loglikelihood(REQUESTS))
    rolling = [LoglikelihoodRollingRequest("A long text " * 30, stride=64)]
    assert_same_scores(model.loglikelihood_rolling(rolling), whole.loglikelihood_rolling(rolling))
    requests = [GenerateRequest(prompt, max_new_tokens=6) for prompt in PROMPTS]
    assert model.generate(requests) == whole.generate(requests)
    assert_spread_on_the_cpu(model.describe(), offloaded=memory == "offloaded")  # dtype auto: float32


def test_dtype_auto_is_float32_on_the_cpu(gpt: Callable[..., GPTModel]) -> None:
    assert gpt(dtype="auto").describe()["dtype"] == "float32"


SUITE = """\
name: big
models:
  - {name: bad-map, type: gpt, path: model, params: {device_map: everywhere}}
  - {name: lone-memory, type: gpt, path: model, params: {max_memory: {0: 20GiB}}}
  - {name: bad-memory, type: gpt, path: model, params: {device_map: auto, max_memory: {gpu0: 20GiB, cpu: lots}}}
  - {name: built, type: gpt, config: {n_layer: 1, n_embd: 8, n_head: 1}, params: {device_map: sequential}}
  - {name: fine, type: gpt, path: model, params: {device_map: balanced, max_memory: {0: 20GiB, cpu: 60GiB}, dtype: auto}}
tasks:
  - {name: t, type: tiny}
"""


def test_validate_gives_each_bad_value_one_line(tmp_path: Path) -> None:
    from nlpbench.cli import build_cli
    from nlpbench.testing import make_host
    from nlpbench_gpt import plugin

    (tmp_path / "model").mkdir()
    (tmp_path / "suite.yaml").write_text(SUITE, encoding="utf-8")
    host = make_host(plugin)
    result = CliRunner().invoke(build_cli(host), ["validate", str(tmp_path / "suite.yaml")], obj={"host": host})
    assert result.exit_code == 2, result.output
    lines = [line.replace(str(tmp_path / "suite.yaml"), "suite.yaml") for line in result.stderr.splitlines()]
    assert lines == [
        "Error: suite.yaml:3: models[0].params.device_map: must be 'auto', 'balanced', 'balanced_low_0' or "
        "'sequential', not 'everywhere'",
        "Error: suite.yaml:4: models[1].params.max_memory: applies only with device_map (auto, balanced, "
        "balanced_low_0, sequential), not alone",
        "Error: suite.yaml:5: models[2].params.max_memory: 'gpu0' is not a GPU index (0, 1, ...), cpu or disk",
        "Error: suite.yaml:6: models[3]: params.device_map: spreads a saved checkpoint (path: or hub:) across "
        "devices as it loads; a model built from config: loads on one device (save it with save_pretrained, "
        "then give its path)",
    ]
