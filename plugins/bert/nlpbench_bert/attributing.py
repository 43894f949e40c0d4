"""Token attributions of a bert model's own answers (docs/attributions.md): the label a
classification head gives the highest probability (explained: that label's probability,
renormalised over the request's labels as ``classify`` does), or the span a QA head
extracts (explained: p(start) · p(end) over the window the span is in). The baseline of
integrated gradients keeps the special tokens and pads the rest."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch

from nlpbench import Attribution, AttributionRequest, ClassifyRequest, DeletionRequest, ExtractSpanRequest, ModelError
from nlpbench_transformers import BatchRunner
from nlpbench_transformers.attributions import Explainer, Row, shifted, without

from .classify import classify_with_head, match_labels
from .inputs import truncation_side
from .runtime import Runtime, head_labels
from .spans import _windows, extract_spans


def attribute(runtime: Runtime, requests: Sequence[AttributionRequest]) -> list[Attribution]:
    """One attribution per request (its first request explained: bert answers one per example)."""
    capability = _capability(runtime, requests)
    if not requests:
        return []
    asked = [request.requests[0] for request in requests]
    if capability == "classify":
        rows, targets = _classify_rows(runtime, asked)
        score = _label_probability
    else:
        rows, targets = _span_rows(runtime, asked)
        score = _span_probability
    explainer = _explainer(runtime, score)
    methods = {request.method for request in requests}
    steps = {request.steps for request in requests}
    if len(methods) != 1 or len(steps) != 1:
        raise ModelError("attribute: one method and one number of steps per call")
    explained = explainer.explain(rows, methods.pop(), steps.pop())
    tokenizer = runtime.tokenizer
    specials = set(tokenizer.all_special_ids)
    found = []
    for row, (target, handle, keep), result in zip(rows, targets, explained, strict=True):
        deletable = tuple(i for i, token in enumerate(row.ids) if token not in specials and i not in keep)
        found.append(
            Attribution(
                tokens=tuple(tokenizer.convert_ids_to_tokens(list(row.ids))),
                scores=tuple(result.scores),
                target=target,
                value=result.value,
                measure="probability",
                baseline_value=result.baseline_value,
                completeness_error=result.completeness_error,
                deletable=deletable,
                handle=handle,
            )
        )
    return found


def deletion_scores(runtime: Runtime, requests: Sequence[DeletionRequest]) -> list[list[float]]:
    """The explained probability with each removal's tokens taken out of the attributed input."""
    capability = _capability(runtime, [request.request for request in requests])
    if not requests:
        return []
    rows: list[Row] = []
    for request in requests:
        attribution = request.attribution
        converted = runtime.tokenizer.convert_tokens_to_ids(list(attribution.tokens))
        ids = tuple(converted) if isinstance(converted, list) else (converted,)
        types = _types_of(runtime, request)
        for removed in request.removed:
            if capability == "classify":
                targets = attribution.handle
            else:
                start, end = attribution.handle
                targets = (shifted(start, removed), shifted(end, removed))
            rows.append(Row(without(ids, removed), (), targets, without(types, removed) if types else None))
    score = _label_probability if capability == "classify" else _span_probability
    values = _explainer(runtime, score).values(rows)
    answers, offset = [], 0
    for request in requests:
        answers.append(values[offset : offset + len(request.removed)])
        offset += len(request.removed)
    return answers


# -- classification -------------------------------------------------------------


def _classify_rows(
    runtime: Runtime, requests: Sequence[ClassifyRequest]
) -> tuple[list[Row], list[tuple[str, tuple[int, ...], set[int]]]]:
    """Each request as a row, with the label it is given the highest probability (and the
    head's indices of the request's labels, the score's ``targets``)."""
    names = head_labels(runtime.model.config)
    answers = classify_with_head(runtime, requests)
    rows: list[Row] = []
    targets: list[tuple[str, tuple[int, ...], set[int]]] = []
    for request, answer in zip(requests, answers, strict=True):
        matched = match_labels(request.labels, names)
        best = max(range(len(request.labels)), key=lambda k: (answer[request.labels[k]], -k))
        ids, types = _encoded(runtime, request.text, request.text_pair)
        handle = (best, *matched)
        rows.append(Row(ids, _baseline(runtime, ids), handle, types, focus=0))
        targets.append((request.labels[best], handle, set()))
    return rows, targets


def _label_probability(
    model: Any, ids: torch.Tensor, mask: torch.Tensor, types: torch.Tensor | None, targets: torch.Tensor
) -> torch.Tensor:
    """targets: (the explained label's place among the request's labels, the head's index of each label)."""
    logits = model(**_inputs(ids, mask, types)).logits.float()
    which = targets[:, 1:]
    picked = logits.gather(1, which.clamp(min=0)).masked_fill(which < 0, float("-inf"))
    return torch.softmax(picked, dim=-1).gather(1, targets[:, :1]).squeeze(1)


