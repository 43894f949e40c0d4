"""SQuAD exact match and F1: the official rules, no-answer handling, subsets, and exact
agreement with a transcription of the official evaluation scripts on real XQuAD data."""

from __future__ import annotations

import json
import math
import random
import re
import string
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nlpbench import ConfigError, MetricError
from nlpbench_metrics import plugin
from nlpbench_metrics.squad import SUBSETS, ExactMatchMetric, SquadF1Metric, SquadMetric
from nlpbench_metrics.squad_rules import normalize_answer

Metrics = (ExactMatchMetric, SquadF1Metric)

# -- the official SQuAD v1.1 evaluation script (evaluate-v1.1.py), transcribed ---------
# Kept as close to the original as the house style allows, and independent of the
# plugin's code: the agreement tests below compare the two.


def official_normalize_answer(s: str) -> str:
    """Lower text and remove punctuation, articles and extra whitespace."""

    def remove_articles(text: str) -> str:
        return re.sub(r"\b(a|an|the)\b", " ", text)

    def white_space_fix(text: str) -> str:
        return " ".join(text.split())

    def remove_punc(text: str) -> str:
        exclude = set(string.punctuation)
        return "".join(ch for ch in text if ch not in exclude)

    def lower(text: str) -> str:
        return text.lower()

    return white_space_fix(remove_articles(remove_punc(lower(s))))


def official_f1_score(prediction: str, ground_truth: str) -> float:
    prediction_tokens = official_normalize_answer(prediction).split()
    ground_truth_tokens = official_normalize_answer(ground_truth).split()
    common = Counter(prediction_tokens) & Counter(ground_truth_tokens)
    num_same = sum(common.values())
    if num_same == 0:
        return 0
    precision = 1.0 * num_same / len(prediction_tokens)
    recall = 1.0 * num_same / len(ground_truth_tokens)
    f1 = (2 * precision * recall) / (precision + recall)
    return f1


def official_exact_match_score(prediction: str, ground_truth: str) -> bool:
    return official_normalize_answer(prediction) == official_normalize_answer(ground_truth)


def official_metric_max_over_ground_truths(
    metric_fn: Callable[[str, str], Any], prediction: str, ground_truths: Sequence[str]
) -> Any:
    scores_for_ground_truths = []
    for ground_truth in ground_truths:
        score = metric_fn(prediction, ground_truth)
        scores_for_ground_truths.append(score)
    return max(scores_for_ground_truths)


def official_evaluate(dataset: list[dict[str, Any]], predictions: dict[str, str]) -> dict[str, float]:
    f1 = exact_match = total = 0.0
    for article in dataset:
        for paragraph in article["paragraphs"]:
            for qa in paragraph["qas"]:
                total += 1
                if qa["id"] not in predictions:
                    message = "Unanswered question " + qa["id"] + " will receive score 0."
                    print(message, file=sys.stderr)
                    continue
                ground_truths = list(map(lambda x: x["text"], qa["answers"]))
                prediction = predictions[qa["id"]]
                exact_match += official_metric_max_over_ground_truths(
                    official_exact_match_score, prediction, ground_truths
                )
                f1 += official_metric_max_over_ground_truths(official_f1_score, prediction, ground_truths)
    exact_match = 100.0 * exact_match / total
    f1 = 100.0 * f1 / total
    return {"exact_match": exact_match, "f1": f1}


# -- the official SQuAD v2.0 evaluation script (evaluate-v2.0.py), the parts that score --

V2_ARTICLES = re.compile(r"\b(a|an|the)\b", re.UNICODE)


def v2_normalize_answer(s: str) -> str:
    def remove_articles(text: str) -> str:
        return re.sub(V2_ARTICLES, " ", text)

    def white_space_fix(text: str) -> str:
        return " ".join(text.split())

    def remove_punc(text: str) -> str:
        exclude = set(string.punctuation)
        return "".join(ch for ch in text if ch not in exclude)

    return white_space_fix(remove_articles(remove_punc(s.lower())))


def v2_get_tokens(s: str) -> list[str]:
    if not s:
        return []
    return v2_normalize_answer(s).split()


def v2_compute_exact(a_gold: str, a_pred: str) -> int:
    return int(v2_normalize_answer(a_gold) == v2_normalize_answer(a_pred))


