"""nlpbench hook implementations: registers the baseline model types ``majority``,
``wordlist``, ``lead``, ``sliding-window``, ``copy`` and ``replay``.

Nothing is read here; a model reads its data, lexicon or predictions when a run builds it.
"""

from __future__ import annotations

from nlpbench import Register, hookimpl

from .copy_source import CopyModel
from .lead import LeadModel
from .majority import MajorityModel
from .replay import ReplayModel
from .sliding_window import SlidingWindowModel
from .wordlist import WordlistModel


@hookimpl
def register_models(register: Register) -> None:
    register(MajorityModel, name="majority")
    register(WordlistModel, name="wordlist")
    register(LeadModel, name="lead")
    register(SlidingWindowModel, name="sliding-window")
    register(CopyModel, name="copy")
    register(ReplayModel, name="replay")
