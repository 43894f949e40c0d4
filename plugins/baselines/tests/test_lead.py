from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from nlpbench import ConfigError, GenerateRequest, Model, ModelSpec
from nlpbench_baselines import LeadModel

DOCUMENT = "Mr. Lee won the U.S. Open on Sunday. He was 3.5 shots clear. 'Amazing,' he said. Fans cheered."


def lead(params: dict[str, Any] | None = None, **fields: Any) -> LeadModel:
    return LeadModel(ModelSpec(name="lead", type="lead", params=params or {}, **fields))


def test_follows_the_protocol() -> None:
    model = lead()
    assert isinstance(model, Model) and model.capabilities == frozenset({"generate"})
    assert model.describe() == {"k": 3, "join": "newline", "from_source": 0, "from_prompt": 0}


def test_first_three_sentences_of_the_source_one_a_line() -> None:
    (answer,) = lead().generate([GenerateRequest("Summarize:\n" + DOCUMENT + "\nSummary:", source=DOCUMENT)])
    assert answer == "Mr. Lee won the U.S. Open on Sunday.\nHe was 3.5 shots clear.\n'Amazing,' he said."


def test_k_and_join() -> None:
    requests = [GenerateRequest("prompt", source=DOCUMENT)]
    assert lead({"k": 1}).generate(requests) == ["Mr. Lee won the U.S. Open on Sunday."]
    assert lead({"k": 2, "join": "space"}).generate(requests) == [
        "Mr. Lee won the U.S. Open on Sunday. He was 3.5 shots clear."
    ]
    assert lead({"k": 10}).generate(requests)[0].endswith("he said.\nFans cheered.")  # fewer than k: all


def test_falls_back_to_the_prompt_and_counts_it() -> None:
    model = lead({"k": 1})
    requests = [GenerateRequest("First. Second.", source=None), GenerateRequest("ignored", source="Only. Not this.")]
    assert model.generate(requests) == ["First.", "Only."]
    assert model.describe() == {"k": 1, "join": "newline", "from_source": 1, "from_prompt": 1}


def test_empty_and_unpunctuated_documents() -> None:
    answers = lead().generate([GenerateRequest("", source=""), GenerateRequest("", source="a headline only")])
    assert answers == ["", "a headline only"]


def test_deterministic_and_ignores_token_limits() -> None:
    request = GenerateRequest("p", max_new_tokens=1, stop=("\n",), temperature=1.0, seed=7, source=DOCUMENT)
    first, second = lead().generate([request, request])
    assert first == second and first.count("\n") == 2


@pytest.mark.parametrize(
    ("params", "fields", "message"),
    [
        ({"k": 0}, {}, "params.k: must be at least 1, not 0"),
        ({"k": "3"}, {}, "params.k: must be a whole number, not '3'"),
        ({"k": True}, {}, "params.k: must be a whole number"),
        ({"k": 10**9}, {}, "params.k: must be at most 10000"),
        ({"join": "newlines"}, {}, "params.join: must be 'newline' or 'space', not 'newlines'"),
        ({"kk": 3}, {}, "params.kk: unknown option (did you mean 'k'?)"),
        ({}, {"hub": "t5-small"}, "model type 'lead' loads no weights: remove hub"),
    ],
)
def test_bad_params(params: dict[str, Any], fields: dict[str, Any], message: str) -> None:
    spec = ModelSpec(name="lead", type="lead", params=params, **fields)
    with pytest.raises(ConfigError) as raised:
        LeadModel.check_spec(spec)
    assert message in str(raised.value)
    with pytest.raises(ConfigError):
        LeadModel(spec)


def test_lead_3_on_real_cnndm_articles(cnndm: Path) -> None:
    rows = [json.loads(line) for line in cnndm.read_text(encoding="utf-8").splitlines()]
    answers = lead().generate(
        [GenerateRequest("Summarize.", source=row["article"], example_id=row["id"]) for row in rows]
    )
    assert len(answers) == 250
    for row, answer in zip(rows, answers, strict=True):
        sentences = answer.split("\n")
        assert len(sentences) == 3
        assert " ".join(row["article"].split()).startswith(" ".join(sentences))
