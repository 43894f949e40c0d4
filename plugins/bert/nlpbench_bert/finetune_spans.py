"""Fine-tuning a ``bert`` model for ``extract_span``: a question-answering head (start and
end logits over the context's tokens), trained on (question, context, answer) pairs,
evaluated with the model's own span extraction, saved so that a suite loads it with
``path:``.

Imported only when fine-tuning starts: it imports torch and transformers.
"""

from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import torch
from transformers import AutoModelForQuestionAnswering

from nlpbench import (
    DataError,
    ExtractSpanRequest,
    FinetuneReport,
    FinetuneSettings,
    FinetuneStepped,
    ModelError,
    ModelSpec,
    TrainingPair,
)
from nlpbench_transformers import Trainee, run_finetune

from .heads import head_of_architectures
from .inputs import pad
from .runtime import Runtime
from .spans import Window, _windows, extract_spans
from .trainable import loaded_for_training, trainable_params, trainee


def finetune_spans(
    spec: ModelSpec,
    train: Sequence[TrainingPair],
    held_out: Sequence[TrainingPair],
    settings: FinetuneSettings,
    out_dir: Path,
    progress: Callable[[FinetuneStepped], None],
) -> FinetuneReport:
    """Train a QA head (and the encoder under it) on ``train``; see :meth:`nlpbench_bert.BERTModel.finetune`."""
    if not train:
        raise DataError("there are no training pairs")
    answers = [answer_offsets(pair) for pair in train]
    for pair in held_out:
        answer_offsets(pair)  # the same checks, before anything loads
    params = trainable_params(spec)

    @contextmanager
    def prepared() -> Iterator[Trainee]:
        with loaded_for_training(spec, params, AutoModelForQuestionAnswering, "qa") as runtime:
            config = runtime.model.config
            kept = head_of_architectures(getattr(config, "architectures", None)) == "qa" and spec.config is None
            config.architectures = [type(runtime.model).__name__]  # saved as what it now is
            trainer = _SpanTrainer(runtime, train, held_out, answers)
            facts = {
                "head": "kept" if kept else "new",
                "features": len(trainer.windows),
                "answerless_features": int((trainer.positions[:, 0] == 0).sum()),
                "doc_stride": params.doc_stride,
            }
            yield trainee(
                runtime, trainer, len(train), bool(held_out), lambda: {**facts, **runtime.truncation.describe()}
            )

    return run_finetune(prepared, settings, out_dir, progress)


class _SpanTrainer:
    """Each train pair's context in windows (as ``extract_span`` reads it), each window
    labelled with the answer's first and last token; a step trains on ``batch_size``
    pairs with all their windows. Held out: the model's own span extraction, scored."""

    def __init__(
        self,
        runtime: Runtime,
        train: Sequence[TrainingPair],
        held_out: Sequence[TrainingPair],
        answers: Sequence[tuple[int, int]],
    ) -> None:
        self.runtime = runtime
        self.windows = _windows(runtime, [_request(pair) for pair in train])
        self.positions = torch.tensor([token_positions(w, answers[w.request]) for w in self.windows], dtype=torch.long)
        self.by_pair: list[list[int]] = [[] for _ in train]
        for i, window in enumerate(self.windows):
            self.by_pair[window.request].append(i)
        self.held_requests = [_request(pair) for pair in held_out]
        self.held_targets = [str(pair.target) for pair in held_out]

    def batch_loss(self, batch: Sequence[int]) -> torch.Tensor:
        """transformers' QA loss (the mean of the start and end cross-entropies) of the
        windows of the train pairs at ``batch``."""
        chosen = [i for pair in batch for i in self.by_pair[pair]]
        inputs = pad(self.runtime, [self.windows[i].row for i in chosen])
        labels = self.positions[chosen].to(self.runtime.device)
        loss: torch.Tensor = self.runtime.model(**inputs, start_positions=labels[:, 0], end_positions=labels[:, 1]).loss
        return loss

    def evaluate(self) -> dict[str, float]:
        spans = extract_spans(self.runtime, self.held_requests)
        return span_scores([span.text for span in spans], self.held_targets)


def _request(pair: TrainingPair) -> ExtractSpanRequest:
    if not isinstance(pair.request, ExtractSpanRequest):
        raise ModelError(
            f"example '{pair.example_id}': expected an ExtractSpanRequest, got {type(pair.request).__name__}"
        )
    return pair.request


def answer_offsets(pair: TrainingPair) -> tuple[int, int]:
    """The character offsets of the pair's target in its context: the first exact
    occurrence, else the first in any case; DataError when it is not there."""
    context, target = _request(pair).context, str(pair.target)
    if not target.strip():
        raise DataError(f"example '{pair.example_id}': its answer is empty")
    start = context.find(target)
    if start < 0:
        start = context.lower().find(target.lower())
        if start < 0 or len(context.lower()) != len(context):  # lower() kept the offsets
            raise DataError(f"example '{pair.example_id}': its answer {target!r} is not in its context")
    return start, start + len(target)


def token_positions(window: Window, answer: tuple[int, int]) -> tuple[int, int]:
    """The first and last token of ``answer`` (characters) in ``window``, or (0, 0), the
    CLS token, when the window does not hold the whole answer (as transformers' run_qa)."""
    first, last = answer
    inside = [p for p, is_context in enumerate(window.context) if is_context]
    if not inside or window.offsets[inside[0]][0] > first or window.offsets[inside[-1]][1] < last:
        return 0, 0
    start = max(p for p in inside if window.offsets[p][0] <= first)
    end = min(p for p in inside if window.offsets[p][1] >= last)
    return start, max(start, end)


_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCTUATION = set(string.punctuation)


def normalize_answer(text: str) -> str:
    """SQuAD's normalization: lower case, no punctuation, no articles, single spaces."""
    text = "".join(ch for ch in text.lower() if ch not in _PUNCTUATION)
    return " ".join(_ARTICLES.sub(" ", text).split())


def token_f1(prediction: str, target: str) -> float:
    """SQuAD's token F1 of the normalized answers."""
    predicted, expected = normalize_answer(prediction).split(), normalize_answer(target).split()
    if not predicted or not expected:
        return float(predicted == expected)
    common = sum((Counter(predicted) & Counter(expected)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(predicted), common / len(expected)
    return 2 * precision * recall / (precision + recall)


def span_scores(predictions: Sequence[str], targets: Sequence[str]) -> dict[str, Any]:
    """Mean exact match and token F1 (SQuAD-normalized) of ``predictions`` against ``targets``."""
    n = len(targets)
    exact = sum(normalize_answer(p) == normalize_answer(t) for p, t in zip(predictions, targets, strict=True))
    f1 = sum(token_f1(p, t) for p, t in zip(predictions, targets, strict=True))
    return {"exact_match": exact / n, "f1": f1 / n}
