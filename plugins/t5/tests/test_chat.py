"""Chat templates on an encoder-decoder: the conversation is the encoder's input, where the
tokenizer has a template (or the entry gives one); without one, ``nlpbench validate`` says so."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from nlpbench import ConfigError, GenerateRequest, LoglikelihoodRequest, Message, ModelSpec

TEMPLATE = "{% for m in messages %}{{ m.role }}: {{ m.content }}\n{% endfor %}assistant:"


@pytest.fixture(scope="module")
def chat_t5_dir(tiny_t5_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny T5's weights with a tokenizer that has :data:`TEMPLATE`."""
    from transformers import AutoTokenizer

    folder = tmp_path_factory.mktemp("chat-t5")
    for file in tiny_t5_dir.iterdir():
        shutil.copy(file, folder / file.name)
    tokenizer = AutoTokenizer.from_pretrained(tiny_t5_dir)
    tokenizer.chat_template = TEMPLATE
    tokenizer.save_pretrained(folder)
    return folder


def test_the_conversation_is_the_encoders_input(chat_t5_dir: Path, load: Callable[..., Any]) -> None:
    from nlpbench_t5 import T5Model

    spec = ModelSpec(name="c", type="t5", path=chat_t5_dir, params={"device": "cpu", "chat": True, "system": "Be brief."},
                     seed=7)  # fmt: skip
    model = T5Model(spec)
    request = GenerateRequest(prompt="Q1 A1 Q2", max_new_tokens=4,
                              messages=(Message("user", "Q1"), Message("assistant", "A1"), Message("user", "Q2")))  # fmt: skip
    shown = "system: Be brief.\nuser: Q1\nassistant: A1\nuser: Q2\nassistant:"
    assert model.render_prompt(request) == shown
    plain = load()  # the same weights, without chat
    assert plain.render_prompt(request) is None
    assert model.generate([request]) == plain.generate([GenerateRequest(prompt=shown, max_new_tokens=4)])
    context = "system: Be brief.\nuser: Is it?\nassistant:"
    assert model.render_prompt(LoglikelihoodRequest("Is it?", " yes")) == context
    assert model.loglikelihood([LoglikelihoodRequest("Is it?", " yes")]) == plain.loglikelihood(
        [LoglikelihoodRequest(context, "yes")]
    )
    model.close()


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("plain", r"params\.chat: true, but the tokenizer of '.*' has no chat template"),
        ("config", r"params\.chat: true, but the built-in tokenizer \(T5's\) has no chat template"),
    ],
)
def test_validate_refuses_chat_without_a_template(
    entry: str, message: str, tiny_t5_dir: Path, tiny_config: dict[str, Any], tmp_path: Path
) -> None:
    from click.testing import CliRunner

    from nlpbench.cli import build_cli
    from nlpbench.testing import make_host
    from nlpbench_t5 import T5Model, plugin

    source = {"path": str(tiny_t5_dir)} if entry == "plain" else {"config": tiny_config}
    suite = {"name": "chat", "models": [{"name": "t", "type": "t5", **source, "params": {"chat": True}}],
             "tasks": [{"name": "tiny", "type": "tiny"}]}  # fmt: skip
    (tmp_path / "suite.yaml").write_text(json.dumps(suite), encoding="utf-8")
    host = make_host(plugin)
    result = CliRunner().invoke(build_cli(host), ["validate", str(tmp_path / "suite.yaml")], obj={"host": host})
    assert result.exit_code == 2
    errors = [line for line in result.output.splitlines() if line.startswith("Error")]
    assert len(errors) == 1, result.output
    with pytest.raises(ConfigError, match=message):
        T5Model.check_spec(
            ModelSpec(name="t", type="t5", params={"chat": True}, **_where(entry, tiny_t5_dir, tiny_config))
        )


def _where(entry: str, folder: Path, config: dict[str, Any]) -> dict[str, Any]:
    return {"path": folder} if entry == "plain" else {"config": config}
