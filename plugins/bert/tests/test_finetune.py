"""``BERTModel.finetune``: a classification head trained on a task's pairs, saved so that a
suite loads it back. Fast tests use a tiny BERT built from a config (2 layers, hidden 64,
MiniLM's vocabulary); the slow ones the real MiniLM and the ``nlpbench`` command."""

from __future__ import annotations

import dataclasses
import json
import random
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import torch
from safetensors.torch import load_file
from transformers import BertForSequenceClassification

from nlpbench import (
    ClassifyRequest,
    DataError,
    EncodeRequest,
    FinetuneReport,
    FinetuneSettings,
    FinetuneStepped,
    ModelError,
    ModelSpec,
    TaskSpec,
    TrainingPair,
)
from nlpbench_bert import BERTModel, plugin
from nlpbench_bert.finetune import existing_head_labels, reset_head

TINY = {"num_hidden_layers": 2, "hidden_size": 64, "num_attention_heads": 2, "intermediate_size": 128}
LABELS = ("negative", "positive")
GOOD = ["great", "lovely", "wonderful", "superb", "brilliant", "charming"]
BAD = ["awful", "boring", "dreadful", "terrible", "dull", "clumsy"]
NOUNS = ["film", "book", "meal", "phone", "song", "hotel", "lamp", "show"]
#: measured: 30 steps, held-out accuracy 1.0 and loss 0.05 from 0.69, in about 2 s on one thread
FAST = FinetuneSettings(epochs=5, lr=5e-3, batch_size=8, seed=3, eval_every=12)
REPO = Path(__file__).resolve().parents[3]
REVIEWS_DEV = REPO / "benchmarks" / "suites" / "data" / "reviews-dev.tsv"


def sentences(seed: int, n: int) -> list[tuple[str, str]]:
    """``n`` short texts whose label is plain from one word, alternately negative and positive."""
    rng = random.Random(seed)
    return [(f"the {rng.choice(NOUNS)} was {rng.choice(GOOD if i % 2 else BAD)}", LABELS[i % 2]) for i in range(n)]


def pairs(rows: list[tuple[str, str]], labels: tuple[str, ...] = LABELS, prefix: str = "x") -> list[TrainingPair]:
    return [
        TrainingPair(f"{prefix}-{i}", ClassifyRequest(text, labels, example_id=f"{prefix}-{i}"), label)
        for i, (text, label) in enumerate(rows)
    ]


@pytest.fixture
def sentiment_plugins() -> list[Any]:
    """The sentiment task and the metrics, to run a suite on real task code (skipped,
    with the reason, where those plugins are not installed beside this one)."""
    sentiment = pytest.importorskip("nlpbench_sentiment.plugin", reason="needs nlpbench-sentiment")
    metrics = pytest.importorskip("nlpbench_metrics.plugin", reason="needs nlpbench-metrics")
    return [plugin, sentiment, metrics]


def tiny_spec(**params: Any) -> ModelSpec:
    return ModelSpec(name="tiny", type="bert", config=TINY, params={"device": "cpu", **params}, seed=3)


def finetune(
    spec: ModelSpec, out: Path, train: list[TrainingPair], held_out: list[TrainingPair], **settings: Any
) -> tuple[FinetuneReport, list[FinetuneStepped]]:
    events: list[FinetuneStepped] = []
    chosen = dataclasses.replace(FAST, **settings)
    return BERTModel.finetune(spec, "classify", train, held_out, chosen, out, events.append), events


