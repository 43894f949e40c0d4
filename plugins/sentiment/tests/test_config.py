from __future__ import annotations

from typing import Any

import pytest

from nlpbench import ConfigError, TaskSpec
from nlpbench_sentiment import SentimentTask
from nlpbench_sentiment.config import DEFAULT_PROMPT, data_config, prompting


def spec(data: dict[str, Any] | None = None, params: dict[str, Any] | None = None) -> TaskSpec:
    return TaskSpec(name="s", type="sentiment", data=data or {}, params=params or {})


def test_empty_data_is_the_sample() -> None:
    assert data_config(spec()).path is None


def test_file_data() -> None:
    config = data_config(
        spec(
            {
                "path": "d.tsv",
                "text": "sentence",
                "label": "label",
                "labels": ["neg", "pos"],
                "label_names": {0: "neg", 1: "pos"},
            }
        )
    )
    assert (config.path, config.text, config.label, config.labels) == ("d.tsv", "sentence", "label", ("neg", "pos"))
    assert config.label_names == {"0": "neg", "1": "pos"}  # YAML's integer keys, as text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"path": "d.tsv", "txt": "sentence", "label": "l"}, "data: unknown key 'txt' (did you mean 'text'?)"),
        ({"hugging": "glue"}, "data: unknown key 'hugging'; known: path, format, hub, hf"),
        ({"text": "sentence", "label": "label"}, "data.text needs data.path (a file) or data.hub"),
        ({"path": "d.tsv", "label": "label"}, "data.text is required with data.path"),
        ({"path": "d.tsv", "text": "sentence"}, "data.label is required with data.path"),
        ({"path": "d.tsv", "text": 3, "label": "l"}, "data.text must be a non-empty string"),
        ({"path": "d.tsv", "text": "t", "label": "l", "labels": "pos"}, "data.labels must be a list"),
        ({"path": "d.tsv", "text": "t", "label": "l", "labels": ["a", "a"]}, "names a label twice"),
        ({"path": "d.tsv", "text": "t", "label": "l", "label_names": ["a"]}, "data.label_names must map"),
        (
            {"path": "d.tsv", "text": "t", "label": "l", "labels": ["a", "b"], "label_names": {0: "c"}},
            "data.label_names.0: 'c' is not one of data.labels",
        ),
    ],
)
def test_bad_data(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        SentimentTask.check_spec(spec(data))
    assert message in str(raised.value)


def test_params() -> None:
    prompts = prompting(spec(params={"verbalizers": {"positive": "great"}}))
    assert prompts.prompt == DEFAULT_PROMPT
    assert prompts.word("positive") == "great" and prompts.word("negative") == "negative"
    assert prompts.render("A {b} c") == "Review: A {b} c\nSentiment:"  # braces in the text are kept
    assert prompts.render("x", [("Fine.", "positive")]) == "Review: Fine.\nSentiment: great\n\nReview: x\nSentiment:"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"promt": "{{ text }}"}, "params.promt: unknown option (did you mean 'prompt'?)"),
        ({"prompt": "Review:"}, "params.prompt must use {{ text }}"),
        ({"prompt": "{{ text }} {{ label }}"}, "params.prompt: unknown variable 'label'"),
        ({"prompt": "{{ text"}, "params.prompt: template error on its line 1"),
        ({"description": "It is good."}, "params.description must use {{ label }}"),
        ({"verbalizers": ["good"]}, "params.verbalizers: must be a mapping, not ['good']"),
        ({"verbalizers": {"positive": " "}}, "params.verbalizers.positive: must be a word, not ' '"),
        ({"shots": 10**6}, "params.shots: must be at most 2048, not 1000000"),
        ({"shots": "1e6"}, "params.shots: must be a whole number, not '1e6'"),
    ],
)
def test_bad_params(params: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        SentimentTask.check_spec(spec(params=params))
    assert message in str(raised.value)


def test_verbalizer_for_an_unknown_label() -> None:
    data = {"path": "d.tsv", "text": "t", "label": "l", "labels": ["negative", "positive"]}
    with pytest.raises(ConfigError, match="'postive' is not a label of the task \\(did you mean 'positive'\\?\\)"):
        SentimentTask.check_spec(spec(data, {"verbalizers": {"postive": "good"}}))
