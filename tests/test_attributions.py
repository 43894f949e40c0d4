"""Token attributions (a task entry's ``attributions:``, docs/attributions.md): the choice
of examples, the deletion check's arithmetic, the suite option, and whole runs with a
word-counting model whose attributions are known exactly."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, ClassVar

import pytest

from nlpbench import (
    Attribution,
    AttributionOptions,
    AttributionRequest,
    ClassifyRequest,
    ConfigError,
    DeletionRequest,
    Example,
    ModelSpec,
    hookimpl,
)
from nlpbench.running.attributing import CellToAttribute, completeness_flagged, confidence_of, select, wrong
from nlpbench.statistics.faithfulness import (
    FRACTIONS,
    ExampleDeletion,
    attribution_order,
    curve_area,
    example_deletion,
    faithfulness_summary,
    random_orders,
    removals,
)
from nlpbench.testing.harness import make_host, run_suite_text
from nlpbench.testing.tiny import TinyModel, TinyTask

# -- a model whose attributions are known ------------------------------------------------

#: (text, label): the word model's p(positive) is 0.3 + 0.25 per "good", at most 0.95
REVIEWS = (
    ("good good good but dull", "negative"),  # p 0.95: the most confident error
    ("a fine film", "positive"),  # p(negative) 0.7: an error
    ("not as good as the book", "negative"),  # p 0.55: the least confident error
    ("a good cast and a good plot", "positive"),
    ("good <b>good</b> fun", "positive"),
    ("dull and slow", "negative"),
    ("a good story told well", "positive"),
    ("I left early", "negative"),
    ("good jokes and good music", "positive"),
    ("the plot makes no sense", "negative"),
)
ATTRIBUTE_CALLS: list[int] = []


def p_positive(words: Sequence[str]) -> float:
    return min(0.95, 0.3 + 0.25 * sum("good" in word for word in words))


class WordModel(TinyModel):
    """Classifies by counting "good"; attributes 0.25 to each "good" toward positive. Above
    three, the probability saturates, so the attributions overshoot (a completeness error)."""

    KNOWN_PARAMS = (*TinyModel.KNOWN_PARAMS, "fail_attribute")
    attributable: ClassVar[frozenset[str]] = frozenset({"classify"})

    def __init__(self, spec: ModelSpec) -> None:
        self.fail_attribute = bool(spec.params.get("fail_attribute"))
        super().__init__(spec)

    def classify(self, requests: list[ClassifyRequest]) -> list[dict[str, float]]:
        answers = []
        for request in requests:
            p = p_positive(request.text.split())
            answers.append({"positive": p, "negative": 1 - p})
        return answers

    def attribute(self, requests: list[AttributionRequest]) -> list[Attribution]:
        ATTRIBUTE_CALLS.append(len(requests))
        if self.fail_attribute:
            raise RuntimeError("no gradients today")
        found = []
        for request in requests:
            words = tuple(request.requests[0].text.split())
            p = p_positive(words)
            positive = p >= 0.5
            sign = 1.0 if positive else -1.0
            scores = tuple(sign * 0.25 if "good" in word else 0.0 for word in words)
            value = p if positive else 1 - p
            baseline = 0.3 if positive else 0.7
            found.append(
                Attribution(
                    tokens=words, scores=scores, target="positive" if positive else "negative", value=value,
                    baseline_value=baseline, completeness_error=sum(scores) - (value - baseline),
                    deletable=tuple(range(len(words))), handle=(int(positive),),
                )
            )  # fmt: skip
        return found

    def deletion_scores(self, requests: list[DeletionRequest]) -> list[list[float]]:
        answers = []
        for request in requests:
            words = request.attribution.tokens
            row = []
            for removed in request.removed:
                p = p_positive([w for i, w in enumerate(words) if i not in removed])
                row.append(p if request.attribution.handle == (1,) else 1 - p)
            answers.append(row)
        return answers


class ReviewsTask(TinyTask):
    """The reviews above, with the model's label probabilities."""

    def examples(self) -> Iterable[Example]:
        for index, (text, label) in enumerate(REVIEWS):
            yield Example(f"r{index}", text, (label,), {"text": text, "label": label})

    def probabilities(self, example: Example, strategy: str, answers: Sequence[Any]) -> dict[str, float] | None:
        return dict(answers[0]) if strategy == "classify" else None


