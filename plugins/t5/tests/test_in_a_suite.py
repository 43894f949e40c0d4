"""The t5 model type in whole suites, on the kit's tiny task."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from nlpbench import ConfigError
from nlpbench_t5 import plugin


def test_a_saved_and_a_config_built_t5_answer_the_tiny_task(
    nlpbench_run: Any, tiny_t5_dir: Path, tiny_config: dict[str, Any]
) -> None:
    suite = {
        "name": "t5",
        "seed": 1234,
        "models": [
            {"name": "saved", "type": "t5", "path": str(tiny_t5_dir), "params": {"device": "cpu", "batch_size": 4}},
            {"name": "built", "type": "t5", "config": tiny_config, "params": {"device": "cpu", "batch_size": "auto"}},
        ],
        "tasks": [{"name": "tiny", "type": "tiny"}],
    }
    run = nlpbench_run(suite, plugins=[plugin])
    assert run.exit_code == 0
    saved, built = run.cell("saved", "tiny"), run.cell("built", "tiny")
    for cell in (saved, built):
        # the tiny task prefers classify, which t5 lacks: loglikelihood is next
        assert cell["status"] == "ok" and cell["strategy"] == "loglikelihood" and cell["n"] == 8
        assert 0.0 <= cell["metrics"]["tiny-match"]["value"] <= 1.0
    assert saved["model_info"]["trained"] is True
    assert built["model_info"]["trained"] is False
    assert built["model_info"]["tokenizer"] == "gpt2-bpe+t5-specials"
    assert {s["prediction"] for s in run.samples} <= {"positive", "negative"}


def test_a_typo_in_params_stops_the_suite_before_anything_loads(nlpbench_run: Any, tiny_config: dict[str, Any]) -> None:
    suite = {
        "name": "t5",
        "models": [{"name": "t5", "type": "t5", "config": tiny_config, "params": {"bach_size": 4}}],
        "tasks": [{"name": "tiny", "type": "tiny"}],
    }
    with pytest.raises(ConfigError, match=r"models\[0\].*did you mean 'batch_size'"):
        nlpbench_run(suite, plugins=[plugin])