@pytest.fixture(scope="module")
def tuned(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, FinetuneReport, list[FinetuneStepped]]]:
    """The tiny BERT fine-tuned once on 48 sentences, held out: 16 others (written as dev.tsv too)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    folder = tmp_path_factory.mktemp("tuned")
    held = sentences(2, 16)
    lines = "".join(f"{text}\t{label}\n" for text, label in held)
    (folder / "dev.tsv").write_text(f"sentence\tlabel\n{lines}", encoding="utf-8")
    report, events = finetune(tiny_spec(), folder / "model", pairs(sentences(1, 48)), pairs(held, prefix="dev"))
    torch.set_num_threads(before)
    yield folder, report, events


def test_the_finetunable_strategies_are_declared() -> None:
    assert BERTModel.finetunable == frozenset({"classify", "extract_span"}) <= BERTModel.capabilities


def test_it_learns_and_reports_every_step(tuned: tuple[Path, FinetuneReport, list[FinetuneStepped]]) -> None:
    folder, report, events = tuned
    assert report.steps == 30 == FAST.total_steps(48) and len(report.train_losses) == 30
    assert [e.step for e in events] == list(range(1, 31))
    assert [e.epoch for e in events] == [1] * 6 + [2] * 6 + [3] * 6 + [4] * 6 + [5] * 6
    assert [e.loss for e in events] == report.train_losses
    assert [e.step for e in events if e.eval is not None] == [12, 24, 30]  # every 12 and after the last
    assert [e["step"] for e in report.evals] == [12, 24, 30] and report.evals[-1]["epoch"] == 5
    final = report.evals[-1]
    assert set(final) == {"step", "epoch", "accuracy", "loss"}
    assert final["accuracy"] == 1.0 and final["loss"] < 0.2 < 0.6 < report.train_losses[0]
    assert report.out_dir == folder / "model"
    assert report.info["head"] == "new" and report.info["labels"] == ["negative", "positive"]
    assert report.info["base"] == "config (bert, untrained)" and report.info["truncated_inputs"] == 0


def test_the_folder_holds_safetensors_a_classification_config_and_the_tokenizer(
    tuned: tuple[Path, FinetuneReport, list[FinetuneStepped]],
) -> None:
    folder = tuned[0] / "model"
    assert (folder / "model.safetensors").is_file() and not list(folder.glob("*.bin"))
    assert (folder / "tokenizer.json").is_file()
    config = json.loads((folder / "config.json").read_text())
    assert config["architectures"] == ["BertForSequenceClassification"]
    assert config["id2label"] == {"0": "negative", "1": "positive"} and config["hidden_size"] == 64


def test_the_folder_loads_back_in_a_suite_with_the_same_accuracy(
    nlpbench_run: Any, tuned: tuple[Path, FinetuneReport, list[FinetuneStepped]], sentiment_plugins: list[Any]
) -> None:
    folder, report, _ = tuned
    suite = {
        "name": "tuned",
        "models": [{"name": "tuned", "type": "bert", "path": str(folder / "model"), "params": {"device": "cpu"}}],
        "tasks": [{"name": "dev", "type": "sentiment", "data": {"path": str(folder / "dev.tsv"), "text": "sentence",
                                                                   "label": "label"}}],
    }  # fmt: skip
    run = nlpbench_run(suite, plugins=sentiment_plugins)
    cell = run.cell("tuned", "dev")
    assert (cell["status"], cell["strategy"], cell["n"]) == ("ok", "classify", 16), cell["error"]
    assert cell["model_info"]["head"] == "classification" and cell["model_info"]["labels"] == ["negative", "positive"]
    assert cell["metrics"]["accuracy"]["value"] == report.evals[-1]["accuracy"]


def test_the_same_seed_trains_the_same_weights(tmp_path: Path) -> None:
    train, held = pairs(sentences(1, 16)), pairs(sentences(2, 4))
    first, _ = finetune(tiny_spec(), tmp_path / "a", train, held, epochs=1)
    second, _ = finetune(tiny_spec(), tmp_path / "b", train, held, epochs=1)
    other, _ = finetune(tiny_spec(), tmp_path / "c", train, held, epochs=1, seed=4)
    assert first.train_losses == second.train_losses != other.train_losses
    a, b = load_file(tmp_path / "a" / "model.safetensors"), load_file(tmp_path / "b" / "model.safetensors")
    assert all(torch.equal(a[name], b[name]) for name in a)


def test_max_steps_and_text_pairs(tmp_path: Path) -> None:
    rows = sentences(1, 8)
    train = [TrainingPair(f"p{i}", ClassifyRequest(text, LABELS, text_pair="so there"), label)
             for i, (text, label) in enumerate(rows)]  # fmt: skip
    report, events = finetune(tiny_spec(max_length=8), tmp_path / "m", train, [], max_steps=5, batch_size=4)
    assert report.steps == 5 and [e.epoch for e in events] == [1, 1, 2, 2, 3]
    assert report.evals == [] and all(e.eval is None for e in events)  # nothing held out: nothing evaluated
    assert report.info["max_length"] == 8 and report.info["truncated_inputs"] > 0  # "the film was great so there"


# -- starting from checkpoints ---------------------------------------------------------


def test_a_head_with_the_same_labels_is_kept_in_its_own_order(tmp_path: Path, checkpoints: dict[str, Path]) -> None:
    spec = ModelSpec(name="clf", type="bert", path=checkpoints["classification"], params={"device": "cpu"})
    assert existing_head_labels(spec) == ["negative", "positive"]
    flipped = ("positive", "negative")
    report, _ = finetune(spec, tmp_path / "m", pairs(sentences(1, 8), flipped), [], epochs=1)
    assert report.info["head"] == "kept" and report.info["labels"] == ["negative", "positive"]
    config = json.loads((tmp_path / "m" / "config.json").read_text())
    assert config["id2label"] == {"0": "negative", "1": "positive"}


@pytest.mark.parametrize(("labels", "size"), [(("bad", "good"), 2), (("bad", "good", "meh"), 3)])
def test_a_head_with_other_labels_is_replaced(
    tmp_path: Path, checkpoints: dict[str, Path], labels: tuple[str, ...], size: int
) -> None:
    spec = ModelSpec(name="clf", type="bert", path=checkpoints["classification"], params={"device": "cpu"})
    rows = [(text, "good" if label == "positive" else "bad") for text, label in sentences(1, 8)]
    report, _ = finetune(spec, tmp_path / "m", pairs(rows, labels), [], epochs=1)
    assert report.info["head"] == "new" and report.info["labels"] == list(labels)
    assert load_file(tmp_path / "m" / "model.safetensors")["classifier.weight"].shape[0] == size


def test_reset_head_renews_the_head_and_keeps_the_encoder(checkpoints: dict[str, Path]) -> None:
    model = BertForSequenceClassification.from_pretrained(checkpoints["classification"])
    head, encoder = model.classifier.weight.clone(), model.bert.embeddings.word_embeddings.weight.clone()
    reset_head(model)
    assert not torch.equal(model.classifier.weight, head)
    assert torch.equal(model.bert.embeddings.word_embeddings.weight, encoder)


def test_a_masked_lm_checkpoint_becomes_a_classifier(tmp_path: Path, checkpoints: dict[str, Path]) -> None:
    # fine-tuning puts the head on: a checkpoint that cannot classify yet can be trained to
    spec = ModelSpec(name="mlm", type="bert", path=checkpoints["masked-lm"], params={"device": "cpu"})
    assert "classify" not in BERTModel.capabilities_for(spec) and existing_head_labels(spec) is None
    report, _ = finetune(spec, tmp_path / "m", pairs(sentences(1, 8)), [], epochs=1)
    assert report.info["head"] == "new"
    tuned = BERTModel(ModelSpec(name="t", type="bert", path=tmp_path / "m", params={"device": "cpu"}))
    assert tuned.head == "classification" and tuned.capabilities == {"classify", "encode"}


# -- what it refuses --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("train", "error", "message"),
    [
        ([TrainingPair("a", EncodeRequest("x"), "positive")], ModelError, "example 'a': expected a ClassifyRequest"),
        (
            [TrainingPair("a", ClassifyRequest("x", LABELS), "positive"),
             TrainingPair("b", ClassifyRequest("y", ("no", "yes")), "yes")],
            DataError, r"example 'b' asks about the labels \(no, yes\), others about \(negative, positive\)",
        ),
        ([TrainingPair("a", ClassifyRequest("x", LABELS), "neutral")], DataError,
         r"example 'a': its label 'neutral' is not one of \(negative, positive\)"),
        ([TrainingPair("a", ClassifyRequest("x", ("only",)), "only")], DataError, "needs at least 2 labels, not 1"),
        ([], DataError, "there are no training pairs"),
    ],
)  # fmt: skip
def test_pairs_it_cannot_train_on(tmp_path: Path, train: list[TrainingPair], error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        finetune(tiny_spec(), tmp_path / "m", train, [])
    assert not (tmp_path / "m").exists()  # refused before anything loads


def test_only_classify_and_extract_span(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="bert is fine-tuned for classify and extract_span only, not generate"):
        BERTModel.finetune(tiny_spec(), "generate", [], [], FAST, tmp_path, lambda event: None)


# -- the real MiniLM, and the command ---------------------------------------------------


def _sentiment_pairs(task: Any) -> list[TrainingPair]:
    return [TrainingPair(e.id, task.build_requests(e, "classify")[0], e.references[0]) for e in task.examples()]


@pytest.mark.slow
def test_minilm_fine_tuned_on_the_sample_beats_the_majority_class(
    tmp_path: Path, nlpbench_run: Any, minilm_path: Path, sentiment_plugins: list[Any]
) -> None:
    """Measured (one thread): 8 steps in about 12 s; held-out accuracy 1.0 on the quick
    suite's 24 dev reviews, where always answering one label gets 0.5."""
    from nlpbench_sentiment import SentimentTask

    sample = SentimentTask(TaskSpec(name="sample", type="sentiment"))  # 60 reviews we wrote
    dev = SentimentTask(TaskSpec(name="dev", type="sentiment",
                                 data={"path": str(REVIEWS_DEV), "text": "sentence", "label": "label"}))  # fmt: skip
    held_out = _sentiment_pairs(dev)
    spec = ModelSpec(name="minilm", type="bert", path=minilm_path, params={"device": "cpu"})
    settings = {"epochs": 2, "lr": 2e-4, "batch_size": 16, "seed": 1234, "eval_every": 4}
    report, _ = finetune(spec, tmp_path / "minilm-sst", _sentiment_pairs(sample), held_out, **settings)
    majority = max(sum(p.target == label for p in held_out) for label in LABELS) / len(held_out)
    accuracy = report.evals[-1]["accuracy"]
    assert majority == 0.5 and accuracy >= 0.9 > majority
    suite = {
        "name": "minilm-tuned",
        "models": [{"name": "tuned", "type": "bert", "path": str(tmp_path / "minilm-sst"), "params": {"device": "cpu"}}],
        "tasks": [{"name": "dev", "type": "sentiment", "data": {"path": str(REVIEWS_DEV), "text": "sentence",
                                                                   "label": "label"}}],
    }  # fmt: skip
    run = nlpbench_run(suite, plugins=sentiment_plugins)
    cell = run.cell("tuned", "dev")
    assert cell["status"] == "ok" and cell["model_info"]["labels"] == ["negative", "positive"]
    assert cell["metrics"]["accuracy"]["value"] == accuracy


