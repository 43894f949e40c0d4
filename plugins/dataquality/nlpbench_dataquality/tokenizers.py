"""A model's tokenizer, when one is at hand: the suite model's local weights folder
holds tokenizer files and ``transformers`` is installed. Nothing is downloaded."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from nlpbench import ModelSpec

#: Files any of which says a folder has a tokenizer.
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "vocab.txt", "spiece.model", "vocab.json")


def has_tokenizer(spec: ModelSpec) -> bool:
    path = spec.path
    return path is not None and Path(path).is_dir() and any((Path(path) / f).is_file() for f in TOKENIZER_FILES)


def token_counter(spec: ModelSpec) -> Callable[[str], int]:
    """Counts a text's tokens (special tokens left out). Raises when the tokenizer cannot be loaded."""
    from transformers import AutoTokenizer  # only when a folder has a tokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(spec.path), local_files_only=True)
    return lambda text: len(tokenizer(text, add_special_tokens=False)["input_ids"])
