"""Token attributions with Captum, shared by the gpt and bert types (docs/attributions.md).

A model type turns each request to explain into a :class:`Row` (token ids, the baseline
integrated gradients starts from, the per-row target its :data:`Score` reads) and a
score function: differentiable, one value per row (a label's probability, a span's, a
continuation's log-probability). :class:`Explainer` then attributes that value to the
tokens, batched and on the model's device:

- ``integrated-gradients``: Captum's ``LayerIntegratedGradients`` on the input embedding
  layer, from the baseline's embeddings, with its completeness error (convergence delta);
- ``gradient-x-input``: Captum's ``LayerGradientXActivation`` on the same layer (the
  gradient times the token's embedding, summed over the embedding);
- ``attention``: the last layer's attention from the row's ``focus`` position (the [CLS]
  token, the position that predicts the continuation), averaged over heads, read with
  the eager attention implementation for the duration.

Captum is an optional dependency (``pip install 'nlpbench-transformers[attributions]'``);
it is imported only when something is attributed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import torch

from nlpbench import ModelError

from .batching import BatchRunner

#: The command that installs what attributions need.
INSTALL = "pip install 'nlpbench-transformers[attributions]'"

#: ``score(model, ids, mask, types, targets) -> values``: one differentiable value per row
#: of the batch; ``targets`` is each row's :attr:`Row.targets`, padded with -1.
Score = Callable[[Any, torch.Tensor, torch.Tensor, torch.Tensor | None, torch.Tensor], torch.Tensor]


@dataclass(frozen=True)
class Row:
    """One input to explain: its token ids, the baseline's (as long: special tokens kept,
    the rest padding), token type ids where the model takes them, what the score reads,
    and the position attention is read from."""

    ids: tuple[int, ...]
    baseline: tuple[int, ...]
    targets: tuple[int, ...]
    types: tuple[int, ...] | None = None
    focus: int = 0


@dataclass(frozen=True)
class Explained:
    """One row's attribution: a score per token, the value explained, and for integrated
    gradients the baseline's value and the completeness error."""

    scores: list[float]
    value: float
    baseline_value: float | None = None
    completeness_error: float | None = None


def require_captum() -> None:
    """ModelError naming the pip command when Captum is not installed."""
    try:
        import captum.attr  # type: ignore[import-untyped]  # noqa: F401
    except ImportError as error:
        raise ModelError(f"token attributions need Captum, which is not installed: {INSTALL}") from error


