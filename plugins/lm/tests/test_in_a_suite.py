"""The task in whole suites, on the kit's tiny model (a character model: every character
costs log 32, so the perplexity per character is 32 and ASCII text takes 5 bits a byte)."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from nlpbench import DataError
from nlpbench_lm.task import CONVENTION


def suite(*models: dict[str, Any], **task: Any) -> dict[str, Any]:
    return {
        "name": "lm",
        "models": list(models) or [{"name": "tiny", "type": "tiny"}],
        "tasks": [{"name": "text", "type": "language-modeling", **task}],
    }


def test_the_built_in_sample_by_rolling_loglikelihood(nlpbench_run: Any, lm_plugins: list[Any]) -> None:
    run = nlpbench_run(suite(), plugins=lm_plugins)
    assert run.exit_code == 0
    cell = run.cell("tiny", "text")
    assert (cell["status"], cell["strategy"], cell["n"]) == ("ok", "loglikelihood_rolling", 6)
    assert cell["task_info"]["convention"] == CONVENTION
    assert (cell["task_info"]["unit"], cell["task_info"]["data"]) == ("paragraph", "built-in sample")
    predictions = [s["prediction"] for s in run.samples]
    chars = sum(len(s["input"]) for s in run.samples)
    words = sum(p["words"] for p in predictions)
    size = sum(p["bytes"] for p in predictions)
    assert sum(p["tokens"] for p in predictions) == chars  # the tiny model's tokens are characters
    assert size > chars  # the sample has a few non-ASCII characters
    metrics = cell["metrics"]
    assert metrics["perplexity"]["value"] == pytest.approx(32.0, rel=1e-12)
    assert metrics["bits-per-byte"]["value"] == pytest.approx(5.0 * chars / size, rel=1e-12)
    assert metrics["word-perplexity"]["value"] == pytest.approx(math.exp(chars * math.log(32) / words), rel=1e-9)
    low, high = metrics["word-perplexity"]["ci_low"], metrics["word-perplexity"]["ci_high"]
    assert low < metrics["word-perplexity"]["value"] < high  # six texts: a real interval
    assert all(s["references"] == [] and s["prompt"] is None for s in run.samples)


def test_a_model_without_rolling_scoring_falls_back_to_loglikelihood(nlpbench_run: Any, lm_plugins: list[Any]) -> None:
    models = (
        {"name": "plain", "type": "tiny", "params": {"capabilities": ["loglikelihood"]}},
        {"name": "classifier", "type": "tiny", "params": {"capabilities": ["classify"]}},
    )
    run = nlpbench_run(suite(*models, data={"unit": "line"}, limit=3), plugins=lm_plugins)
    plain = run.cell("plain", "text")
    assert (plain["status"], plain["strategy"], plain["n"]) == ("ok", "loglikelihood", 3)
    assert {s["prompt"] for s in run.samples if s["model"] == "plain"} == {""}  # an empty context
    assert math.isfinite(plain["metrics"]["perplexity"]["value"])
    not_applicable = run.cell("classifier", "text")
    assert not_applicable["status"] == "not_applicable"
    assert "loglikelihood_rolling" in not_applicable["reason"]


def test_a_whole_file_is_one_example(nlpbench_run: Any, lm_plugins: list[Any]) -> None:
    text = "First paragraph.\n\nSecond paragraph, café.\n"
    run = nlpbench_run(
        suite(data={"path": "corpus.txt", "unit": "file"}, params={"stride": 16}),
        plugins=lm_plugins,
        files={"corpus.txt": text},
    )
    cell = run.cell("tiny", "text")
    assert cell["n"] == 1 and cell["task_info"]["stride"] == 16
    (sample,) = run.samples
    assert sample["id"] == "corpus" and sample["input"] == text
    assert sample["prediction"] == {
        "logprob": pytest.approx(-len(text) * math.log(32)),
        "tokens": len(text),
        "words": 5,
        "bytes": len(text) + 1,
    }


def test_bad_data_stops_the_run_with_one_line(nlpbench_run: Any, lm_plugins: list[Any]) -> None:
    with pytest.raises(
        DataError, match=r"^task 'text': .*texts.jsonl:2: column 'body' \(mapped by data.text\) is missing"
    ):
        nlpbench_run(
            suite(data={"path": "texts.jsonl", "text": "body"}),
            plugins=lm_plugins,
            files={"texts.jsonl": '{"body": "fine"}\n{"text": "wrong column"}\n'},
        )


def nlpbench_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from nlpbench.cli import main; main()", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"fine\n\xff\xfe broken\n", "corpus.txt:2: not UTF-8 text (byte 0xff at byte offset 5)"),
        (b"", "corpus.txt: no text in the file"),
    ],
)
def test_the_command_line_exits_2_with_one_line_for_a_bad_file(
    tmp_path: Path, lm_plugins: list[Any], content: bytes, message: str
) -> None:
    pytest.importorskip("nlpbench_baselines", reason="the suite names a baseline model")
    (tmp_path / "corpus.txt").write_bytes(content)
    (tmp_path / "suite.yaml").write_text(
        "name: bad-text\n"
        "models:\n  - {name: m, type: majority, params: {label: positive}}\n"
        "tasks:\n  - {name: text, type: language-modeling, data: {path: corpus.txt}}\n",
        encoding="utf-8",
    )
    result = nlpbench_cli("run", "suite.yaml", "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if "failed to load" not in line]
    assert len(lines) == 1 and message in lines[0], result.stderr
    assert "Traceback" not in result.stderr
