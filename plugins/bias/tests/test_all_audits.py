"""All four audits in one suite: each is listed by `nlpbench list audits --json`, runs
from the suite, and shows in results.json, samples.jsonl and the report."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from nlpbench_baselines import plugin as baselines
from nlpbench_bias import plugin
from nlpbench_metrics import plugin as metrics
from nlpbench_sentiment import plugin as sentiment

from .test_group_labels import rows
from .test_likelihood import PAIRS, _csv
from .test_representation import WriterPlugin

AUDITS = ("counterfactual", "likelihood-preference", "representation", "group-gap")


def test_every_audit_is_listed() -> None:
    listed = subprocess.run(
        [str(Path(sys.executable).parent / "nlpbench"), "list", "audits", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    names = {item["name"]: item for item in json.loads(listed.stdout)}
    assert set(AUDITS) <= set(names)
    assert names["group-gap"]["aliases"] == ["eec"] and names["group-gap"]["plugin"] == "bias"


def test_every_audit_runs_from_one_suite_and_reaches_the_results_and_the_report(nlpbench_run: Any) -> None:
    suite = {
        "name": "all-audits",
        "models": [
            {"name": "tiny", "type": "tiny"},
            {"name": "biased", "type": "gender-biased"},
            {"name": "writer", "type": "scripted-writer"},  # writes about men and women
        ],
        "tasks": [
            {
                "name": "people",
                "type": "sentiment",
                "data": {"path": "people.jsonl", "id": "id", "text": "text", "label": "label", "keep": ["subject"]},
                "metrics": ["accuracy"],
            }
        ],
        "audits": [
            {"type": "counterfactual"},
            {"type": "group-gap", "params": {"field": "subject"}},
            {"type": "group-gap"},
            {"type": "likelihood-preference", "params": {"data": "pairs.csv"}},
            {"type": "representation", "params": {"limit": 6}},
        ],
    }
    files = {"people.jsonl": rows(), "pairs.csv": _csv(PAIRS)}
    run = nlpbench_run(suite, plugins=[plugin, baselines, sentiment, metrics, WriterPlugin()], files=files)
    assert run.exit_code == 0, run.log
    computed = {(e["audit"], e["model"]) for e in run.results["audits"] if e["value"] is not None}
    for audit, model in zip(AUDITS, ("tiny", "tiny", "writer", "tiny"), strict=True):
        assert (audit, model) in computed, audit
    # the planted model classifies only: the audits that need likelihoods or generations say so
    biased = {e["audit"]: e for e in run.results["audits"] if e["model"] == "biased" and e["value"] is None}
    assert biased["representation"]["reason"].startswith("not computed: model 'biased' has none")
    assert {s.get("audit") for s in run.samples} >= {None, *AUDITS}
    report = (run.out_dir / "report.html").read_text(encoding="utf-8")
    panels = set(re.findall(r"<summary>([a-z-]+) — ", report))
    assert set(AUDITS) <= panels
    assert "Per group, gaps and differences" in report and "Flip rates" in report
