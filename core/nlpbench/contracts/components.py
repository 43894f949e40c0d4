"""What plugins provide: the protocols of models, tasks, metrics, bias audits and
reporters, and the small value types that pass between them.

Plugins register *classes* (or factories); the core instantiates them only when a
run needs them, so listing what is installed never loads a model.

A model answers **lists** of requests, one list per capability, and owns batching:
the runner hands it everything a cell needs (in chunks, for progress) and expects the
answers back in request order. Every request carries ``example_id``, the id of the
example it was built for (the runner fills it in), so a model may answer from saved
predictions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Protocol, TypeAlias, runtime_checkable

from nlpbench.contracts.errors import ConfigError
from nlpbench.suites.paths import user_path

if TYPE_CHECKING:  # numpy is only imported when something is scored: listing stays instant
    import numpy as np
    import numpy.typing as npt

    from nlpbench.contracts.attributions import AttributionOptions

# ---------------------------------------------------------------------------
# Capabilities and requests
# ---------------------------------------------------------------------------

Capability = Literal["generate", "loglikelihood", "loglikelihood_rolling", "classify", "extract_span", "encode"]

#: Every capability a model may declare, in no particular order of preference.
CAPABILITIES: tuple[Capability, ...] = (
    "generate",
    "loglikelihood",
    "loglikelihood_rolling",
    "classify",
    "extract_span",
    "encode",
)


#: The roles of a conversation's turns, as chat templates and the OpenAI protocol name them.
ROLES = ("system", "user", "assistant")


@dataclass(frozen=True)
class Message:
    """One turn of a conversation: ``role`` is ``system``, ``user`` or ``assistant``."""

    role: str
    content: str

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"a message's role is one of {', '.join(ROLES)}, not {self.role!r}")


@dataclass(frozen=True)
class GenerateRequest:
    """Continue ``prompt``. Greedy when ``temperature`` is 0; otherwise sample with ``seed``.

    ``source`` is the raw input the prompt was made from (a document to summarize), for
    models that work on it directly, such as extractive baselines.

    ``messages``, when given, is the conversation the prompt renders (few-shot examples
    as alternating turns, a dialogue's history), ending with the turn the model answers:
    a chat model (a ``gpt`` with ``chat: true``, an ``openai`` model on its chat
    endpoint) is given the messages, any other model the plain ``prompt``.
    """

    capability: ClassVar[Capability] = "generate"
    prompt: str
    max_new_tokens: int = 64
    stop: tuple[str, ...] = ()
    temperature: float = 0.0
    seed: int | None = None
    source: str | None = None
    example_id: str | None = None
    messages: tuple[Message, ...] = ()


@dataclass(frozen=True)
class LoglikelihoodRequest:
    """Log-probability of ``continuation`` given ``context``."""

    capability: ClassVar[Capability] = "loglikelihood"
    context: str
    continuation: str
    example_id: str | None = None


@dataclass(frozen=True)
class LoglikelihoodRollingRequest:
    """Log-probability of the whole of ``text``, every token scored once (perplexity).

    A text longer than the model's context is scored in sliding windows that advance
    by ``stride`` tokens (None: the model's default), each window conditioning on the
    tokens before it; the first token conditions on the model's start token. The
    answer's ``n_tokens`` is how many tokens were scored.

    ``windows="disjoint"`` asks for lm-evaluation-harness's windows instead (its task
    files need its numbers): each window scores the next ``max_length`` tokens
    conditioned only on the token before them, and the last window reaches back to
    read a full ``max_length`` tokens; ``stride`` is then unused.
    """

    capability: ClassVar[Capability] = "loglikelihood_rolling"
    text: str
    stride: int | None = None
    example_id: str | None = None
    windows: Literal["sliding", "disjoint"] = "sliding"


@dataclass(frozen=True)
class ClassifyRequest:
    """Probabilities of each of ``labels`` for ``text`` (and ``text_pair``, if given)."""

    capability: ClassVar[Capability] = "classify"
    text: str
    labels: tuple[str, ...]
    text_pair: str | None = None
    example_id: str | None = None


@dataclass(frozen=True)
class ExtractSpanRequest:
    """The span of ``context`` that answers ``question``."""

    capability: ClassVar[Capability] = "extract_span"
    question: str
    context: str
    example_id: str | None = None


@dataclass(frozen=True)
class EncodeRequest:
    """An embedding of ``text``."""

    capability: ClassVar[Capability] = "encode"
    text: str
    example_id: str | None = None


Request = (
    GenerateRequest
    | LoglikelihoodRequest
    | LoglikelihoodRollingRequest
    | ClassifyRequest
    | ExtractSpanRequest
    | EncodeRequest
)


@dataclass(frozen=True)
class Loglikelihood:
    """The answer to a :class:`LoglikelihoodRequest`.

    ``is_greedy`` says whether greedy decoding would have produced the continuation;
    ``n_tokens`` is how many tokens the continuation took.
    """

    logprob: float
    is_greedy: bool = False
    n_tokens: int = 0


@dataclass(frozen=True)
class Span:
    """The answer to an :class:`ExtractSpanRequest`: ``context[start:end] == text``.

    ``start`` and ``end`` are -1 when the span's place in the context is unknown (a
    replayed answer that does not occur in it); tasks score ``text``.
    """

    text: str
    start: int
    end: int
    score: float = 0.0


#: What each capability answers with, per request.
Answer = str | Loglikelihood | Mapping[str, float] | Span | Sequence[float]


# ---------------------------------------------------------------------------
# Specs: what the suite says about a model or a task
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelSpec:
    """One ``models:`` entry of a suite, validated. Paths are already absolute."""

    name: str
    type: str
    path: Path | None = None
    hub: str | None = None
    revision: str | None = None
    config: Mapping[str, Any] | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    trust_remote_code: bool = False
    base_dir: Path = Path(".")
    seed: int = 0
    #: copies of the model that answer a cell together (the Ray executor; 1 elsewhere)
    replicas: int = 1
    #: what each copy asks of a Ray cluster: ``num_gpus``, ``num_cpus`` (numbers) and
    #: ``memory`` (bytes); empty: Ray's defaults. Neither decides the model's answers.
    resources: Mapping[str, Any] = field(default_factory=dict)

    def resolve(self, value: str | Path) -> Path:
        """A path from the suite, relative to the suite file's folder."""
        return user_path(value, self.base_dir)