# -- spans ------------------------------------------------------------------------


def _span_rows(
    runtime: Runtime, requests: Sequence[ExtractSpanRequest]
) -> tuple[list[Row], list[tuple[str, tuple[int, ...], set[int]]]]:
    """Each request's window that holds its extracted span, with the span's token positions."""
    spans = extract_spans(runtime, requests)
    windows = _windows(runtime, requests)
    rows: list[Row] = []
    targets: list[tuple[str, tuple[int, ...], set[int]]] = []
    for index, span in enumerate(spans):
        mine = [window for window in windows if window.request == index]
        found = None
        for window in mine:
            inside = [p for p, flag in enumerate(window.context) if flag]
            first = [p for p in inside if window.offsets[p][0] <= span.start < window.offsets[p][1]]
            last = [p for p in inside if window.offsets[p][0] < span.end <= window.offsets[p][1]]
            if span.end > span.start and first and last and first[0] <= last[-1]:
                found = (window, first[0], last[-1])
                break
        if found is None:  # no answer: the [CLS] token stands for it, as in SQuAD 2.0
            window, start, end, said = mine[0], 0, 0, "(no answer)"
        else:
            window, start, end = found
            said = span.text
        ids = tuple(window.row.input_ids)
        types = tuple(window.row.token_type_ids) if window.row.token_type_ids is not None else None
        rows.append(Row(ids, _baseline(runtime, ids), (start, end), types, focus=start))
        targets.append((said, (start, end), set(range(start, end + 1))))
    return rows, targets


def _span_probability(
    model: Any, ids: torch.Tensor, mask: torch.Tensor, types: torch.Tensor | None, targets: torch.Tensor
) -> torch.Tensor:
    """targets: the span's start and end token; p(start) · p(end) over the row's tokens."""
    output = model(**_inputs(ids, mask, types))
    padding = mask == 0
    start = torch.log_softmax(output.start_logits.float().masked_fill(padding, float("-inf")), dim=-1)
    end = torch.log_softmax(output.end_logits.float().masked_fill(padding, float("-inf")), dim=-1)
    picked = start.gather(1, targets[:, :1]) + end.gather(1, targets[:, 1:2])
    return picked.squeeze(1).exp()


# -- shared -------------------------------------------------------------------------


def _capability(runtime: Runtime, requests: Sequence[AttributionRequest]) -> str:
    wanted = {"classification": "classify", "qa": "extract_span"}.get(runtime.head)
    for request in requests:
        if request.capability != wanted:
            raise ModelError(f"this checkpoint's {runtime.head} head cannot attribute {request.capability} answers")
    return wanted or ""


def _explainer(runtime: Runtime, score: Any) -> Explainer:
    pad = runtime.tokenizer.pad_token_id or 0
    # a runner of its own: attributions are not counted in the model's tokens/s
    return Explainer(runtime.model, runtime.device, pad, BatchRunner(runtime.settings.batch_size), score)


def _encoded(runtime: Runtime, text: str, pair: str | None) -> tuple[tuple[int, ...], tuple[int, ...] | None]:
    """The ids (and token types) ``classify`` reads: cut to max_length on the configured side."""
    tokenizer = runtime.tokenizer
    with truncation_side(tokenizer, runtime.truncation.side):
        encoded = tokenizer(text, pair, truncation=True, max_length=runtime.max_length)
    types = encoded.get("token_type_ids") if runtime.token_types else None
    return tuple(encoded["input_ids"]), tuple(types) if types is not None else None


def _baseline(runtime: Runtime, ids: Sequence[int]) -> tuple[int, ...]:
    """``ids`` with every token but the special ones replaced by padding."""
    specials = set(runtime.tokenizer.all_special_ids) - {runtime.tokenizer.pad_token_id}
    pad = runtime.tokenizer.pad_token_id or 0
    return tuple(token if token in specials else pad for token in ids)


def _types_of(runtime: Runtime, request: DeletionRequest) -> tuple[int, ...] | None:
    """The attributed row's token types, rebuilt from its request (they are not in the attribution)."""
    if not runtime.token_types:
        return None
    asked = request.request.requests[0]
    tokens = request.attribution.tokens
    sep = runtime.tokenizer.sep_token
    if isinstance(asked, ClassifyRequest) and asked.text_pair is None:
        return (0,) * len(tokens)
    first = tokens.index(sep) if sep in tokens else len(tokens) - 1
    return tuple(0 if i <= first else 1 for i in range(len(tokens)))


def _inputs(ids: torch.Tensor, mask: torch.Tensor, types: torch.Tensor | None) -> dict[str, torch.Tensor]:
    inputs = {"input_ids": ids, "attention_mask": mask}
    if types is not None:
        inputs["token_type_ids"] = types
    return inputs
