"""`nlpbench validate` finds the mistakes of a sentiment entry before anything runs, each
on its own line: a bad param, a misspelt column, a misspelt label, too many shots."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SUITE = """\
name: mistakes
models:
  - {name: words, type: wordlist}
tasks:
  - name: huge-shots
    type: sentiment
    params: {shots: 1000000}
  - name: column-typo
    type: sentiment
    data: {path: sst.jsonl, text: sentense, label: label}
  - name: label-typo
    type: sentiment
    data: {path: reviews.jsonl, text: text, label: label}
  - name: few-train
    type: sentiment
    data: {path: reviews.jsonl, text: text, label: label, train: train.jsonl, labels: [negative, positive, positve]}
    params: {shots: 5}
"""


def _jsonl(path: Path, rows: list[dict[str, str]]) -> None:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")


@pytest.mark.slow  # a child process: about a second
def test_every_mistake_of_the_entries_and_their_data_is_found_at_once(tmp_path: Path) -> None:
    pytest.importorskip("nlpbench_baselines", reason="the suite's model is the wordlist baseline")
    (tmp_path / "suite.yaml").write_text(SUITE, encoding="utf-8")
    _jsonl(tmp_path / "sst.jsonl", [{"sentence": "A fine film.", "label": "positive"}])
    reviews = [{"text": f"review {i}", "label": "positive" if i % 2 else "negative"} for i in range(30)]
    reviews.insert(4, {"text": "so so", "label": "positve"})
    _jsonl(tmp_path / "reviews.jsonl", reviews)
    _jsonl(tmp_path / "train.jsonl", reviews[:3])
    env = {k: v for k, v in os.environ.items() if k not in ("NLPBENCH_STRICT_PLUGINS", "PYTEST_ADDOPTS", "PYTHONPATH")}
    done = subprocess.run(
        [sys.executable, "-c", "from nlpbench.cli import main; main()", "validate", "suite.yaml"],
        cwd=tmp_path, capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert lines[0] == "Error: suite.yaml:7: tasks[0].params.shots: must be at most 2048, not 1000000"
    assert lines[1].startswith("Error: suite.yaml:8: tasks[1] (column-typo): ")
    assert lines[1].endswith(
        "sst.jsonl:1: column 'sentense' (mapped by data.text) is missing (did you mean 'sentence'?); "
        "columns: label, sentence"
    )
    assert lines[2].endswith(
        "reviews.jsonl:5: label 'positve' looks like a typo of 'positive' (1 row against 15); "
        "fix it, or list every label in data.labels"
    )
    assert lines[3].endswith("params.shots: 5 shots need a train split of at least 5 examples; it has 3")
    assert len(lines) == 4
