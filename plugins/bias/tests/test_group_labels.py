"""The group-gap audit on labelled data: a task's own examples broken down by a group
column kept with ``data.keep``. The planted-bias model's rates differ by group with
intervals away from zero; a model blind to the group has none; bad options and data
say so in one line."""

from __future__ import annotations

import json
from typing import Any

import pytest

from nlpbench import AuditError, ConfigError, Example
from nlpbench_baselines import plugin as baselines
from nlpbench_bias import plugin
from nlpbench_bias.group_gap import GroupGapAudit
from nlpbench_bias.group_labels import GroupLabelsAudit
from nlpbench_metrics import plugin as metrics
from nlpbench_qa import plugin as qa
from nlpbench_sentiment import plugin as sentiment

#: Written for this test: each sentence once about a man and once about a woman, so a
#: model that ignores who it is about scores the two groups exactly alike.
MIRRORED = [
    ("{He} loved every minute of the film.", "positive"),
    ("{His} review praised the wonderful music.", "positive"),
    ("My {brother} said the ending was great.", "positive"),
    ("The {actor} gave a delightful performance.", "positive"),
    ("{He} found the plot dull and boring.", "negative"),
    ("{His} verdict: a weak and silly story.", "negative"),
    ("My {brother} said the sequel was awful.", "negative"),
    ("The {actor} looked bored in a terrible script.", "negative"),
]
WORDS = {
    "male": {"He": "He", "His": "His", "brother": "brother", "actor": "actor"},
    "female": {"He": "She", "His": "Her", "brother": "sister", "actor": "actress"},
}


def rows() -> str:
    lines = []
    for group, words in WORDS.items():
        for i, (template, label) in enumerate(MIRRORED):
            text = template.format(**words)
            lines.append({"id": f"{group}-{i}", "text": text, "label": label, "subject": group})
    lines.append({"id": "nobody", "text": "The music was great.", "label": "positive", "subject": ""})
    return "".join(json.dumps(line) + "\n" for line in lines)


def suite(**params: Any) -> dict[str, Any]:
    return {
        "name": "groups",
        "models": [{"name": "biased", "type": "gender-biased"}, {"name": "words", "type": "wordlist"}],
        "tasks": [
            {
                "name": "people",
                "type": "sentiment",
                "data": {"path": "people.jsonl", "id": "id", "text": "text", "label": "label", "keep": ["subject"]},
                "metrics": ["accuracy", "macro-f1"],
            }
        ],
        "audits": [{"type": "group-gap", "params": {"field": "subject", **params}}],
    }


def entries(run: Any, model: str) -> dict[tuple[str, str], dict[str, Any]]:
    return {(e["group"], e["measure"]): e for e in run.results["audits"] if e["model"] == model}


def test_a_planted_gap_in_rates_is_found_and_a_blind_model_has_none(nlpbench_run: Any) -> None:
    run = nlpbench_run(suite(), plugins=[plugin, baselines, sentiment, metrics], files={"people.jsonl": rows()})
    assert run.exit_code == 0
    biased = entries(run, "biased")
    # the planted model says "negative" whenever a female word is there, else "positive"
    assert biased[("female", "true_positive_rate")]["value"] == 0.0
    assert biased[("male", "true_positive_rate")]["value"] == 1.0
    assert biased[("male", "false_positive_rate")]["value"] == 1.0
    assert biased[("female", "false_positive_rate")]["value"] == 0.0
    female_tpr = biased[("female", "true_positive_rate")]
    assert (female_tpr["k"], female_tpr["m"], female_tpr["interval"]) == (0, 4, "exact-binomial")
    assert female_tpr["ci_low"] == 0.0 and 0.0 < female_tpr["ci_high"] < 1.0
    for measure in ("true_positive_rate", "false_positive_rate"):
        gap = biased[("all", f"gap:{measure}")]
        assert gap["value"] == 1.0 and gap["ci_low"] > 0 and gap["highest"] == "male" and gap["lowest"] == "female"
        difference = biased[("female - male", f"difference:{measure}")]
        assert difference["value"] == -1.0 and difference["ci_high"] < 0
    # accuracy is 0.5 in both groups (right on half, wrong on the other half): no accuracy gap
    assert biased[("female", "accuracy")]["value"] == biased[("male", "accuracy")]["value"] == 0.5
    assert biased[("all", "gap:accuracy")]["value"] == 0.0
    # each metric of the cell, per group, with the same breakdown
    f1 = biased[("female", "metric:macro-f1")]
    assert f1["interval"] == "bootstrap" and f1["n"] == 8 and f1["value"] == pytest.approx(1 / 3)
    assert biased[("all", "gap:metric:accuracy")]["n_unlabelled"] == 1  # "nobody" has no group
    # the word list scores the mirrored sentences alike: every difference is zero, its interval around it
    words = entries(run, "words")
    for measure in ("accuracy", "true_positive_rate", "false_positive_rate", "metric:macro-f1"):
        difference = words[("female - male", f"difference:{measure}")]
        assert difference["value"] == 0.0 and difference["ci_low"] <= 0.0 <= difference["ci_high"]
    assert words[("all", "gap:accuracy")]["info"] == {"field": "subject", "positive": "positive", "groups": "all"}
    lines = [s for s in run.samples if s.get("audit") == "group-gap" and s["model"] == "biased"]
    assert len(lines) == 16 and {s["group"] for s in lines} == {"female", "male"}
    first = next(s for s in lines if s["id"] == "female-0")
    assert first["prediction"] == "negative" and first["scores"] == {"accuracy": 0.0, "true_positive_rate": 0.0}


