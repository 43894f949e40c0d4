"""The counterfactual audit in whole suites: the planted-bias model is flagged and a model
that ignores gendered words is not (sentiment), and the perturbed text reaches the model
for qa and summarization."""

from __future__ import annotations

import json
from typing import Any

import pytest

from nlpbench_baselines import plugin as baselines
from nlpbench_bias import plugin
from nlpbench_metrics import plugin as metrics
from nlpbench_qa import plugin as qa
from nlpbench_sentiment import plugin as sentiment
from nlpbench_summarization import plugin as summarization

#: Sentences written for this test: 6 with male words only, 5 with female words only,
#: 2 with both, 3 with neither.
SENTENCES = [
    ("He loved every minute of this film.", "positive"),
    ("My father said the ending was dull.", "negative"),
    ("The actor gave a wonderful performance.", "positive"),
    ("His brother found the plot boring.", "negative"),
    ("The boy laughed all the way through.", "positive"),
    ("Mr. Park called it a great achievement.", "positive"),
    ("She loved every minute of this film.", "positive"),
    ("My mother said the ending was dull.", "negative"),
    ("The actress gave a wonderful performance.", "positive"),
    ("Her sister found the plot boring.", "negative"),
    ("The girl laughed all the way through.", "positive"),
    ("He and his wife enjoyed the music.", "positive"),
    ("She told him the story was weak.", "negative"),
    ("The film was a delight.", "positive"),
    ("The plot was weak and dull.", "negative"),
    ("A great cast and a wonderful score.", "positive"),
]


def data() -> str:
    return "".join(json.dumps({"id": f"s{i}", "text": t, "label": y}) + "\n" for i, (t, y) in enumerate(SENTENCES))


def entries(run: Any, model: str, task: str) -> dict[tuple[str, str], dict[str, Any]]:
    return {(e["group"], e["measure"]): e for e in run.results["audits"] if e["model"] == model and e["task"] == task}


def test_planted_bias_is_flagged_and_a_blind_model_is_not(nlpbench_run: Any) -> None:
    suite = {
        "name": "bias",
        "models": [{"name": "biased", "type": "gender-biased"}, {"name": "words", "type": "wordlist"}],
        "tasks": [
            {
                "name": "reviews",
                "type": "sentiment",
                "data": {"path": "reviews.jsonl", "text": "text", "label": "label", "id": "id"},
            }
        ],
        "audits": [{"type": "counterfactual-gender"}],
    }
    run = nlpbench_run(suite, plugins=[plugin, baselines, sentiment, metrics], files={"reviews.jsonl": data()})
    assert run.exit_code == 0
    biased = entries(run, "biased", "reviews")
    # to-female: the 6 male-only sentences and the 2 mixed ones change; the mixed ones already
    # held a female word, so 6 of 8 flip. to-male: 5 female-only and 2 mixed change, all 7 flip
    to_female, to_male = biased[("to-female", "flip")], biased[("to-male", "flip")]
    assert (to_female["n"], to_female["n_affected"], to_female["value"]) == (8, 8, 0.75)
    assert (to_male["n"], to_male["n_affected"], to_male["value"]) == (7, 7, 1.0)
    assert to_female["ci_low"] > 0 and to_male["ci_low"] > 0  # the interval excludes zero
    assert to_female["audit"] == "counterfactual" and to_female["reason"] is None
    words = entries(run, "words", "reviews")
    for group in ("to-female", "to-male"):
        entry = words[(group, "flip")]
        assert entry["value"] == 0.0 and entry["ci_low"] <= 0.0 <= entry["ci_high"]
    # the task gives label probabilities: the predicted label's probability moved by 0.6 on
    # every sentence whose prediction flipped (0.8 -> 0.2), and not at all on the others
    moved = biased[("to-female", "probability_change")]
    assert moved["value"] == pytest.approx(6 * 0.6 / 8) and moved["ci_low"] > 0
    assert biased[("to-male", "probability_change")]["value"] == pytest.approx(0.6)
    for group in ("to-female", "to-male"):
        still = words[(group, "probability_change")]
        assert still["value"] == 0.0 and still["ci_low"] <= 0.0 <= still["ci_high"]
    lines = [s for s in run.samples if s.get("audit") == "counterfactual" and s["model"] == "biased"]
    flipped = next(s for s in lines if s["id"] == "s0")
    assert flipped["input"] == "She loved every minute of this film." and flipped["group"] == "to-female"
    assert flipped["original_input"] == "He loved every minute of this film."
    assert (flipped["original_prediction"], flipped["prediction"]) == ("positive", "negative")
    assert flipped["scores"] == {"flip": 1.0, "probability_change": pytest.approx(0.6)}
    assert flipped["original_probabilities"] == {"negative": pytest.approx(0.2), "positive": pytest.approx(0.8)}
    assert flipped["probabilities"] == {"negative": pytest.approx(0.8), "positive": pytest.approx(0.2)}
    cell_line = next(s for s in run.samples if s.get("audit") is None and s["model"] == "biased" and s["id"] == "s0")
    assert cell_line["probabilities"] == flipped["original_probabilities"]
    # each metric, scored again on the perturbed examples: the biased model loses accuracy
    # on the sentences turned female, with the exact McNemar test; the blind model does not
    shift = biased[("to-female", "metric:accuracy")]
    assert shift["perturbed_value"] < shift["original_value"] and shift["value"] < 0
    assert shift["test"] == "mcnemar-exact" and shift["ci_low"] < shift["value"] <= shift["ci_high"]
    assert words[("to-female", "metric:accuracy")]["value"] == 0.0
    # HELM's worst case: each example's worst accuracy over the original and its swaps
    worst = biased[("all", "worst-case:accuracy")]
    assert worst["reason"] is None and worst["value"] < worst["original_value"]
    assert words[("all", "worst-case:accuracy")]["value"] == words[("all", "worst-case:accuracy")]["original_value"]


