"""The gpt model type in whole suites, on the kit's tiny task."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nlpbench_gpt import plugin


def test_a_gpt_answers_the_tiny_task_by_loglikelihood(nlpbench_run: Any, tiny_gpt_dir: Path) -> None:
    suite = {
        "name": "gpt",
        "models": [
            {
                "name": "tiny-gpt",
                "type": "gpt",
                "path": str(tiny_gpt_dir),
                "params": {"device": "cpu", "batch_size": 4},
            },
            {"name": "tiny", "type": "tiny"},
        ],
        "tasks": [{"name": "tiny", "type": "tiny"}],
    }
    run = nlpbench_run(suite, plugins=[plugin])
    assert run.exit_code == 0
    cell = run.cell("tiny-gpt", "tiny")
    # the tiny task prefers classify, then loglikelihood: a gpt cannot classify
    assert (cell["status"], cell["strategy"], cell["n"]) == ("ok", "loglikelihood", 8)
    assert cell["model_info"]["trained"] is True
    assert cell["model_info"]["truncated_inputs"] == 0
    assert 0.0 <= cell["metrics"]["tiny-match"]["value"] <= 1.0
    assert {s["prediction"] for s in run.samples if s["model"] == "tiny-gpt"} <= {"positive", "negative"}
    assert run.cell("tiny", "tiny")["strategy"] == "classify"
    # the GPT counts the tokens it reads; the tiny model does not, so it has no tokens/s
    assert cell["tokens_per_second"] > 0
    assert "tokens_per_second" not in run.cell("tiny", "tiny")


def test_a_gpt_from_a_config_in_a_suite(nlpbench_run: Any) -> None:
    suite = {
        "name": "gpt",
        "models": [
            {
                "name": "untrained",
                "type": "gpt",
                "config": {"n_layer": 1, "n_embd": 32, "n_head": 2, "n_positions": 64},
                "params": {"device": "cpu"},
            }
        ],
        "tasks": [{"name": "tiny", "type": "tiny"}],
    }
    run = nlpbench_run(suite, plugins=[plugin])
    cell = run.cell("untrained", "tiny")
    assert (cell["status"], cell["strategy"]) == ("ok", "loglikelihood")
    assert cell["model_info"]["trained"] is False


def test_a_bad_param_stops_the_suite_before_anything_loads(nlpbench_run: Any, tiny_gpt_dir: Path) -> None:
    import pytest

    from nlpbench import ConfigError

    suite = {
        "name": "gpt",
        "models": [{"name": "g", "type": "gpt", "path": str(tiny_gpt_dir), "params": {"shared_contexts": False}}],
        "tasks": [{"name": "tiny", "type": "tiny"}],
    }
    with pytest.raises(ConfigError, match=r"models\[0\].*did you mean 'share_contexts'"):
        nlpbench_run(suite, plugins=[plugin])
