"""Perplexity against a direct transformers computation.

A tiny untrained GPT-2 with the real GPT-2 tokenizer is saved, a suite runs the
language-modeling task on it through the ``gpt`` plugin, and the result must equal
Hugging Face's perplexity recipe ("Perplexity of fixed-length models": windows moving
by ``stride``, each window's new tokens labelled, ``model(input_ids, labels=...)``)
computed here, with our convention that a text's first token is conditioned on the
start token (GPT-2's ``<|endoftext|>``).

The recipe's window is ``max_length + 1`` tokens: it never uses the prediction made
after a window's last token, so the plugin does not read that token, and its
``max_length`` counts the tokens the model reads. Windows therefore start at the same
places and score the same tokens from the same context.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
pytest.importorskip("nlpbench_gpt", reason="needs the gpt plugin (nlpbench-gpt)")

from nlpbench_gpt import plugin as gpt_plugin  # noqa: E402
from nlpbench_transformers import gpt2_bpe  # noqa: E402
from nlpbench_transformers.testing import one_torch_thread  # noqa: E402, F401  (an autouse fixture)

#: The tiny model's positions: room for the recipe's windows of max_length + 1.
POSITIONS = 80

SHORT = "The ferry leaves at dawn, and the harbour master keeps his own timetable."

LONG = (
    "On the north side of the island there is a lighthouse that has not been lit for thirty years. "
    "A family of swallows nests under its iron balcony every spring, and the children from the village "
    "climb the spiral stairs to count the eggs. The stairs have one hundred and twelve steps; everyone "
    "knows the number, because everyone has counted them at least once, usually out loud."
)


@pytest.fixture(scope="module")
def tokenizer() -> Any:
    """The real GPT-2 byte-level BPE, with <|endoftext|> as BOS, EOS and padding."""
    end = "<|endoftext|>"
    return transformers.PreTrainedTokenizerFast(
        tokenizer_object=gpt2_bpe(), bos_token=end, eos_token=end, pad_token=end, model_max_length=10**6
    )


@pytest.fixture(scope="module")
def tiny_gpt(tmp_path_factory: pytest.TempPathFactory, tokenizer: Any) -> Iterator[tuple[Path, Any]]:
    """A tiny untrained GPT-2 saved with save_pretrained, and the same weights in memory."""
    folder = tmp_path_factory.mktemp("tiny-gpt")
    torch.manual_seed(0)
    config = transformers.GPT2Config(
        n_layer=2,
        n_embd=32,
        n_head=2,
        n_positions=POSITIONS,
        vocab_size=len(tokenizer),
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
    )
    transformers.AutoModelForCausalLM.from_config(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    yield folder, transformers.AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32).eval()


def hf_recipe(model: Any, tokenizer: Any, text: str, max_length: int, stride: int) -> tuple[float, int]:
    """The summed negative log-likelihood of ``text`` and the number of tokens scored,
    by Hugging Face's sliding-window perplexity recipe on <|endoftext|> + the text."""
    ids = torch.tensor([[tokenizer.eos_token_id, *tokenizer(text)["input_ids"]]])
    window = max_length + 1
    seq_len = ids.size(1)
    nll_sum, n_tokens, prev_end = 0.0, 0, 0
    for begin in range(0, seq_len, stride):
        end = min(begin + window, seq_len)
        trg_len = end - prev_end  # may differ from stride on the last window
        input_ids = ids[:, begin:end]
        target_ids = input_ids.clone()
        target_ids[:, :-trg_len] = -100
        with torch.no_grad():
            loss = model(input_ids, labels=target_ids).loss  # the mean over the shifted, unmasked labels
        n_valid = int((target_ids[:, 1:] != -100).sum())
        nll_sum += float(loss) * n_valid
        n_tokens += n_valid
        prev_end = end
        if end == seq_len:
            break
    return nll_sum, n_tokens


