"""Which head a checkpoint has, and so what it declares, read without loading it."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from nlpbench import ConfigError, ModelSpec
from nlpbench_bert import CAPABILITIES_BY_HEAD, BERTModel
from nlpbench_bert.heads import head_of_architectures

EXPECTED = {
    "classification": {"classify", "encode"},
    "qa": {"extract_span", "encode"},
    "masked-lm": {"loglikelihood", "encode"},
    "encoder": {"classify", "encode"},
}


def _spec(**fields: Any) -> ModelSpec:
    return ModelSpec(name="m", type="bert", **fields)


def test_each_head_declares_what_it_can_do(checkpoints: dict[str, Path], load: Callable[..., Any]) -> None:
    assert CAPABILITIES_BY_HEAD == EXPECTED
    assert BERTModel.capabilities == {"classify", "extract_span", "encode", "loglikelihood"}
    for head, folder in checkpoints.items():
        assert BERTModel.capabilities_for(_spec(path=folder)) == EXPECTED[head]
        model = load(head)
        assert (model.head, model.capabilities) == (head, EXPECTED[head])
        assert model.describe()["head"] == head


def test_capabilities_for_reads_json_and_never_imports_torch(checkpoints: dict[str, Path]) -> None:
    code = (
        "import sys; from pathlib import Path; from nlpbench import ModelSpec; from nlpbench_bert import BERTModel\n"
        "for folder in sys.argv[1:]:\n"
        "    print(sorted(BERTModel.capabilities_for(ModelSpec(name='m', type='bert', path=Path(folder)))))\n"
        "print('torch' in sys.modules, 'transformers' in sys.modules)"
    )
    folders = [str(checkpoints[head]) for head in ("classification", "qa", "masked-lm", "encoder")]
    lines = subprocess.run([sys.executable, "-c", code, *folders], capture_output=True, text=True, check=True)
    assert lines.stdout.splitlines() == [
        "['classify', 'encode']",
        "['encode', 'extract_span']",
        "['encode', 'loglikelihood']",
        "['classify', 'encode']",
        "False False",
    ]


def test_params_head_and_config_builds_decide_without_a_folder() -> None:
    assert BERTModel.capabilities_for(_spec(config={"num_hidden_layers": 1})) == EXPECTED["encoder"]
    assert BERTModel.capabilities_for(_spec(config={}, params={"head": "qa"})) == EXPECTED["qa"]
    assert BERTModel.capabilities_for(_spec(hub="someone/bert")) == BERTModel.capabilities  # only known once fetched
    assert BERTModel.capabilities_for(_spec(hub="someone/bert", params={"head": "masked-lm"})) == EXPECTED["masked-lm"]


def test_architecture_names() -> None:
    assert head_of_architectures(["BertForPreTraining"]) == "masked-lm"
    assert head_of_architectures(["RobertaForSequenceClassification"]) == "classification"
    assert head_of_architectures(["BertForTokenClassification"]) == "encoder"  # a head we don't use
    assert head_of_architectures(None) is None


def test_a_head_can_be_dropped_but_not_invented(checkpoints: dict[str, Path], load: Callable[..., Any]) -> None:
    dropped = load("classification", head="encoder")
    assert (dropped.head, dropped.capabilities) == ("encoder", EXPECTED["encoder"])
    with pytest.raises(
        ConfigError,
        match=r"params.head: 'qa', but .* is a BertModel \(head: encoder\), so a qa head would be untrained",
    ):
        BERTModel.check_spec(_spec(path=checkpoints["encoder"], params={"head": "qa"}))


def test_a_folder_without_architectures_takes_the_head_it_is_given(
    tmp_path: Path, checkpoints: dict[str, Path]
) -> None:
    config = json.loads((checkpoints["qa"] / "config.json").read_text())
    del config["architectures"]
    (tmp_path / "config.json").write_text(json.dumps(config))
    assert BERTModel.capabilities_for(_spec(path=tmp_path)) == EXPECTED["encoder"]
    assert BERTModel.capabilities_for(_spec(path=tmp_path, params={"head": "qa"})) == EXPECTED["qa"]
