"""What each ``output`` of a declarative task asks of a model: the strategies it can
use (most preferred first) and the metrics it is scored with when the suite names none.
Kept apart from the pydantic schema so that listing plugins imports neither."""

from __future__ import annotations

OUTPUTS: dict[str, tuple[str, ...]] = {
    "multiple_choice": ("loglikelihood", "classify"),
    "classify": ("classify",),
    "generate": ("generate",),
    "loglikelihood": ("loglikelihood",),
    "rolling": ("loglikelihood_rolling",),
    "extract_span": ("extract_span", "generate"),
}

DEFAULT_METRICS: dict[str, tuple[str, ...]] = {
    "multiple_choice": ("acc", "acc_norm"),
    "classify": ("acc",),
    "generate": ("em",),
    "extract_span": ("em",),
    "loglikelihood": ("target-perplexity", "acc"),
    "rolling": ("word-perplexity", "byte-perplexity", "bits-per-byte"),
}