def v2_compute_f1(a_gold: str, a_pred: str) -> float:
    gold_toks = v2_get_tokens(a_gold)
    pred_toks = v2_get_tokens(a_pred)
    common = Counter(gold_toks) & Counter(pred_toks)
    num_same = sum(common.values())
    if len(gold_toks) == 0 or len(pred_toks) == 0:
        # If either is no-answer, then F1 is 1 if they agree, 0 otherwise
        return int(gold_toks == pred_toks)
    if num_same == 0:
        return 0
    precision = 1.0 * num_same / len(pred_toks)
    recall = 1.0 * num_same / len(gold_toks)
    f1 = (2 * precision * recall) / (precision + recall)
    return f1


def v2_get_raw_scores(dataset: list[dict[str, Any]], preds: dict[str, str]) -> tuple[dict[str, Any], dict[str, Any]]:
    exact_scores = {}
    f1_scores = {}
    for article in dataset:
        for p in article["paragraphs"]:
            for qa in p["qas"]:
                qid = qa["id"]
                gold_answers = [a["text"] for a in qa["answers"] if v2_normalize_answer(a["text"])]
                if not gold_answers:
                    # For unanswerable questions, only correct answer is empty string
                    gold_answers = [""]
                a_pred = preds[qid]
                # Take max over all gold answers
                exact_scores[qid] = max(v2_compute_exact(a, a_pred) for a in gold_answers)
                f1_scores[qid] = max(v2_compute_f1(a, a_pred) for a in gold_answers)
    return exact_scores, f1_scores


def v2_make_eval_dict(
    exact_scores: dict[str, Any], f1_scores: dict[str, Any], qid_list: list[str] | None = None
) -> dict[str, float]:
    if not qid_list:
        total = len(exact_scores)
        return {
            "exact": 100.0 * sum(exact_scores.values()) / total,
            "f1": 100.0 * sum(f1_scores.values()) / total,
            "total": total,
        }
    total = len(qid_list)
    return {
        "exact": 100.0 * sum(exact_scores[k] for k in qid_list) / total,
        "f1": 100.0 * sum(f1_scores[k] for k in qid_list) / total,
        "total": total,
    }


def v2_evaluate(dataset: list[dict[str, Any]], preds: dict[str, str]) -> dict[str, float]:
    """The script's main() with no no-answer probabilities (so no threshold applies)."""
    qid_to_has_ans = {qa["id"]: bool(qa["answers"]) for a in dataset for p in a["paragraphs"] for qa in p["qas"]}
    has_ans_qids = [k for k, v in qid_to_has_ans.items() if v]
    no_ans_qids = [k for k, v in qid_to_has_ans.items() if not v]
    exact_raw, f1_raw = v2_get_raw_scores(dataset, preds)
    out_eval = v2_make_eval_dict(exact_raw, f1_raw)
    for prefix, qids in (("HasAns", has_ans_qids), ("NoAns", no_ans_qids)):
        if qids:
            for key, value in v2_make_eval_dict(exact_raw, f1_raw, qid_list=qids).items():
                out_eval[f"{prefix}_{key}"] = value
    return out_eval


# -- helpers ----------------------------------------------------------------------


def score(metric: SquadMetric, predictions: Sequence[str | None], references: Sequence[Sequence[str]]) -> float:
    return metric.aggregate(metric.stats(predictions, references))


def per_example(metric: SquadMetric, prediction: str | None, references: Sequence[str]) -> float:
    """One example's score in 0-1."""
    return float(metric.stats([prediction], [references])[0, 0])


# -- normalization ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        ("Hello, World!", "hello world"),
        ("The cat ate an apple.", "cat ate apple"),
        ("theater", "theater"),  # articles go only as whole words
        ("the theater", "theater"),
        ("Anthem and banana", "anthem and banana"),
        ("A", ""),
        ("the-cat", "thecat"),  # punctuation goes first, so "the" is no word of its own here
        ("the_cat", "thecat"),
        ("a.m.", "am"),
        ("tab\tand\nnewline   spaces ", "tab and newline spaces"),
        ("ÉCOLE Normale", "école normale"),
        ("“Quoted”", "“quoted”"),  # only ASCII punctuation (string.punctuation) goes
        ("¿Qué?", "¿qué"),
        ("1,000–2,000", "1000–2000"),  # an en dash stays
        ("café the", "café"),
        ("théâtre", "théâtre"),
        ("", ""),
    ],
)
def test_normalization(text: str, normalized: str) -> None:
    assert normalize_answer(text) == normalized
    assert official_normalize_answer(text) == normalized  # the transcription agrees on each


# -- one example --------------------------------------------------------------------


