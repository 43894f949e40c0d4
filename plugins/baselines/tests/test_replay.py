from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from nlpbench import (
    ClassifyRequest,
    ConfigError,
    ExtractSpanRequest,
    GenerateRequest,
    Model,
    ModelError,
    ModelSpec,
    Span,
)
from nlpbench_baselines import ReplayModel
from nlpbench_baselines.replay import locate

Write = Callable[[str, str], Path]


def jsonl(rows: dict[str, Any], id: str = "id", prediction: str = "prediction") -> str:
    return "".join(json.dumps({id: key, prediction: value}) + "\n" for key, value in rows.items())


def replay(params: dict[str, Any], base: Path = Path("."), **fields: Any) -> ReplayModel:
    return ReplayModel(ModelSpec(name="r", type="replay", params=params, base_dir=base, **fields))


def test_generate_from_jsonl_relative_to_the_suite(write: Write) -> None:
    path = write("saved.jsonl", jsonl({"a": "Hello there.", "b": ""}))
    model = replay({"predictions": "saved.jsonl"}, base=path.parent)
    assert isinstance(model, Model) and model.capabilities == frozenset({"generate", "classify", "extract_span"})
    requests = [GenerateRequest("p", example_id="b"), GenerateRequest("q", example_id="a")]
    assert model.generate(requests) == ["", "Hello there."]
    assert model.describe() == {"predictions": str(path), "format": "jsonl", "saved": 2, "spans_not_in_context": 0}


def test_the_model_path_field_and_other_columns(write: Write) -> None:
    path = write("saved.jsonl", jsonl({"q1": "Paris"}, id="qid", prediction="answer"))
    model = replay({"id": "qid", "prediction": "answer"}, path=path)
    assert model.generate([GenerateRequest("p", example_id="q1")]) == ["Paris"]


def test_classify_puts_everything_on_the_saved_label(write: Write) -> None:
    path = write("saved.jsonl", jsonl({"a": "positive", "b": "NEGATIVE", "c": 1, "d": "neutral"}))
    model = replay({"predictions": str(path)})
    labels = ("negative", "positive")
    answers = model.classify([ClassifyRequest("t", labels, example_id=i) for i in ("a", "b")])
    assert answers == [{"negative": 0.0, "positive": 1.0}, {"negative": 1.0, "positive": 0.0}]  # case ignored
    assert model.classify([ClassifyRequest("t", ("0", "1"), example_id="c")]) == [{"0": 0.0, "1": 1.0}]
    with pytest.raises(ModelError) as raised:
        model.classify([ClassifyRequest("t", labels, example_id="d")])
    assert str(raised.value) == (
        f"the saved prediction 'neutral' for example 'd' is not one of the labels asked for "
        f"(negative, positive); saved at {path}:4"
    )


def test_classify_refuses_an_ambiguous_case_match(write: Write) -> None:
    model = replay({"predictions": str(write("saved.jsonl", jsonl({"a": "yes"})))})
    with pytest.raises(ModelError, match="not one of the labels asked for"):
        model.classify([ClassifyRequest("t", ("Yes", "YES"), example_id="a")])


def test_extract_span_finds_the_saved_answer(write: Write) -> None:
    saved = {"exact": "Palo Alto", "case": "palo alto", "elsewhere": "San Jose", "empty": ""}
    model = replay({"predictions": str(write("saved.jsonl", jsonl(saved)))})
    context = "Near Palo Alto, in palo alto county."
    spans = model.extract_span([ExtractSpanRequest("q", context, example_id=i) for i in saved])
    assert spans == [
        Span("Palo Alto", 5, 14),
        Span("palo alto", 19, 28),  # the first exact occurrence, not the first caseless one
        Span("San Jose", -1, -1),  # not in the context: the saved text, place unknown
        Span("", 0, 0),
    ]
    assert model.describe()["spans_not_in_context"] == 1


def test_locate_ignoring_case_keeps_the_contexts_spelling_and_offsets() -> None:
    assert locate("PALO alto", "in Palo Alto") == Span("Palo Alto", 3, 12)
    context = "İstanbul and Paris"  # "İ".lower() is two characters: offsets must not shift
    assert locate("paris", context) == Span("Paris", 13, 18)


def test_text_aligned_by_line(write: Write) -> None:
    path = write("hyp.en", "first line\nsecond line\n")
    assert replay({"predictions": str(path)}).generate([GenerateRequest("p", example_id="2")]) == ["second line"]
    model = replay({"predictions": str(path), "id_format": "doc-{index}"})
    assert model.generate([GenerateRequest("p", example_id="doc-0")]) == ["first line"]
    assert model.describe()["format"] == "text"
    jsonl_as_text = write("saved.jsonl", "a\nb\n")
    assert replay({"predictions": str(jsonl_as_text), "format": "text"}).generate(
        [GenerateRequest("p", example_id="1")]
    ) == ["a"]


