"""The default tokenizer: real GPT-2 BPE plus T5's special tokens, surviving a save."""

from __future__ import annotations

from pathlib import Path

from nlpbench_t5.tokenizer import default_tokenizer


def test_gpt2_ids_with_t5_specials_appended(tmp_path: Path) -> None:
    tokenizer = default_tokenizer()
    # GPT-2's own ids: "Hello world" is [15496, 995] in every GPT-2 vocabulary
    assert tokenizer("Hello world", add_special_tokens=False)["input_ids"] == [15496, 995]
    assert tokenizer("Hello world")["input_ids"] == [15496, 995, tokenizer.eos_token_id]
    assert (tokenizer.pad_token, tokenizer.eos_token, tokenizer.unk_token) == ("<pad>", "</s>", "<unk>")
    assert tokenizer.model_max_length == 512
    assert tokenizer.decode([15496, 995, tokenizer.eos_token_id, tokenizer.pad_token_id], skip_special_tokens=True) == (
        "Hello world"
    )
    from transformers import AutoTokenizer

    tokenizer.save_pretrained(tmp_path)
    again = AutoTokenizer.from_pretrained(tmp_path)
    assert again("Hello world")["input_ids"] == [15496, 995, tokenizer.eos_token_id]
    assert (again.pad_token_id, again.eos_token_id, again.unk_token_id) == (50257, 50258, 50259)
