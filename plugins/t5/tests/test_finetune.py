"""``T5Model.finetune``: sequence-to-sequence training for ``generate`` on a task's pairs
(prompt in, target and end of sequence out), saved so that a suite loads it back. A tiny
T5 from a config (2 layers, 32 wide) with a word-level tokenizer over the reviews (a few
hundred tokens) so that 40 steps take a second or two."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import torch
from click.testing import CliRunner

from nlpbench import (
    ClassifyRequest,
    DataError,
    FinetuneReport,
    FinetuneSettings,
    FinetuneStepped,
    GenerateRequest,
    ModelError,
    ModelSpec,
    TrainingPair,
)
from nlpbench_t5 import T5Model
from nlpbench_transformers import greedy
from nlpbench_transformers.finetune_testing import PROMPT, REVIEWS, review_tokenizer

LABELS = ("negative", "positive")
#: measured: training loss 5.1 → 0.4, held-out loss 0.39, in about 2 s on one thread
SETTINGS = FinetuneSettings(epochs=10, lr=1e-2, batch_size=8, seed=3, eval_every=16)


def tiny_config(tokenizer: Path) -> dict[str, Any]:
    return {"d_model": 32, "d_ff": 64, "num_layers": 2, "num_heads": 2, "d_kv": 16, "tokenizer": str(tokenizer)}


def pairs(rows: list[tuple[str, str]], prefix: str = "r") -> list[TrainingPair]:
    return [
        TrainingPair(
            f"{prefix}{i}", GenerateRequest(PROMPT.format(text=text), 5, ("\n",), example_id=f"{prefix}{i}"), label
        )
        for i, (text, label) in enumerate(rows)
    ]


def tsv(rows: list[tuple[str, str]]) -> str:
    return "sentence\tlabel\n" + "".join(f"{text}\t{label}\n" for text, label in rows)


@pytest.fixture(scope="module")
def tokenizer_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tokenizer")
    review_tokenizer().save_pretrained(folder)
    return folder


def spec_for(tokenizer_dir: Path) -> ModelSpec:
    return ModelSpec(name="tiny", type="t5", config=tiny_config(tokenizer_dir), params={"device": "cpu"}, seed=3)


@pytest.fixture(scope="module")
def tuned(
    tmp_path_factory: pytest.TempPathFactory, tokenizer_dir: Path
) -> Iterator[tuple[Path, FinetuneReport, list[FinetuneStepped]]]:
    """The tiny T5 fine-tuned once on 32 reviews, 8 held out."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    folder = tmp_path_factory.mktemp("tuned") / "model"
    events: list[FinetuneStepped] = []
    report = T5Model.finetune(
        spec_for(tokenizer_dir), "generate", pairs(REVIEWS[:32]), pairs(REVIEWS[32:], "h"), SETTINGS, folder,
        events.append,
    )  # fmt: skip
    torch.set_num_threads(before)
    yield folder, report, events


def test_the_finetunable_strategies_are_declared() -> None:
    assert T5Model.finetunable == frozenset({"generate"}) <= T5Model.capabilities


def test_it_learns_and_reports_every_step(tuned: tuple[Path, FinetuneReport, list[FinetuneStepped]]) -> None:
    folder, report, events = tuned
    assert report.steps == 40 == SETTINGS.total_steps(32) and len(report.train_losses) == 40
    assert [e.step for e in events] == list(range(1, 41)) and [e.loss for e in events] == report.train_losses
    assert [e.epoch for e in events] == [epoch for epoch in range(1, 11) for _ in range(4)]
    assert [e.step for e in events if e.eval is not None] == [16, 32, 40]  # every 16 and after the last
    first, last = sum(report.train_losses[:4]) / 4, sum(report.train_losses[-4:]) / 4
    assert last < first / 4, (first, last)
    assert [set(e) for e in report.evals] == [{"step", "epoch", "accuracy", "loss"}] * 3
    assert report.evals[-1]["loss"] < 1.0 < report.evals[0]["loss"] * 2 and report.evals[-1]["epoch"] == 10
    assert report.out_dir == folder
    assert report.info["base"] == "config (t5, untrained)" and report.info["truncated_inputs"] == 0


def test_the_saved_folder_generates_labels_as_evaluated(
    tuned: tuple[Path, FinetuneReport, list[FinetuneStepped]],
) -> None:
    folder, report, _ = tuned
    assert (folder / "model.safetensors").is_file() and (folder / "tokenizer.json").is_file()
    assert not list(folder.glob("*.bin"))
    model = T5Model(ModelSpec(name="tuned", type="t5", path=folder, params={"device": "cpu"}))
    held = pairs(REVIEWS[32:], "h")
    answers = model.generate([greedy(pair) for pair in held])
    assert {answer.strip() for answer in answers} <= set(LABELS)  # it learned the format: a label, then the end
    correct = sum(answer.strip() == pair.target for answer, pair in zip(answers, held, strict=True))
    assert correct / len(held) == report.evals[-1]["accuracy"]


