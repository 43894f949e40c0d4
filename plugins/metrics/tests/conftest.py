"""Shared fixtures: random label sets and the real SST-2 dev labels."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

LabelSet = tuple[list[str], list[str]]


def _random_sets() -> dict[str, LabelSet]:
    rng = np.random.default_rng(20261130)
    sets: dict[str, LabelSet] = {}
    for size in (7, 60, 500):
        refs = rng.choice(["negative", "positive"], size=size).tolist()
        preds = rng.choice(["negative", "positive"], size=size).tolist()
        sets[f"binary-{size}"] = (preds, refs)
        # four classes, "d" never predicted; the predictions also use "e", never a reference
        refs = rng.choice(["a", "b", "c", "d"], size=size, p=[0.4, 0.3, 0.2, 0.1]).tolist()
        preds = rng.choice(["a", "b", "c", "e"], size=size, p=[0.5, 0.2, 0.2, 0.1]).tolist()
        sets[f"four-class-{size}"] = (preds, refs)
        # mostly right, so scores are far from chance
        refs = rng.choice(["a", "b", "c", "d"], size=size).tolist()
        preds = [r if rng.random() < 0.8 else "a" for r in refs]
        sets[f"four-class-good-{size}"] = (preds, refs)
    return sets


RANDOM_SETS = _random_sets()


@pytest.fixture(scope="session")
def label_sets() -> dict[str, LabelSet]:
    """Every random label set, by name."""
    return RANDOM_SETS


@pytest.fixture(params=sorted(RANDOM_SETS))
def label_set(request: pytest.FixtureRequest) -> LabelSet:
    """(predictions, references) as flat label lists."""
    return RANDOM_SETS[request.param]


@pytest.fixture(scope="session")
def sst2_labels(nlpbench_shared_data: Path) -> LabelSet:
    """SST-2 dev labels as predictions shuffled against the real order as references."""
    path = nlpbench_shared_data / "sentiment_sst2" / "dev.tsv"
    with path.open(encoding="utf-8", newline="") as handle:
        labels = [row["label"] for row in csv.DictReader(handle, delimiter="\t")]
    shuffled = list(np.random.default_rng(7).permutation(labels))
    return [str(label) for label in shuffled], labels
