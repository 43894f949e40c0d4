"""The ``t5`` model type: any encoder-decoder checkpoint, loaded through the shared
transformer library, answering ``generate`` and ``loglikelihood``.

What it declares lives here; what it does once built is :class:`~.seq2seq.Seq2SeqLM`'s.
torch and transformers are imported when a model is built, never when plugins are listed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from nlpbench import ModelSpec, Options

from .params import T5_CONFIG, T5Params, check_spec
from .seq2seq import Seq2SeqLM

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from pathlib import Path

    from nlpbench import (
        FinetuneReport,
        FinetuneSettings,
        FinetuneStepped,
        PretrainReport,
        PretrainSettings,
        PretrainStepped,
        TrainingPair,
    )


class T5Model(Seq2SeqLM):
    """T5 or any other encoder-decoder (AutoModelForSeq2SeqLM): text-to-text generation and teacher-forced scoring.

    Built as ``T5Model(spec)`` from ``path:``, ``hub:`` or ``config:``; see the plugin's
    README for its params (the common transformer ones plus ``score_eos``).
    """

    capabilities: ClassVar[frozenset[str]] = frozenset({"generate", "loglikelihood"})
    #: The ``params:`` a t5 entry takes; ``config:`` is checked against :data:`T5_CONFIG`.
    options: ClassVar[type[T5Params]] = T5Params
    #: The architecture settings ``config:`` takes (model_type t5).
    config_options: ClassVar[type[Options]] = T5_CONFIG.schema
    #: What ``nlpbench finetune`` can train a t5 model for.
    finetunable: ClassVar[frozenset[str]] = frozenset({"generate"})

    @classmethod
    def check_spec(cls, spec: ModelSpec) -> None:
        """ConfigErrors for bad params or ``config:`` settings, when the suite is validated
        (before anything loads), each naming its key."""
        check_spec(spec)

    @classmethod
    def pretrain(
        cls,
        corpus: Sequence[Path],
        config: Mapping[str, Any],
        settings: PretrainSettings,
        out_dir: Path,
        progress: Callable[[PretrainStepped], None],
    ) -> PretrainReport:
        """``nlpbench pretrain``: a byte-level BPE tokenizer with T5's specials and sentinels,
        and a T5 of the ``config`` architecture trained from scratch on span corruption;
        see ``pretraining``."""
        from .pretraining import pretrain

        return pretrain(corpus, config, settings, out_dir, progress)

    @classmethod
    def finetune(
        cls,
        spec: ModelSpec,
        strategy: str,
        train: Sequence[TrainingPair],
        held_out: Sequence[TrainingPair],
        settings: FinetuneSettings,
        out_dir: Path,
        progress: Callable[[FinetuneStepped], None],
    ) -> FinetuneReport:
        """Fine-tune for ``generate``: the prompt is the encoder's input, the target and end
        of sequence the labels; trained in float32 on ``params.device``, evaluated on
        ``held_out`` (exact match of greedy generation, loss), saved into ``out_dir``."""
        from .finetune import finetune

        return finetune(spec, strategy, train, held_out, settings, out_dir, progress)