def test_a_missing_id_names_the_id_and_the_file(write: Write) -> None:
    path = write("saved.jsonl", jsonl({"tiny-0": "x"}))
    with pytest.raises(ModelError) as raised:
        replay({"predictions": str(path)}).generate([GenerateRequest("p", example_id="tiny-9")])
    assert str(raised.value) == (
        f"no saved prediction for example 'tiny-9' in {path} (its ids look like 'tiny-0'; "
        "set params.id to the column that holds the task's ids)"
    )
    text = write("hyp.txt", "x\n")
    with pytest.raises(ModelError, match=r"ids look like '1'; set params.id_format"):
        replay({"predictions": str(text)}).generate([GenerateRequest("p", example_id="tiny-0")])


def test_a_request_without_an_id(write: Write) -> None:
    model = replay({"predictions": str(write("saved.jsonl", jsonl({"a": "x"})))})
    with pytest.raises(ModelError, match="looks answers up by example id, but a request came without one"):
        model.generate([GenerateRequest("p")])


def test_duplicate_ids_are_a_config_error_naming_the_line(write: Write) -> None:
    path = write("saved.jsonl", jsonl({"a": "x"}) + jsonl({"b": "y"}) + jsonl({"a": "z"}))
    with pytest.raises(ConfigError, match=f"^{path}:3: id 'a' again \\(first on line 1\\)$"):
        replay({"predictions": str(path)})


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^params.predictions: .*gone.jsonl: no such file$"):
        replay({"predictions": "gone.jsonl"}, base=tmp_path)


@pytest.mark.parametrize(
    ("params", "fields", "message"),
    [
        (
            {},
            {},
            "the replay model needs its saved predictions: point params.predictions or path at the saved predictions",
        ),
        ({"predictions": "a.jsonl"}, {"path": Path("/b.jsonl")}, "takes params.predictions or path, not both"),
        ({"prediction": "a.jsonl"}, {}, "the replay model needs its saved predictions"),
        ({"predictons": "a.jsonl"}, {}, "params.predictons: unknown option (did you mean 'predictions'?)"),
        ({"predictions": "a.jsonl"}, {"hub": "gpt2"}, "model type 'replay' loads no weights: remove hub"),
        (
            {"predictions": "a.jsonl", "format": "csv"},
            {},
            "params.format: must be 'jsonl', 'json' or 'text', not 'csv'",
        ),
        (
            {"predictions": "a.jsonl", "id_format": "{index}"},
            {},
            "params.id_format does not apply to jsonl predictions",
        ),
        ({"predictions": "a.txt", "id": "qid"}, {}, "params.id does not apply to text predictions"),
        ({"predictions": "a.txt", "prediction": "p"}, {}, "params.prediction does not apply to text predictions"),
        ({"predictions": "a.txt", "id_format": "x"}, {}, "params.id_format 'x' must contain {line} or {index}"),
        ({"predictions": "a.json", "id": "qid"}, {}, "params.id does not apply to json predictions"),
        ({"predictions": "a.json", "id_format": "{line}"}, {}, "params.id_format does not apply to json predictions"),
        ({"predictions": 3}, {}, "params.predictions: must be a string, not 3"),
    ],
)
def test_bad_specs(params: dict[str, Any], fields: dict[str, Any], message: str) -> None:
    spec = ModelSpec(name="r", type="replay", params=params, **fields)
    with pytest.raises(ConfigError) as raised:
        ReplayModel.check_spec(spec)
    assert message in str(raised.value)


def test_real_wmt_system_output_aligned_by_line(wmt_de_en: Path) -> None:
    hypotheses = wmt_de_en / "generaltest2022.de-en.hyp.Online-B.en"
    model = replay({"id_format": "wmt22-{index}"}, path=hypotheses)
    assert model.describe()["saved"] == 1984
    first = hypotheses.read_text(encoding="utf-8").split("\n")[:50]
    answers = model.generate([GenerateRequest("Translate.", example_id=f"wmt22-{i}") for i in range(50)])
    assert answers == first
    assert answers[0] == "The goods cost less than 20 euros."


def test_empty_params_count_as_absent(write: Write) -> None:
    path = write("hyp.txt", "a\n")
    model = replay({"predictions": None, "format": None, "id": None, "id_format": None}, path=path)
    assert model.describe()["format"] == "text"
    with pytest.raises(ConfigError, match="needs its saved predictions"):
        ReplayModel.check_spec(ModelSpec(name="r", type="replay", params={"predictions": None}))
