"""Saving a trained model so that a suite loads it with ``path:``."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def save_folder(model: Any, tokenizer: Any, out_dir: Path) -> None:
    """``model`` (in evaluation mode) and ``tokenizer`` saved into ``out_dir`` (made if
    missing) with ``save_pretrained``: safetensors, the only format transformers 5 writes."""
    out_dir.mkdir(parents=True, exist_ok=True)
    model.eval()
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
