"""The report's attributions panel: per cell with ``attributions``, its summary (method,
faithfulness against random deletion, completeness flags, cost) and its attributed
examples as highlighted tokens, in the order they were chosen (most confident errors
first). Token text reaches the page through template variables, so it is escaped; the
highlight is a number this module computes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nlpbench.report.html import Samples

#: Tokens shown per example; the rest are counted.
MAX_TOKENS = 400


def _number(value: Any, digits: int = 3) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "n/a"
    return f"{float(value):.{digits}g}"


def _interval(entry: Any) -> str:
    if not isinstance(entry, Mapping):
        return "n/a"
    low, high = entry.get("ci_low"), entry.get("ci_high")
    said = _number(entry.get("value"))
    return f"{said} [{_number(low)}, {_number(high)}]" if low is not None and high is not None else said


def highlighted(tokens: Sequence[Any], scores: Sequence[Any]) -> list[dict[str, Any]]:
    """Each token as the page shows it: its text (WordPiece's ``##`` joined to the word
    before, byte-level BPE's own spaces kept), a space before it or not, its score, and
    the highlight: ``positive`` (toward the answer) or not, and an opacity from 0 to 1
    relative to the example's largest absolute score."""
    pairs = [(str(t), float(s)) for t, s in zip(tokens, scores, strict=False) if isinstance(s, int | float)]
    top = max((abs(s) for _, s in pairs), default=0.0) or 1.0
    shown = []
    for index, (token, score) in enumerate(pairs[:MAX_TOKENS]):
        piece = token.startswith("##")
        text = token[2:] if piece else token
        spaced = index > 0 and not piece and not token[:1].isspace() and not pairs[index - 1][0][-1:].isspace()
        shown.append({
            "text": text, "space": spaced, "score": f"{score:.4g}", "positive": score >= 0,
            "alpha": f"{min(1.0, abs(score) / top):.2f}",
        })  # fmt: skip
    return shown


def attribution_panels(results: Mapping[str, Any], samples: Samples) -> list[dict[str, Any]]:
    """One panel per cell whose results have an ``attributions`` summary."""
    panels = []
    for cell in results.get("cells") or []:
        summary = cell.get("attributions")
        if not isinstance(summary, Mapping):
            continue
        key = (str(cell.get("model")), str(cell.get("task")))
        faithfulness = summary.get("faithfulness")
        completeness = summary.get("completeness")
        examples = sorted(samples.attributed.get(key, []), key=lambda e: _rank(e["attributions"]))
        panels.append({
            "model": key[0], "task": key[1], "method": str(summary.get("method", "")),
            "status": str(summary.get("status", "")),
            "reason": str(summary.get("reason") or summary.get("error") or ""),
            "select": str(summary.get("select", "")), "count": str(summary.get("examples", 0)),
            "errors": "" if summary.get("errors") is None else str(summary["errors"]),
            "note": str(summary.get("note") or ""),
            "seconds": _number(summary.get("seconds")), "measure": str(summary.get("measure", "")),
            "faithfulness": _faithfulness(faithfulness) if isinstance(faithfulness, Mapping) else None,
            "flagged": (
                f"{completeness.get('flagged', 0)} of {summary.get('examples', 0)} past tolerance "
                f"{_number(completeness.get('tolerance'))} (largest error {_number(completeness.get('max_abs_error'))})"
                if isinstance(completeness, Mapping) else ""
            ),
            "examples": [_example(e) for e in examples],
        })  # fmt: skip
    return panels


def _rank(entry: Any) -> int:
    rank = entry.get("rank") if isinstance(entry, Mapping) else None
    return rank if isinstance(rank, int) and not isinstance(rank, bool) else 1 << 30


def _faithfulness(entry: Mapping[str, Any]) -> dict[str, str]:
    passed = entry.get("passed")
    return {
        "attribution": _interval(entry.get("attribution_auc")),
        "random": _interval(entry.get("random_auc")),
        "difference": _interval(entry.get("difference")),
        "verdict": "passed" if passed else ("failed" if passed is False else str(entry.get("reason") or "n/a")),
        "n": str(entry.get("examples", 0)),
    }


def _example(example: Mapping[str, Any]) -> dict[str, Any]:
    entry = example["attributions"]
    tokens = entry.get("tokens") if isinstance(entry.get("tokens"), list) else []
    scores = entry.get("scores") if isinstance(entry.get("scores"), list) else []
    flagged = entry.get("completeness_flagged") is True
    return {
        "id": example.get("id") or "", "prediction": example.get("prediction") or "",
        "references": ", ".join(str(r) for r in example.get("references") or []),
        "target": str(entry.get("target", "")), "value": _number(entry.get("value")),
        "error": _number(entry.get("completeness_error")) if entry.get("completeness_error") is not None else "",
        "flagged": flagged, "tokens": highlighted(tokens, scores),
        "more": max(0, len(tokens) - MAX_TOKENS),
    }  # fmt: skip
