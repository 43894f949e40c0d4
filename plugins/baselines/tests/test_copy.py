from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from nlpbench import ConfigError, GenerateRequest, Model, ModelSpec
from nlpbench_baselines import CopyModel


def copy(params: dict[str, Any] | None = None, **fields: Any) -> CopyModel:
    return CopyModel(ModelSpec(name="copy", type="copy", params=params or {}, **fields))


def test_follows_the_protocol() -> None:
    model = copy()
    assert isinstance(model, Model) and model.capabilities == frozenset({"generate"})
    assert model.describe() == {"from_source": 0, "from_prompt": 0}


def test_answers_with_the_source_as_it_is() -> None:
    source = "  Der Zug fährt um acht Uhr ab.  "
    request = GenerateRequest("translate German to English: Der Zug fährt um acht Uhr ab.", source=source)
    assert copy().generate([request]) == [source]


def test_falls_back_to_the_last_line_of_the_prompt_and_counts_it() -> None:
    model = copy()
    requests = [
        GenerateRequest("German: Guten Tag.\nEnglish: Good day.\n\nGerman: Danke.\n\n"),
        GenerateRequest("ignored", source="Bitte."),
        GenerateRequest(""),
    ]
    assert model.generate(requests) == ["German: Danke.", "Bitte.", ""]
    assert model.describe() == {"from_source": 1, "from_prompt": 2}


def test_ignores_token_limits_and_stops() -> None:
    request = GenerateRequest("p", max_new_tokens=1, stop=(" ",), temperature=1.0, seed=3, source="Zwei Wörter")
    assert copy().generate([request, request]) == ["Zwei Wörter", "Zwei Wörter"]


@pytest.mark.parametrize(
    ("params", "fields", "message"),
    [
        ({"k": 1}, {}, "params.k: unknown option: it takes none"),
        ({}, {"path": Path("model")}, "model type 'copy' loads no weights: remove path"),
    ],
)
def test_bad_params(params: dict[str, Any], fields: dict[str, Any], message: str) -> None:
    spec = ModelSpec(name="copy", type="copy", params=params, **fields)
    with pytest.raises(ConfigError) as raised:
        CopyModel.check_spec(spec)
    assert message in str(raised.value)
    with pytest.raises(ConfigError):
        CopyModel(spec)