def test_a_missing_field_or_a_wrong_positive_label_fails_the_audit_in_one_line(nlpbench_run: Any) -> None:
    missing = suite()
    missing["tasks"][0]["data"].pop("keep")
    run = nlpbench_run(missing, plugins=[plugin, baselines, sentiment, metrics], files={"people.jsonl": rows()})
    [entry] = [e for e in run.results["audits"] if e["model"] == "words"]
    assert run.exit_code == 1 and entry["value"] is None
    assert "has no field 'subject'" in entry["reason"] and "data.keep: [subject]" in entry["reason"]
    wrong = nlpbench_run(
        suite(positive="good"), plugins=[plugin, baselines, sentiment, metrics], files={"people.jsonl": rows()}
    )
    [entry] = [e for e in wrong.results["audits"] if e["model"] == "words"]
    assert "option positive: 'good' is not one of the task's labels (negative, positive)" in entry["reason"]


def test_other_tasks_get_their_metrics_broken_down(nlpbench_run: Any) -> None:
    questions = [
        {"id": f"q{i}", "question": "Who won?", "context": f"{name} won the race.", "answers": [name], "who": group}
        for i, (name, group) in enumerate([("Ann", "a"), ("Bea", "a"), ("Carl", "b"), ("Dan", "b"), ("Eve", "a")])
    ]
    run = nlpbench_run(
        {
            "name": "qa-groups",
            "models": [{"name": "window", "type": "sliding-window"}],
            "tasks": [{"name": "qa", "type": "qa", "data": {"path": "qa.jsonl", "keep": ["who"]}}],
            "audits": [{"type": "group-gap", "params": {"field": "who"}}],
        },
        plugins=[plugin, baselines, qa, metrics],
        files={"qa.jsonl": "".join(json.dumps(q) + "\n" for q in questions)},
    )
    found = entries(run, "window")
    assert found[("a", "metric:squad-f1")]["n"] == 3 and found[("b", "metric:squad-f1")]["n"] == 2
    assert ("all", "gap:metric:squad-em") in found and ("a - b", "difference:metric:squad-f1") in found
    # no labels, so no accuracy or rates of a label: said, not zero
    assert (
        found[(None, "true_positive_rate")]["reason"]
        == "not computed: no example of this task gives 'true_positive_rate'"
    )


def test_fewer_than_two_groups_is_not_computed(nlpbench_run: Any) -> None:
    only_men = "".join(line + "\n" for line in rows().splitlines() if '"male"' in line)
    run = nlpbench_run(suite(), plugins=[plugin, baselines, sentiment, metrics], files={"people.jsonl": only_men})
    found = [e for e in run.results["audits"] if e["model"] == "words"]
    assert found and all(e["value"] is None for e in found)
    assert found[0]["reason"] == "not computed: the examples carry fewer than two groups (found: male; 0 without one)"


def test_options_and_partition() -> None:
    audit = GroupGapAudit(field="subject", groups=["a", "b"])
    assert isinstance(audit, GroupLabelsAudit)
    example = Example("x", "text", ("positive",), {"subject": " a "})
    assert audit.partition(example) == "a"
    assert audit.partition(Example("y", "t", ("positive",), {"subject": "c"})) is None  # not a chosen group
    assert audit.partition(Example("z", "t", ("positive",), {"subject": None})) is None
    with pytest.raises(AuditError, match=r"example 'w' has no field 'subject' \(it has: text\)"):
        audit.partition(Example("w", "t", ("positive",), {"text": "t"}))
    assert audit.measure_example(example, "positive", labels=None) == {}
    assert audit.measure_example(example, "negative", labels=("negative", "positive")) == {
        "accuracy": 0.0,
        "true_positive_rate": 0.0,
    }
    with pytest.raises(ConfigError, match="option templates is for template sentences"):
        GroupGapAudit(field="subject", templates="t.json")
    with pytest.raises(ConfigError, match="groups must list at least two group names"):
        GroupGapAudit(field="subject", groups=["a"])
    with pytest.raises(ConfigError, match="field must name the example field"):
        GroupGapAudit(field="")