class WordPlugin:
    @hookimpl
    def register_models(self, register: Any) -> None:
        register(WordModel, name="words")

    @hookimpl
    def register_tasks(self, register: Any) -> None:
        register(ReviewsTask, name="reviews")


def suite(attributions: dict[str, Any], **task: Any) -> dict[str, Any]:
    return {
        "name": "attributed",
        "seed": 7,
        "models": [{"name": "words", "type": "words"}, {"name": "tiny", "type": "tiny"}],
        "tasks": [{"name": "reviews", "type": "reviews", "attributions": attributions, **task}],
    }


def run(tmp_path: Path, attributions: dict[str, Any], **task: Any) -> Any:
    return run_suite_text(suite(attributions, **task), tmp_path, host=make_host(WordPlugin()))


# -- choosing the examples ----------------------------------------------------------------

METRICS = {"tiny-match": {"higher_is_better": True, "scale": [0.0, 1.0]}}


def cell(per_example: list[dict[str, Any]], probabilities: list[Any], **metrics: Any) -> CellToAttribute:
    n = len(per_example)
    return CellToAttribute(
        model="m", task="t", strategy="classify", examples=[Example(f"e{i}", "x", ("a",)) for i in range(n)],
        requests_of=lambda example: [], predictions=[None] * n, probabilities=probabilities,
        per_example=per_example, metrics=metrics or METRICS, seed=1, resamples=200, confidence=0.95,
    )  # fmt: skip


def test_errors_are_the_examples_below_the_metrics_best_in_data_order() -> None:
    scores = [{"tiny-match": s} for s in (1.0, 0.0, 1.0, 0.0, 0.0)]
    chosen, facts = select(AttributionOptions(select="errors", examples=2), cell(scores, [None] * 5))
    assert chosen == [1, 3] and facts == {"errors": 3}


def test_confident_errors_come_most_confident_first() -> None:
    scores = [{"tiny-match": s} for s in (0.0, 1.0, 0.0, 0.0)]
    probabilities = [{"a": 0.6, "b": 0.4}, {"a": 0.99}, {"a": 0.1, "b": 0.9}, {"a": 0.7, "b": 0.3}]
    chosen, _ = select(AttributionOptions(select="confident-errors", examples=5), cell(scores, probabilities))
    assert chosen == [2, 3, 0]


def test_confident_errors_without_confidence_say_so_and_keep_data_order() -> None:
    scores = [{"tiny-match": 0.0}, {"tiny-match": 0.0}]
    chosen, facts = select(AttributionOptions(select="confident-errors"), cell(scores, [None, None]))
    assert chosen == [0, 1] and "no confidence" in facts["note"]


def test_random_is_seeded_and_distinct() -> None:
    scores = [{"tiny-match": 1.0}] * 30
    first, _ = select(AttributionOptions(select="random", examples=10), cell(scores, [None] * 30))
    again, _ = select(AttributionOptions(select="random", examples=10), cell(scores, [None] * 30))
    assert first == again and len(set(first)) == 10 and first == sorted(first)


def test_wrong_reads_accuracy_first_and_a_lower_is_better_metric_the_other_way() -> None:
    metrics = {
        "loss": {"higher_is_better": False, "scale": [0.0, 10.0]},
        "accuracy": {"higher_is_better": True, "scale": [0.0, 1.0]},
    }
    assert wrong({"loss": 0.0, "accuracy": 0.0}, metrics) is True
    assert wrong({"loss": 2.0}, {"loss": metrics["loss"]}) is True
    assert wrong({"loss": 0.0}, {"loss": metrics["loss"]}) is False
    assert wrong({"accuracy": None}, metrics) is None


def test_confidence_is_the_top_probability_else_a_score() -> None:
    assert confidence_of({"a": 0.2, "b": 0.8}, "b") == 0.8
    assert confidence_of(None, {"text": "x", "score": 3.5}) == 3.5
    assert confidence_of(None, "x") is None


# -- the deletion check ----------------------------------------------------------------------


def test_the_attribution_order_is_highest_first_ties_by_position() -> None:
    assert attribution_order([0.1, 0.5, -1.0, 0.5], [0, 1, 2, 3]) == [1, 3, 0, 2]
    assert attribution_order([9.0, 0.5, 0.2], [1, 2]) == [1, 2]  # only deletable positions


