"""Label probabilities: from a sequence-classification head, or zero-shot from a bare
encoder by the similarity of the text's embedding to each label's description."""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch

from nlpbench import ClassifyRequest, ModelError

from .embed import embed_rows
from .inputs import pad, tokenize
from .runtime import Runtime, head_labels


def classify(runtime: Runtime, requests: Sequence[ClassifyRequest]) -> list[dict[str, float]]:
    """One label → probability mapping per request, in request order."""
    if runtime.head == "classification":
        return classify_with_head(runtime, requests)
    return classify_zero_shot(runtime, requests)


def classify_with_head(runtime: Runtime, requests: Sequence[ClassifyRequest]) -> list[dict[str, float]]:
    """The softmax of the head's logits over the labels a request asks for (all of the
    head's labels, usually; a subset renormalises over that subset)."""
    names = head_labels(runtime.model.config)
    matched: dict[tuple[str, ...], list[int]] = {}
    for request in requests:  # every label is checked before anything runs
        if request.labels not in matched:
            matched[request.labels] = match_labels(request.labels, names)
    rows = tokenize(runtime, [r.text for r in requests], [r.text_pair for r in requests])

    def work(batch: list[int]) -> list[list[float]]:
        inputs = pad(runtime, [rows[i] for i in batch])
        with torch.inference_mode():
            logits = runtime.model(**inputs).logits.float()
        return logits.cpu().tolist()

    logits = runtime.runner.run([len(row.input_ids) for row in rows], work)
    return [
        dict(zip(request.labels, softmax([row[j] for j in matched[request.labels]]), strict=True))
        for request, row in zip(requests, logits, strict=True)
    ]


def match_labels(asked: Sequence[str], names: Sequence[str]) -> list[int]:
    """The index of each asked label among the head's ``names``: the same name, or else
    the only one equal ignoring case. ModelError naming both sets when one is missing."""
    folded: dict[str, list[int]] = {}
    for index, name in enumerate(names):
        folded.setdefault(name.casefold(), []).append(index)
    indices, missing = [], []
    for label in asked:
        if label in names:
            indices.append(names.index(label))
        elif len(folded.get(label.casefold(), ())) == 1:
            indices.append(folded[label.casefold()][0])
        else:
            missing.append(label)
    if missing:
        raise ModelError(
            f"the task's labels ({', '.join(asked)}) are not all among the classification head's labels "
            f"({', '.join(names)}): {', '.join(repr(m) for m in missing)} missing (labels match ignoring case; "
            "use a checkpoint whose config.id2label names the task's labels)"
        )
    return indices


def classify_zero_shot(runtime: Runtime, requests: Sequence[ClassifyRequest]) -> list[dict[str, float]]:
    """softmax(cosine(text, description of label) / temperature) over each request's
    labels; a label's description is ``label_template`` with the label filled in."""
    settings = runtime.settings
    new = sorted({label for request in requests for label in request.labels} - runtime.descriptions.keys())
    if new:
        described = tokenize(runtime, [settings.label_template.format(label=label) for label in new])
        runtime.descriptions.update(zip(new, embed_rows(runtime, described), strict=True))
    texts = embed_rows(runtime, tokenize(runtime, [r.text for r in requests], [r.text_pair for r in requests]))
    answers = []
    for request, text in zip(requests, texts, strict=True):
        vector = torch.tensor(text, dtype=torch.float64)
        labels = torch.tensor([runtime.descriptions[label] for label in request.labels], dtype=torch.float64)
        similarities = (labels @ vector).tolist()  # both unit length: cosines
        scaled = [s / settings.temperature for s in similarities]
        answers.append(dict(zip(request.labels, softmax(scaled), strict=True)))
    return answers


def softmax(values: Sequence[float]) -> list[float]:
    """In double precision, shifted by the maximum so nothing overflows."""
    if not values:
        return []
    top = max(values)
    exps = [math.exp(v - top) for v in values]
    total = sum(exps)
    return [e / total for e in exps]