def test_the_labels_are_the_target_and_the_end_of_sequence(
    tuned: tuple[Path, FinetuneReport, list[FinetuneStepped]],
) -> None:
    from nlpbench_t5.finetune import _Trainer

    model = T5Model(ModelSpec(name="tuned", type="t5", path=tuned[0], params={"device": "cpu"}))
    [(ids, labels)] = _Trainer(model).rows(pairs([("Dull and far too long.", "negative")]))
    tokenizer = model._loaded().tokenizer
    assert ids == tokenizer("Review: Dull and far too long.\nSentiment:", add_special_tokens=False)["input_ids"]
    assert labels == [*tokenizer("negative", add_special_tokens=False)["input_ids"], model.ids.eos[0]]


def test_the_folder_answers_in_a_suite(
    nlpbench_run: Any, tuned: tuple[Path, FinetuneReport, list[FinetuneStepped]], sentiment_plugins: list[Any]
) -> None:
    suite = {
        "name": "tuned",
        "models": [{"name": "tuned", "type": "t5", "path": str(tuned[0]), "params": {"device": "cpu"}}],
        "tasks": [
            {"name": "dev", "type": "sentiment", "data": {"path": "dev.tsv", "text": "sentence", "label": "label"}}
        ],
    }
    run = nlpbench_run(suite, plugins=sentiment_plugins, files={"dev.tsv": tsv(REVIEWS[32:])})
    cell = run.cell("tuned", "dev")
    # in a suite the sentiment task prefers loglikelihood to generate: " positive" vs " negative" after the prompt
    assert (cell["status"], cell["strategy"], cell["n"]) == ("ok", "loglikelihood", 8), cell["error"]
    assert {sample["prediction"] for sample in run.samples} <= set(LABELS)


def test_the_command_fine_tunes_and_writes_the_card(
    tmp_path: Path, tokenizer_dir: Path, sentiment_plugins: list[Any]
) -> None:
    from nlpbench.cli import build_cli
    from nlpbench.testing import make_host

    (tmp_path / "train.tsv").write_text(tsv(REVIEWS), encoding="utf-8")
    (tmp_path / "dev.tsv").write_text(tsv(REVIEWS[32:]), encoding="utf-8")
    suite = {
        "name": "ft",
        "seed": 5,
        "models": [{"name": "tiny", "type": "t5", "config": tiny_config(tokenizer_dir), "params": {"device": "cpu"}}],
        "tasks": [{"name": "reviews", "type": "sentiment",
                   "data": {"path": "dev.tsv", "text": "sentence", "label": "label", "train": "train.tsv"}}],
    }  # fmt: skip
    (tmp_path / "suite.yaml").write_text(json.dumps(suite), encoding="utf-8")
    out = tmp_path / "out"
    arguments = ["finetune", "--suite", str(tmp_path / "suite.yaml"), "--model", "tiny", "--task", "reviews",
                 "--out", str(out), "--epochs", "2", "--lr", "1e-2", "--eval-every", "2", "--no-progress"]  # fmt: skip
    host = make_host(*sentiment_plugins)
    result = CliRunner().invoke(build_cli(host), arguments, obj={"host": host})
    assert result.exit_code == 0, result.output
    assert "via generate: 32 train and 8 held-out examples, 4 steps" in result.output
    card = json.loads((out / "nlpbench-finetune.json").read_text())
    assert card["strategy"] == "generate" and card["steps"] == 4 and len(card["evals"]) == 2
    assert card["model"]["base"] == "config (t5, untrained)" and card["examples"] == {"train": 32, "held_out": 8}
    assert (out / "README.md").is_file() and (out / "model.safetensors").is_file()


def test_the_same_seed_trains_the_same_weights(tmp_path: Path, tokenizer_dir: Path) -> None:
    settings = dataclasses.replace(SETTINGS, max_steps=3)
    runs = [
        T5Model.finetune(spec_for(tokenizer_dir), "generate", pairs(REVIEWS[:16]), [],
                          dataclasses.replace(settings, seed=seed), tmp_path / name, lambda event: None)
        for name, seed in (("a", 3), ("b", 3), ("c", 4))
    ]  # fmt: skip
    assert runs[0].train_losses == runs[1].train_losses != runs[2].train_losses
    assert runs[0].evals == [] and runs[0].steps == 3  # nothing held out: nothing evaluated


@pytest.mark.parametrize(
    ("strategy", "train", "error", "message"),
    [
        ("loglikelihood", pairs(REVIEWS[:2]), ModelError, "t5 is fine-tuned for generate only, not loglikelihood"),
        ("generate", [], DataError, "there are no training pairs"),
        ("generate", [TrainingPair("a", ClassifyRequest("x", LABELS), "positive")], ModelError,
         "example 'a': expected a GenerateRequest, got ClassifyRequest"),
        ("generate", [TrainingPair("a", GenerateRequest("x"), " ")], DataError, "example 'a': its target is empty"),
    ],
)  # fmt: skip
def test_what_it_refuses_before_loading(
    tmp_path: Path, tokenizer_dir: Path, strategy: str, train: list[TrainingPair], error: type, message: str
) -> None:
    with pytest.raises(error, match=message):
        T5Model.finetune(spec_for(tokenizer_dir), strategy, train, [], SETTINGS, tmp_path / "m", lambda event: None)
    assert not (tmp_path / "m").exists()
