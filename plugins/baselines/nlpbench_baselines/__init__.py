"""nlpbench-baselines: reference points for classification tasks, with no weights to load:
the ``majority`` class and a ``wordlist`` sentiment counter."""

from __future__ import annotations

from .majority import MajorityModel
from .wordlist import WordlistModel

__version__ = "0.1.0"

__all__ = ["MajorityModel", "WordlistModel", "__version__"]
