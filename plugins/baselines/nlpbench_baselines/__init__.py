"""nlpbench-baselines: reference points that load no weights: the ``majority`` class and a
``wordlist`` sentiment counter for classification, ``lead`` for summarization,
``sliding-window`` for extractive QA, ``copy`` (the source, untranslated) for
translation, and ``replay`` of saved predictions for any of these."""

from __future__ import annotations

from .copy_source import CopyModel
from .lead import LeadModel
from .majority import MajorityModel
from .replay import ReplayModel
from .sliding_window import SlidingWindowModel
from .wordlist import WordlistModel

__version__ = "0.1.0"

__all__ = [
    "CopyModel",
    "LeadModel",
    "MajorityModel",
    "ReplayModel",
    "SlidingWindowModel",
    "WordlistModel",
    "__version__",
]