@dataclass(frozen=True)
class TaskSpec:
    """One ``tasks:`` entry of a suite, validated (or one member of a group it names).
    ``source`` is the task file it came from, if any; ``group`` the group it belongs to."""

    name: str
    type: str
    data: Mapping[str, Any] = field(default_factory=dict)
    limit: int | None = None
    sample: int | None = None
    metrics: tuple[str | Mapping[str, Any], ...] = ()
    models: tuple[str, ...] = ()
    params: Mapping[str, Any] = field(default_factory=dict)
    base_dir: Path = Path(".")
    seed: int = 0
    source: str | None = None
    group: str | None = None
    #: the entry's ``strategy:``: every model is asked this way (one of the type's
    #: strategies); None: each cell takes the type's most preferred one the model has
    strategy: str | None = None
    #: the entry's ``attributions:`` (docs/attributions.md): which examples of each ok
    #: cell get token attributions, and how; None: none
    attributions: AttributionOptions | None = None

    def resolve(self, value: str | Path) -> Path:
        """A path from the suite, relative to the suite file's folder."""
        return user_path(value, self.base_dir)


@dataclass(frozen=True)
class Example:
    """One item of a task's data.

    ``id`` is stable across runs (it keys samples and, later, the store). ``input`` is
    what ``samples.jsonl`` shows as the input; ``references`` holds every acceptable
    answer; ``fields`` keeps the raw row for prompts and audits.
    """

    id: str
    input: Any
    references: tuple[Any, ...]
    fields: Mapping[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------------------
# Task files: what reading one gives (see nlpbench.suites.taskfiles)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FileTask:
    """One task a task file defines: its name within the file and what a suite's task
    entry would give for it. ``document`` is the YAML mapping it was written in (so an
    error can name its line); ``path`` the file."""

    name: str
    type: str
    data: Mapping[str, Any] = field(default_factory=dict)
    params: Mapping[str, Any] = field(default_factory=dict)
    metrics: tuple[str | Mapping[str, Any], ...] = ()
    description: str = ""
    path: Path | None = None
    document: Any = None


@dataclass(frozen=True)
class TaskFileContents:
    """What a task file (or a folder of them) defines: one task, or a group of ``tasks``
    named ``name``."""

    name: str
    description: str
    path: Path
    tasks: tuple[FileTask, ...]
    group: bool = False


# ---------------------------------------------------------------------------
# Fine-tuning: what the core hands a model type's ``finetune`` and gets back
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TrainingPair:
    """One training example: the request the task builds for it with the chosen
    strategy (``example_id`` set), and ``target``, the answer the model should learn to
    give (the example's first reference: a label name for ``classify``)."""

    example_id: str
    request: Request
    target: Any


@dataclass(frozen=True)
class FinetuneSettings:
    """How to train. A step is one optimizer update on ``batch_size`` pairs; the data
    order is shuffled each epoch with ``seed``. ``max_steps``, when given, is the exact
    number of steps, however many epochs that takes (it overrides ``epochs``, as in
    transformers' Trainer). The learning rate warms up linearly over the first
    ``warmup_ratio`` of the steps, then decays linearly to zero."""

    epochs: int = 3
    lr: float = 5e-5
    batch_size: int = 16
    seed: int = 0
    max_steps: int | None = None
    eval_every: int = 50
    warmup_ratio: float = 0.1

    def __post_init__(self) -> None:
        for name in ("epochs", "batch_size", "eval_every"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(f"fine-tuning: {name} must be an integer of at least 1, not {value!r}")
        if self.max_steps is not None and (
            isinstance(self.max_steps, bool) or not isinstance(self.max_steps, int) or self.max_steps < 1
        ):
            raise ConfigError(f"fine-tuning: max_steps must be an integer of at least 1, not {self.max_steps!r}")
        if isinstance(self.lr, bool) or not isinstance(self.lr, (int, float)) or not 0 < self.lr < 1:
            raise ConfigError(f"fine-tuning: lr must be a number between 0 and 1, not {self.lr!r}")
        if not isinstance(self.warmup_ratio, (int, float)) or not 0 <= self.warmup_ratio < 1:
            raise ConfigError(f"fine-tuning: warmup_ratio must be at least 0 and below 1, not {self.warmup_ratio!r}")

    def steps_per_epoch(self, n_train: int) -> int:
        """Batches in one pass over ``n_train`` pairs (the last one may be smaller)."""
        return -(-n_train // self.batch_size)

    def total_steps(self, n_train: int) -> int:
        """How many steps training on ``n_train`` pairs takes."""
        return self.max_steps if self.max_steps is not None else self.epochs * self.steps_per_epoch(n_train)

    def warmup_steps(self, n_train: int) -> int:
        """The steps over which the learning rate rises from zero."""
        return int(self.total_steps(n_train) * self.warmup_ratio)


@dataclass(frozen=True)
class FinetuneStepped:
    """A model finished one optimizer step (``step`` counts from 1, ``epoch`` too).
    ``loss`` is that batch's training loss; ``eval``, when the model evaluated on the
    held-out pairs after this step, its scores (``{"accuracy": 0.9, "loss": 0.3}``)."""

    step: int
    epoch: int
    loss: float
    eval: Mapping[str, float] | None = None


@dataclass(frozen=True)
class FinetuneReport:
    """What a model type's ``finetune`` did: the steps taken, the training loss of
    each, every held-out evaluation (each a dict with ``step``, ``epoch`` and the
    scores; the last one is after the final step), the folder it saved, and ``info``:
    facts for the card (the base it started from, the labels, the device)."""

    steps: int
    train_losses: list[float]
    evals: list[dict[str, Any]]
    out_dir: Path
    info: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PretrainSettings:
    """How ``nlpbench pretrain`` trains a model from scratch. A step is one optimizer
    update (AdamW) on ``batch_size`` sequences of ``max_length`` tokens cut from the
    corpus; the learning rate warms up linearly over the first ``warmup_ratio`` of the
    ``steps``, then decays linearly to zero. ``vocab_size`` is the size the tokenizer is
    trained to (at most: a small corpus yields fewer tokens); ``seed`` seeds the
    weights, the order of the sequences and the masking."""

    steps: int = 200
    seed: int = 0
    batch_size: int = 8
    lr: float = 5e-4
    vocab_size: int = 8000
    max_length: int = 128
    warmup_ratio: float = 0.1

    def __post_init__(self) -> None:
        minimum = {"steps": 1, "batch_size": 1, "vocab_size": 100, "max_length": 8}
        for name, least in minimum.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < least:
                raise ConfigError(f"pretraining: {name} must be an integer of at least {least}, not {value!r}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            raise ConfigError(f"pretraining: seed must be an integer, not {self.seed!r}")
        if isinstance(self.lr, bool) or not isinstance(self.lr, (int, float)) or not 0 < self.lr < 1:
            raise ConfigError(f"pretraining: lr must be a number between 0 and 1, not {self.lr!r}")
        if not isinstance(self.warmup_ratio, (int, float)) or not 0 <= self.warmup_ratio < 1:
            raise ConfigError(f"pretraining: warmup_ratio must be at least 0 and below 1, not {self.warmup_ratio!r}")

    @property
    def warmup_steps(self) -> int:
        """The steps over which the learning rate rises from zero."""
        return int(self.steps * self.warmup_ratio)


@dataclass(frozen=True)
class PretrainStepped:
    """A model being pretrained finished optimizer step ``step`` (from 1) with this
    batch's training ``loss``."""

    step: int
    loss: float


@dataclass(frozen=True)
class PretrainReport:
    """What a model type's ``pretrain`` did: the steps taken, the training loss of each,
    the folder it saved (model and tokenizer), and ``info``: facts for the card (the
    architecture, the parameter count, the tokenizer's size, the device)."""

    steps: int
    losses: list[float]
    out_dir: Path
    info: Mapping[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------------------
# Protocols
# ---------------------------------------------------------------------------


@runtime_checkable
class Model(Protocol):
    """A loaded model. Registered as a class called with its :class:`ModelSpec`.

    ``capabilities`` is a class attribute so it can be listed without loading; an
    instance may narrow it (a BERT without a QA head cannot ``extract_span``). For each
    capability declared, the model has a method of the same name taking a list of
    requests and returning one answer per request, in order:

    - ``generate(list[GenerateRequest]) -> list[str]``
    - ``loglikelihood(list[LoglikelihoodRequest]) -> list[Loglikelihood]``
    - ``loglikelihood_rolling(list[LoglikelihoodRollingRequest]) -> list[Loglikelihood]``
    - ``classify(list[ClassifyRequest]) -> list[dict[str, float]]`` (label → probability)
    - ``extract_span(list[ExtractSpanRequest]) -> list[Span]``
    - ``encode(list[EncodeRequest]) -> list[list[float]]``

    Optional: ``options``, a class attribute, is the type's option schema (a subclass of
    :class:`nlpbench.Options`) for the entry's ``params``: the core checks every entry
    against it before anything runs (``nlpbench validate`` reports each problem), then
    calls the type's ``check_spec(spec)`` classmethod, if it has one, for what one key
    cannot say alone (``params`` that need ``config``). Without a schema, ``params`` are
    checked only when the model is built.

    Optional: ``capabilities_for(spec)``, a classmethod, says what a model built from
    ``spec`` will declare when that depends on the spec (which head a checkpoint has),
    so planning and ``nlpbench validate`` need not load it; ``close()`` frees memory
    when the runner is done with the model; ``describe() -> dict`` adds facts (dtype,
    device, truncation) to results; ``tokens_processed() -> int``, the tokens the model
    has read so far, gives each cell's tokens per second; ``check_examples(task, ids,
    selected)``, called before the model is asked about a task's examples with the ids
    of all of them (before ``sample`` and ``limit``) and of those selected, raises
    ``ModelError`` to fail the cell when the model cannot answer them (``replay``: saved
    predictions that do not line up with the task's ids); ``check_labels(spec, labels)``,
    a classmethod of a type that can choose only among some labels, raises ConfigError
    (naming the key to fix) when a model built from ``spec`` cannot answer a classify
    request offering ``labels``: ``nlpbench validate`` asks it for each classify cell.

    Optional, for ``nlpbench finetune``: ``finetunable``, a class attribute, names the
    strategies the type can be trained for (BERT: ``frozenset({"classify"})``), and the
    classmethod ::

        finetune(spec: ModelSpec, strategy: str, train: Sequence[TrainingPair],
                 held_out: Sequence[TrainingPair], settings: FinetuneSettings,
                 out_dir: Path, progress: Callable[[FinetuneStepped], None]) -> FinetuneReport

    trains the model ``spec`` names on ``train`` (one :class:`TrainingPair` per example:
    the request the task builds with ``strategy`` and the answer to learn), evaluates on
    ``held_out`` every ``settings.eval_every`` steps and after the last one, calls
    ``progress`` after every optimizer step, and saves into ``out_dir`` a folder that a
    suite loads with ``path:``. A step is one update on ``settings.batch_size`` pairs,
    so ``settings.total_steps(len(train))`` is how many there are. The core writes the
    card (``nlpbench-finetune.json``, ``README.md``) beside what the model saves.

    Optional, for ``nlpbench pretrain``: the classmethod ::

        pretrain(corpus: Sequence[Path], config: Mapping[str, Any], settings: PretrainSettings,
                 out_dir: Path, progress: Callable[[PretrainStepped], None]) -> PretrainReport

    trains a tokenizer on the text files ``corpus`` and a new model of the type's family
    from the architecture settings ``config`` (its vocabulary size comes from the
    tokenizer) with the family's objective for ``settings.steps`` steps, calling
    ``progress`` after each, and saves into ``out_dir`` a folder that a suite loads with
    ``path:``. The core writes the card (``nlpbench-pretrain.json``, ``README.md``).
    """

    capabilities: ClassVar[frozenset[str]]


@runtime_checkable
class Task(Protocol):
    """A dataset and how to ask a model about it. Registered as a class called with
    its :class:`TaskSpec`.

    ``strategies`` lists the capabilities the task can use, most preferred first; the
    runner picks the first one the model has. ``default_metrics`` names the metrics
    used when the suite names none. A type whose strategies depend on its entry (a
    declarative task's on its ``output``) adds the classmethod ``strategies_for(spec)``,
    which planning and ``nlpbench validate`` ask instead; its instances set
    ``strategies`` to the same.

    Optional: ``options``, a class attribute, is the type's option schema (a subclass of
    :class:`nlpbench.Options`) for the entry's ``params``, checked by the core before
    anything runs, then ``check_spec(spec)``, a classmethod, for what needs more than one
    key, as for models.

    Optional: ``for_model(spec: ModelSpec) -> Task``, a task whose prompts depend on the
    model (a T5 prefix, a GPT few-shot prompt) returns the task as that model is to be
    asked; the runner builds the cell's requests and reads its answers with it.
    ``describe() -> dict`` adds facts (the prompt template, the number of shots, the
    averaging convention) to the task's entry in results. ``probabilities(example,
    strategy, answers) -> Mapping[str, float] | None``, for a classification task, gives
    the model's probability of each label where the strategy yields one; the runner keeps
    it beside the prediction (the store, ``samples.jsonl``) and bias audits measure how
    far a perturbation moved it. ``labels``, a classification task's label names in
    order, tells grouping bias audits that predictions are labels.

    Optional, for task files in a format of the type's own (lm-evaluation-harness's):
    the classmethod ``read_task_file(path, options) -> TaskFileContents | None`` reads
    the file or folder at ``path`` (None: not a file of this type), given the suite
    entry's ``options`` (``trust_task_code``); each task it gives has this type.

    Optional, for ``nlpbench finetune``: ``train_examples() -> Iterable[Example]``, the
    task's train split (built into requests like ``examples()``; the first reference
    is what a model learns to answer). It may raise ConfigError when this entry of the
    suite names no train data; a task without the method cannot be trained on.
    """

    strategies: ClassVar[tuple[str, ...]]
    default_metrics: ClassVar[tuple[str, ...]]

    def examples(self) -> Iterable[Example]:
        """Every example of the task's data, in a stable order. May raise DataError."""
        ...

    def build_requests(self, example: Example, strategy: str) -> Sequence[Request]:
        """The requests that answer ``example`` with ``strategy`` (at least one)."""
        ...

    def process_answers(self, example: Example, strategy: str, answers: Sequence[Any]) -> Any:
        """Turn the model's answers to ``build_requests`` into one JSON-able prediction."""
        ...


@dataclass(frozen=True)
class MetricExample:
    """A worked example for a metric: conformance checks and metric cards run it.
    ``probabilities``, for a metric that reads them, holds each prediction's probabilities."""

    predictions: tuple[Any, ...]
    references: tuple[tuple[Any, ...], ...]
    value: float | None = None
    probabilities: tuple[Mapping[str, float] | None, ...] = ()


if TYPE_CHECKING:
    StatsArray: TypeAlias = npt.NDArray[np.float64]
else:
    StatsArray = Any  # a float64 numpy array of shape (examples, statistics)


@runtime_checkable
class Metric(Protocol):
    """Scores predictions against references. Registered as a class called with the
    suite's options for it (``metrics: [{name: precision, average: binary}]``) as
    keyword arguments; ``options``, a class attribute, declares them (a subclass of
    :class:`nlpbench.Options`, empty for a metric that takes none, so that a misspelt
    option is an error): the core checks the suite against it before anything runs, and
    the metric reads its settings with :func:`nlpbench.parse_options`. ``as`` (the label
    a score goes by) is the suite's, never passed to the metric.

    ``stats`` turns the predictions into per-example sufficient statistics, a float
    array with one row per example; ``aggregate`` turns any subset of those rows into
    the score. The runner's bootstrap resamples rows, so a corpus-level metric never
    re-tokenizes. ``scale`` is the metric's range, in the scale of its reference
    implementation (``(0, 1)`` or ``(0, 100)``); ``higher_is_better`` its direction.

    Optional: ``aggregate_resamples(stats, indices) -> array`` scores many resamples
    at once (``indices`` has one row of example indices per resample) when that is
    faster than calling ``aggregate`` for each; ``example_score(row) -> float | None``
    gives the per-example score shown in ``samples.jsonl`` (default: the row's only
    value, or none); ``describe() -> dict`` gives facts recorded beside the score in
    results (sacrebleu's signature, whether ROUGE stems). A ``scale`` bound may be
    ``math.inf`` (perplexity); results write it as null. ``corpus_only = True`` (a class
    attribute; default False) says the score exists only for a set of examples (MCC,
    corpus BLEU, perplexity): one example's value means nothing, so results mark the
    score ``corpus_only`` and the report shows no per-example value of it.

    Optional, for metrics of calibration and the like: ``uses_probabilities = True`` (a
    class attribute) has ``stats`` called with the keyword argument ``probabilities``,
    one mapping per example of label or choice → probability (the task's
    ``probabilities`` hook; a reference ``r`` is the key ``str(r)``). A metric without it
    is called as before. When some prediction has no probabilities the metric is not
    called and its score is recorded as not computed, with the reason; a metric may also
    raise :class:`~nlpbench.contracts.errors.MetricNotComputed` itself for predictions it cannot
    score at all.
    """

    higher_is_better: ClassVar[bool]
    scale: ClassVar[tuple[float, float]]
    example: ClassVar[MetricExample]

    def stats(self, predictions: Sequence[Any], references: Sequence[Sequence[Any]]) -> StatsArray:
        """Per-example statistics: shape ``(len(predictions), k)``. May raise MetricError."""
        ...

    def aggregate(self, stats: StatsArray) -> float:
        """The score of the examples whose statistics are ``stats``."""
        ...


@dataclass(frozen=True)
class Perturbation:
    """A counterfactual copy of an example, tagged with the group it stands for."""

    group: str
    example: Example
    changed: bool = True


@dataclass(frozen=True)
class DataAuditInput:
    """What a data-only audit (``data_only = True``) is given for one task: its examples
    as the run selected them (``sample``, ``limit``), the task's label names when it is a
    classification task (its ``labels``), the suite's models (a tokenizer may be found
    beside their weights) and the suite's folder. No model is loaded for it.

    ``train()`` reads the task's train split (``train_examples()``, else the few-shot pool
    ``train_pool()``) when the audit asks for it, and raises :class:`ConfigError` with
    the reason when the task has none (no ``data.train``, a type without one, or a
    few-shot pool that is the test split itself)."""

    task: str
    examples: tuple[Example, ...]
    train: Callable[[], Sequence[Example]]
    labels: tuple[str, ...] | None = None
    models: tuple[ModelSpec, ...] = ()
    base_dir: Path = Path(".")


@dataclass(frozen=True)
class DataAuditResult:
    """What a data-only audit found on one task. ``entries``: one mapping per finding,
    with at least ``check``, ``measure``, ``value`` and ``n`` (and ``example_ids`` where
    examples are involved, ``group``, ``reason`` when not computed); the core adds
    ``audit``, ``model`` (null) and ``task``. ``excluded``: the ids of the examples a
    clean subset leaves out (contaminated, or found in the train split), or None when
    the audit did not look: when a run exists, each ok cell's metrics are scored again
    without them, beside the full score."""

    entries: tuple[Mapping[str, Any], ...]
    excluded: frozenset[str] | None = None
    #: why those examples are left out, for the clean-subset entries' ``info``
    excluded_because: str = ""


@runtime_checkable
class BiasAudit(Protocol):
    """Perturbs examples counterfactually and measures how predictions shift.
    Registered as a class called with the suite's options for it (the entry's
    ``params``) as keyword arguments, which ``options``, a class attribute (a subclass
    of :class:`nlpbench.Options`), declares; the core checks them before anything runs.
    It may also take ``base_dir`` (the suite's folder, for its files), never an option.

    For every example, ``perturb`` yields perturbed copies (say, with gendered terms
    swapped); the runner asks the model about each with the cell's strategy, then
    ``measure`` compares each perturbed prediction with the original one and returns
    a value per measure it declares. The runner averages each (group, measure) over
    examples with a bootstrap confidence interval.

    Optional: ``measure_kinds`` maps a measure to ``"mean"`` (the default) or
    ``"proportion"`` (values 0 or 1: the share of perturbations, with the exact
    Clopper-Pearson interval); ``describe() -> dict`` is recorded with each entry.

    A **data-only** audit (``data_only = True``) asks no model and audits a task's data
    once per run, not per model: ``audit_data(data: DataAuditInput) -> DataAuditResult``
    (duplicates, leakage, contamination; ``nlpbench data audit`` runs it too).
    """

    measures: ClassVar[tuple[str, ...]]

    def perturb(self, example: Example) -> Iterable[Perturbation]:
        """Counterfactual copies of ``example`` (none when it mentions no group)."""
        ...

    def measure(
        self, example: Example, original: Any, perturbation: Perturbation, perturbed: Any
    ) -> Mapping[str, float]:
        """How far ``perturbed`` moved from ``original``, one value per measure."""
        ...


@runtime_checkable
class Reporter(Protocol):
    """Writes a run's results somewhere. Registered as a class called with the suite's
    options for it as keyword arguments, which ``options``, a class attribute (a
    subclass of :class:`nlpbench.Options`), declares; the core checks them and builds
    every reporter before the first cell runs, so a typo never waits for the end of a
    long run. ``write`` receives the ``results.json`` document and the run folder and
    returns where it wrote (a path or URL), or None."""

    def write(self, results: Mapping[str, Any], out_dir: Path) -> str | None:
        """Write the report. May raise ReporterError; the run's results are kept."""
        ...


#: The protocol each kind of component follows, by the kind's name.
KINDS: dict[str, type] = {
    "models": Model,
    "tasks": Task,
    "metrics": Metric,
    "audits": BiasAudit,
    "reporters": Reporter,
}
