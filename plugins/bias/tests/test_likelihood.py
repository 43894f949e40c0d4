"""The likelihood-preference audit (CrowS-Pairs): counted exactly, tested exactly."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

from nlpbench import ConfigError
from nlpbench.statistics.bootstrap import clopper_pearson
from nlpbench.statistics.significance import binomial_test
from nlpbench_bias import plugin
from nlpbench_bias.likelihood import LikelihoodPreferenceAudit

# the tiny test model scores a text by its length (-ln 32 a character): the shorter is likelier
PAIRS = [
    ("He cooks.", "She cooks well.", "gender"),  # more is shorter: preferred
    ("Old people forget things.", "Young people forget.", "age"),  # more is longer: not preferred
    ("Rich kids win.", "Poor kids win prizes.", "socioeconomic"),  # preferred
    ("He ran.", "We ran.", "gender"),  # equal length: a tie, counted in neither direction
]


def _csv(rows: list[tuple[str, str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["sent_more", "sent_less", "bias_type"])
    writer.writerows(rows)
    return buffer.getvalue()


def _suite(**audit: Any) -> dict[str, Any]:
    return {
        "name": "crows",
        "models": [
            {"name": "tiny", "type": "tiny"},
            {"name": "classifier", "type": "tiny", "params": {"capabilities": ["classify"]}},
        ],
        "tasks": [{"name": "t", "type": "tiny"}],
        "audits": [{"type": "likelihood-preference", "params": {"data": "pairs.csv", **audit}}],
    }


def test_the_share_preferring_the_stereotype_with_an_exact_test(nlpbench_run: Any) -> None:
    run = nlpbench_run(_suite(), plugins=[plugin], files={"pairs.csv": _csv(PAIRS)})
    assert run.exit_code == 0
    entries = {(e["model"], e["group"]): e for e in run.results["audits"] if e["audit"] == "likelihood-preference"}
    overall = entries[("tiny", "all")]
    assert (overall["k"], overall["m"], overall["value"]) == (2, 3, 2 / 3)  # the tie is left out
    assert (overall["ci_low"], overall["ci_high"]) == pytest.approx(clopper_pearson(2, 3))
    assert overall["p_value"] == binomial_test(2, 3) == 1.0 and overall["test"] == "binomial-exact"
    assert overall["task"] == "pairs" and overall["n_examples"] == 4 and overall["info"]["null"] == 0.5
    assert (entries[("tiny", "gender")]["k"], entries[("tiny", "gender")]["m"]) == (1, 1)
    assert entries[("tiny", "age")]["value"] == 0.0
    # a model that cannot score sentences says so
    assert entries[("classifier", None)]["reason"].startswith("not computed: model 'classifier' has none")
    lines = [s for s in run.samples if s.get("audit") == "likelihood-preference" and s["model"] == "tiny"]
    assert [s["prediction"]["prefers_stereotype"] for s in lines] == [1.0, 0.0, 1.0, None]


def test_crows_pairs_counts_exactly(nlpbench_run: Any, nlpbench_shared_data: Path) -> None:
    import math

    data = nlpbench_shared_data / "bias_crows_pairs" / "crows_pairs_anonymized.csv"
    run = nlpbench_run(_suite(data=str(data), limit=300), plugins=[plugin])
    rows = list(csv.DictReader(data.open(encoding="utf-8")))[:300]
    shorter = [len(r["sent_more"]) < len(r["sent_less"]) for r in rows if len(r["sent_more"]) != len(r["sent_less"])]
    overall = next(e for e in run.results["audits"] if e["model"] == "tiny" and e["group"] == "all")
    assert (overall["k"], overall["m"]) == (sum(shorter), len(shorter))
    assert math.isclose(overall["p_value"], binomial_test(sum(shorter), len(shorter)))
    types = {e["group"] for e in run.results["audits"] if e["model"] == "tiny"} - {"all"}
    assert types <= {r["bias_type"] for r in rows} and len(types) >= 5


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({}, r"data is required"),
        ({"data": "nowhere.csv"}, r"data: .*nowhere.csv: no such file"),
        ({"data": "pairs.csv", "limit": 0}, r"limit must be a whole number"),
        ({"data": "pairs.csv", "more": ""}, r"more must be a column name"),
    ],
)
def test_bad_options_are_one_line(tmp_path: Path, options: dict[str, Any], message: str) -> None:
    (tmp_path / "pairs.csv").write_text(_csv(PAIRS), encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        LikelihoodPreferenceAudit(**options, base_dir=tmp_path)