def test_removals_take_the_ceiling_of_each_fraction() -> None:
    sets = removals([4, 1, 3, 0, 2])
    assert [len(s) for s in sets] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert sets[0] == (4,) and sets[2] == (1, 4) and sets[-1] == (0, 1, 2, 3, 4)


def test_random_orders_are_seeded_permutations() -> None:
    orders = random_orders([3, 5, 7, 9], 4, seed=11)
    assert orders == random_orders([3, 5, 7, 9], 4, seed=11)
    assert all(sorted(order) == [3, 5, 7, 9] for order in orders) and len({tuple(o) for o in orders}) > 1


def test_the_area_is_the_trapezoid_from_no_drop() -> None:
    assert curve_area([1.0] * len(FRACTIONS)) == pytest.approx(0.95)  # 0.05 lost to the first trapezoid
    assert curve_area([0.0] * len(FRACTIONS)) == 0.0
    assert curve_area([0.5, 1.0], fractions=(0.5, 1.0)) == pytest.approx(0.5 * 0.25 + 0.5 * 0.75)


def test_example_deletion_averages_the_random_orders() -> None:
    found = example_deletion(0.9, [0.5, 0.1], [[0.9, 0.5], [0.7, 0.1]])
    assert found.attributed == pytest.approx([0.4, 0.8])
    assert found.random == pytest.approx([0.1, 0.6])


def test_faithfulness_passes_when_the_difference_interval_is_above_zero() -> None:
    good = [ExampleDeletion([0.5] * 10, [0.1 + 0.01 * i] * 10) for i in range(12)]
    summary = faithfulness_summary(good, resamples=500, confidence=0.95, seed=3)
    assert summary["passed"] is True and summary["difference"]["ci_low"] > 0
    assert summary["attribution_auc"]["value"] == pytest.approx(curve_area([0.5] * 10))
    bad = [ExampleDeletion([0.1] * 10, [0.1 + (0.02 if i % 2 else -0.02)] * 10) for i in range(12)]
    assert faithfulness_summary(bad, resamples=500, confidence=0.95, seed=3)["passed"] is False
    assert faithfulness_summary([], resamples=500, confidence=0.95, seed=3)["passed"] is None


def test_completeness_is_flagged_relative_to_the_change_it_explains() -> None:
    options = AttributionOptions(tolerance=0.05)

    def attribution(error: float, value: float, baseline: float) -> Attribution:
        return Attribution((), (), "t", value, baseline_value=baseline, completeness_error=error)

    assert completeness_flagged(options, attribution(0.06, 0.9, 0.1))
    assert not completeness_flagged(options, attribution(0.04, 0.9, 0.1))
    assert not completeness_flagged(options, attribution(0.4, -2.0, -12.0))  # 0.05 × 10
    assert not completeness_flagged(options, Attribution((), (), "t", 0.5))  # not integrated gradients


# -- the suite option -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "said"),
    [
        ({"method": "integrated-gradient"}, "tasks[0].attributions.method: must be"),
        ({"examples": 0}, "tasks[0].attributions.examples: must be at least 1"),
        ({"select": "worst"}, "tasks[0].attributions.select: must be"),
        ({"stepz": 3}, "tasks[0].attributions.stepz: unknown option (did you mean 'steps'?)"),
        ("all", "tasks[0].attributions: must be a mapping"),
    ],
)
def test_a_bad_attributions_entry_is_one_line_naming_the_field(tmp_path: Path, given: Any, said: str) -> None:
    with pytest.raises(ConfigError) as raised:
        run(tmp_path, given)
    message = str(raised.value)
    assert said in message and "\n" not in message and "suite.yaml:" in message


# -- whole runs -------------------------------------------------------------------------------------


def test_the_most_confident_errors_are_attributed_in_samples_results_and_report(tmp_path: Path) -> None:
    done = run(tmp_path, {"select": "confident-errors", "examples": 3})
    done.assert_ok()
    summary = done.cell("words", "reviews")["attributions"]
    assert summary["status"] == "ok" and summary["examples"] == 3 and summary["errors"] == 3
    assert summary["method"] == "integrated-gradients" and summary["seconds"] >= 0
    # the saturated example overshoots: flagged and counted, not hidden
    assert summary["completeness"]["flagged"] == 1
    assert summary["completeness"]["max_abs_error"] == pytest.approx(0.1)
    lines = {line["id"]: line["attributions"] for line in done.samples if "attributions" in line}
    assert [lines[i]["rank"] for i in ("r0", "r1", "r2")] == [0, 1, 2]
    first = lines["r0"]
    assert first["tokens"] == ["good", "good", "good", "but", "dull"] and first["scores"][:4] == [0.25] * 3 + [0]
    assert first["target"] == "positive" and first["completeness_flagged"] is True
    assert lines["r2"]["completeness_flagged"] is False
    page = (done.out_dir / "report.html").read_text(encoding="utf-8")
    assert "<h2>Attributions</h2>" in page and "past tolerance" in page
    assert page.index(">dull<") < page.index(">fine<") < page.index(">book<")  # most confident first


