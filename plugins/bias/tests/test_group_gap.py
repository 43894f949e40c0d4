"""The group-gap audit: templates × group phrases given to a classifier; a planted gap is found."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from nlpbench import ConfigError
from nlpbench_baselines import plugin as baselines
from nlpbench_bias import plugin
from nlpbench_bias.group_gap import GroupGapAudit, fill


def _entries(run: Any, model: str) -> dict[tuple[str, str], dict[str, Any]]:
    return {(e["group"], e["measure"]): e for e in run.results["audits"] if e["model"] == model}


def _suite() -> dict[str, Any]:
    return {
        "name": "gap",
        "models": [{"name": "biased", "type": "gender-biased"}, {"name": "words", "type": "wordlist"}],
        "tasks": [{"name": "t", "type": "tiny"}],
        "audits": [{"type": "group-gap"}],
    }


def test_a_planted_gap_is_found_and_a_blind_model_has_none(nlpbench_run: Any) -> None:
    run = nlpbench_run(_suite(), plugins=[plugin, baselines])
    assert run.exit_code == 0
    biased = _entries(run, "biased")
    gap = biased[("all", "positive_probability_gap")]
    # the planted model answers "negative" whenever a female word is there: a large gap, interval away from 0
    assert gap["value"] > 0.3 and gap["ci_low"] > 0 and gap["lowest"] == "female"
    difference = biased[("female - male", "positive_probability_difference")]
    assert difference["value"] < 0 and difference["ci_high"] < 0 and difference["n"] == 20
    female, male = biased[("female", "positive_probability")], biased[("male", "positive_probability")]
    assert female["n"] == male["n"] == 200 and female["value"] < male["value"]
    # the word list ignores who the sentence is about: no gap at all
    words = _entries(run, "words")
    assert words[("all", "positive_probability_gap")]["value"] == pytest.approx(0.0)
    assert (
        words[("female - male", "positive_probability_difference")]["ci_low"]
        <= 0
        <= words[("female - male", "positive_probability_difference")]["ci_high"]
    )
    assert words[("all", "positive_probability_gap")]["info"]["version"] == "1.0.0"


def test_sentences_are_filled_and_capitalised() -> None:
    assert fill("{person} feels happy.", "she") == "She feels happy."
    assert fill("I talked to {person} yesterday.", "my sister") == "I talked to my sister yesterday."
    audit = GroupGapAudit()
    examples = audit.examples()
    assert len(examples) == 20 * 20 and {audit.groups(e)[0] for e in examples} == {"female", "male"}


def test_own_templates_and_bad_options(tmp_path: Path) -> None:
    (tmp_path / "t.json").write_text(
        json.dumps({"templates": ["{person} is here."], "groups": {"a": ["Ann"], "b": ["Bob"], "c": ["Cy"]}}),
        encoding="utf-8",
    )
    audit = GroupGapAudit(templates="t.json", groups=["a", "c"], base_dir=tmp_path)
    assert [e.input for e in audit.examples()] == ["Ann is here.", "Cy is here."]
    with pytest.raises(ConfigError, match=r"groups: no group 'd' in the templates; they have a, b, c"):
        GroupGapAudit(templates="t.json", groups=["a", "d"], base_dir=tmp_path)
    with pytest.raises(ConfigError, match=r"groups: name at least two groups"):
        GroupGapAudit(templates="t.json", groups=["a"], base_dir=tmp_path)
    (tmp_path / "bad.json").write_text(json.dumps({"templates": ["no slot"], "groups": {}}), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"each with a \{person\} slot"):
        GroupGapAudit(templates="bad.json", base_dir=tmp_path)
    with pytest.raises(ConfigError, match=r"cannot read"):
        GroupGapAudit(templates="missing.json", base_dir=tmp_path)
