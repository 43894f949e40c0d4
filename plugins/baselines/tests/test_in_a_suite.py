"""The baselines in whole suites, on the kit's tiny task."""

from __future__ import annotations

from typing import Any

import pytest

from nlpbench import ConfigError
from nlpbench_baselines import plugin


def test_both_baselines_answer_the_tiny_task(nlpbench_run: Any) -> None:
    suite = {
        "name": "baselines",
        "models": [
            {"name": "words", "type": "wordlist"},
            {"name": "majority", "type": "majority", "params": {"label": "negative"}},
        ],
        "tasks": [{"name": "tiny", "type": "tiny"}],
    }
    run = nlpbench_run(suite, plugins=[plugin])
    assert run.exit_code == 0
    majority = run.cell("majority", "tiny")
    assert majority["strategy"] == "classify"
    # the tiny task has 4 positive and 4 negative sentences
    assert majority["metrics"]["tiny-match"]["value"] == 0.5
    assert {s["prediction"] for s in run.samples if s["model"] == "majority"} == {"negative"}
    assert run.cell("words", "tiny")["status"] == "ok"


def test_a_majority_model_without_its_label_is_a_config_error(nlpbench_run: Any) -> None:
    suite = {
        "name": "baselines",
        "models": [{"name": "majority", "type": "majority"}],
        "tasks": [{"name": "tiny", "type": "tiny"}],
    }
    with pytest.raises(ConfigError, match=r"models\[0\]"):
        nlpbench_run(suite, plugins=[plugin])