def run_lm(
    nlpbench_run: Any,
    plugins: list[Any],
    folder: Path,
    model_params: dict[str, Any],
    files: dict[str, str],
    **task: Any,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    suite = {
        "name": "agreement",
        "models": [
            {"name": "tiny-gpt", "type": "gpt", "path": str(folder), "params": {"device": "cpu", **model_params}}
        ],
        "tasks": [{"name": "text", "type": "language-modeling", **task}],
    }
    run = nlpbench_run(suite, plugins=[*plugins, gpt_plugin], files=files)
    cell = run.cell("tiny-gpt", "text")
    assert (cell["status"], cell["strategy"]) == ("ok", "loglikelihood_rolling"), cell
    return cell, run.samples


def assert_agrees(
    cell: dict[str, Any], samples: list[dict[str, Any]], model: Any, tokenizer: Any, max_length: int, stride: int
) -> float:
    """Each text's log-probability and token count, and the corpus perplexity, equal the
    recipe's (1e-5 relative); returns the perplexity."""
    total_nll, total_tokens = 0.0, 0
    for sample in samples:
        nll, n = hf_recipe(model, tokenizer, sample["input"], max_length, stride)
        assert sample["prediction"]["tokens"] == n
        assert -sample["prediction"]["logprob"] == pytest.approx(nll, rel=1e-5)
        total_nll += nll
        total_tokens += n
    expected = math.exp(total_nll / total_tokens)
    assert cell["metrics"]["perplexity"]["value"] == pytest.approx(expected, rel=1e-5)
    return expected


def test_a_short_text_in_one_window(
    nlpbench_run: Any, lm_plugins: list[Any], tiny_gpt: tuple[Path, Any], tokenizer: Any
) -> None:
    folder, model = tiny_gpt
    assert len(tokenizer(SHORT)["input_ids"]) < POSITIONS
    cell, samples = run_lm(
        nlpbench_run, lm_plugins, folder, {}, {"short.txt": SHORT + "\n"}, data={"path": "short.txt"}
    )
    (sample,) = samples
    assert sample["input"] == SHORT
    nll, n = hf_recipe(model, tokenizer, SHORT, POSITIONS, POSITIONS // 2)
    with torch.no_grad():  # one window: the plainest computation of all
        ids = torch.tensor([[tokenizer.eos_token_id, *tokenizer(SHORT)["input_ids"]]])
        plain = float(model(ids, labels=ids).loss) * (ids.size(1) - 1)
    assert nll == pytest.approx(plain, rel=1e-6)
    assert assert_agrees(cell, samples, model, tokenizer, POSITIONS, POSITIONS // 2) == pytest.approx(
        math.exp(plain / n), rel=1e-5
    )
    assert sample["prediction"]["words"] == len(SHORT.split()) == 13


@pytest.mark.parametrize(("max_length", "stride"), [(24, 8), (16, 16), (12, 3)])
def test_a_long_text_in_sliding_windows(
    nlpbench_run: Any, lm_plugins: list[Any], tiny_gpt: tuple[Path, Any], tokenizer: Any, max_length: int, stride: int
) -> None:
    folder, model = tiny_gpt
    assert len(tokenizer(LONG)["input_ids"]) > 3 * max_length  # several windows
    cell, samples = run_lm(
        nlpbench_run,
        lm_plugins,
        folder,
        {"max_length": max_length, "batch_size": 4},
        {"long.txt": LONG},
        data={"path": "long.txt", "unit": "file"},
        params={"stride": stride},
    )
    assert cell["task_info"]["stride"] == stride  # and the model used it: its default is max_length // 2
    assert cell["model_info"]["truncated_inputs"] == 0  # windows are not truncation
    assert_agrees(cell, samples, model, tokenizer, max_length, stride)


@pytest.mark.slow
@pytest.mark.parametrize("unit", ["paragraph", "file"])
def test_wikitext_2(
    nlpbench_run: Any,
    nlpbench_shared_data: Path,
    lm_plugins: list[Any],
    tiny_gpt: tuple[Path, Any],
    tokenizer: Any,
    unit: str,
) -> None:
    """The first 50 lines of the real WikiText-2 test file: 2,622 tokens, 27 non-blank
    lines in 17 blocks between blank lines, and six dashes of 3 UTF-8 bytes each."""
    lines = (nlpbench_shared_data / "perplexity_wikitext2" / "test.txt").read_text(encoding="utf-8").split("\n")[:50]
    text = "\n".join(lines) + "\n"
    folder, model = tiny_gpt
    cell, samples = run_lm(
        nlpbench_run,
        lm_plugins,
        folder,
        {"max_length": 64, "batch_size": 8},
        {"wiki.test.txt": text},
        data={"path": "wiki.test.txt", "unit": unit},
        params={"stride": 48},
    )
    blocks = [
        "\n".join(block) for blank, block in itertools.groupby(lines, key=lambda line: not line.strip()) if not blank
    ]
    assert [s["input"] for s in samples] == (blocks if unit == "paragraph" else [text])
    assert len(samples) == (17 if unit == "paragraph" else 1)
    perplexity = assert_agrees(cell, samples, model, tokenizer, 64, 48)
    assert 20_000 < perplexity < 100_000  # untrained: near the vocabulary's 50,257
    # words: whitespace words of the original text (" = Robert <unk> = " is 4); bytes: its UTF-8 bytes
    assert sum(s["prediction"]["words"] for s in samples) == sum(len(line.split()) for line in lines)
    assert sum(s["prediction"]["bytes"] for s in samples) == sum(len(s["input"].encode("utf-8")) for s in samples)
    if unit == "file":
        assert (
            samples[0]["prediction"]["bytes"] == len(text.encode("utf-8")) == len(text) + 2 * 6
        )  # 4 en and 2 em dashes
    assert cell["metrics"]["word-perplexity"]["value"] > perplexity  # fewer words than tokens
