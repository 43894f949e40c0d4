"""The ``template`` task type end to end, on the kit's tiny model: every output, few-shot
prompts, per-model templates, partial scoring and unresolved targets.

The tiny model scores a continuation ``-0.1 * len(word) - 1`` unless the word is its
guess ("positive" when the context says "good", else "negative"), so among other
choices the shortest is likeliest, and divided by length the longest wins.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import pytest

from nlpbench import ConfigError


def lines(rows: list[Any]) -> str:
    """Rows as JSON Lines."""
    return "".join(json.dumps(row) + "\n" for row in rows)


QUESTIONS = [
    {"q": "Which is shortest?", "options": ["ab", "abcdef", "abc"], "answer": 0, "key": "q1"},
    {"q": "Which is longest?", "options": ["ab", "abcdef", "abc"], "answer": 1, "key": "q2"},
    {"q": "Which has three letters?", "options": ["ab", "abcdef", "abc"], "answer": "abc", "key": "q3"},
]

MC = {
    "output": "multiple_choice",
    "input": "Q: {{q}}\nA:",
    "choices": "options",
    "target": "answer",
    "id": "{{key}}",
}


def _mc(**params: Any) -> dict[str, Any]:
    return {"name": "mc", "type": "template", "data": {"path": "q.jsonl"}, "params": {**MC, **params}}


def test_multiple_choice_scores_each_choice_after_the_input(run: Any) -> None:
    result = run([{**_mc(), "metrics": ["acc", "acc_norm", {"name": "acc_norm", "by": "bytes", "as": "acc_bytes"}]}],
                 files={"q.jsonl": lines(QUESTIONS)})  # fmt: skip
    cell = result.cell("tiny", "mc")
    assert cell["status"] == "ok" and cell["strategy"] == "loglikelihood" and cell["n"] == 3
    assert [s["id"] for s in result.samples] == ["q1", "q2", "q3"]
    assert [s["references"] for s in result.samples] == [[0], [1], [2]]
    first = result.samples[0]
    assert first["prompt"] == "Q: Which is shortest?\nA:"
    prediction = first["prediction"]
    assert prediction["loglikelihoods"] == pytest.approx([-1.2, -1.6, -1.3])
    assert prediction["chars"] == [2, 6, 3] and prediction["choice"] == 0
    # raw log-likelihood picks the shortest choice, divided by length the longest
    assert [s["scores"]["acc"] for s in result.samples] == [1.0, 0.0, 0.0]
    assert [s["scores"]["acc_norm"] for s in result.samples] == [0.0, 1.0, 0.0]
    assert cell["metrics"]["acc_bytes"]["value"] == cell["metrics"]["acc_norm"]["value"]
    assert sum(first["probabilities"].values()) == pytest.approx(1.0)
    assert cell["task_info"]["output"] == "multiple_choice" and cell["task_info"]["conventions"] == "nlpbench"


def test_the_default_metrics_of_multiple_choice_are_acc_and_acc_norm(run: Any) -> None:
    result = run([_mc()], files={"q.jsonl": lines(QUESTIONS)})
    assert list(result.cell("tiny", "mc")["metrics"]) == ["acc", "acc_norm"]


def test_mutual_information_asks_each_choice_without_context_too(run: Any) -> None:
    result = run([{**_mc(), "metrics": ["acc", "acc_mutual_info"]}], files={"q.jsonl": lines(QUESTIONS)})
    prediction = result.samples[0]["prediction"]
    assert prediction["unconditional"] == pytest.approx(
        prediction["loglikelihoods"]
    )  # the tiny model ignores contexts here
    assert result.cell("tiny", "mc")["metrics"]["acc_mutual_info"]["value"] is not None


def test_a_classifier_answers_multiple_choice_through_its_labels(run: Any) -> None:
    rows = [
        {"premise": "a good day", "hypothesis": "it was fine", "label": 0},
        {"premise": "rain all day", "hypothesis": "it was sunny", "label": 2},
    ]
    task = {
        "name": "nli",
        "type": "template",
        "data": {"path": "nli.jsonl"},
        "params": {
            "input": "{{premise}} Question: {{hypothesis}}?",
            "choices": ["True", "Neither", "False"],
            "labels": ["entailment", "neutral", "contradiction"],
            "target": "label",
            "classify": {"text": "{{premise}}", "text_pair": "{{hypothesis}}"},
        },
        "metrics": ["acc", "acc_norm", "brier", "ece"],
    }
    result = run(
        [task],
        files={"nli.jsonl": lines(rows)},
        models=[{"name": "tiny", "type": "tiny", "params": {"capabilities": ["classify"]}}],
    )
    cell = result.cell("tiny", "nli")
    assert cell["status"] == "ok" and cell["strategy"] == "classify"
    # "good" makes the tiny model's first label (entailment) its guess, else the next one
    assert [s["prediction"]["choice"] for s in result.samples] == [0, 1]
    assert cell["metrics"]["acc"]["value"] == 0.5
    assert cell["metrics"]["acc_norm"]["value"] is None and "classifier" in cell["metrics"]["acc_norm"]["reason"]
    probabilities = [s["probabilities"] for s in result.samples]
    assert probabilities[0] == pytest.approx({"0": 0.9, "1": 0.05, "2": 0.05})
    brier = ((0.9 - 1) ** 2 + 0.05**2 * 2 + (0.05**2 + 0.9**2 + (0.05 - 1) ** 2)) / 2
    assert cell["metrics"]["brier"]["value"] == pytest.approx(brier)
    # both have confidence 0.9 (one bin): |(1 + 0) / 2 - 0.9|
    assert cell["metrics"]["ece"]["value"] == pytest.approx(0.4)


def test_generation_is_filtered_then_matched(run: Any) -> None:
    rows = [{"text": "a good film", "gold": "POS"}, {"text": "a dull film", "gold": "POS"}]
    task = {
        "name": "gen",
        "type": "template",
        "data": {"path": "g.jsonl"},
        "params": {
            "output": "generate",
            "input": "{{text}}\n",
            "target": "gold",
            "generate": {"until": ["\n"], "max_new_tokens": 4},
            "filters": [{"regex": "(pos|neg)"}, "uppercase"],
        },
    }
    result = run([task], files={"g.jsonl": lines(rows)})
    cell = result.cell("tiny", "gen")
    assert cell["strategy"] == "generate" and list(cell["metrics"]) == ["em"]
    assert [s["prediction"] for s in result.samples] == [
        {"text": "positive", "answer": "POS"},
        {"text": "negative", "answer": "NEG"},
    ]
    assert cell["metrics"]["em"]["value"] == 0.5
    assert cell["task_info"]["generate"] == {"until": ["\n"], "max_new_tokens": 4, "temperature": 0.0}


def test_named_pipelines_of_filters_are_scored_apart(run: Any) -> None:
    rows = [{"text": "a good film #### 12", "gold": "12"}]
    task = {
        "name": "gen",
        "type": "template",
        "data": {"path": "g.jsonl"},
        "params": {
            "output": "generate",
            "input": "{{text}}",
            "target": "gold",
            "filters": {"strict": [{"regex": "#### (\\d+)"}], "loose": [{"regex": "(\\w+)", "select": -1}]},
        },
        "metrics": [
            {"name": "em", "filter": "strict", "as": "em-strict"},
            {"name": "em", "filter": "loose", "as": "em-loose"},
        ],
    }
    result = run([task], files={"g.jsonl": lines(rows)})
    [sample] = result.samples
    assert sample["prediction"]["answers"] == {"strict": "[invalid]", "loose": "positive"}
    assert set(result.cell("tiny", "gen")["metrics"]) == {"em-strict", "em-loose"}


def test_a_target_continuation_gives_its_perplexity_and_whether_it_is_greedy(run: Any) -> None:
    rows = [{"text": "good things", "word": "positive"}, {"text": "bad things", "word": "positive"}]
    task = {
        "name": "ll",
        "type": "template",
        "data": {"path": "l.jsonl"},
        "params": {"output": "loglikelihood", "input": "{{text}}:", "target": "word"},
    }
    result = run([task], files={"l.jsonl": lines(rows)})
    cell = result.cell("tiny", "ll")
    assert list(cell["metrics"]) == ["target-perplexity", "acc"]
    logprobs = [s["prediction"]["logprob"] for s in result.samples]
    assert logprobs == pytest.approx([-0.8, -1.8])
    assert cell["metrics"]["target-perplexity"]["value"] == pytest.approx(math.exp(1.3))
    assert cell["metrics"]["acc"]["value"] == 0.5


def test_rolling_scores_the_whole_input(run: Any) -> None:
    rows = [{"page": "one two three"}, {"page": "four five"}]
    task = {
        "name": "ppl",
        "type": "template",
        "data": {"path": "p.jsonl"},
        "params": {"output": "rolling", "input": "page"},
    }
    result = run([task], files={"p.jsonl": lines(rows)})
    cell = result.cell("tiny", "ppl")
    assert cell["strategy"] == "loglikelihood_rolling"
    assert cell["metrics"]["bits-per-byte"]["value"] == pytest.approx(5.0)  # the tiny model: 5 bits a character
    assert [s["prediction"]["words"] for s in result.samples] == [3, 2]


def test_extract_span_is_matched_against_the_answers(run: Any) -> None:
    rows = [{"question": "Who?", "context": "Ada wrote it.", "answers": ["Ada"]}]
    task = {
        "name": "span",
        "type": "template",
        "data": {"path": "s.jsonl"},
        "params": {
            "output": "extract_span",
            "target": "answers",
            "extract_span": {"question": "question", "context": "context"},
        },
    }
    result = run([task], files={"s.jsonl": lines(rows)})
    assert result.cell("tiny", "span")["metrics"]["em"]["value"] == 1.0


def test_shots_come_from_the_train_split_never_the_example_itself(run: Any) -> None:
    train = [{"q": f"Train {i}?", "options": ["x", "y"], "answer": i % 2, "key": f"t{i}"} for i in range(6)]
    task = {**_mc(shots=2, description="Quiz.\n\n"), "data": {"path": "q.jsonl", "train": "t.jsonl"}}
    result = run([task], files={"q.jsonl": lines(QUESTIONS), "t.jsonl": lines(train)})
    prompt = result.samples[0]["prompt"]
    assert prompt.startswith("Quiz.\n\nQ: Train ") and prompt.endswith("\n\nQ: Which is shortest?\nA:")
    shots = prompt.removeprefix("Quiz.\n\n").split("\n\n")[:-1]
    assert len(shots) == 2 and all(s.startswith("Q: Train ") and s[-1] in "xy" for s in shots)
    again = run([task], files={"q.jsonl": lines(QUESTIONS), "t.jsonl": lines(train)})
    assert again.samples[0]["prompt"] == prompt  # seeded: the same shots every run


def test_the_first_sampler_shows_the_train_splits_first_examples(run: Any) -> None:
    train = [{"q": f"Train {i}?", "options": ["x", "y"], "answer": i % 2, "key": f"t{i}"} for i in range(4)]
    task = {**_mc(shots=2, sampler="first", target_delimiter=" "), "data": {"path": "q.jsonl", "train": "t.jsonl"}}
    result = run([task], files={"q.jsonl": lines(QUESTIONS), "t.jsonl": lines(train)})
    assert result.samples[0]["prompt"] == "Q: Train 0?\nA: x\n\nQ: Train 1?\nA: y\n\nQ: Which is shortest?\nA:"


def test_each_model_gets_its_own_input_template(run: Any) -> None:
    task = _mc(input={"tiny": "TINY {{q}}", "default": "Q: {{q}}\nA:"})
    models = [{"name": "tiny", "type": "tiny"}, {"name": "other", "type": "tiny"}]
    result = run([task], files={"q.jsonl": lines(QUESTIONS)}, models=models)
    prompts = {s["model"]: s["prompt"] for s in result.samples if s["id"] == "q1"}
    assert prompts == {"tiny": "TINY Which is shortest?", "other": "TINY Which is shortest?"}  # both are of type tiny
    named = _mc(input={"other": "OTHER {{q}}", "default": "Q: {{q}}\nA:"})
    result = run([named], files={"q.jsonl": lines(QUESTIONS)}, models=models)
    prompts = {s["model"]: s["prompt"] for s in result.samples if s["id"] == "q1"}
    assert prompts == {"tiny": "Q: Which is shortest?\nA:", "other": "OTHER Which is shortest?"}


def test_partial_scoring_ends_the_context_with_each_choice(run: Any) -> None:
    rows = [{"sentence": "The cup fell because _ was full.", "o1": "the cup", "o2": "the shelf", "answer": 0}]
    params = {
        "output": "multiple_choice",
        "choices": ["{{sentence.split('_')[0]}}{{o1}}", "{{sentence.split('_')[0]}}{{o2}}"],
        "continuation": "{{sentence.split('_')[1].strip()}}",
        "target": "answer",
        "input": "{{sentence}}",
    }
    result = run(
        [{"name": "wino", "type": "template", "data": {"path": "w.jsonl"}, "params": params}],
        files={"w.jsonl": lines(rows)},
    )
    [sample] = result.samples
    assert result.cell("tiny", "wino")["status"] == "ok"
    assert sample["prediction"]["choice"] in (0, 1) and len(sample["prediction"]["loglikelihoods"]) == 2


def test_unresolved_targets_are_left_out_and_counted(run: Any) -> None:
    # past the rows validation renders (a broken one among those stops the run at once)
    good = [dict(QUESTIONS[i % 3], key=f"k{i}") for i in range(6)]
    rows = [*good, {"q": "Broken?", "options": ["a", "b"], "answer": 5, "key": "bad"}]
    result = run([_mc()], files={"q.jsonl": lines(rows)})
    cell = result.cell("tiny", "mc")
    assert cell["n"] == 6
    assert cell["task_info"]["unresolved_targets"] == {
        "count": 1,
        "handled": "left out",
        "examples": [{"id": "bad", "problem": "the target 5 is out of range of the 2 choices"}],
    }


@pytest.mark.parametrize(
    ("params", "rows", "message"),
    [
        (
            {"input": "Q: {{question}}"},
            QUESTIONS,
            "params.input: 'question' is undefined; the row has the columns answer, key, options, q (",
        ),
        (
            {},
            [{**QUESTIONS[0]}, {**QUESTIONS[1], "answer": 7}],
            "params.target: the target 7 is out of range of the 3 choices (",
        ),
        ({"choices": "{{[]}}"}, QUESTIONS, "params.choices: renders no choices ("),
        ({"ouput": "generate"}, QUESTIONS, "params.ouput: unknown option (did you mean 'output'?)"),
        (
            {"output": "generate", "filters": [{"regex": "("}]},
            QUESTIONS,
            "params.filters[0].regex: not a regular expression",
        ),
        ({"shots": 2}, QUESTIONS, "params.shots: 2 shots need a train split"),
    ],
)
def test_mistakes_are_found_by_validate_naming_file_row_and_field(
    host: Any, tmp_path: Any, params: dict[str, Any], rows: list[Any], message: str
) -> None:
    from nlpbench.suites.suite import load_suite

    (tmp_path / "q.jsonl").write_text(lines(rows), encoding="utf-8")
    suite = tmp_path / "suite.yaml"
    import yaml

    suite.write_text(
        yaml.safe_dump({"name": "v", "models": [{"name": "tiny", "type": "tiny"}], "tasks": [_mc(**params)]})
    )
    with pytest.raises(ConfigError) as caught:
        load_suite(suite, host)
    text = str(caught.value)
    assert message in text and "\n" not in text
    if message.endswith("("):  # a data mistake names the file and the row after the field
        assert re.search(r"q\.jsonl, row [12]\)$", text), text


def test_a_missing_column_past_the_checked_rows_fails_the_tasks_cells(run: Any) -> None:
    rows = [*(dict(QUESTIONS[0], key=f"k{i}") for i in range(6)), {"options": ["a"], "answer": 0, "key": "x"}]
    result = run([_mc()], files={"q.jsonl": lines(rows)})
    cell = result.cell("tiny", "mc")
    assert cell["status"] == "failed" and result.exit_code == 1
    assert cell["error"].startswith("loading the task: params.input: 'q' is undefined; the row has the columns")
    assert cell["error"].endswith("q.jsonl, row 7)")