def test_the_faithfulness_check_passes_for_faithful_attributions(tmp_path: Path) -> None:
    done = run(tmp_path, {"select": "random", "examples": 10, "random_orders": 4})
    check = done.cell("words", "reviews")["attributions"]["faithfulness"]
    assert check["passed"] is True and check["examples"] == 10 and check["random_orders"] == 4
    assert check["attribution_auc"]["value"] > check["random_auc"]["value"]
    assert check["difference"]["ci_low"] > 0
    assert len(check["curve"]["attribution"]) == len(FRACTIONS)
    line = next(line for line in done.samples if line["id"] == "r4" and line["model"] == "words")
    assert line["attributions"]["deletion"]["attribution_auc"] > line["attributions"]["deletion"]["random_auc"]
    page = (done.out_dir / "report.html").read_text(encoding="utf-8")
    assert "&lt;b&gt;good&lt;/b&gt;" in page and "<b>good</b>" not in page  # token text is escaped


def test_a_model_without_the_hooks_is_not_applicable_and_its_cell_unaffected(tmp_path: Path) -> None:
    done = run(tmp_path, {"examples": 2})
    tiny = done.cell("tiny", "reviews")
    assert tiny["status"] == "ok" and tiny["metrics"]["tiny-match"]["value"] is not None
    assert tiny["attributions"]["status"] == "not_applicable"
    assert "model type 'tiny' has no attribute" in tiny["attributions"]["reason"]
    assert not any("attributions" in line for line in done.samples if line["model"] == "tiny")
    assert done.exit_code == 0


def test_a_generation_cell_is_not_applicable_with_the_reason(tmp_path: Path) -> None:
    done = run(tmp_path, {"examples": 2}, strategy="generate")
    reason = done.cell("words", "reviews")["attributions"]["reason"]
    assert reason.startswith("not applicable: the cell's strategy is generate")


def test_a_hook_that_raises_fails_the_attributions_not_the_cell(tmp_path: Path) -> None:
    failing = suite({"examples": 2})
    failing["models"][0]["params"] = {"fail_attribute": True}
    done = run_suite_text(failing, tmp_path, host=make_host(WordPlugin()))
    words = done.cell("words", "reviews")
    assert words["status"] == "ok" and words["attributions"]["status"] == "failed"
    assert "no gradients today" in words["attributions"]["error"] and done.exit_code == 1
    assert any("attributions of words × reviews failed" in line for line in done.log)


def test_an_identical_rerun_takes_the_attributions_from_the_store(tmp_path: Path) -> None:
    ATTRIBUTE_CALLS.clear()
    first = run(tmp_path, {"examples": 3})
    second = run(tmp_path, {"examples": 3})
    assert len(ATTRIBUTE_CALLS) == 1
    before, after = (r.cell("words", "reviews")["attributions"] for r in (first, second))
    assert after["cached"] is True and after["faithfulness"] == before["faithfulness"]
    assert [line.get("attributions") for line in first.samples] == [line.get("attributions") for line in second.samples]
    # another confidence level is another interval: not taken from the store
    wider = suite({"examples": 3})
    wider["bootstrap"] = {"confidence": 0.5}
    third = run_suite_text(wider, tmp_path, host=make_host(WordPlugin()))
    assert len(ATTRIBUTE_CALLS) == 2 and third.cell("words", "reviews")["attributions"].get("cached") is not True


def test_results_hold_plain_json(tmp_path: Path) -> None:
    done = run(tmp_path, {"examples": 1, "method": "gradient-x-input"})
    results = json.loads((done.out_dir / "results.json").read_text(encoding="utf-8"))
    summary = results["cells"][0]["attributions"]
    assert summary["method"] == "gradient-x-input" and "steps" not in summary
    assert all(math.isfinite(x) for x in summary["faithfulness"]["curve"]["attribution"])
