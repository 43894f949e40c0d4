"""``BERTModel.finetune`` for ``extract_span``: a QA head trained on (question, context,
answer) triples, evaluated with the model's own span extraction and saved so that a suite
loads it back as a QA model. A tiny BERT built from a config (2 layers, hidden 64,
MiniLM's vocabulary) learns where people live from sentences that say so."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar

import pytest
import torch

from nlpbench import (
    DataError,
    Example,
    ExtractSpanRequest,
    FinetuneReport,
    FinetuneSettings,
    FinetuneStepped,
    ModelError,
    ModelSpec,
    Request,
    Span,
    TaskSpec,
    TrainingPair,
    hookimpl,
)
from nlpbench_bert import BERTModel, plugin
from nlpbench_bert.finetune_spans import answer_offsets, normalize_answer, span_scores, token_f1

TINY = {"num_hidden_layers": 2, "hidden_size": 64, "num_attention_heads": 2, "intermediate_size": 128}
NAMES = ["anna", "bob", "carla", "dan", "emma", "frank", "greta", "hugo", "iris", "jack", "karen", "leo",
         "mia", "nick", "olga", "paul", "rosa", "sam", "tina", "victor"]  # fmt: skip
CITIES = ["paris", "rome", "berlin", "madrid", "vienna", "prague", "oslo", "lisbon", "dublin", "athens"]
#: measured on one thread: see test_it_learns_where_people_live
FAST = FinetuneSettings(epochs=15, lr=2e-3, batch_size=8, seed=3, eval_every=20)


def triples(first: int, n: int) -> list[tuple[str, str, str]]:
    """``n`` (question, context, answer) triples: "Where does X live?" in a context that
    names X's city and another person's (or X's work) city, in varying order."""
    rows = []
    for i in range(first, first + n):
        name, other = NAMES[i % len(NAMES)].title(), NAMES[(i + 7) % len(NAMES)].title()
        home, elsewhere = CITIES[(3 * i) % len(CITIES)].title(), CITIES[(3 * i + 4) % len(CITIES)].title()
        if i % 3 == 0:
            context = f"{name} lives in {home}. {other} lives in {elsewhere}."
        elif i % 3 == 1:
            context = f"{other} lives in {elsewhere}, and {name} lives in {home}."
        else:
            context = f"{name} works in {elsewhere} but {name} lives in {home}."
        rows.append((f"Where does {name} live?", context, home))
    return rows


class QATask:
    """Where people live: ``params.first`` and ``params.n`` pick the evaluation triples,
    the train split is the first 30."""

    strategies: ClassVar[tuple[str, ...]] = ("extract_span",)
    default_metrics: ClassVar[tuple[str, ...]] = ("tiny-match",)

    def __init__(self, spec: TaskSpec) -> None:
        self.first, self.n = int(spec.params.get("first", 30)), int(spec.params.get("n", 6))

    @staticmethod
    def _examples(rows: Sequence[tuple[str, str, str]], prefix: str) -> list[Example]:
        return [Example(f"{prefix}-{i}", {"question": q, "context": c}, (a,)) for i, (q, c, a) in enumerate(rows)]

    def examples(self) -> Iterable[Example]:
        return self._examples(triples(self.first, self.n), "dev")

    def train_examples(self) -> Iterable[Example]:
        return self._examples(triples(0, 30), "train")

    def build_requests(self, example: Example, strategy: str) -> list[Request]:
        return [ExtractSpanRequest(example.input["question"], example.input["context"])]

    def process_answers(self, example: Example, strategy: str, answers: Sequence[Any]) -> Any:
        return answers[0].text


class QAPlugin:
    NLPBENCH_PLUGIN_NAME = "qa-bits"

    @hookimpl
    def register_tasks(self, register: Any) -> None:
        register(QATask, name="where-they-live")


def task_pairs(task: QATask, examples: Iterable[Example]) -> list[TrainingPair]:
    pairs = []
    for example in examples:
        request = dataclasses.replace(task.build_requests(example, "extract_span")[0], example_id=example.id)
        pairs.append(TrainingPair(example.id, request, example.references[0]))
    return pairs


def pair(question: str, context: str, answer: str, example_id: str = "a") -> TrainingPair:
    return TrainingPair(example_id, ExtractSpanRequest(question, context, example_id=example_id), answer)


def tiny_spec(**params: Any) -> ModelSpec:
    return ModelSpec(name="tiny", type="bert", config=TINY, params={"device": "cpu", **params}, seed=3)


def finetune(
    spec: ModelSpec, out: Path, train: list[TrainingPair], held_out: list[TrainingPair], **settings: Any
) -> tuple[FinetuneReport, list[FinetuneStepped]]:
    events: list[FinetuneStepped] = []
    chosen = dataclasses.replace(FAST, **settings)
    return BERTModel.finetune(spec, "extract_span", train, held_out, chosen, out, events.append), events


@pytest.fixture(scope="module")
def tuned(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, FinetuneReport, list[FinetuneStepped]]]:
    """The tiny BERT fine-tuned once on the task's 30 train triples, 6 others held out."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    folder = tmp_path_factory.mktemp("tuned-qa")
    task = QATask(TaskSpec(name="qa", type="where-they-live"))
    train, held = task_pairs(task, task.train_examples()), task_pairs(task, task.examples())
    report, events = finetune(tiny_spec(), folder / "model", train, held)
    torch.set_num_threads(before)
    yield folder, report, events


def test_extract_span_is_fine_tunable() -> None:
    assert BERTModel.finetunable == frozenset({"classify", "extract_span"}) <= BERTModel.capabilities


def test_it_learns_where_people_live(tuned: tuple[Path, FinetuneReport, list[FinetuneStepped]]) -> None:
    _, report, events = tuned
    assert report.steps == FAST.total_steps(30) == 60 and [e.step for e in events] == list(range(1, 61))
    assert [e["step"] for e in report.evals] == [20, 40, 60]
    final = report.evals[-1]
    assert set(final) == {"step", "epoch", "exact_match", "f1"}
    first, last = sum(report.train_losses[:4]) / 4, sum(report.train_losses[-4:]) / 4
    print(f"loss {first:.3f} -> {last:.3f}; held-out {report.evals}")
    assert last < first / 2
    assert final["exact_match"] > 0 and final["f1"] >= final["exact_match"]
    assert report.info["head"] == "new" and report.info["base"] == "config (bert, untrained)"
    assert report.info["features"] == 30 and report.info["answerless_features"] == 0


def test_the_folder_loads_as_a_qa_model_and_answers_with_spans(
    nlpbench_run: Any, tuned: tuple[Path, FinetuneReport, list[FinetuneStepped]]
) -> None:
    folder, report, _ = tuned
    config = json.loads((folder / "model" / "config.json").read_text())
    assert config["architectures"] == ["BertForQuestionAnswering"]
    assert (folder / "model" / "model.safetensors").is_file() and (folder / "model" / "tokenizer.json").is_file()
    spec = ModelSpec(name="tuned", type="bert", path=folder / "model", params={"device": "cpu"})
    assert BERTModel.capabilities_for(spec) == {"extract_span", "encode"}
    model = BERTModel(spec)
    request = ExtractSpanRequest("Where does Anna live?", "Anna lives in Paris.")
    [span] = model.extract_span([request])
    assert isinstance(span, Span) and request.context[span.start : span.end] == span.text
    suite = {
        "name": "tuned-qa",
        "models": [{"name": "tuned", "type": "bert", "path": str(folder / "model"), "params": {"device": "cpu"}}],
        "tasks": [{"name": "live", "type": "where-they-live"}],
    }
    run = nlpbench_run(suite, plugins=[plugin, QAPlugin()])
    cell = run.cell("tuned", "live")
    assert (cell["status"], cell["strategy"], cell["n"]) == ("ok", "extract_span", 6), cell["error"]
    assert cell["model_info"]["head"] == "qa"
    assert cell["metrics"]["tiny-match"]["value"] == report.evals[-1]["exact_match"]


def test_long_contexts_are_read_in_windows_and_labelled(tmp_path: Path) -> None:
    filler = " ".join(["nothing happened here."] * 12)
    train = [pair("Where does Anna live?", f"{filler} Anna lives in Paris. {filler}", "Paris", "long")]
    report, _ = finetune(tiny_spec(max_length=32, doc_stride=8), tmp_path / "m", train, [], max_steps=2)
    assert report.steps == 2 and report.info["features"] > 3
    assert 0 < report.info["answerless_features"] < report.info["features"]  # the others point at CLS


def test_answers_are_found_exactly_then_in_any_case() -> None:
    assert answer_offsets(pair("q", "Paris and paris", "paris")) == (10, 15)
    assert answer_offsets(pair("q", "She lives in PARIS.", "Paris")) == (13, 18)


@pytest.mark.parametrize(
    ("train", "error", "message"),
    [
        ([pair("Where?", "Anna lives in Paris.", "Rome", "x-7")], DataError, "example 'x-7': its answer 'Rome' is not"),
        ([TrainingPair("b", ExtractSpanRequest("q", "c"), "c"), TrainingPair("c", object(), "x")],  # type: ignore[arg-type]
         ModelError, "example 'c': expected an ExtractSpanRequest"),
        ([], DataError, "there are no training pairs"),
    ],
)  # fmt: skip
def test_pairs_it_cannot_train_on(tmp_path: Path, train: list[TrainingPair], error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        finetune(tiny_spec(), tmp_path / "m", train, [])
    assert not (tmp_path / "m").exists()  # refused before anything loads


def test_squad_scores() -> None:
    assert normalize_answer("  The Eiffel-Tower, in  PARIS! ") == "eiffeltower in paris"
    assert token_f1("in Paris", "Paris") == pytest.approx(2 / 3) and token_f1("Rome", "Paris") == 0.0
    assert span_scores(["the Paris", "Rome"], ["Paris", "Paris"]) == {"exact_match": 0.5, "f1": 0.5}


def test_it_beats_the_sliding_window_baseline(
    nlpbench_run: Any, tuned: tuple[Path, FinetuneReport, list[FinetuneStepped]]
) -> None:
    baselines = pytest.importorskip("nlpbench_baselines.plugin", reason="needs nlpbench-baselines")
    folder, report, _ = tuned
    suite = {
        "name": "qa-vs-baseline",
        "models": [{"name": "tuned", "type": "bert", "path": str(folder / "model"), "params": {"device": "cpu"}},
                   {"name": "window", "type": "sliding-window"}],
        "tasks": [{"name": "live", "type": "where-they-live"}],
    }  # fmt: skip
    run = nlpbench_run(suite, plugins=[plugin, baselines, QAPlugin()])
    tuned_cell, window_cell = run.cell("tuned", "live"), run.cell("window", "live")
    assert window_cell["status"] == "ok", window_cell["error"]
    window = window_cell["metrics"]["tiny-match"]["value"]
    print(f"exact match: tuned {tuned_cell['metrics']['tiny-match']['value']}, sliding-window {window}")
    assert tuned_cell["metrics"]["tiny-match"]["value"] == report.evals[-1]["exact_match"] > window
