"""Judges: a model of the suite grades the others' answers (pointwise) or picks the
better of two (pairwise, both orders), cached like predictions."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import pytest

from nlpbench import ConfigError, GenerateRequest, hookimpl
from nlpbench.plugins.builtin.judges import JudgeMetric
from nlpbench.testing import make_host, run_suite_text
from nlpbench.testing.harness import tiny_suite


class ConstantModel:
    """Answers every prompt with ``params.answer``."""

    capabilities: ClassVar[frozenset[str]] = frozenset({"generate"})

    def __init__(self, spec: Any) -> None:
        self.answer = str(spec.params.get("answer", "negative"))

    def generate(self, requests: Sequence[GenerateRequest]) -> list[str]:
        return [self.answer for _ in requests]


class Grader:
    """A judge: pointwise, 9 for "positive" and 2 otherwise; pairwise, the answer that
    says "positive" (a tie when both or neither do). ``style: biased`` always picks the
    answer shown first; ``style: mumbles`` never gives a verdict; ``style: broken`` cannot load."""

    capabilities: ClassVar[frozenset[str]] = frozenset({"generate"})
    asked: ClassVar[int] = 0

    def __init__(self, spec: Any) -> None:
        self.style = spec.params.get("style", "fair")
        if self.style == "broken":
            raise RuntimeError("the grader's weights are missing")

    def generate(self, requests: Sequence[GenerateRequest]) -> list[str]:
        Grader.asked += len(requests)
        self.words = getattr(self, "words", 0) + sum(len(r.prompt.split()) for r in requests)
        return [self._verdict(request) for request in requests]

    def usage(self) -> dict[str, float]:
        return {"input_tokens": getattr(self, "words", 0)}

    def _verdict(self, request: GenerateRequest) -> str:
        assert request.messages and request.messages[-1].content == request.prompt
        if self.style == "mumbles":
            return "I cannot decide."
        if "[Assistant A's answer]" in request.prompt:
            if self.style == "biased":
                return "The first one. [[A]]"
            a, b = re.findall(r"'s answer\]\n(.*)\n", request.prompt)
            if (a == "positive") == (b == "positive"):
                return "Equally good. [[C]]"
            return "[[A]]" if a == "positive" else "[[B]]"
        response = request.prompt.split("[The assistant's response]\n", 1)[1].strip()
        return "Rating: [[9]]" if response == "positive" else "Rating: [[2]]"


class JudgePlugin:
    NLPBENCH_PLUGIN_NAME = "judges-test"

    @hookimpl
    def register_models(self, register: Any) -> None:
        register(ConstantModel, name="constant")
        register(Grader, name="grader")


def _suite(metrics: list[Any], grader: dict[str, Any] | None = None) -> dict[str, Any]:
    return tiny_suite(
        models=[
            {"name": "tiny", "type": "tiny"},
            {"name": "gloomy", "type": "constant"},
            {"name": "grader", "type": "grader", "params": grader or {}},
        ],
        tasks=[{"name": "t", "type": "tiny", "strategy": "generate", "models": ["tiny", "gloomy"], "metrics": metrics}],
    )


def _run(tmp_path: Path, suite: dict[str, Any]) -> Any:
    return run_suite_text(suite, tmp_path, host=make_host(JudgePlugin()))


def test_a_judge_grades_each_answer_with_an_interval_and_is_compared_like_any_score(tmp_path: Path) -> None:
    Grader.asked = 0
    run = _run(tmp_path, _suite(["tiny-match", {"name": "judge", "model": "grader"}]))
    assert run.exit_code == 0, run.log
    tiny, gloomy = (c for c in run.results["cells"] if c["task"] == "t")
    # tiny says "positive" for the 5 reviews with "good" in them (9 each), "negative" for 3 (2 each)
    assert tiny["metrics"]["judge"]["value"] == pytest.approx((5 * 9 + 3 * 2) / 8)
    assert gloomy["metrics"]["judge"]["value"] == 2.0
    assert tiny["metrics"]["judge"]["ci_low"] <= 6.375 <= tiny["metrics"]["judge"]["ci_high"]
    assert tiny["metrics"]["judge"]["info"]["unparsed"] == 0 and tiny["metrics"]["judge"]["info"]["judge"] == "grader"
    assert Grader.asked == 16
    [compared] = [c for c in run.results["comparisons"] if c["metric"] == "judge"]
    assert (compared["a"], compared["b"], compared["delta"]) == ("tiny", "gloomy", pytest.approx(4.375))
    lines = [s for s in run.samples if s.get("judge") == "judge"]
    assert len(lines) == 16 and {line["model"] for line in lines} == {"tiny", "gloomy"}
    first = next(line for line in lines if line["model"] == "tiny" and line["id"] == "tiny-0")
    assert "a good film with a good cast" in first["prompt"] and first["verdict"] == "Rating: [[9]]"
    assert first["score"] == 9.0
    # an identical rerun: the verdicts come from the store, the judge is never loaded
    again = _run(tmp_path, _suite(["tiny-match", {"name": "judge", "model": "grader"}]))
    assert Grader.asked == 16
    assert [c["metrics"] for c in again.results["cells"]] == [c["metrics"] for c in run.results["cells"]]
    assert [s for s in again.samples if "judge" in s] == lines


def test_pairwise_judging_asks_both_orders_and_reports_the_win_rate(tmp_path: Path) -> None:
    run = _run(
        tmp_path, _suite(["tiny-match", {"name": "judge", "as": "preference", "model": "grader", "mode": "pairwise"}])
    )
    assert run.exit_code == 0, run.log
    [judged] = run.results["judgements"]
    assert (judged["a"], judged["b"], judged["judge"], judged["judge_model"]) == (
        "tiny",
        "gloomy",
        "preference",
        "grader",
    )
    # tiny wins the 5 examples where it says "positive" in both orders; the other 3 are ties
    assert judged["win_rate"] == pytest.approx(6.5 / 8) and (judged["wins_a"], judged["ties"]) == (5, 3)
    assert judged["inconsistent"] == 0.0 and judged["n"] == 8 and judged["unparsed"] == 0
    assert judged["ci_low"] <= 6.5 / 8 <= judged["ci_high"]
    assert all("preference" not in c["metrics"] for c in run.results["cells"])  # no per-cell score
    lines = [s for s in run.samples if s.get("judge") == "preference"]
    assert len(lines) == 8 and lines[0]["against"] == "gloomy" and len(lines[0]["verdicts"]) == 2
    page = (run.out_dir / "report.html").read_text(encoding="utf-8")
    row = re.search(r"<table class='judgements' id='judgements-table'>.*?</table>", page, flags=re.DOTALL)
    assert row is not None and "<td>tiny</td><td>gloomy</td><td class='num'>0.812</td>" in row.group(0)
    assert "<td class='num'>5 / 3 / 0</td><td class='num'>0%</td>" in row.group(0)


def test_a_judge_that_always_prefers_the_first_answer_is_found_inconsistent(tmp_path: Path) -> None:
    suite = _suite([{"name": "judge", "model": "grader", "mode": "pairwise"}], grader={"style": "biased"})
    [judged] = _run(tmp_path, suite).results["judgements"]
    assert judged["inconsistent"] == 1.0 and judged["win_rate"] == 0.5  # position bias cancels out


def test_verdicts_that_do_not_parse_are_counted_never_scored_as_zero(tmp_path: Path) -> None:
    run = _run(tmp_path, _suite([{"name": "judge", "model": "grader"}], grader={"style": "mumbles"}))
    cell = run.results["cells"][0]["metrics"]["judge"]
    assert cell["value"] is None and cell["info"]["unparsed"] == 8
    assert cell["reason"] == "not computed: no verdict of the judge gave a grade (8 of 8 unparsed)"


def test_a_judge_that_cannot_load_fails_its_scores_only(tmp_path: Path) -> None:
    run = _run(tmp_path, _suite(["tiny-match", {"name": "judge", "model": "grader"}], grader={"style": "broken"}))
    assert run.exit_code == 1
    cell = run.results["cells"][0]
    assert cell["status"] == "ok" and cell["metrics"]["tiny-match"]["value"] is not None
    assert cell["metrics"]["judge"]["reason"].startswith("failed: the judge 'grader': ")
    assert "the grader's weights are missing" in cell["metrics"]["judge"]["reason"]


@pytest.mark.parametrize(
    ("judge", "message"),
    [
        ({"name": "judge"}, r"tasks\[0\] \(t\): metric 'judge': needs `model:`"),
        ({"name": "judge", "model": "oracle"}, r"metric 'judge': model: no model 'oracle' in the suite"),
        ({"name": "judge", "model": "grader", "pattern": "Rating"}, r"pattern: .*needs a group"),
        ({"name": "judge", "model": "grader", "template": "{{ answer_a }}"}, r"unknown variable 'answer_a'"),
    ],
)
def test_a_judge_the_suite_cannot_have_is_a_config_error(tmp_path: Path, judge: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        _run(tmp_path, _suite([judge]))


def test_validate_names_the_entry_of_a_judge_the_suite_lacks(tmp_path: Path) -> None:
    from nlpbench.suites.validating import validate_suite

    path = tmp_path / "suite.yaml"
    import yaml

    path.write_text(yaml.safe_dump(_suite([{"name": "judge", "model": "oracle"}]), sort_keys=False))
    problems = validate_suite(path, make_host(JudgePlugin())).problems
    assert any(
        re.search(r"suite\.yaml:\d+: tasks\[0\] \(t\): metric 'judge': model: no model 'oracle'", p) for p in problems
    )


def test_the_metric_parses_the_last_grade_on_its_scale() -> None:
    judge = JudgeMetric(model="grader")
    assert judge.grade("Rating: [[3]] ... on reflection, Rating: [[7]]") == 7.0
    assert judge.grade("Rating: [[11]]") is None  # off the 1-10 scale
    assert judge.grade("no verdict") is None
    custom = JudgeMetric(model="grader", pattern=r"Score: (\d)/5", scale=(1, 5))
    assert custom.grade("Score: 4/5") == 4.0
    pairwise = JudgeMetric(model="grader", mode="pairwise")
    assert [pairwise.choice(v) for v in ("[[A]]", "[[B]]", "[[C]]", "none")] == ["a", "b", "tie", None]
    assert json.dumps(judge.describe())  # plain JSON


def test_rescore_keeps_a_judges_score_and_compare_reads_it(tmp_path: Path) -> None:
    from nlpbench.results.runs import rescore

    run = _run(tmp_path, _suite(["tiny-match", {"name": "judge", "model": "grader"}]))
    rescored = rescore(run.out_dir, make_host(JudgePlugin()))
    assert [c["metrics"]["judge"] for c in rescored["cells"]] == [c["metrics"]["judge"] for c in run.results["cells"]]
    assert [c for c in rescored["comparisons"] if c["metric"] == "judge"] == [
        c for c in run.results["comparisons"] if c["metric"] == "judge"
    ]


def test_a_conversation_is_shown_to_the_judge_as_its_turns() -> None:
    judge = JudgeMetric(model="grader")
    history = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi there"}]
    shown = judge.prompt(history, "Hello!", ["Hi!"])
    assert "[User input]\nSystem: Be brief.\nUser: Hi there\n" in shown and "{'role'" not in shown
    assert "[Reference answer]\nHi!" in shown


def test_the_verdicts_are_asked_again_for_a_new_prompt_not_for_a_new_way_to_parse_them(tmp_path: Path) -> None:
    Grader.asked = 0
    first = _run(tmp_path, _suite([{"name": "judge", "model": "grader"}]))
    assert Grader.asked == 16 and first.results["cells"][0]["judge_usage"]["judge"]["input_tokens"] > 0
    # another pattern, scale and label read the stored verdicts again
    parsed = {"name": "judge", "as": "grade", "model": "grader", "pattern": r"\[\[(\d+)\]\]", "scale": [0, 10]}
    again = _run(tmp_path, _suite([parsed]))
    assert Grader.asked == 16 and again.results["cells"][0]["metrics"]["grade"]["value"] == pytest.approx(6.375)
    # another template or system prompt asks the judge again
    system = {"name": "judge", "model": "grader", "system": "You are strict."}
    _run(tmp_path, _suite([system]))
    assert Grader.asked == 32