def test_exact_match_is_normalized_equality() -> None:
    metric = ExactMatchMetric()
    assert per_example(metric, "  THE Denver Broncos!! ", ["Denver Broncos"]) == 1.0
    assert per_example(metric, "Denver Broncos team", ["Denver Broncos"]) == 0.0
    assert per_example(metric, "“Denver Broncos”", ["Denver Broncos"]) == 0.0  # curly quotes stay


def test_max_over_gold_answers() -> None:
    golds = ["Denver Broncos", "Broncos", "the Broncos of Denver"]
    assert per_example(ExactMatchMetric(), "broncos", golds) == 1.0
    # "Denver" against each: 2/3, 0, 1/2 (precision 1, recall 1/2)
    assert per_example(SquadF1Metric(), "Denver", golds) == pytest.approx(2 / 3, abs=1e-15)
    # "Broncos of" against each: 1/2, 2/3, 4/5 (two of three tokens, both its own)
    assert per_example(SquadF1Metric(), "Broncos of", golds) == pytest.approx(0.8, abs=1e-15)


def test_f1_counts_repeated_tokens_by_the_counter_overlap() -> None:
    f1 = SquadF1Metric()
    # "cat cat cat" shares one "cat" with "cat dog": precision 1/3, recall 1/2
    assert per_example(f1, "the cat cat cat", ["cat dog"]) == pytest.approx(0.4, abs=1e-15)
    # two "cat" in common: precision 2/3, recall 1
    assert per_example(f1, "cat cat dog", ["cat cat"]) == pytest.approx(0.8, abs=1e-15)
    assert per_example(f1, "dog cat", ["cat dog"]) == 1.0  # order doesn't matter
    assert per_example(f1, "bird", ["cat dog"]) == 0.0


@pytest.mark.parametrize(
    ("prediction", "golds"),
    [
        ("Denver Broncos", ["Denver Broncos"]),
        ("the the cat", ["cat cat", "a cat"]),
        ("", ["The"]),  # the gold normalizes to nothing: EM 1 but F1 0, as in v1.1
        ("an", ["A"]),
        (".", ["..."]),
        ("1,000 yards", ["1000 yards", "one thousand"]),
        ("“yes”", ["yes"]),
        ("Ångström units", ["ångström"]),
    ],
)
def test_single_examples_equal_the_official_functions(prediction: str, golds: list[str]) -> None:
    assert per_example(ExactMatchMetric(), prediction, golds) == float(
        official_metric_max_over_ground_truths(official_exact_match_score, prediction, golds)
    )
    assert per_example(SquadF1Metric(), prediction, golds) == official_metric_max_over_ground_truths(
        official_f1_score, prediction, golds
    )


# -- SQuAD v2: questions without an answer ------------------------------------------


@pytest.mark.parametrize("metric_class", Metrics)
@pytest.mark.parametrize("references", [[], [""], ["", "  "]])
def test_no_answer_question(metric_class: type[SquadMetric], references: list[str]) -> None:
    metric = metric_class()
    assert per_example(metric, "", references) == 1.0
    assert per_example(metric, None, references) == 1.0
    assert per_example(metric, "the.", references) == 1.0  # normalizes to nothing, as v2 compares it
    assert per_example(metric, "Denver", references) == 0.0
    assert metric.stats(["x"], [references])[0, 1] == 0.0  # not answerable


@pytest.mark.parametrize("metric_class", Metrics)
def test_none_on_an_answerable_question_is_an_empty_answer(metric_class: type[SquadMetric]) -> None:
    metric = metric_class()
    assert per_example(metric, None, ["Denver"]) == 0.0
    assert per_example(metric, "", ["Denver"]) == 0.0
    assert metric.stats([None], [["Denver"]])[0, 1] == 1.0


@pytest.mark.parametrize("metric_class", Metrics)
def test_empty_references_beside_real_ones_are_ignored(metric_class: type[SquadMetric]) -> None:
    metric = metric_class()
    assert per_example(metric, "", ["", "Denver"]) == 0.0  # v2 drops the empty gold answer
    assert per_example(metric, "Denver", ["", "Denver"]) == 1.0


# -- subsets ------------------------------------------------------------------------

PREDICTIONS = ["Denver Broncos", "Panthers", "", "Santa Clara", None]
REFERENCES: list[list[str]] = [["Denver Broncos"], ["Carolina Panthers"], [], [], ["Levi's Stadium"]]


