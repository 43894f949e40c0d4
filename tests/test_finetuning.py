"""Fine-tuning: the core's side of ``nlpbench finetune`` (pairs, split, strategy, errors,
card, command line), on a fake model type that "learns" the most frequent label."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, ClassVar

import pytest
from click.testing import CliRunner, Result

from nlpbench import (
    ClassifyRequest,
    ConfigError,
    DataError,
    Example,
    FinetuneReport,
    FinetuneSettings,
    FinetuneStepped,
    GenerateRequest,
    LoglikelihoodRequest,
    ModelError,
    ModelSpec,
    Request,
    TaskError,
    TaskSpec,
    TrainingPair,
    hookimpl,
)
from nlpbench.cli import build_cli
from nlpbench.plugins.host import PluginHost
from nlpbench.suites.suite import Suite, load_suite
from nlpbench.testing import make_host, run_suite_text
from nlpbench.testing.harness import tiny_suite
from nlpbench.training.finetuning import CARD_FILE, held_out_size, run_finetune, split_held_out

LABELS = ("negative", "positive")


class MajorityLearner:
    """Fine-tunes by counting: it learns the most frequent target and answers it."""

    capabilities: ClassVar[frozenset[str]] = frozenset({"classify", "loglikelihood"})
    finetunable: ClassVar[frozenset[str]] = frozenset({"classify"})
    calls: ClassVar[list[dict[str, Any]]] = []

    def __init__(self, spec: ModelSpec) -> None:
        learned = json.loads((spec.path / "learned.json").read_text()) if spec.path else {"label": LABELS[0]}
        self.label = learned["label"]

    def classify(self, requests: Sequence[ClassifyRequest]) -> list[dict[str, float]]:
        return [{label: float(label == self.label) for label in r.labels} for r in requests]

    def loglikelihood(self, requests: Sequence[Any]) -> list[Any]:
        raise NotImplementedError

    @classmethod
    def finetune(
        cls,
        spec: ModelSpec,
        strategy: str,
        train: Sequence[TrainingPair],
        held_out: Sequence[TrainingPair],
        settings: FinetuneSettings,
        out_dir: Path,
        progress: Callable[[FinetuneStepped], None],
    ) -> FinetuneReport:
        cls.calls.append({"spec": spec, "strategy": strategy, "train": list(train), "held_out": list(held_out),
                          "settings": settings})  # fmt: skip
        label = Counter(pair.target for pair in train).most_common(1)[0][0]
        total = settings.total_steps(len(train))
        losses, evals = [], []
        for step in range(1, total + 1):
            epoch = (step - 1) // settings.steps_per_epoch(len(train)) + 1
            losses.append(1.0 / step)
            scores = None
            if step % settings.eval_every == 0 or step == total:
                scores = {"accuracy": sum(p.target == label for p in held_out) / len(held_out), "loss": 0.5}
                evals.append({"step": step, "epoch": epoch, **scores})
            progress(FinetuneStepped(step, epoch, losses[-1], scores))
        (out_dir / "learned.json").write_text(json.dumps({"label": label}))
        return FinetuneReport(total, losses, evals, out_dir, {"base": "counting", "labels": list(LABELS)})


class WrongReportModel(MajorityLearner):
    """Returns something that is not a report."""

    @classmethod
    def finetune(cls, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        return {"steps": 1}


class RefusingModel(MajorityLearner):
    """Refuses the pairs, as a model type does with data it cannot train on."""

    @classmethod
    def finetune(cls, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        raise DataError("example 'train-3': its label is not one of the head's")


class TrainableTask:
    """Labelled sentences with a train split of ``params.train`` examples (none: no split).

    params: ``train`` (how many), ``positive_every`` (every Nth train example is positive),
    ``requests`` (how many requests classify builds), ``duplicate`` (repeat an id).
    """

    strategies: ClassVar[tuple[str, ...]] = ("loglikelihood", "classify")
    default_metrics: ClassVar[tuple[str, ...]] = ("tiny-match",)

    def __init__(self, spec: TaskSpec) -> None:
        self.params = spec.params

    def examples(self) -> Iterable[Example]:
        return [Example(f"dev-{i}", f"dev text {i}", ("positive",)) for i in range(4)]

    def train_examples(self) -> Iterable[Example]:
        count = self.params.get("train")
        if count is None:
            raise ConfigError("no train split: set params.train")
        every = self.params.get("positive_every", 4)
        examples = [Example(f"train-{i}", f"text {i}", (LABELS[i % every != 0],)) for i in range(count)]
        if self.params.get("duplicate"):
            examples.append(examples[0])
        return examples

    def build_requests(self, example: Example, strategy: str) -> list[Request]:
        if strategy == "classify":
            return [ClassifyRequest(str(example.input), LABELS)] * self.params.get("requests", 1)
        return [LoglikelihoodRequest(str(example.input), f" {label}") for label in LABELS]

    def process_answers(self, example: Example, strategy: str, answers: Sequence[Any]) -> Any:
        return max(answers[0], key=answers[0].get)


class GenerateOnlyTask(TrainableTask):
    strategies: ClassVar[tuple[str, ...]] = ("generate",)

    def build_requests(self, example: Example, strategy: str) -> list[Request]:
        return [GenerateRequest(str(example.input))]


class PerModelTask(TrainableTask):
    """Prompts each model with its own name, as a T5 gets its task prefix."""

    prefix = ""

    def for_model(self, model: ModelSpec) -> PerModelTask:
        view = PerModelTask.__new__(PerModelTask)
        view.params, view.prefix = self.params, f"for {model.name}: "
        return view

    def build_requests(self, example: Example, strategy: str) -> list[Request]:
        return [ClassifyRequest(self.prefix + str(example.input), LABELS)]


class FinetunePlugin:
    NLPBENCH_PLUGIN_NAME = "finetune-bits"

    @hookimpl
    def register_models(self, register: Any) -> None:
        register(MajorityLearner, name="majority-learner")
        register(WrongReportModel, name="wrong-report")
        register(RefusingModel, name="refusing")

    @hookimpl
    def register_tasks(self, register: Any) -> None:
        register(TrainableTask, name="trainable")
        register(GenerateOnlyTask, name="generate-only")
        register(PerModelTask, name="per-model")


@pytest.fixture(autouse=True)
def _forget_calls() -> None:
    MajorityLearner.calls.clear()


@pytest.fixture
def host() -> PluginHost:
    return make_host(FinetunePlugin())


def write_suite(tmp_path: Path, task_params: dict[str, Any] | None = None, **extra: Any) -> Path:
    models = [{"name": "learner", "type": "majority-learner"}, {"name": "tiny", "type": "tiny"},
              {"name": "wrong", "type": "wrong-report"}, {"name": "refusing", "type": "refusing"}]  # fmt: skip
    tasks = [
        {"name": "reviews", "type": "trainable", "params": {"train": 40, **(task_params or {})}},
        {"name": "tiny", "type": "tiny"},
        {"name": "gen", "type": "generate-only", "params": {"train": 40}},
        {"name": "per-model", "type": "per-model", "params": {"train": 40}},
    ]
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "suite.yaml"
    path.write_text(json.dumps(tiny_suite(models=models, tasks=tasks, **extra)))  # JSON is YAML
    return path


def finetune(
    tmp_path: Path, host: PluginHost, model: str = "learner", task: str = "reviews", out: str = "out", **options: Any
) -> tuple[Any, list[str]]:
    settings = FinetuneSettings(**{"seed": 1234, **options.pop("settings", {})})
    suite: Suite = load_suite(write_suite(tmp_path, **options), host)
    log: list[str] = []
    outcome = run_finetune(suite, host, model, task, tmp_path / out, settings, log.append, progress=False)
    return outcome, log


# -- pairs, split, strategy -------------------------------------------------------


def test_pairs_are_the_tasks_requests_and_first_references(tmp_path: Path, host: PluginHost) -> None:
    outcome, _ = finetune(tmp_path, host)
    (call,) = MajorityLearner.calls
    # the task prefers loglikelihood, but the learner fine-tunes only for classify
    assert call["strategy"] == outcome.strategy == "classify"
    train, held_out = call["train"], call["held_out"]
    assert (len(train), len(held_out)) == (32, 8) == (outcome.n_train, outcome.n_held_out)
    ids = [pair.example_id for pair in train + held_out]
    assert sorted(ids) == sorted(f"train-{i}" for i in range(40))
    for pair in train + held_out:
        assert pair.request == ClassifyRequest(f"text {pair.example_id[6:]}", LABELS, example_id=pair.example_id)
        assert pair.target == ("negative" if int(pair.example_id[6:]) % 4 == 0 else "positive")
    assert [p.example_id for p in train] == sorted((p.example_id for p in train), key=lambda i: int(i[6:]))
    assert call["spec"].name == "learner" and call["settings"].seed == 1234


def test_pairs_use_the_prompt_the_model_is_evaluated_with(tmp_path: Path, host: PluginHost) -> None:
    finetune(tmp_path, host, task="per-model")
    (call,) = MajorityLearner.calls
    assert {pair.request.text.split(":")[0] for pair in call["train"] + call["held_out"]} == {"for learner"}


@pytest.mark.parametrize(("n", "held"), [(2, 1), (9, 1), (15, 1), (16, 8), (80, 8), (100, 10), (1000, 100)])
def test_held_out_size(n: int, held: int) -> None:
    assert held_out_size(n) == held


def test_the_split_is_seeded_deterministic_and_keeps_order() -> None:
    examples = [Example(f"e{i}", "x", ("a",)) for i in range(50)]
    train, held = split_held_out(examples, seed=7)
    assert len(held) == 8 and len(train) == 42
    assert split_held_out(examples, seed=7) == (train, held)
    assert split_held_out(examples, seed=8)[1] != held
    assert [e.id for e in train + held] != [e.id for e in examples]  # some were drawn from the middle
    assert [examples.index(e) for e in held] == sorted(examples.index(e) for e in held)
    with pytest.raises(DataError, match="the train split has 1 example: fine-tuning needs at least 2"):
        split_held_out(examples[:1], seed=7)


def test_the_held_out_part_depends_on_the_suite_seed_not_the_training_seed(tmp_path: Path, host: PluginHost) -> None:
    finetune(tmp_path / "a", host, settings={"seed": 1})
    finetune(tmp_path / "b", host, settings={"seed": 2})
    finetune(tmp_path / "c", host, seed=99)
    first, second, other_suite = ([p.example_id for p in call["held_out"]] for call in MajorityLearner.calls)
    assert first == second != other_suite


# -- what it says and writes -------------------------------------------------------


def test_progress_lines_and_the_card(tmp_path: Path, host: PluginHost) -> None:
    outcome, log = finetune(tmp_path, host, settings={"epochs": 2, "batch_size": 8, "eval_every": 3})
    assert outcome.report.steps == 8  # 2 epochs of 32 pairs in batches of 8
    assert log[0] == (
        "fine-tuning model 'learner' (majority-learner) on task 'reviews' (trainable) via classify: "
        "32 train and 8 held-out examples, 8 steps"
    )
    assert [line.split(":")[0] for line in log[1:-1]] == [
        "step 3/8 (epoch 1)",
        "step 6/8 (epoch 2)",
        "step 8/8 (epoch 2)",
    ]
    assert log[1].endswith("train loss 0.3333; held-out accuracy 0.75, loss 0.5")
    assert log[-1].startswith(f"saved {tmp_path / 'out'} (8 steps in ")
    card = json.loads((tmp_path / "out" / CARD_FILE).read_text())
    assert card["base"]["name"] == "learner" and card["base"]["type"] == "majority-learner"
    assert card["task"] == {"name": "reviews", "type": "trainable", "data": {}, "params": {"train": 40}}
    assert card["strategy"] == "classify" and card["examples"] == {"train": 32, "held_out": 8}
    assert card["settings"] == {"epochs": 2, "lr": 5e-05, "batch_size": 8, "seed": 1234, "max_steps": None,
                                "eval_every": 3, "warmup_ratio": 0.1}  # fmt: skip
    assert card["steps"] == 8 and len(card["train_losses"]) == 8
    assert [e["step"] for e in card["evals"]] == [3, 6, 8]
    assert card["model"] == {"base": "counting", "labels": ["negative", "positive"]}
    assert card["suite"]["name"] == "tiny" and card["nlpbench"]["version"] == "0.1.0"
    readme = (tmp_path / "out" / "README.md").read_text()
    assert readme.startswith("# learner fine-tuned on reviews\n")
    assert "| 8 | 2 | 0.75 | 0.5 |" in readme and "    type: majority-learner" in readme


def test_the_saved_folder_loads_back_in_a_suite(tmp_path: Path, host: PluginHost) -> None:
    finetune(tmp_path, host, task_params={"positive_every": 1})  # every train label negative
    suite = tiny_suite(models=[{"name": "tuned", "type": "majority-learner", "path": str(tmp_path / "out")}])
    run = run_suite_text(suite, tmp_path / "run", host=host)
    assert run.cell("tuned", "tiny")["status"] == "ok"
    assert {s["prediction"] for s in run.samples} == {"negative"}


# -- settings -----------------------------------------------------------------------


def test_settings_count_steps() -> None:
    settings = FinetuneSettings(epochs=3, batch_size=16)
    assert (settings.steps_per_epoch(33), settings.total_steps(33), settings.warmup_steps(33)) == (3, 9, 0)
    assert FinetuneSettings(max_steps=25).total_steps(33) == 25  # however many epochs that takes
    assert FinetuneSettings(epochs=10, warmup_ratio=0.2).warmup_steps(16) == 2


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"epochs": 0}, "epochs must be an integer of at least 1, not 0"),
        ({"batch_size": 1.5}, "batch_size must be an integer of at least 1"),
        ({"max_steps": 0}, "max_steps must be an integer of at least 1"),
        ({"lr": 0}, "lr must be a number between 0 and 1"),
        ({"warmup_ratio": 1.0}, "warmup_ratio must be at least 0 and below 1"),
    ],
)
def test_bad_settings_are_config_errors(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        FinetuneSettings(**options)


# -- errors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "task", "task_params", "error", "message"),
    [
        ("tiny", "reviews", {}, ConfigError,
         "model 'tiny' (tiny): model type 'tiny' cannot be fine-tuned (fine-tunable: majority-learner (classify), "
         "refusing (classify), wrong-report (classify))"),
        ("learner", "tiny", {}, ConfigError,
         "task 'tiny' (tiny) has no train split: task type 'tiny' does not provide one"),
        ("learner", "reviews", {"train": None}, ConfigError,
         "task 'reviews' (trainable): no train split: set params.train"),
        ("learner", "gen", {}, ConfigError,
         "model 'learner' (majority-learner) cannot be fine-tuned on task 'gen' (generate-only): the task uses "
         "generate; majority-learner is fine-tuned for classify"),
        ("learner", "reviews", {"train": 1}, DataError,
         "task 'reviews' (trainable): the train split has 1 example: fine-tuning needs at least 2"),
        ("learner", "reviews", {"train": 0}, DataError, "task 'reviews' (trainable): the train split has no examples"),
        ("learner", "reviews", {"duplicate": True}, DataError, "two train examples have the id 'train-0'"),
        ("learner", "reviews", {"requests": 2}, TaskError,
         "task 'reviews' (trainable): builds 2 requests for example 'train-0' with classify; fine-tuning needs "
         "exactly one request per example"),
        ("wrong", "reviews", {}, ModelError, "model 'wrong' (wrong-report): finetune returned dict, not a FinetuneReport"),
        ("refusing", "reviews", {}, DataError,
         "model 'refusing' (refusing): example 'train-3': its label is not one of the head's"),
        ("learnr", "reviews", {}, ConfigError, "no model is called 'learnr' (did you mean 'learner'?); the suite's models: "
         "learner, tiny, wrong, refusing"),
        ("learner", "reveiws", {}, ConfigError, "no task is called 'reveiws' (did you mean 'reviews'?)"),
    ],
)  # fmt: skip
def test_what_cannot_be_fine_tuned_is_a_one_line_error(
    tmp_path: Path, host: PluginHost, model: str, task: str, task_params: dict[str, Any], error: type, message: str
) -> None:
    with pytest.raises(error) as raised:
        finetune(tmp_path, host, model=model, task=task, task_params=task_params)
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_without_any_fine_tunable_model_type_it_says_so(tmp_path: Path) -> None:
    host = make_host()
    path = tmp_path / "suite.yaml"
    path.write_text(json.dumps(tiny_suite()))
    with pytest.raises(ConfigError, match=r"cannot be fine-tuned \(no installed model type can be\)"):
        run_finetune(load_suite(path, host), host, "tiny", "tiny", tmp_path / "out", FinetuneSettings())


def test_a_folder_with_something_in_it_is_refused_before_training(tmp_path: Path, host: PluginHost) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("mine")
    with pytest.raises(ConfigError, match="is not an empty folder; choose a new --out"):
        finetune(tmp_path, host)
    assert not MajorityLearner.calls
    (tmp_path / "out" / "keep.txt").unlink()
    finetune(tmp_path, host)  # an empty folder is fine
    assert (tmp_path / "out" / "learned.json").exists()


# -- the command line -------------------------------------------------------------------


def _invoke(host: PluginHost, *args: str) -> Result:
    return CliRunner().invoke(build_cli(host), list(args), obj={"host": host})


def test_the_command_fine_tunes_and_says_where_it_saved(tmp_path: Path, host: PluginHost) -> None:
    suite = write_suite(tmp_path)
    out = tmp_path / "tuned"
    result = _invoke(host, "finetune", "--suite", str(suite), "--model", "learner", "--task", "reviews", "--out",
                     str(out), "--epochs", "1", "--batch-size", "4", "--eval-every", "4", "--lr", "1e-4")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "fine-tuned learner on reviews: 8 steps; held-out accuracy 0.75, loss 0.5",
        f"saved: {out} (card: {CARD_FILE}, README.md)",
        f"use it in a suite:  - {{name: learner-reviews, type: majority-learner, path: {out}}}",
    ]
    assert "step 4/8 (epoch 1)" in result.stderr
    (call,) = MajorityLearner.calls
    assert call["settings"] == FinetuneSettings(epochs=1, lr=1e-4, batch_size=4, seed=1234, eval_every=4)


def test_the_command_takes_seed_and_max_steps(tmp_path: Path, host: PluginHost) -> None:
    suite = write_suite(tmp_path)
    args = ["finetune", "--suite", str(suite), "--model", "learner", "--task", "reviews", "--out", str(tmp_path / "o")]
    assert _invoke(host, *args, "--seed", "5", "--max-steps", "3").exit_code == 0
    assert MajorityLearner.calls[0]["settings"] == FinetuneSettings(seed=5, max_steps=3)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--model", "tiny", "--task", "reviews"],
            "Error: model 'tiny' (tiny): model type 'tiny' cannot be fine-tuned",
        ),
        (["--model", "learner", "--task", "tiny"], "Error: task 'tiny' (tiny) has no train split"),
        (["--model", "lerner", "--task", "reviews"], "(did you mean 'learner'?)"),
    ],
)
def test_command_errors_are_one_line_and_exit_2(
    tmp_path: Path, host: PluginHost, args: list[str], message: str
) -> None:
    suite = write_suite(tmp_path)
    result = _invoke(host, "finetune", "--suite", str(suite), *args, "--out", str(tmp_path / "o"))
    assert result.exit_code == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_command_options_are_checked(tmp_path: Path, host: PluginHost) -> None:
    suite = write_suite(tmp_path)
    base = ["finetune", "--suite", str(suite), "--model", "learner", "--task", "reviews", "--out", str(tmp_path / "o")]
    assert _invoke(host, *base, "--epochs", "0").exit_code == 2
    assert _invoke(host, *base, "--lr", "0").exit_code == 2
    assert "Missing option '--out'" in _invoke(host, *base[:-2]).stderr


def test_list_models_says_what_is_fine_tunable(host: PluginHost) -> None:
    rows = {row["name"]: row for row in json.loads(_invoke(host, "list", "models", "--json").stdout)}
    assert rows["majority-learner"]["finetunable"] == ["classify"] and rows["tiny"]["finetunable"] == []
    text = _invoke(host, "list", "models").stdout
    assert "majority-learner [classify, loglikelihood] (fine-tunable: classify)" in text


def test_nothing_is_created_when_the_data_is_wrong(tmp_path: Path, host: PluginHost) -> None:
    with pytest.raises(DataError):
        finetune(tmp_path, host, task_params={"train": 1})
    assert not (tmp_path / "out").exists()


def test_an_output_path_that_cannot_be_created_is_a_config_error(tmp_path: Path, host: PluginHost) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(ConfigError, match="cannot create it"):
        finetune(tmp_path, host, out="file/out")
    assert not MajorityLearner.calls
