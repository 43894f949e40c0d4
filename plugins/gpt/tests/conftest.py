"""A tiny GPT-2 (2 layers, 64 wide, the real GPT-2 vocabulary) saved once per session,
and plain one-at-a-time reference computations to check the plugin against."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import pytest
import torch
from transformers import AutoModelForCausalLM, GPT2Config

from nlpbench import ModelSpec
from nlpbench_gpt import GPTModel
from nlpbench_gpt.tokenizer import gpt2_tokenizer
from nlpbench_transformers.testing import one_torch_thread  # noqa: F401  (an autouse fixture)

#: The tiny model's context: long enough for the requests, short enough to truncate.
POSITIONS = 128


@pytest.fixture(scope="session")
def tokenizer() -> Any:
    return gpt2_tokenizer()


@pytest.fixture(scope="session")
def tiny_gpt_dir(tmp_path_factory: pytest.TempPathFactory, tokenizer: Any) -> Path:
    """A folder holding a tiny untrained GPT-2 and its tokenizer, saved with save_pretrained."""
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
def reference_model(tiny_gpt_dir: Path) -> Any:
    """The same checkpoint loaded directly with transformers, in float32."""
    return AutoModelForCausalLM.from_pretrained(tiny_gpt_dir, dtype=torch.float32).eval()


@pytest.fixture
def load_gpt(tiny_gpt_dir: Path) -> Iterator[Callable[..., GPTModel]]:
    """``load_gpt(**params)``: a fresh tiny model through the plugin, closed after the test."""
    made: list[GPTModel] = []

    def load(**params: Any) -> GPTModel:
        params.setdefault("device", "cpu")
        model = GPTModel(ModelSpec(name="tiny-gpt", type="gpt", path=tiny_gpt_dir, params=params))
        made.append(model)
        return model

    yield load
    for model in made:
        model.close()


@pytest.fixture(scope="session")
def gpt(tiny_gpt_dir: Path) -> Iterator[Callable[..., GPTModel]]:
    """``gpt(**params)``: the tiny model through the plugin, loaded once per set of params
    for the whole session (for tests that only ask it questions)."""
    loaded: dict[str, GPTModel] = {}

    def get(**params: Any) -> GPTModel:
        params.setdefault("device", "cpu")
        key = repr(sorted(params.items()))
        if key not in loaded:
            loaded[key] = GPTModel(ModelSpec(name="tiny-gpt", type="gpt", path=tiny_gpt_dir, params=params))
        return loaded[key]

    yield get
    loaded.clear()  # closing would only spend a garbage collection per model at the end of the session


class InputCounter:
    """Counts the forward calls of a loaded GPTModel's network and the tokens they read."""

    def __init__(self) -> None:
        self.calls = 0
        self.tokens = 0

    def __call__(self, module: Any, args: Any, kwargs: dict[str, Any]) -> None:
        self.calls += 1
        ids = kwargs.get("input_ids", args[0] if args else None)
        self.tokens += int(ids.numel()) if ids is not None else 0


@pytest.fixture
def count_inputs() -> Callable[[GPTModel], AbstractContextManager[InputCounter]]:
    """``with count_inputs(model) as counter: ...``: what the model's network was asked to read."""

    @contextmanager
    def counting(model: GPTModel) -> Iterator[InputCounter]:
        counter = InputCounter()
        hook = model._lm.model.register_forward_pre_hook(counter, with_kwargs=True)  # type: ignore[union-attr]
        try:
            yield counter
        finally:
            hook.remove()

    return counting


@pytest.fixture(scope="session")
def reference_loglikelihood(reference_model: Any, tokenizer: Any) -> Callable[..., tuple[float, bool, int]]:
    """``reference_loglikelihood(context, continuation, max_length=128)`` → (logprob, is_greedy, n_tokens)."""

    @functools.cache
    def compute(context: str, continuation: str, max_length: int = POSITIONS) -> tuple[float, bool, int]:
        return _loglikelihood(reference_model, tokenizer, context, continuation, max_length)

    return compute


@pytest.fixture(scope="session")
def reference_generate(reference_model: Any, tokenizer: Any) -> Callable[[str, int], str]:
    """``reference_generate(prompt, max_new_tokens)`` → the greedy new text."""

    @functools.cache
    def compute(prompt: str, max_new_tokens: int) -> str:
        return _generate(reference_model, tokenizer, prompt, max_new_tokens)

    return compute


def _loglikelihood(
    model: Any, tokenizer: Any, context: str, continuation: str, max_length: int = POSITIONS
) -> tuple[float, bool, int]:
    """One request, plainly: lm-eval's tokenization, one forward pass, no batching."""
    spaces = len(context) - len(context.rstrip())
    if spaces:
        context, continuation = context[:-spaces], context[-spaces:] + continuation
    whole = tokenizer(context + continuation)["input_ids"]
    context_ids = tokenizer(context)["input_ids"] if context else []
    continuation_ids = whole[len(context_ids) :]
    if not context:
        context_ids = [tokenizer.eos_token_id]
    model_input = (context_ids + continuation_ids)[:-1][-max_length:]
    with torch.no_grad():
        logits = model(torch.tensor([model_input])).logits[0]
    logprobs = torch.log_softmax(logits[-len(continuation_ids) :], dim=-1)
    total = sum(logprobs[i, token].item() for i, token in enumerate(continuation_ids))
    greedy = all(logprobs[i].argmax().item() == token for i, token in enumerate(continuation_ids))
    return total, greedy, len(continuation_ids)


def _generate(model: Any, tokenizer: Any, prompt: str, max_new_tokens: int) -> str:
    """One prompt, greedy, with model.generate and nothing else."""
    ids = torch.tensor([tokenizer(prompt)["input_ids"]])
    with torch.no_grad():
        out = model.generate(
            ids,
            attention_mask=torch.ones_like(ids),
            do_sample=False,
            max_new_tokens=max_new_tokens,
            pad_token_id=tokenizer.eos_token_id,
        )
    return str(tokenizer.decode(out[0, ids.shape[1] :], skip_special_tokens=True))


@pytest.fixture
def sentiment_plugins() -> list[Any]:
    """The gpt plugin, the sentiment task and the metrics, to run a suite on real task code
    (skipped, with the reason, where those plugins are not installed beside this one)."""
    from nlpbench_gpt import plugin

    sentiment = pytest.importorskip("nlpbench_sentiment.plugin", reason="needs nlpbench-sentiment")
    metrics = pytest.importorskip("nlpbench_metrics.plugin", reason="needs nlpbench-metrics")
    return [plugin, sentiment, metrics]


#: A chat template in the vocabulary of GPT-2 (whose tokenizer has none): each turn in
#: tags of its role, then the assistant's opening tag as the generation prompt.
CHAT_TEMPLATE = (
    "{% for m in messages %}<{{ m.role }}>{{ m.content }}</{{ m.role }}>\n{% endfor %}"
    "{% if add_generation_prompt %}<assistant>{% endif %}"
)


@pytest.fixture(scope="session")
def chat_gpt_dir(tmp_path_factory: pytest.TempPathFactory, tiny_gpt_dir: Path, tokenizer: Any) -> Path:
    """The tiny GPT's weights, with a tokenizer that has :data:`CHAT_TEMPLATE`."""
    import shutil

    folder = tmp_path_factory.mktemp("chat-gpt")
    for file in tiny_gpt_dir.iterdir():
        shutil.copy(file, folder / file.name)
    chatty = gpt2_tokenizer()
    chatty.chat_template = CHAT_TEMPLATE
    chatty.save_pretrained(folder)
    return folder