class Explainer:
    """Attributes ``score`` to the tokens of rows, in batches that ``runner`` sizes."""

    def __init__(self, model: Any, device: torch.device, pad_id: int, runner: BatchRunner, score: Score) -> None:
        self.model = model
        self.device = device
        self.pad_id = pad_id
        self.runner = runner
        self.score = score

    def explain(self, rows: Sequence[Row], method: str, steps: int) -> list[Explained]:
        """Each row's attribution by ``method`` (see the module's docstring), in order."""
        require_captum()
        if method not in ("integrated-gradients", "gradient-x-input", "attention"):
            raise ModelError(f"unknown attribution method '{method}'")

        def work(batch: list[int]) -> list[Explained]:
            chosen = [rows[i] for i in batch]
            if method == "attention":
                return self._attention(chosen)
            return self._gradients(chosen, method, steps)

        return self.runner.run(
            [len(row.ids) * (steps if method == "integrated-gradients" else 1) for row in rows], work
        )

    def values(self, rows: Sequence[Row]) -> list[float]:
        """Each row's value, without gradients (the deletion check's)."""

        def work(batch: list[int]) -> list[float]:
            ids, mask, types, targets = self._tensors([rows[i] for i in batch])
            with torch.inference_mode():
                return [float(v) for v in self.score(self.model, ids, mask, types, targets).double().cpu().tolist()]

        return self.runner.run([len(row.ids) for row in rows], work)

    # -- the methods ---------------------------------------------------------

    def _gradients(self, rows: Sequence[Row], method: str, steps: int) -> list[Explained]:
        from captum.attr import LayerGradientXActivation, LayerIntegratedGradients

        ids, mask, types, targets = self._tensors(rows)
        layer = self.model.get_input_embeddings()

        def forward(inputs: torch.Tensor, mask: torch.Tensor, types: Any, targets: torch.Tensor) -> torch.Tensor:
            return self.score(self.model, inputs, mask, types, targets).float()

        extra = (mask, types, targets)
        with torch.enable_grad():
            if method == "integrated-gradients":
                baseline = self._padded([row.baseline for row in rows])
                attributions, delta = LayerIntegratedGradients(forward, layer).attribute(
                    ids, baselines=baseline, additional_forward_args=extra, n_steps=steps, method="gausslegendre",
                    internal_batch_size=max(len(rows), self.runner.batch_size), return_convergence_delta=True,
                )  # fmt: skip
                with torch.inference_mode():
                    values = forward(ids, *extra).double().cpu().tolist()
                    baselines = forward(baseline, *extra).double().cpu().tolist()
                errors = delta.double().cpu().tolist()
            else:
                attributions = LayerGradientXActivation(forward, layer).attribute(ids, additional_forward_args=extra)
                with torch.inference_mode():
                    values = forward(ids, *extra).double().cpu().tolist()
        per_token = attributions.double().sum(dim=-1).cpu().tolist()
        explained = []
        for k, row in enumerate(rows):
            scores = per_token[k][: len(row.ids)]
            if method == "integrated-gradients":
                explained.append(Explained(scores, values[k], baselines[k], errors[k]))
            else:
                explained.append(Explained(scores, values[k]))
        return explained

    def _attention(self, rows: Sequence[Row]) -> list[Explained]:
        ids, mask, types, targets = self._tensors(rows)
        with eager_attention(self.model), torch.inference_mode():
            values = self.score(self.model, ids, mask, types, targets).double().cpu().tolist()
            inputs: dict[str, Any] = {"input_ids": ids, "attention_mask": mask, "output_attentions": True}
            if types is not None:
                inputs["token_type_ids"] = types
            last = self.model(**inputs).attentions[-1].float().mean(dim=1)  # batch × query × key
            focus = torch.tensor([row.focus for row in rows], device=last.device)
            weights = last[torch.arange(len(rows), device=last.device), focus].double().cpu().tolist()
        return [Explained(weights[k][: len(row.ids)], values[k]) for k, row in enumerate(rows)]

    # -- tensors ---------------------------------------------------------------

    def _tensors(self, rows: Sequence[Row]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None, torch.Tensor]:
        ids = self._padded([row.ids for row in rows])
        width = ids.shape[1]
        mask = torch.tensor([[1] * len(r.ids) + [0] * (width - len(r.ids)) for r in rows], device=self.device)
        types = None
        if rows[0].types is not None:
            types = torch.tensor([[*(r.types or ()), *[0] * (width - len(r.ids))] for r in rows], device=self.device)
        longest = max(len(row.targets) for row in rows)
        targets = torch.tensor([[*r.targets, *[-1] * (longest - len(r.targets))] for r in rows], device=self.device)
        return ids, mask, types, targets

    def _padded(self, rows: Sequence[Sequence[int]]) -> torch.Tensor:
        width = max(len(row) for row in rows)
        return torch.tensor([[*row, *[self.pad_id] * (width - len(row))] for row in rows], device=self.device)


@contextmanager
def eager_attention(model: Any) -> Iterator[None]:
    """The model computing attention eagerly (so that it can return the weights) for the duration."""
    before = getattr(model.config, "_attn_implementation", None)
    switch = callable(getattr(model, "set_attn_implementation", None)) and before not in (None, "eager")
    if switch:
        model.set_attn_implementation("eager")
    try:
        yield
    finally:
        if switch:
            model.set_attn_implementation(before)


def without(items: Sequence[int], positions: Sequence[int]) -> tuple[int, ...]:
    """``items`` with the given positions taken out."""
    gone = set(positions)
    return tuple(item for i, item in enumerate(items) if i not in gone)


def shifted(position: int, removed: Sequence[int]) -> int:
    """Where ``position`` lands once the (other) positions ``removed`` are taken out."""
    return position - sum(1 for r in removed if r < position)
