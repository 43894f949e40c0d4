"""A tiny model, task and metric for testing plugins without downloading anything.

They are deterministic and answer every capability, so a task plugin can run on the
tiny model, a model plugin on the tiny task, and a metric plugin in a whole suite.
They register as the plugin ``tiny`` only in hosts made by ``nlpbench.testing``.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

import numpy as np

from nlpbench import hookimpl
from nlpbench.contracts.components import (
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
from nlpbench.contracts.errors import ConfigError, ModelError

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
    or ``answer``, to make it raise on purpose), ``delay`` (seconds each call takes,
    to have a call in flight when a test kills something), ``load_delay`` (seconds
    loading takes, for a model slow to come back) and ``calls_log`` (PATH: to
    ``PATH.jsonl`` goes one JSON line as each call starts and as it finishes, with the
    process id and the ids of the examples asked, so a test can tell which batches were
    asked twice; the param itself names no file, so the store, which hashes the files
    params name into the model's key, keeps one key as the log grows).
    """

    capabilities: ClassVar[frozenset[str]] = frozenset(CAPABILITIES)
    KNOWN_PARAMS = ("capabilities", "fail", "device", "batch_size", "dtype", "delay", "load_delay", "calls_log")

    def __init__(self, spec: ModelSpec) -> None:
        unknown = [k for k in spec.params if k not in self.KNOWN_PARAMS]
        if unknown:
            raise ConfigError(f"unknown param '{unknown[0]}' for the tiny model")
        self.fail = spec.params.get("fail")
        time.sleep(float(spec.params.get("load_delay", 0.0)))
        if self.fail == "load":
            raise ModelError("the tiny model was told to fail while loading")
        narrowed = spec.params.get("capabilities")
        if narrowed is not None:
            self.capabilities = frozenset(narrowed)  # type: ignore[misc]
        self.calls = 0
        self.delay = float(spec.params.get("delay", 0.0))
        log = spec.params.get("calls_log")
        self.calls_log = spec.resolve(f"{log}.jsonl") if log else None

    @classmethod
    def capabilities_for(cls, spec: ModelSpec) -> frozenset[str]:
        narrowed = spec.params.get("capabilities")
        return cls.capabilities if narrowed is None else frozenset(narrowed)

    def _answering(self, requests: Sequence[Request]) -> None:
        self.calls += 1
        if self.fail == "answer":
            raise RuntimeError("the tiny model was told to fail while answering")
        if self.calls_log is not None or self.delay:
            asked = [r.example_id for r in requests]
            self._note("start", asked)
            time.sleep(self.delay)
            self._note("done", asked)

    def _note(self, event: str, asked: list[str | None]) -> None:
        if self.calls_log is not None:  # one short line per write: appends from several processes stay whole
            line = json.dumps({"event": event, "pid": os.getpid(), "ids": asked})
            with open(self.calls_log, "a", encoding="utf-8") as log:
                log.write(line + "\n")

    def generate(self, requests: list[GenerateRequest]) -> list[str]:
        self._answering(requests)
        return [_guess(r.prompt.rsplit("\n", 2)[0], ("positive", "negative")) for r in requests]

    def loglikelihood(self, requests: list[LoglikelihoodRequest]) -> list[Loglikelihood]:
        self._answering(requests)
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
        self._answering(requests)
        return [Loglikelihood(logprob=-len(r.text) * math.log(32), n_tokens=len(r.text)) for r in requests]

    def classify(self, requests: list[ClassifyRequest]) -> list[dict[str, float]]:
        self._answering(requests)
        out = []
        for r in requests:
            guess = _guess(r.text, r.labels)
            rest = (0.1 / (len(r.labels) - 1)) if len(r.labels) > 1 else 0.0
            out.append({label: 0.9 if label == guess else rest for label in r.labels})
        return out

    def extract_span(self, requests: list[ExtractSpanRequest]) -> list[Span]:
        self._answering(requests)
        out = []
        for r in requests:
            word = r.context.split()[0] if r.context.split() else ""
            start = r.context.find(word)
            out.append(Span(word, start, start + len(word), 1.0))
        return out

    def encode(self, requests: list[EncodeRequest]) -> list[list[float]]:
        self._answering(requests)
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

    params: ``fail`` (``examples`` or ``process``, to make it raise on purpose),
    ``repeat`` (the eight sentences N times over, for runs with many batches).
    """

    strategies: ClassVar[tuple[str, ...]] = ("classify", "loglikelihood", "generate")
    default_metrics: ClassVar[tuple[str, ...]] = ("tiny-match",)
    LABELS = ("positive", "negative")

    def __init__(self, spec: TaskSpec) -> None:
        self.fail = spec.params.get("fail")
        self.repeat = int(spec.params.get("repeat", 1))

    def examples(self) -> Iterable[Example]:
        if self.fail == "examples":
            raise RuntimeError("the tiny task was told to fail while loading")
        for round_ in range(self.repeat):
            for index, (text, label) in enumerate(TINY_EXAMPLES):
                # each round's copies differ in length too, so batches are not all alike
                copy = text if round_ == 0 else f"{text}{' again' * (round_ % 7)} ({round_})"
                example_id = f"tiny-{index}" if round_ == 0 else f"tiny-{round_}-{index}"
                yield Example(example_id, copy, (label,), {"text": copy, "label": label})

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
