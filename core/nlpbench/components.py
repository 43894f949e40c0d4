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

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Protocol, TypeAlias, runtime_checkable

if TYPE_CHECKING:  # numpy is only imported when something is scored: listing stays instant
    import numpy as np
    import numpy.typing as npt

# ---------------------------------------------------------------------------
# Capabilities and requests
# ---------------------------------------------------------------------------

Capability = Literal["generate", "loglikelihood", "classify", "extract_span", "encode"]

#: Every capability a model may declare, in no particular order of preference.
CAPABILITIES: tuple[Capability, ...] = (
    "generate",
    "loglikelihood",
    "classify",
    "extract_span",
    "encode",
)


@dataclass(frozen=True)
class GenerateRequest:
    """Continue ``prompt``. Greedy when ``temperature`` is 0; otherwise sample with ``seed``.

    ``source`` is the raw input the prompt was made from (a document to summarize), for
    models that work on it directly, such as extractive baselines.
    """

    capability: ClassVar[Capability] = "generate"
    prompt: str
    max_new_tokens: int = 64
    stop: tuple[str, ...] = ()
    temperature: float = 0.0
    seed: int | None = None
    source: str | None = None
    example_id: str | None = None


@dataclass(frozen=True)
class LoglikelihoodRequest:
    """Log-probability of ``continuation`` given ``context``."""

    capability: ClassVar[Capability] = "loglikelihood"
    context: str
    continuation: str
    example_id: str | None = None


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


Request = GenerateRequest | LoglikelihoodRequest | ClassifyRequest | ExtractSpanRequest | EncodeRequest


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

    def resolve(self, value: str | Path) -> Path:
        """A path from the suite, relative to the suite file's folder."""
        path = Path(value).expanduser()
        return path if path.is_absolute() else self.base_dir / path


@dataclass(frozen=True)
class TaskSpec:
    """One ``tasks:`` entry of a suite, validated."""

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

    def resolve(self, value: str | Path) -> Path:
        """A path from the suite, relative to the suite file's folder."""
        path = Path(value).expanduser()
        return path if path.is_absolute() else self.base_dir / path


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
    - ``classify(list[ClassifyRequest]) -> list[dict[str, float]]`` (label → probability)
    - ``extract_span(list[ExtractSpanRequest]) -> list[Span]``
    - ``encode(list[EncodeRequest]) -> list[list[float]]``

    Optional: ``capabilities_for(spec)``, a classmethod, says what a model built from
    ``spec`` will declare when that depends on the spec (which head a checkpoint has),
    so planning and ``nlpbench validate`` need not load it; ``close()`` frees memory
    when the runner is done with the model; ``describe() -> dict`` adds facts (dtype,
    device, truncation) to results.
    """

    capabilities: ClassVar[frozenset[str]]


@runtime_checkable
class Task(Protocol):
    """A dataset and how to ask a model about it. Registered as a class called with
    its :class:`TaskSpec`.

    ``strategies`` lists the capabilities the task can use, most preferred first; the
    runner picks the first one the model has. ``default_metrics`` names the metrics
    used when the suite names none.
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
    """A worked example for a metric: conformance checks and metric cards run it."""

    predictions: tuple[Any, ...]
    references: tuple[tuple[Any, ...], ...]
    value: float | None = None


if TYPE_CHECKING:
    StatsArray: TypeAlias = npt.NDArray[np.float64]
else:
    StatsArray = Any  # a float64 numpy array of shape (examples, statistics)


@runtime_checkable
class Metric(Protocol):
    """Scores predictions against references. Registered as a class called with the
    suite's options for it (``metrics: [{name: precision, average: binary}]``).

    ``stats`` turns the predictions into per-example sufficient statistics, a float
    array with one row per example; ``aggregate`` turns any subset of those rows into
    the score. The runner's bootstrap resamples rows, so a corpus-level metric never
    re-tokenizes. ``scale`` is the metric's range, in the scale of its reference
    implementation (``(0, 1)`` or ``(0, 100)``); ``higher_is_better`` its direction.

    Optional: ``aggregate_resamples(stats, indices) -> array`` scores many resamples
    at once (``indices`` has one row of example indices per resample) when that is
    faster than calling ``aggregate`` for each; ``example_score(row) -> float | None``
    gives the per-example score shown in ``samples.jsonl`` (default: the row's only
    value, or none).
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


@runtime_checkable
class BiasAudit(Protocol):
    """Perturbs examples counterfactually and measures how predictions shift.
    Registered as a class called with the suite's options for it.

    For every example, ``perturb`` yields perturbed copies (say, with gendered terms
    swapped); the runner asks the model about each with the cell's strategy, then
    ``measure`` compares each perturbed prediction with the original one and returns
    a value per measure it declares. The runner averages each (group, measure) over
    examples with a bootstrap confidence interval.
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
    options for it; ``write`` receives the ``results.json`` document and the run folder
    and returns where it wrote (a path or URL), or None."""

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