@pytest.mark.slow
def test_the_command_fine_tunes_a_suites_model_on_its_tasks_train_split(
    tmp_path: Path, sentiment_plugins: list[Any]
) -> None:
    sample = resources.files("nlpbench_sentiment").joinpath("data/sample.jsonl").read_text(encoding="utf-8")
    (tmp_path / "train.jsonl").write_text(sample, encoding="utf-8")
    (tmp_path / "dev.tsv").write_text(REVIEWS_DEV.read_text(encoding="utf-8").replace("sentence\t", "text\t", 1))
    suite = textwrap.dedent(f"""\
        name: finetune-cli
        seed: 7
        models:
          - name: tiny
            type: bert
            config: {json.dumps(TINY)}
            params: {{device: cpu}}
        tasks:
          - name: reviews
            type: sentiment
            data: {{path: dev.tsv, text: text, label: label, train: train.jsonl}}
    """)
    (tmp_path / "suite.yaml").write_text(suite, encoding="utf-8")
    command = [str(Path(sys.executable).parent / "nlpbench"), "finetune", "--suite",
               str(tmp_path / "suite.yaml"), "--model", "tiny", "--task", "reviews", "--out", str(tmp_path / "out"),
               "--epochs", "1", "--eval-every", "2"]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "via classify: 52 train and 8 held-out examples, 4 steps" in done.stderr
    assert "step 2/4 (epoch 1)" in done.stderr and "step 4/4 (epoch 1)" in done.stderr
    assert f"saved: {tmp_path / 'out'}" in done.stdout
    card = json.loads((tmp_path / "out" / "nlpbench-finetune.json").read_text())
    assert card["base"]["config"] == TINY and card["task"]["data"]["train"] == "train.jsonl"
    assert card["examples"] == {"train": 52, "held_out": 8} and card["settings"]["seed"] == 7
    assert card["model"]["labels"] == ["negative", "positive"] and card["strategy"] == "classify"
    assert (tmp_path / "out" / "README.md").read_text().startswith("# tiny fine-tuned on reviews")
