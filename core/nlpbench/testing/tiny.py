"""A tiny model, task and metric for testing plugins without downloading anything.

They are deterministic and answer every capability, so a task plugin can run on the
tiny model, a model plugin on the tiny task, and a metric plugin in a whole suite.
They register as the plugin ``tiny`` only in hosts made by ``nlpbench.testing``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

import numpy as np

from .. import hookimpl
from ..components import (
    CAPABILITIES,
    ClassifyRequest,
    EncodeRequest,
    Example,
    ExtractSpanRequest,
    GenerateRequest,
    Loglikelihood,
    LoglikelihoodRequest,
    LoglikelihoodRollingRequest,
    MetricExample,
    ModelSpec,
    Request,
    Span,
    StatsArray,
    TaskSpec,
)
from ..errors import ConfigError, ModelError

NLPBENCH_PLUGIN_NAME = "tiny"

#: The tiny task's data: short sentences, and whether each is positive.
TINY_EXAMPLES: tuple[tuple[str, str], ...] = (
    ("a good film with a good cast", "positive"),
    ("dull and far too long", "negative"),
    ("good fun from start to end", "positive"),
    ("the plot makes no sense", "negative"),
    ("a good, warm story", "positive"),
    ("I left before the end", "negative"),
    ("not as good as the book", "negative"),
    ("good music, good jokes", "positive"),
)


def _guess(text: str, labels: Sequence[str]) -> str:
    """The tiny model's whole intelligence: 'good' means the first label that looks positive."""
    positive = next((label for label in labels if label.startswith("pos")), labels[0])
    negative = next((label for label in labels if label != positive), positive)
    return positive if "good" in text.lower() else negative


class TinyModel:
    """A deterministic toy model that answers every capability (for tests only).

    params: ``capabilities`` (a list, to narrow what it declares), ``fail`` (``load``
    or ``answer``, to make it raise on purpose).
    """

    capabilities: ClassVar[frozenset[str]] = frozenset(CAPABILITIES)
    KNOWN_PARAMS = ("capabilities", "fail", "device", "batch_size", "dtype")

    def __init__(self, spec: ModelSpec) -> None:
        unknown = [k for k in spec.params if k not in self.KNOWN_PARAMS]
        if unknown:
            raise ConfigError(f"unknown param '{unknown[0]}' for the tiny model")
        self.fail = spec.params.get("fail")
        if self.fail == "load":
            raise ModelError("the tiny model was told to fail while loading")
        narrowed = spec.params.get("capabilities")
        if narrowed is not None:
            self.capabilities = frozenset(narrowed)  # type: ignore[misc]
        self.calls = 0

    @classmethod
    def capabilities_for(cls, spec: ModelSpec) -> frozenset[str]:
        narrowed = spec.params.get("capabilities")
        return cls.capabilities if narrowed is None else frozenset(narrowed)

    def _answering(self) -> None:
        self.calls += 1
        if self.fail == "answer":
            raise RuntimeError("the tiny model was told to fail while answering")

    def generate(self, requests: list[GenerateRequest]) -> list[str]:
        self._answering()
        return [_guess(r.prompt.rsplit("\n", 2)[0], ("positive", "negative")) for r in requests]

    def loglikelihood(self, requests: list[LoglikelihoodRequest]) -> list[Loglikelihood]:
        self._answering()
        out = []
        for r in requests:
            word = r.continuation.strip()
            match = word == _guess(r.context, ("positive", "negative"))
            out.append(
                Loglikelihood(
                    logprob=-0.1 * len(word) - (0.0 if match else 1.0),
                    is_greedy=match,
                    n_tokens=max(1, len(word.split())),
                )
            )
        return out

    def loglikelihood_rolling(self, requests: list[LoglikelihoodRollingRequest]) -> list[Loglikelihood]:
        """A character model: each character costs log 1/32 (so bits per byte is 5 for ASCII)."""
        self._answering()
        return [Loglikelihood(logprob=-len(r.text) * math.log(32), n_tokens=len(r.text)) for r in requests]

    def classify(self, requests: list[ClassifyRequest]) -> list[dict[str, float]]:
        self._answering()
        out = []
        for r in requests:
            guess = _guess(r.text, r.labels)
            rest = (0.1 / (len(r.labels) - 1)) if len(r.labels) > 1 else 0.0
            out.append({label: 0.9 if label == guess else rest for label in r.labels})
        return out

    def extract_span(self, requests: list[ExtractSpanRequest]) -> list[Span]:
        self._answering()
        out = []
        for r in requests:
            word = r.context.split()[0] if r.context.split() else ""
            start = r.context.find(word)
            out.append(Span(word, start, start + len(word), 1.0))
        return out

    def encode(self, requests: list[EncodeRequest]) -> list[list[float]]:
        self._answering()
        out = []
        for r in requests:
            counts = [float(r.text.lower().count(chr(ord("a") + i))) for i in range(26)]
            norm = math.sqrt(sum(c * c for c in counts)) or 1.0
            out.append([c / norm for c in counts])
        return out

    def describe(self) -> dict[str, Any]:
        return {"calls": self.calls}


