"""The bert model type in whole suites, on the kit's tiny task (strategies: classify,
loglikelihood, generate)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from nlpbench import ConfigError
from nlpbench_bert import plugin


def _suite(*models: dict[str, Any]) -> dict[str, Any]:
    return {"name": "bert", "models": list(models), "tasks": [{"name": "tiny", "type": "tiny"}]}


def test_a_classification_head_answers_by_classify(nlpbench_run: Any, checkpoints: dict[str, Path]) -> None:
    run = nlpbench_run(_suite({"name": "clf", "type": "bert", "path": str(checkpoints["classification"]),
                               "params": {"device": "cpu", "batch_size": 3}}), plugins=[plugin])  # fmt: skip
    assert run.exit_code == 0
    cell = run.cell("clf", "tiny")
    assert (cell["status"], cell["strategy"], cell["n"]) == ("ok", "classify", 8), cell["error"]
    assert 0.0 <= cell["metrics"]["tiny-match"]["value"] <= 1.0  # untrained: whatever it is
    info = cell["model_info"]
    assert (info["head"], info["labels"], info["truncation_side"]) == (
        "classification",
        ["negative", "positive"],
        "right",
    )
    assert {s["prediction"] for s in run.samples} <= {"negative", "positive"}


def test_a_qa_head_cannot_answer_the_tiny_task(nlpbench_run: Any, checkpoints: dict[str, Path]) -> None:
    run = nlpbench_run(_suite({"name": "reader", "type": "bert", "path": str(checkpoints["qa"])}), plugins=[plugin])
    assert run.exit_code == 0
    cell = run.cell("reader", "tiny")
    assert cell["status"] == "not_applicable"
    assert cell["reason"] == (
        "model 'reader' (bert) has none of the capabilities task 'tiny' (tiny) can use: "
        "it needs one of classify, loglikelihood, generate; it has encode, extract_span"
    )


def test_a_bare_encoder_classifies_zero_shot(nlpbench_run: Any, minilm_path: Path) -> None:
    run = nlpbench_run(_suite({"name": "minilm", "type": "bert", "path": str(minilm_path),
                               "params": {"device": "cpu"}}), plugins=[plugin])  # fmt: skip
    cell = run.cell("minilm", "tiny")
    assert (cell["status"], cell["strategy"]) == ("ok", "classify"), cell["error"]
    assert cell["model_info"]["head"] == "encoder"
    # measured: 7 of the 8 tiny sentences (chance is 4)
    assert cell["metrics"]["tiny-match"]["value"] == 0.875


def test_a_masked_lm_head_answers_by_loglikelihood(nlpbench_run: Any, checkpoints: dict[str, Path]) -> None:
    run = nlpbench_run(_suite({"name": "mlm", "type": "bert", "path": str(checkpoints["masked-lm"])}), plugins=[plugin])
    cell = run.cell("mlm", "tiny")
    assert (cell["status"], cell["strategy"]) == ("ok", "loglikelihood"), cell["error"]


def test_a_typo_in_params_stops_the_suite_before_loading(nlpbench_run: Any, checkpoints: dict[str, Path]) -> None:
    with pytest.raises(
        ConfigError,
        match=r"models\[0\]\.params\.pooling: must be 'mean' or 'cls', not 'maen'",
    ):
        nlpbench_run(_suite({"name": "e", "type": "bert", "path": str(checkpoints["encoder"]),
                             "params": {"pooling": "maen"}}), plugins=[plugin])  # fmt: skip
