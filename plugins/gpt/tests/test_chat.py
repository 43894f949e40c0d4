"""Chat templates (``params.chat``, ``params.system``): what a chat GPT is shown, that it
answers exactly as the plain model does on that text, what ``nlpbench validate`` refuses,
and what samples.jsonl and the store keep.

``chat_gpt_dir`` holds the tiny GPT's own weights with a tokenizer whose template tags
each turn with its role (``<user>Hi</user>``) and opens the assistant's turn."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from nlpbench import (
    ConfigError,
    GenerateRequest,
    LoglikelihoodRequest,
    LoglikelihoodRollingRequest,
    Message,
    ModelError,
    ModelSpec,
)
from nlpbench_gpt import GPTModel

HI = GenerateRequest(prompt="Hi", max_new_tokens=4)
TURNS = (Message("user", "Q1"), Message("assistant", "A1"), Message("user", "Q2"))


def chat_model(folder: Path, **params: Any) -> GPTModel:
    return GPTModel(ModelSpec(name="chat", type="gpt", path=folder, params={"device": "cpu", **params}))


def test_a_prompt_is_one_user_turn_with_the_system_prompt_first(chat_gpt_dir: Path) -> None:
    assert chat_model(chat_gpt_dir, chat=True).render_prompt(HI) == "<user>Hi</user>\n<assistant>"
    with_system = chat_model(chat_gpt_dir, chat=True, system="Be brief.")
    assert with_system.render_prompt(HI) == "<system>Be brief.</system>\n<user>Hi</user>\n<assistant>"
    # a conversation that brings its own system turn gets one, the model's first
    own = GenerateRequest(prompt="x", messages=(Message("system", "Rules."), Message("user", "Hi")))
    assert with_system.render_prompt(own) == "<system>Be brief.\n\nRules.</system>\n<user>Hi</user>\n<assistant>"


def test_messages_are_rendered_instead_of_the_prompt_and_answered_as_the_plain_model_would(
    chat_gpt_dir: Path, gpt: Callable[..., GPTModel]
) -> None:
    model = chat_model(chat_gpt_dir, chat=True)
    request = GenerateRequest(prompt="Q1 A1 Q2", max_new_tokens=5, messages=TURNS)
    shown = model.render_prompt(request)
    assert shown == "<user>Q1</user>\n<assistant>A1</assistant>\n<user>Q2</user>\n<assistant>"
    # the same weights, asked the rendered text as a plain prompt, say the same
    assert model.generate([request]) == gpt().generate([GenerateRequest(prompt=shown, max_new_tokens=5)])
    # chat off (the default): the plain prompt, and nothing rendered
    plain = chat_model(chat_gpt_dir)
    assert plain.render_prompt(request) is None
    assert plain.generate([request]) == gpt().generate([GenerateRequest(prompt="Q1 A1 Q2", max_new_tokens=5)])


def test_a_scored_context_is_one_user_turn_and_the_answer_follows_the_generation_prompt(
    chat_gpt_dir: Path, gpt: Callable[..., GPTModel]
) -> None:
    model = chat_model(chat_gpt_dir, chat=True, system="Answer yes or no.")
    opened = "<system>Answer yes or no.</system>\n<user>Is it?</user>\n<assistant>"
    asked = [LoglikelihoodRequest("Is it?", " yes"), LoglikelihoodRequest("", " yes")]
    assert model.render_prompt(asked[0]) == opened
    assert model.render_prompt(asked[1]) is None  # an unconditional score stays unconditional
    # lm-eval's --apply_chat_template: the space that joined answer to question is dropped
    expected = gpt().loglikelihood([LoglikelihoodRequest(opened, "yes"), LoglikelihoodRequest("", " yes")])
    assert model.loglikelihood(asked) == expected
    # whole texts (perplexity) are not chat
    text = [LoglikelihoodRollingRequest("Some text to score.")]
    assert model.render_prompt(text[0]) is None
    assert model.loglikelihood_rolling(text) == gpt().loglikelihood_rolling(text)


def test_an_explicit_template_inline_or_in_a_file_replaces_the_tokenizers(
    chat_gpt_dir: Path, tiny_gpt_dir: Path, tmp_path: Path
) -> None:
    inline = "{% for m in messages %}[{{ m.role }}] {{ m.content }}\n{% endfor %}[assistant]"
    assert chat_model(tiny_gpt_dir, chat=inline).render_prompt(HI) == "[user] Hi\n[assistant]"
    (tmp_path / "turns.jinja").write_text("{% for m in messages %}{{ m.content }}|{% endfor %}>", encoding="utf-8")
    spec = ModelSpec(name="c", type="gpt", path=chat_gpt_dir, params={"device": "cpu", "chat": "turns.jinja"},
                     base_dir=tmp_path)  # fmt: skip
    assert GPTModel(spec).render_prompt(GenerateRequest(prompt="x", messages=TURNS)) == "Q1|A1|Q2|>"


@pytest.mark.parametrize(
    ("params", "where", "message"),
    [
        (
            {"chat": True},
            "plain",
            r"params\.chat: true, but the tokenizer of '.*' has no chat template \(no chat_template",
        ),
        ({"chat": True}, "config", r"params\.chat: true, but the built-in tokenizer \(GPT-2's\) has no chat template"),
        ({"chat": "missing.jinja"}, "plain", r"params\.chat: no template file '.*missing\.jinja'"),
        ({"chat": "{% for m in messages %}"}, "plain", r"params\.chat: chat template error on its line 1: .*"),
        ({"system": "Be brief."}, "chat", r"params\.system: applies only with chat"),
        ({"chat": ""}, "plain", r"params\.chat: .*not an empty text"),
    ],
)
def test_validate_refuses_a_chat_the_model_cannot_have_in_one_line(
    params: dict[str, Any], where: str, message: str, tiny_gpt_dir: Path, chat_gpt_dir: Path, tmp_path: Path
) -> None:
    from click.testing import CliRunner

    from nlpbench.cli import build_cli
    from nlpbench.testing import make_host
    from nlpbench_gpt import plugin

    source: dict[str, Any] = {"plain": {"path": str(tiny_gpt_dir)}, "chat": {"path": str(chat_gpt_dir)},
                              "config": {"config": {"n_layer": 1, "n_embd": 32, "n_head": 2}}}[where]  # fmt: skip
    suite = {"name": "chat", "models": [{"name": "g", "type": "gpt", **source, "params": params}],
             "tasks": [{"name": "tiny", "type": "tiny"}]}  # fmt: skip
    (tmp_path / "suite.yaml").write_text(json.dumps(suite), encoding="utf-8")
    host = make_host(plugin)
    result = CliRunner().invoke(build_cli(host), ["validate", str(tmp_path / "suite.yaml")], obj={"host": host})
    assert result.exit_code == 2, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error")]
    assert len(errors) == 1 and re.search(message, errors[0]), result.output


def test_a_template_present_passes_validate_and_a_tokenizer_without_one_fails_at_load(
    chat_gpt_dir: Path, tokenizer: Any
) -> None:
    from nlpbench_gpt.params import GPTParams
    from nlpbench_transformers import ChatTemplate

    assert GPTModel.check_spec(ModelSpec(name="c", type="gpt", path=chat_gpt_dir, params={"chat": True})).chat is True
    spec = ModelSpec(name="hubbed", type="gpt", hub="someone/model", params={"chat": True})
    # a hub id not in the local cache is checked when it loads: its tokenizer has none
    assert GPTModel.check_spec(spec).chat is True
    with pytest.raises(ModelError, match=r"^params\.chat: true, but the tokenizer of 'hubbed' has no chat template"):
        ChatTemplate.of(tokenizer, GPTParams(chat=True), spec)
    with pytest.raises(ModelError, match=r"^params\.chat: the chat template failed: .*no system"):
        ChatTemplate.of(tokenizer, GPTParams(chat="{{ raise_exception('no system') }}", system="s"), spec)
    with pytest.raises(ConfigError):  # a bad template stops the suite before anything loads
        GPTModel.check_spec(ModelSpec(name="c", type="gpt", path=chat_gpt_dir, params={"chat": "{{ x"}))


def _sentiment_suite(model_params: dict[str, Any], path: Path) -> dict[str, Any]:
    return {
        "name": "chat",
        "seed": 7,
        "models": [{"name": "chat", "type": "gpt", "path": str(path), "params": {"device": "cpu", **model_params}}],
        "tasks": [
            {
                "name": "reviews",
                "type": "sentiment",
                "strategy": "generate",
                "data": {"path": "dev.jsonl", "train": "train.jsonl", "text": "text", "label": "label"},
                "params": {"shots": 2},
            }
        ],
    }


REVIEWS = [("A good film.", "positive"), ("A dull film.", "negative"), ("Great acting.", "positive"),
           ("Bad plot.", "negative"), ("Lovely.", "positive"), ("Awful.", "negative")]  # fmt: skip


def _jsonl(rows: list[tuple[str, str]]) -> str:
    return "".join(json.dumps({"text": text, "label": label}) + "\n" for text, label in rows)


FILES = {"dev.jsonl": _jsonl(REVIEWS[:2]), "train.jsonl": _jsonl(REVIEWS[2:])}


def test_samples_and_the_store_keep_the_rendered_conversation_and_a_new_template_is_a_new_key(
    chat_gpt_dir: Path, tmp_path: Path, sentiment_plugins: list[Any]
) -> None:
    from nlpbench.testing import make_host
    from nlpbench.testing.harness import run_suite_text

    host = make_host(*sentiment_plugins)
    files = {**FILES, "chat.jinja": "{% for m in messages %}<{{ m.role }}>{{ m.content }}\n{% endfor %}<assistant>"}
    suite = _sentiment_suite({"chat": "chat.jinja", "system": "Say positive or negative."}, chat_gpt_dir)
    first = run_suite_text(suite, tmp_path, host=host, files=files, out=tmp_path / "run")
    first.assert_ok()
    cell = first.cell("chat", "reviews")
    assert (cell["strategy"], cell["cached"], cell["n"]) == ("generate", 0, 2)
    prompt = first.samples[0]["prompt"]
    # the system prompt, two shots as turns (each answered with its label's word), then the review
    assert prompt.startswith("<system>Say positive or negative.\n<user>")
    assert prompt.count("<user>") == 3 and prompt.count("<assistant>") == 3 and prompt.endswith("<assistant>")
    assert sum(prompt.count(f"<assistant>{word}\n") for word in ("positive", "negative")) == 2
    assert prompt.endswith("Review: A good film.\nSentiment:\n<assistant>")

    again = run_suite_text(suite, tmp_path, host=host, files=files, out=tmp_path / "run")
    assert again.cell("chat", "reviews")["cached"] == 2  # every prediction from the store
    assert [s["prompt"] for s in again.samples] == [s["prompt"] for s in first.samples]

    # the template file changed: a new key, the model asked again, the new rendering kept
    files["chat.jinja"] = "{% for m in messages %}{{ m.role }}: {{ m.content }}\n{% endfor %}assistant:"
    changed = run_suite_text(suite, tmp_path, host=host, files=files, out=tmp_path / "run")
    assert changed.cell("chat", "reviews")["cached"] == 0
    assert changed.samples[0]["prompt"].startswith("system: Say positive or negative.\nuser: ")


def test_an_inline_template_that_changes_is_a_new_key(chat_gpt_dir: Path, tmp_path: Path) -> None:
    from nlpbench.results.store import Store

    store = Store(tmp_path / "store.sqlite")

    def identity(**params: Any) -> dict[str, Any]:
        return store.model_identity(ModelSpec(name="c", type="gpt", path=chat_gpt_dir, params=params), "gpt", "1")

    long_system = "You are a careful assistant. " * 20  # longer than any file name: not taken for a path
    assert identity(chat=True) != identity(chat=False)
    assert identity(chat="{{ messages }}") != identity(chat="{{ messages[0] }}")
    assert identity(chat=True, system=long_system) != identity(chat=True, system=long_system + "!")