@pytest.mark.parametrize(
    ("metric_class", "subset", "expected"),
    [
        (ExactMatchMetric, "all", 40.0),  # 1, 0, 1, 0, 0
        (ExactMatchMetric, "has-answer", 100 / 3),
        (ExactMatchMetric, "no-answer", 50.0),
        (SquadF1Metric, "all", 100 * (1 + 2 / 3 + 1) / 5),
        (SquadF1Metric, "has-answer", 100 * (1 + 2 / 3) / 3),
        (SquadF1Metric, "no-answer", 50.0),
    ],
)
def test_subsets(metric_class: type[SquadMetric], subset: str, expected: float) -> None:
    metric = metric_class(subset=subset)
    assert score(metric, PREDICTIONS, REFERENCES) == pytest.approx(expected, abs=1e-12)
    assert metric.describe() == {"normalization": "SQuAD v1.1 official", "scale": "0-100", "subset": subset}


@pytest.mark.parametrize("metric_class", Metrics)
def test_an_empty_subset_is_nan(metric_class: type[SquadMetric]) -> None:
    assert math.isnan(score(metric_class(subset="no-answer"), ["a", "b"], [["a"], ["c"]]))
    assert math.isnan(score(metric_class(subset="has-answer"), ["", None], [[], [""]]))
    assert math.isnan(metric_class().aggregate(np.zeros((0, 2))))


def test_example_score_is_on_the_0_to_100_scale_and_none_outside_the_subset() -> None:
    stats = SquadF1Metric().stats(PREDICTIONS, REFERENCES)
    assert [SquadF1Metric().example_score(row) for row in stats] == pytest.approx([100.0, 100 * 2 / 3, 100.0, 0.0, 0.0])
    has_answer = SquadF1Metric(subset="has-answer")
    assert [has_answer.example_score(row) is None for row in stats] == [False, False, True, True, False]
    no_answer = ExactMatchMetric(subset="no-answer")
    assert [no_answer.example_score(row) for row in stats] == [None, None, 100.0, 0.0, None]


# -- options and input errors ---------------------------------------------------------


@pytest.mark.parametrize("metric_class", Metrics)
def test_option_errors(metric_class: type[SquadMetric]) -> None:
    with pytest.raises(ConfigError, match=r"subst: unknown option \(did you mean 'subset'\?\); known: subset"):
        metric_class(subst="all")
    with pytest.raises(ConfigError, match="subset: must be 'all', 'has-answer' or 'no-answer', not 'HasAns'"):
        metric_class(subset="HasAns")
    with pytest.raises(ConfigError, match="subset: must be 'all'"):
        metric_class(subset=["all"])
    for subset in SUBSETS:
        assert metric_class(subset=subset).subset == subset


@pytest.mark.parametrize("metric_class", Metrics)
def test_input_errors(metric_class: type[SquadMetric]) -> None:
    metric = metric_class()
    with pytest.raises(MetricError, match="2 predictions but 1 references"):
        metric.stats(["a", "b"], [["a"]])
    with pytest.raises(MetricError, match="example 0: references must be a list of answer strings"):
        metric.stats(["a"], ["a"])
    with pytest.raises(MetricError, match="example 1: a reference answer must be a string, not None"):
        metric.stats(["a", "b"], [["a"], [None]])
    with pytest.raises(MetricError, match="example 0: a prediction must be a string or None, not 3"):
        metric.stats([3], [["3"]])
    with pytest.raises(MetricError, match=r"expected statistics of shape \(n, 2\)"):
        metric.aggregate(np.zeros((3, 1)))
    with pytest.raises(MetricError, match="resample indices must be 2-dimensional"):
        metric.aggregate_resamples(np.zeros((3, 2)), np.zeros(3, dtype=np.int64))


def test_registered_names(nlpbench_host: Callable[..., Any]) -> None:
    metrics = nlpbench_host(plugin).metrics
    assert metrics.owner("exact-match").component is ExactMatchMetric
    assert metrics.owner("squad-em").component is ExactMatchMetric
    assert metrics.owner("squad-f1").component is SquadF1Metric
    assert metrics.owner("f1") is None  # f1 would be confused with macro-f1


# -- agreement with the official scripts on XQuAD (SQuAD v1.1 dev questions) ----------

Question = tuple[str, str, list[str]]  # id, context, gold answers


@pytest.fixture(scope="module")
def xquad(nlpbench_shared_data: Path) -> list[dict[str, Any]]:
    path = nlpbench_shared_data / "qa_xquad_en" / "xquad_en_part_a.json"
    data: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))["data"]
    return data


