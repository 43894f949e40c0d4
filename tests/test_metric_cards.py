"""Every metric has a card, docs/metrics/<name>.md, and its worked example is right.

A card has the sections Inputs, Scale, Direction, What it measures, Caveats and
Example, in that order; the example is a JSON block (options, predictions,
references, value, and probabilities for a metric that reads them) that this test
scores with the real metric, and that must be the metric's own ``example``.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import pytest

from nlpbench.running.scoring import metric_stats
from nlpbench.testing import make_host

CARDS = Path(__file__).resolve().parents[1] / "docs" / "metrics"
SECTIONS = ["Inputs", "Scale", "Direction", "What it measures", "Caveats", "Example"]


def _metrics() -> dict[str, Any]:
    host = make_host(entry_points=True, tiny_plugin=False)
    return {item.name: item for item in host.metrics}


METRICS = _metrics()


def _example(card: str) -> dict[str, Any]:
    example = card.split("## Example", 1)[1]
    blocks = re.findall(r"```json\n(.*?)\n```", example, flags=re.DOTALL)
    assert len(blocks) == 1, "the Example section must hold exactly one ```json block"
    parsed: dict[str, Any] = json.loads(blocks[0])
    assert set(parsed) - {"probabilities"} == {"options", "predictions", "references", "value"}, sorted(parsed)
    return parsed


def test_every_card_belongs_to_a_registered_metric() -> None:
    orphans = sorted(p.stem for p in CARDS.glob("*.md") if p.stem not in METRICS and p.stem != "README")
    assert not orphans, f"cards for metrics nobody registers: {orphans}"


@pytest.mark.parametrize("name", sorted(METRICS))
def test_the_card_has_its_sections_in_order(name: str) -> None:
    path = CARDS / f"{name}.md"
    assert path.is_file(), f"metric '{name}' has no card: write {path.relative_to(CARDS.parents[1])}"
    headings = re.findall(r"^## (.+)$", path.read_text(encoding="utf-8"), flags=re.MULTILINE)
    assert headings == SECTIONS


@pytest.mark.parametrize("name", sorted(METRICS))
def test_the_cards_example_is_what_the_metric_computes(name: str) -> None:
    example = _example((CARDS / f"{name}.md").read_text(encoding="utf-8"))
    component = METRICS[name].component
    metric = component(**example["options"])
    stats = metric_stats(metric, name, example["predictions"], example["references"], example.get("probabilities"))
    value = float(metric.aggregate(stats))
    assert math.isclose(value, example["value"], rel_tol=1e-9, abs_tol=1e-9), (value, example["value"])
    own = component.example
    assert list(own.predictions) == example["predictions"], "the card's predictions differ from the class's example"
    assert [list(r) for r in own.references] == example["references"]
    assert own.value is not None and math.isclose(own.value, example["value"], rel_tol=1e-9, abs_tol=1e-9)
    assert [dict(p) if p is not None else None for p in own.probabilities] == example.get("probabilities", [])
