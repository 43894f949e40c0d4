"""Token attributions of a gpt model's chosen continuation (docs/attributions.md): of an
example's loglikelihood requests (a question's answer choices, a review's label words),
the one whose continuation the model finds most likely is explained, by the sum of its
tokens' log-probabilities given the context. The context's tokens are attributed (the
continuation's own are the same in the baseline, so theirs are zero); the baseline of
integrated gradients replaces the context by padding, keeping a start token."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import torch

from nlpbench import Attribution, AttributionRequest, DeletionRequest, LoglikelihoodRequest, ModelError
from nlpbench_transformers import BatchRunner
from nlpbench_transformers.attributions import Explainer, Row, without

from .encoding import Pair, encode_pairs

if TYPE_CHECKING:
    from .causal import CausalLM


def attribute(lm: CausalLM, requests: Sequence[AttributionRequest]) -> list[Attribution]:
    """One attribution per request: of its most likely continuation."""
    for request in requests:
        if request.capability != "loglikelihood":
            raise ModelError(f"a gpt model attributes loglikelihood answers, not {request.capability}")
    if not requests:
        return []
    methods = {request.method for request in requests}
    steps = {request.steps for request in requests}
    if len(methods) != 1 or len(steps) != 1:
        raise ModelError("attribute: one method and one number of steps per call")
    per_example: list[list[LoglikelihoodRequest]] = []
    for request in requests:
        asked = [r for r in request.requests if isinstance(r, LoglikelihoodRequest)]
        if len(asked) != len(request.requests) or not asked:
            raise ModelError(f"example '{request.example_id}': attributions need its loglikelihood requests")
        per_example.append(asked)
    # every example's choices scored in one call (the scorer batches them), then each example's best
    scores = iter(lm.loglikelihood([r for asked in per_example for r in asked]))
    chosen: list[tuple[int, LoglikelihoodRequest]] = []
    for asked in per_example:
        mine = [next(scores) for _ in asked]
        best = max(range(len(asked)), key=lambda k: (mine[k].logprob, -k))
        chosen.append((best, asked[best]))
    pairs = _pairs(lm, [request for _, request in chosen])
    leading = _leading(lm, pairs)
    rows = [
        _row(prefix, targets, lm.scorer.pad_id, lead) for (prefix, targets), lead in zip(pairs, leading, strict=True)
    ]
    explained = _explainer(lm).explain(rows, methods.pop(), steps.pop())
    found = []
    for (best, explained_request), (prefix, targets), row, lead, result in zip(
        chosen, pairs, rows, leading, explained, strict=True
    ):
        found.append(
            Attribution(
                tokens=tuple(str(lm.tokenizer.decode([token])) for token in row.ids),
                scores=tuple(result.scores),
                target=explained_request.continuation,
                value=result.value,
                request=best,
                measure="log-probability",
                baseline_value=result.baseline_value,
                completeness_error=result.completeness_error,
                deletable=tuple(range(lead, len(prefix))),
                handle=(len(prefix), *prefix, *targets),
            )
        )
    return found


def deletion_scores(lm: CausalLM, requests: Sequence[DeletionRequest]) -> list[list[float]]:
    """The chosen continuation's log-probability with each removal's context tokens taken out."""
    rows: list[Row] = []
    for request in requests:
        attribution = request.attribution
        length = attribution.handle[0]
        prefix, targets = attribution.handle[1 : 1 + length], attribution.handle[1 + length :]
        for removed in request.removed:
            kept = without(prefix, removed) or (lm._start_token(),)  # an empty context conditions on the start token
            rows.append(_row(kept, tuple(targets), lm.scorer.pad_id, len(kept)))
    values = _explainer(lm).values(rows) if rows else []
    answers, offset = [], 0
    for request in requests:
        answers.append(values[offset : offset + len(request.removed)])
        offset += len(request.removed)
    return answers


def _pairs(lm: CausalLM, requests: list[LoglikelihoodRequest]) -> list[Pair]:
    """Each request's (context, continuation) tokens, as ``loglikelihood`` scores them."""
    asked = lm._chatted(requests)
    encoded = encode_pairs(
        lm._encode, [(r.context, r.continuation) for r in asked], start_token=lm._start_token(),
        prepend_start=lm.prepend_start,
    )  # fmt: skip
    pairs = [lm._fit(prefix, targets) for prefix, targets in encoded]
    for _, targets in pairs:
        if not targets:
            raise ModelError("a continuation without tokens cannot be attributed")
    return pairs


def _leading(lm: CausalLM, pairs: list[Pair]) -> list[int]:
    """How many tokens start each context that are the model's start token, not the text's:
    kept in the baseline and never deleted."""
    start = lm._start_token()
    return [1 if prefix and prefix[0] == start and (lm.prepend_start or len(prefix) == 1) else 0 for prefix, _ in pairs]


def _row(prefix: Sequence[int], targets: Sequence[int], pad: int, lead: int) -> Row:
    """The model reads the context and all but the continuation's last token; the score
    reads the continuation from the context's last position on."""
    ids = (*prefix, *targets[:-1])
    baseline = (*prefix[:lead], *[pad] * (len(prefix) - lead), *targets[:-1])
    return Row(ids, baseline, (len(prefix) - 1, *targets), focus=len(prefix) - 1)


def _log_probability(
    model: Any, ids: torch.Tensor, mask: torch.Tensor, types: torch.Tensor | None, targets: torch.Tensor
) -> torch.Tensor:
    """targets: (the context's last position, the continuation's tokens); their summed log-probability."""
    logits = model(input_ids=ids, attention_mask=mask).logits.float()
    tokens = targets[:, 1:]
    positions = targets[:, :1] + torch.arange(tokens.shape[1], device=ids.device)[None, :]
    valid = tokens >= 0
    rows = torch.arange(ids.shape[0], device=ids.device)[:, None].expand_as(tokens)
    picked = torch.log_softmax(logits[rows, positions.clamp(max=ids.shape[1] - 1)], dim=-1)
    values = picked.gather(2, tokens.clamp(min=0)[..., None]).squeeze(2)
    return (values * valid).sum(dim=1)


def _explainer(lm: CausalLM) -> Explainer:
    # a runner of its own: attributions are not counted in the model's tokens/s
    return Explainer(lm.model, lm.loaded.device, lm.scorer.pad_id, BatchRunner(lm.runner.batch_size), _log_probability)