def questions(dataset: list[dict[str, Any]]) -> list[Question]:
    return [
        (qa["id"], paragraph["context"], [answer["text"] for answer in qa["answers"]])
        for article in dataset
        for paragraph in article["paragraphs"]
        for qa in paragraph["qas"]
    ]


def perturbed(answer: str, other: str, rng: random.Random) -> str:
    """The answer changed in one of the ways models get answers nearly right."""
    words = answer.split()
    changes = [
        f"the answer is {answer}",  # extra words
        f"{answer} in total",
        answer.upper(),  # casing
        answer.swapcase(),
        f'"{answer}."',  # punctuation
        f"{answer}!?",
        f"“{answer}”",  # unicode punctuation: kept, so no longer an exact match
        f"The {answer}",  # articles
        f"a {answer}",
        " ".join(words[:-1]) if len(words) > 1 else answer[: max(1, len(answer) // 2)],  # truncation
        " ".join(words[1:]) if len(words) > 1 else answer[1:],
        f"{answer} {answer}",  # repeated tokens
        answer.replace(" ", "-"),  # joined tokens
        other,  # another question's answer
    ]
    return rng.choice(changes)


def prediction_sets(items: list[Question]) -> dict[str, list[str | None]]:
    rng = random.Random(20261130)
    golds = [g[0] for _, _, g in items]
    return {
        "gold": [g[0] for _, _, g in items],
        "perturbed": [perturbed(g[0], rng.choice(golds), rng) for _, _, g in items],
        "empty": ["" for _ in items],
        "first sentence": [context.split(". ")[0] for _, context, _ in items],
        "some missing": [None if i % 5 == 0 else g[0] for i, (_, _, g) in enumerate(items)],
    }


def test_xquad_has_what_the_agreement_tests_need(xquad: list[dict[str, Any]]) -> None:
    items = questions(xquad)
    assert len(items) == 632
    # no gold answer normalizes to nothing, so v1.1 and v2 rules coincide on them
    assert all(official_normalize_answer(g) for _, _, golds in items for g in golds)
    sets = prediction_sets(items)
    assert sum(p != g[0] for p, (_, _, g) in zip(sets["perturbed"], items, strict=True)) > 500


@pytest.mark.parametrize("name", ["gold", "perturbed", "empty", "first sentence", "some missing"])
def test_equals_the_official_v1_1_script_on_xquad(xquad: list[dict[str, Any]], name: str) -> None:
    items = questions(xquad)
    predictions = prediction_sets(items)[name]
    references = [golds for _, _, golds in items]
    official = official_evaluate(
        xquad, {qid: p for (qid, _, _), p in zip(items, predictions, strict=True) if p is not None}
    )
    for metric, key, official_score in (
        (ExactMatchMetric(), "exact_match", official_exact_match_score),
        (SquadF1Metric(), "f1", official_f1_score),
    ):
        stats = metric.stats(predictions, references)
        assert abs(metric.aggregate(stats) - official[key]) <= 1e-9, (name, key)
        for row, prediction, (qid, _, golds) in zip(stats, predictions, items, strict=True):
            expected = (
                0.0 if prediction is None else official_metric_max_over_ground_truths(official_score, prediction, golds)
            )
            assert abs(row[0] - float(expected)) <= 1e-9, (name, key, qid, prediction, golds)
            assert metric.example_score(row) == pytest.approx(100 * float(expected), abs=1e-9)
    if name == "gold":
        assert official == {"exact_match": 100.0, "f1": 100.0}
    if name == "empty":
        assert official == {"exact_match": 0.0, "f1": 0.0}


def v2_dataset(xquad: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """XQuAD with every third question made unanswerable (its answers emptied), as in SQuAD v2."""
    copy: list[dict[str, Any]] = json.loads(json.dumps(xquad))
    qas = [qa for article in copy for paragraph in article["paragraphs"] for qa in paragraph["qas"]]
    for position, qa in enumerate(qas):
        if position % 3 == 0:
            qa["answers"] = []
    return copy


def test_equals_the_official_v2_script_with_unanswerable_questions(xquad: list[dict[str, Any]]) -> None:
    dataset = v2_dataset(xquad)
    items = questions(dataset)
    references = [golds for _, _, golds in items]
    rng = random.Random(7)
    golds_seen = [g[0] for g in references if g]
    predictions: list[str | None] = []
    for position, (_, context, golds) in enumerate(items):
        if golds:
            choice = position % 4
            answer = golds[0]
            options = [answer, perturbed(answer, rng.choice(golds_seen), rng), "", context.split(". ")[0]]
            predictions.append(options[choice])
        else:  # abstain in several ways, or answer anyway
            predictions.append(["", None, "The.", rng.choice(golds_seen), context.split(". ")[0]][position % 5])
    preds = {qid: p or "" for (qid, _, _), p in zip(items, predictions, strict=True)}  # the script knows no None
    official = v2_evaluate(dataset, preds)
    exact_raw, f1_raw = v2_get_raw_scores(dataset, preds)
    for subset, prefix in (("all", ""), ("has-answer", "HasAns_"), ("no-answer", "NoAns_")):
        for metric, key, raw in (
            (ExactMatchMetric(subset=subset), "exact", exact_raw),
            (SquadF1Metric(subset=subset), "f1", f1_raw),
        ):
            stats = metric.stats(predictions, references)
            assert abs(metric.aggregate(stats) - official[prefix + key]) <= 1e-9, (subset, key)
            for row, (qid, _, _) in zip(stats, items, strict=True):
                assert abs(row[0] - float(raw[qid])) <= 1e-9, (qid, key)
    assert official["HasAns_total"] == 421 and official["NoAns_total"] == 211
    assert 0 < official["NoAns_exact"] < 100  # some abstained, some answered anyway


# -- the bootstrap ------------------------------------------------------------------


@pytest.mark.parametrize("subset", SUBSETS)
@pytest.mark.parametrize("metric_class", Metrics)
def test_resamples_equal_the_aggregate_of_each(
    xquad: list[dict[str, Any]], metric_class: type[SquadMetric], subset: str
) -> None:
    dataset = v2_dataset(xquad)
    items = questions(dataset)
    predictions = [context.split(". ")[0] if i % 2 else "" for i, (_, context, _) in enumerate(items)]
    metric = metric_class(subset=subset)
    stats = metric.stats(predictions, [golds for _, _, golds in items])
    indices = np.random.default_rng(3).integers(0, len(stats), size=(200, len(stats)))
    fast = metric.aggregate_resamples(stats, indices)
    slow = np.array([metric.aggregate(stats[row]) for row in indices])
    assert fast.shape == (200,)
    np.testing.assert_allclose(fast, slow, rtol=0, atol=1e-9)


@pytest.mark.parametrize("metric_class", Metrics)
def test_resamples_with_an_empty_subset_are_nan(metric_class: type[SquadMetric]) -> None:
    metric = metric_class(subset="no-answer")
    stats = metric.stats(["", "a", "b"], [[], ["a"], ["c"]])  # one unanswerable question of three
    indices = np.array([[0, 1, 2], [1, 1, 2], [0, 0, 0], [2, 1, 1]])
    fast = metric.aggregate_resamples(stats, indices)
    slow = np.array([metric.aggregate(stats[row]) for row in indices])
    np.testing.assert_array_equal(fast, slow)
    assert np.isnan(fast).tolist() == [False, True, False, True]
    assert metric.aggregate_resamples(stats[:0], np.zeros((2, 0), dtype=np.int64)).tolist() == pytest.approx(
        [math.nan, math.nan], nan_ok=True
    )


def test_in_a_suite_the_interval_is_exact_match_on_the_tiny_task(nlpbench_run: Any) -> None:
    # the tiny task's answers are one word, so exact match, F1 and 100 x accuracy coincide,
    # and the runner resamples every metric of a task with the same indices
    suite = {
        "name": "squad",
        "seed": 11,
        "models": [{"name": "tiny", "type": "tiny"}],
        "tasks": [{"name": "tiny", "type": "tiny", "metrics": ["squad-em", "squad-f1", "accuracy"]}],
    }
    run = nlpbench_run(suite, plugins=[plugin])
    cell = run.cell("tiny", "tiny")
    assert cell["status"] == "ok", cell["error"]
    em, f1, accuracy = (cell["metrics"][name] for name in ("squad-em", "squad-f1", "accuracy"))
    for key in ("value", "ci_low", "ci_high"):
        assert em[key] == pytest.approx(100 * accuracy[key], abs=1e-9)
        assert f1[key] == pytest.approx(em[key], abs=1e-9)
    assert em["ci_low"] < em["value"] < em["ci_high"]
    assert em["scale"] == [0.0, 100.0]
    assert em["info"] == {"normalization": "SQuAD v1.1 official", "scale": "0-100", "subset": "all"}
    for sample in run.samples:
        right = sample["prediction"] == sample["references"][0]
        assert sample["scores"]["squad-em"] == (100.0 if right else 0.0)
