"""The ``language-modeling`` task type: how likely a model finds each text."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from nlpbench import Example, Request, TaskSpec

from .config import UNIT_MEANINGS, lm_config
from .params import LMParams
from .scoring import STRATEGIES, build, predict
from .texts import load_texts

#: How the metrics average, stated in every result of the task.
CONVENTION = (
    "token-level perplexity = exp(-(sum of log-probabilities)/(sum of tokens)) over the whole corpus, "
    "not an average of per-text perplexities"
)


class LanguageModelingTask:
    """Language modeling: the log-probability of each text, for perplexity, word-level perplexity and bits per byte.

    ``data`` is empty for the built-in sample (paragraphs of English prose), or names a
    plain-text file (``path``, cut into texts by ``unit``: ``paragraph``, the default,
    ``line`` or ``file``), a JSONL, JSON, CSV or TSV file or an HF dataset (each row one
    text: its ``text`` column, default "text"; ``id`` names a column of ids). ``params``
    may set ``stride``, how far the model's sliding windows advance (default: the
    model's). Each text is scored whole, its first token conditioned on the model's
    start token; the prediction is ``{"logprob", "tokens", "words", "bytes"}``.
    """

    strategies: ClassVar[tuple[str, ...]] = STRATEGIES
    options: ClassVar[type[LMParams]] = LMParams
    default_metrics: ClassVar[tuple[str, ...]] = ("perplexity", "word-perplexity", "bits-per-byte")

    def __init__(self, spec: TaskSpec) -> None:
        self.spec = spec
        self.config = lm_config(spec)
        self._examples: list[Example] | None = None
        self._skipped = 0

    @classmethod
    def check_spec(cls, spec: TaskSpec) -> None:
        """ConfigError for an unknown or bad key in ``data`` or ``params``, before anything loads."""
        lm_config(spec)

    def examples(self) -> list[Example]:
        """Every text, in file order. DataError for an unreadable or empty file, or a bad row."""
        if self._examples is None:
            config = self.config
            texts, self._skipped = load_texts(
                config.data.source, config.unit, config.data.columns["text"], config.id_column, config.data
            )
            self._examples = [
                Example(id=t.id, input=t.text, references=(), fields={"text": t.text, "line": t.line, **t.kept})
                for t in texts
            ]
        return list(self._examples)

    def build_requests(self, example: Example, strategy: str) -> Sequence[Request]:
        return build(strategy, _text(example), self.config.stride)

    def process_answers(self, example: Example, strategy: str, answers: Sequence[Any]) -> dict[str, float | int]:
        """``{"logprob", "tokens", "words", "bytes"}``: the model's log-probability of the
        text and the tokens it scored, the text's whitespace-separated words and its UTF-8 bytes."""
        return predict(strategy, _text(example), answers)

    def describe(self) -> dict[str, Any]:
        """How the texts were cut and scored, and how the metrics average, for results."""
        config = self.config
        facts: dict[str, Any] = {
            "convention": CONVENTION,
            "unit": config.unit,
            "texts": UNIT_MEANINGS[config.unit],
            "conditioning": (
                "each text is scored on its own, from its start: its first token conditioned on the model's start "
                "token (loglikelihood_rolling) or on an empty context (loglikelihood)"
            ),
            "stride": config.stride if config.stride is not None else "the model's default",
            "words": "whitespace-separated words of the original text (str.split)",
            "bytes": "UTF-8 bytes of the original text",
            **config.data.describe(),
        }
        if self._skipped:
            facts["empty_rows_skipped"] = self._skipped
        return facts


def _text(example: Example) -> str:
    # the input is what a bias audit rewrites; fall back to the field for other examples
    return example.input if isinstance(example.input, str) else str(example.fields["text"])