class TinyTask:
    """Eight short sentences labelled positive or negative (for tests only).

    params: ``fail`` (``examples`` or ``process``, to make it raise on purpose).
    """

    strategies: ClassVar[tuple[str, ...]] = ("classify", "loglikelihood", "generate")
    default_metrics: ClassVar[tuple[str, ...]] = ("tiny-match",)
    LABELS = ("positive", "negative")

    def __init__(self, spec: TaskSpec) -> None:
        self.fail = spec.params.get("fail")

    def examples(self) -> Iterable[Example]:
        if self.fail == "examples":
            raise RuntimeError("the tiny task was told to fail while loading")
        for index, (text, label) in enumerate(TINY_EXAMPLES):
            yield Example(f"tiny-{index}", text, (label,), {"text": text, "label": label})

    def build_requests(self, example: Example, strategy: str) -> list[Request]:
        text = example.input
        if strategy == "classify":
            return [ClassifyRequest(text, self.LABELS)]
        if strategy == "loglikelihood":
            return [LoglikelihoodRequest(f"{text}\nSentiment:", f" {label}") for label in self.LABELS]
        return [GenerateRequest(f"{text}\nSentiment:", max_new_tokens=3, stop=("\n",))]

    def process_answers(self, example: Example, strategy: str, answers: Sequence[Any]) -> Any:
        if self.fail == "process":
            raise RuntimeError("the tiny task was told to fail while processing")
        if strategy == "classify":
            return max(answers[0], key=answers[0].get)
        if strategy == "loglikelihood":
            return self.LABELS[int(np.argmax([a.logprob for a in answers]))]
        words = str(answers[0]).strip().split()
        return words[0] if words else None


class TinyMatchMetric:
    """Exact match of the prediction with any reference, 0–1 (for tests only)."""

    higher_is_better: ClassVar[bool] = True
    scale: ClassVar[tuple[float, float]] = (0.0, 1.0)
    example: ClassVar[MetricExample] = MetricExample(("a", "b"), (("a",), ("c",)), 0.5)

    def stats(self, predictions: Sequence[Any], references: Sequence[Sequence[Any]]) -> StatsArray:
        return np.array(
            [[float(p in refs)] for p, refs in zip(predictions, references, strict=True)], dtype=np.float64
        ).reshape(-1, 1)

    def aggregate(self, stats: StatsArray) -> float:
        return float(stats[:, 0].mean()) if len(stats) else float("nan")


@hookimpl
def register_models(register: Any) -> None:
    register(TinyModel, name="tiny")


@hookimpl
def register_tasks(register: Any) -> None:
    register(TinyTask, name="tiny")


@hookimpl
def register_metrics(register: Any) -> None:
    register(TinyMatchMetric, name="tiny-match")
