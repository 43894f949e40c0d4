"""The gpt model type's option schema (params) and its config check, found before anything
loads, every problem at once, each naming its key."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from transformers import GPT2Config

from nlpbench import ConfigError, ModelSpec, option_problems
from nlpbench_gpt import GPT2_CONFIG, GPTModel, GPTParams
from nlpbench_transformers.testing import assert_architecture_matches


def check(**fields: Any) -> list[str]:
    """Every problem ``GPTModel.check_spec`` finds in an entry of these fields."""
    try:
        GPTModel.check_spec(ModelSpec(name="g", type="gpt", **fields))
    except ConfigError as error:
        return list(getattr(error, "messages", [str(error)]))
    return []


def test_the_model_type_declares_its_schema() -> None:
    assert GPTModel.options is GPTParams
    params = GPTModel.check_spec(ModelSpec(name="g", type="gpt", hub="gpt2", params={"rolling_stride": 4}))
    assert (params.rolling_stride, params.share_contexts, params.truncation, params.batch_size) == (4, True, "left", 8)


def test_list_models_json_gives_the_config_schema() -> None:
    from click.testing import CliRunner

    from nlpbench.cli import build_cli
    from nlpbench.testing import make_host
    from nlpbench_gpt import plugin

    assert GPTModel.config_options is GPT2_CONFIG.schema
    host = make_host(plugin, tiny_plugin=False)
    result = CliRunner().invoke(build_cli(host), ["list", "models", "--json"], obj={"host": host})
    row = next(r for r in json.loads(result.stdout) if r["name"] == "gpt")
    n_embd = row["config_options"]["properties"]["n_embd"]
    assert (n_embd["default"], n_embd["minimum"]) == (768, 1)
    assert "n_embd" not in row["options"]["properties"]  # params: and config: are apart


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"truncation": "right"}, "params.truncation: a causal LM keeps the end of its input, so it must be 'left', not 'right'"),
        ({"rolling_stride": 0}, "params.rolling_stride: must be at least 1, not 0"),
        ({"rolling_stride": 32, "max_length": 16}, "params.rolling_stride: 32 is more than max_length (16)"),
        ({"share_contexts": "yes"}, "params.share_contexts: must be true or false"),
        ({"dtype": "float64"}, "params.dtype: must be 'float32', 'bfloat16', 'float16' or 'auto', not 'float64'"),
        ({"rolling_strid": 4}, "params.rolling_strid: unknown option (did you mean 'rolling_stride'?)"),
    ],
)  # fmt: skip
def test_bad_params(params: dict[str, Any], message: str) -> None:
    (problem,) = option_problems(GPTParams, params, "params")
    assert problem.startswith(message)


def test_every_problem_of_params_and_config_at_once() -> None:
    problems = check(config={"n_embd": -64, "n_layr": 2}, params={"batch_size": 0, "max_length": 1})
    assert [p.split(":")[0] for p in problems] == [
        "params.batch_size", "params.max_length", "config.n_layr", "config.n_embd",
    ]  # fmt: skip
    assert "config.n_embd: must be at least 1, not -64" in problems
    assert "config.n_layr: not a setting of gpt2 (did you mean 'n_layer'?)" in problems


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"n_embd": 65, "n_head": 2}, "config.n_embd: 65 is not a multiple of n_head (2)"),
        ({"n_embd": 100}, "config.n_embd: 100 is not a multiple of n_head (12)"),  # GPT-2's 12 heads by default
        ({"hidden_size": 64, "n_embd": 64}, "config.n_embd: the same setting as hidden_size; give one of them"),
        ({"num_hidden_layers": 0}, "config.num_hidden_layers: must be at least 1, not 0"),
        ({"attn_pdrop": 1.5}, "config.attn_pdrop: must be less than 1"),
        ({"n_layer": "2"}, "config.n_layer: must be a whole number, not '2'"),
        ({"tokenizer": 7}, "config.tokenizer: must be a non-empty string, not 7"),
    ],
)  # fmt: skip
def test_bad_configs(config: dict[str, Any], message: str) -> None:
    (problem,) = check(config=config)
    assert problem.startswith(message)


def test_good_configs_pass() -> None:
    assert check(config={"n_layer": 2, "n_embd": 64, "n_head": 2, "n_positions": 512}) == []
    assert check(config={"num_hidden_layers": 2, "hidden_size": 64, "num_attention_heads": 2, "use_cache": False}) == []
    # another architecture: its sizes here, its other keys when it is built
    assert check(config={"model_type": "llama", "hidden_size": 64, "rope_theta": 10.0}) == []
    assert check(config={"model_type": "llama", "hidden_size": -64}) == [
        "config.hidden_size: must be at least 1, not -64"
    ]


def test_the_config_check_knows_exactly_what_gpt2config_takes() -> None:
    assert_architecture_matches(GPT2_CONFIG, GPT2Config)


SUITE = """\
name: bad-configs
models:
  - name: negative-width
    type: gpt
    config: {n_layer: 2, n_embd: -64, n_head: 2, n_layr: 3}
  - name: big-batch
    type: gpt
    config: {n_layer: 2, n_embd: 64, n_head: 2}
    params: {batch_size: 1e8, rolling_stride: 0}
tasks:
  - {name: t, type: template, data: {path: rows.jsonl}, params: {input: "{{q}}", choices: [a, b], target: 0}}
"""


@pytest.mark.slow  # a child process: a second or two
def test_validate_reports_every_mistake_without_loading_torch(tmp_path: Path) -> None:
    pytest.importorskip("nlpbench_tasks", reason="the suite's task is a template task")
    (tmp_path / "suite.yaml").write_text(SUITE, encoding="utf-8")
    (tmp_path / "rows.jsonl").write_text('{"q": "?"}\n', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("NLPBENCH_STRICT_PLUGINS", "PYTEST_ADDOPTS", "PYTHONPATH")}
    code = "import sys; from nlpbench.cli import main\ntry: main()\nfinally: print('torch' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", code, "validate", "suite.yaml"], cwd=tmp_path, capture_output=True, text=True,
        env=env, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert done.stdout.split() == ["False"]
    assert done.stderr.splitlines() == [
        "Error: suite.yaml:3: models[0]: config.n_layr: not a setting of gpt2 (did you mean 'n_layer'?)",
        "Error: suite.yaml:3: models[0]: config.n_embd: must be at least 1, not -64",
        "Error: suite.yaml:9: models[1].params.batch_size: must be a whole number from 1 to 65536, or 'auto', not '1e8'",
        "Error: suite.yaml:9: models[1].params.rolling_stride: must be at least 1, not 0",
    ]
