"""The qa task in whole suites: the sliding-window baseline (extract_span) and a tiny
untrained GPT (generate) on the built-in sample, and a bad data file on the command line."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from nlpbench import TaskSpec
from nlpbench_qa import QATask


@pytest.fixture
def gpt_plugin() -> Iterator[Any]:
    """The gpt plugin, with torch on one thread (a tiny model gains nothing from more)."""
    plugin = pytest.importorskip("nlpbench_gpt.plugin", reason="needs nlpbench-gpt")
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield plugin
    torch.set_num_threads(before)


@pytest.mark.slow  # importing torch and transformers, the first time, takes seconds
def test_the_sample_with_a_baseline_and_a_tiny_gpt(
    nlpbench_run: Callable[..., Any], suite_plugins: list[Any], gpt_plugin: Any
) -> None:
    suite = {
        "name": "qa",
        "seed": 1234,
        "models": [
            {"name": "sw", "type": "sliding-window"},
            {
                "name": "tiny-gpt",
                "type": "gpt",
                "config": {"n_layer": 1, "n_embd": 32, "n_head": 2, "n_positions": 256},
                "params": {"device": "cpu", "batch_size": 16},
            },
        ],
        "tasks": [{"name": "sample", "type": "qa", "params": {"max_new_tokens": 4}}],
    }
    run = nlpbench_run(suite, plugins=[*suite_plugins, gpt_plugin])
    assert run.exit_code == 0
    sw, tiny = run.cell("sw", "sample"), run.cell("tiny-gpt", "sample")
    assert (sw["status"], sw["strategy"], sw["n"]) == ("ok", "extract_span", 32)
    assert (tiny["status"], tiny["strategy"], tiny["n"]) == ("ok", "generate", 32)
    for cell in (sw, tiny):
        assert set(cell["metrics"]) == {"squad-em", "squad-f1"}
        assert 0 <= cell["metrics"]["squad-em"]["value"] <= cell["metrics"]["squad-f1"]["value"] <= 100
        assert cell["task_info"]["data"] == "built-in sample"
    assert tiny["task_info"]["generate"]["template_for"] == "default"

    task = QATask(TaskSpec(name="sample", type="qa"))
    expected = {example.id: example for example in task.examples()}
    samples = {(s["model"], s["id"]): s for s in run.samples}
    assert len(samples) == 64
    for example_id, example in expected.items():
        generated = samples["tiny-gpt", example_id]
        assert generated["prompt"] == task.prompt(example)  # the rendered prompt, as the model saw it
        assert generated["prompt"].endswith(f"Question: {example.input}\nAnswer:")
        assert isinstance(generated["prediction"], str) and "\n" not in generated["prediction"]
        extracted = samples["sw", example_id]
        assert extracted["prompt"] == example.fields["context"]  # what a span model reads
        assert extracted["prediction"] in example.fields["context"]
        assert generated["references"] == extracted["references"] == list(example.references)


def test_a_bad_data_file_on_the_command_line(tmp_path: Path) -> None:
    (tmp_path / "dev.jsonl").write_text(
        '{"context": "c", "question": "q", "answers": ["a"]}\n{"context": "c", "question": "r", "answers": 7}\n',
        encoding="utf-8",
    )
    (tmp_path / "suite.yaml").write_text(
        "name: bad\nmodels: [{name: sw, type: sliding-window}]\n"
        "tasks: [{name: qa, type: qa, data: {path: dev.jsonl}}]\n",
        encoding="utf-8",
    )
    nlpbench = Path(sys.executable).parent / "nlpbench"
    done = subprocess.run(
        [str(nlpbench), "run", "suite.yaml", "--out", "run"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert f"{tmp_path / 'dev.jsonl'}:2: column 'answers' (mapped by data.answers) must hold the answers" in lines[0]
    assert not (tmp_path / "run" / "results.json").exists() or json.loads(
        (tmp_path / "run" / "results.json").read_text(encoding="utf-8")
    ).get("cells") in (None, [])
