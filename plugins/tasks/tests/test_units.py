"""The pieces of a declarative task on their own: params, row templates, targets and
answer filters."""

from __future__ import annotations

from typing import Any

import pytest

from nlpbench import ConfigError, TaskError
from nlpbench_tasks.filters import INVALID, parse_filters, parse_pipelines
from nlpbench_tasks.params import parse_params
from nlpbench_tasks.targets import Unresolved, answer_texts, choice_indices
from nlpbench_tasks.templates import RowTemplate, literal_list

ROW = {"question": "Why?", "choices": {"text": ["a", "b"], "label": ["A", "B"]}, "answerKey": "B", "n": 3}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"output": "multi"}, "params.output: must be 'multiple_choice', 'classify', 'generate', "),
        ({"outptu": "generate"}, "params.outptu: unknown option (did you mean 'output'?)"),
        ({"input": "x", "target": "t", "output": "generate", "generate": {"untl": "\n"}},
         "params.generate.untl: unknown option (did you mean 'until'?); known: until, max_new_tokens, temperature"),
        ({"input": "x"}, "params: output multiple_choice needs choices"),
        ({"input": "x", "choices": ["a"]}, "params: output multiple_choice needs a target"),
        ({"input": "x", "choices": ["a"], "target": 0, "shots": -1}, "params.shots: must be at least 0, not -1"),
        ({"input": {"t5": "x"}, "choices": ["a"], "target": 0}, "params.input: a mapping of model type or name to template needs a 'default' template"),
        ({"input": "x", "output": "generate", "target": "t", "continuation": "c"}, "continuation applies to output multiple_choice"),
        ({"input": "x", "choices": ["a", "b"], "labels": ["only"], "target": 0}, "labels has 1 names but choices has 2"),
    ],
)  # fmt: skip
def test_params_mistakes_are_one_line_errors_naming_the_key(params: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_params(params)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_params_defaults() -> None:
    params = parse_params({"input": "x", "choices": ["a", "b"], "target": 0})
    assert (params.output, params.target_delimiter, params.fewshot_delimiter, params.shots) == (
        "multiple_choice",
        " ",
        "\n\n",
        0,
    )
    assert params.generate.until == ("\n\n",) and params.generate.max_new_tokens == 256


def test_a_bare_column_gives_its_value_and_text_is_rendered() -> None:
    assert RowTemplate("choices", "f").value(ROW) == ROW["choices"]
    assert RowTemplate("{{choices.label.index(answerKey)}}", "f").value(ROW) == "1"
    assert RowTemplate("{{choices.text}}", "f").items(ROW) == ["a", "b"]
    assert RowTemplate(["{{question}}", "no"], "f").value(ROW) == ["Why?", "no"]
    assert RowTemplate(3, "f").value(ROW) == 3
    assert RowTemplate("{{ 'a b'|regex_replace(' ', '_') }}", "f").text(ROW) == "a_b"


def test_an_unknown_variable_names_the_field_and_the_columns() -> None:
    with pytest.raises(
        TaskError,
        match=r"params.input: 'qestion' is undefined \(did you mean 'question'\?\); the row has the columns answerKey, choices, n, question",
    ):
        RowTemplate("{{qestion}}", "params.input").value(ROW)
    with pytest.raises(ConfigError, match=r"params\.input: template error on its line 1"):
        RowTemplate("{{ unclosed", "params.input")


def test_the_template_sandbox_refuses_unsafe_attributes() -> None:
    with pytest.raises(TaskError):
        RowTemplate("{{ question.__class__.__mro__[1].__subclasses__() }}", "f").value(ROW)


def test_literal_lists() -> None:
    assert literal_list("['a', 'b']") == ["a", "b"]
    assert literal_list("[not python") == "[not python"
    assert literal_list("plain") == "plain"


@pytest.mark.parametrize(
    ("target", "expected"),
    [(1, (1,)), ("1", (1,)), ("b", (1,)), ([0, "b"], (0, 1)), ("[0, 1]", (0, 1)), (1.0, (1,))],
)
def test_a_target_names_choices_by_index_or_text(target: Any, expected: tuple[int, ...]) -> None:
    assert choice_indices(target, ["a", "b"]) == expected


@pytest.mark.parametrize(
    ("target", "problem"),
    [
        (2, "out of range of the 2 choices"),
        ("c", "neither a choice's index nor one of the choices"),
        ([], "empty list"),
        (True, "neither"),
    ],
)
def test_an_unresolvable_target_says_why(target: Any, problem: str) -> None:
    with pytest.raises(Unresolved, match=problem):
        choice_indices(target, ["a", "b"])


def test_without_digit_strings_text_names_a_choice_only_by_its_text() -> None:
    assert choice_indices("1", ["1", "2"], digit_strings=False) == (0,)
    with pytest.raises(Unresolved):
        choice_indices("3", ["a", "b", "c", "d"], digit_strings=False)


def test_answer_texts() -> None:
    assert answer_texts("Paris") == ("Paris",)
    assert answer_texts("['Paris', 'paris']") == ("Paris", "paris")
    assert answer_texts(12) == ("12",)


def test_a_regex_filter_picks_a_match_as_lm_evaluation_harness_does() -> None:
    strict = parse_filters([{"regex": r"#### (\-?[0-9\.\,]+)"}])
    assert strict.apply("so 5*6 = 30.\n#### 30") == "30"
    assert strict.apply("no answer") == INVALID
    flexible = parse_filters([{"regex": r"(-?[$0-9.,]{2,})|(-?[0-9]+)", "select": -1}])
    assert flexible.apply("It costs $32.00 total") == "$32.00"
    assert flexible.apply("answer 7 then 1,000.") == "1,000."
    assert parse_filters([{"regex": "x(y)", "select": 3, "fallback": "none"}]).apply("xy") == "none"


def test_simple_filters_and_maps() -> None:
    pipeline = parse_filters(
        ["strip", "lowercase", {"map": {"yes": "True", "no": "False"}, "default": "?"}, "take_first"]
    )
    assert pipeline.apply("  YES ") == "True" and pipeline.apply("maybe") == "?"
    assert parse_filters(["remove_whitespace", "uppercase"]).apply(" a b ") == "A B"
    assert parse_filters(["map_to_choice"]).apply(" paris ", ["Rome", "Paris"]) == "Paris"
    assert parse_filters(["map_to_choice"]).apply("London", ["Rome", "Paris"]) == "London"


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        (["shout"], "params.filters[0]: unknown filter 'shout'; known:"),
        ([{"regex": "("}], "params.filters[0].regex: not a regular expression"),
        ([{"regex": "x", "group": 1}], "unknown key 'group' of a regex filter"),
        ([{"map": ["a"]}], "a map filter is"),
        ([3], "a filter is a name or a mapping"),
    ],
)
def test_filter_mistakes_name_the_step(steps: list[Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]").replace("(", r"\(")):
        parse_filters(steps)


def test_named_pipelines() -> None:
    pipelines = parse_pipelines({"strict": [{"regex": "(\\d+)"}], "raw": []})
    assert list(pipelines) == ["strict", "raw"] and pipelines["strict"].apply("a 12") == "12"
    assert list(parse_pipelines([])) == [""]


def test_a_misspelt_choice_as_target_gets_a_suggestion() -> None:
    with pytest.raises(Unresolved, match=r"the target 'positve' is neither .* choices \(did you mean 'positive'\?\)$"):
        choice_indices("positve", ["negative", "positive"])


def test_the_schema_bounds_shots_and_the_generation_budget() -> None:
    base = {"input": "x", "choices": ["a"], "target": 0}
    with pytest.raises(ConfigError) as raised:
        parse_params({**base, "shots": 10**6, "generate": {"max_new_tokens": 10**8}})
    assert raised.value.messages == [  # type: ignore[attr-defined]
        "params.shots: must be at most 2048, not 1000000",
        "params.generate.max_new_tokens: must be at most 32768, not 100000000",
    ]
