"""A tiny GPT-2 (2 layers, 64 wide, the real GPT-2 vocabulary, a simple chat template)
saved once per session, and a real OpenAI-compatible server on 127.0.0.1 serving it,
started and stopped around each test that asks for it (``openai_server``)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # tests import with importlib: the server module is found here

import openai_server as fake

from nlpbench_openai import retrying

#: The tiny model's context.
POSITIONS = 128
#: A template that shows each turn's role: enough to see the messages arrive in order.
CHAT_TEMPLATE = (
    "{% for m in messages %}<|{{ m['role'] }}|>\n{{ m['content'] }}\n{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>\n{% endif %}"
)


@pytest.fixture(scope="session")
def tiny_gpt_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding a tiny untrained GPT-2 and GPT-2's tokenizer with a chat template."""
    import torch
    from transformers import AutoModelForCausalLM, GPT2Config

    gpt_tokenizer = pytest.importorskip("nlpbench_gpt.tokenizer", reason="needs nlpbench-gpt (GPT-2's tokenizer)")
    tokenizer = gpt_tokenizer.gpt2_tokenizer()
    tokenizer.chat_template = CHAT_TEMPLATE
    folder = tmp_path_factory.mktemp("tiny-gpt")
    torch.manual_seed(0)
    config = GPT2Config(
        n_layer=2,
        n_embd=64,
        n_head=2,
        n_positions=POSITIONS,
        vocab_size=len(tokenizer),
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    AutoModelForCausalLM.from_config(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def served_lm(tiny_gpt_dir: Path) -> fake.ServedLM:
    import torch

    torch.set_num_threads(1)
    return fake.ServedLM(tiny_gpt_dir)


@pytest.fixture
def openai_server(served_lm: fake.ServedLM) -> Iterator[fake.RunningServer]:
    """The tiny model served on a free port of 127.0.0.1 for the test, with a fresh
    :class:`ServerState` (``openai_server.state``) to inject faults and count requests."""
    with fake.serve(served_lm) as running:
        yield running


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries wait milliseconds, not seconds (a Retry-After is still honoured)."""
    monkeypatch.setattr(retrying, "BACKOFF_BASE", 0.005)


@pytest.fixture
def openai_entry(openai_server: fake.RunningServer) -> Callable[..., dict[str, Any]]:
    """``openai_entry(name="served", **params)``: a suite's models entry for the test server."""

    def entry(name: str = "served", **params: Any) -> dict[str, Any]:
        given = {"base_url": openai_server.base_url, "model": "tiny-gpt", "timeout": 2, "max_retries": 3}
        return {"name": name, "type": "openai", "params": {**given, **params}}

    return entry