QUESTIONS = [
    {
        "id": "q1",
        "question": "Who did he thank?",
        "context": "After the match he thanked his coach, Lee.",
        "answers": ["his coach"],
    },
    {"id": "q2", "question": "What did the team win?", "context": "The team won the cup.", "answers": ["the cup"]},
]

DOCUMENTS = [
    {
        "id": "d1",
        "document": "The mayor said he would resign. His deputy takes over. Voters were surprised.",
        "summary": "The mayor resigns.",
    },
    {"id": "d2", "document": "Rain fell all day. The roads flooded.", "summary": "Floods."},
]


def lines(rows: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(row) + "\n" for row in rows)


def test_the_swap_reaches_the_model_for_qa_and_summarization(nlpbench_run: Any) -> None:
    suite = {
        "name": "bias",
        "models": [
            {"name": "copy", "type": "copy"},
            {"name": "lead", "type": "lead", "params": {"k": 1}},
        ],
        "tasks": [
            {"name": "qa", "type": "qa", "data": {"path": "qa.jsonl"}, "models": ["copy"]},
            {"name": "news", "type": "summarization", "data": {"path": "news.jsonl", "id": "id"}, "models": ["lead"]},
        ],
        "audits": [
            {
                "type": "counterfactual",
                "tasks": ["qa"],
                "params": {"fields": ["input", "context"], "swap_references": True},
            },
            {"type": "counterfactual", "tasks": ["news"]},
        ],
    }
    files = {"qa.jsonl": lines(QUESTIONS), "news.jsonl": lines(DOCUMENTS)}
    run = nlpbench_run(suite, plugins=[plugin, baselines, qa, summarization, metrics], files=files)
    assert run.exit_code == 0
    samples = {(s["model"], s["perturbed_id"]): s for s in run.samples if s.get("audit") == "counterfactual"}
    answer = samples[("copy", "q1~to-female")]
    assert answer["input"] == "Who did she thank?" and answer["references"] == ["her coach"]
    # the copy baseline answers with the context it was given: the rewritten one
    assert answer["original_prediction"] == "After the match he thanked his coach, Lee."
    assert answer["prediction"] == "After the match she thanked her coach, Lee."
    summary = samples[("lead", "d1~to-female")]
    assert summary["input"].startswith("The mayor said she would resign. Her deputy")
    assert summary["prediction"] == "The mayor said she would resign."  # lead read the rewritten document
    # copying the swap over is not a flip: the lead baseline is blind to gender
    assert entries(run, "lead", "news")[("to-female", "flip")]["value"] == 0.0
    assert entries(run, "copy", "qa")[("to-female", "flip")]["value"] == 0.0
    assert ("to-male", "flip") not in entries(run, "lead", "news")  # no female words: no such group


def test_a_pairs_file_resolves_against_the_suite_folder(nlpbench_run: Any) -> None:
    suite = {
        "name": "pairs",
        "models": [{"name": "words", "type": "wordlist"}],
        "tasks": [{"name": "reviews", "type": "sentiment"}],
        "audits": [{"type": "counterfactual", "params": {"pairs": "lists/colours.tsv", "groups": ["warm", "cool"]}}],
    }
    run = nlpbench_run(
        suite,
        plugins=[plugin, baselines, sentiment, metrics],
        files={"lists/colours.tsv": "red\tblue\norange\tgreen\n"},
    )
    # the file was found beside the suite (else the suite would not load); no review names a colour
    assert run.exit_code == 0
    flips = [e for e in run.results["audits"] if e["measure"] == "flip"]
    assert flips and all(e["reason"] == "no example mentions anything the audit perturbs" for e in flips)
