"""nlpbench hook implementations: registers the ``majority`` and ``wordlist`` model types.

Nothing is read here; a model reads its data or lexicon when a run builds it.
"""

from __future__ import annotations

from nlpbench import Register, hookimpl

from .majority import MajorityModel
from .wordlist import WordlistModel


@hookimpl
def register_models(register: Register) -> None:
    register(MajorityModel, name="majority")
    register(WordlistModel, name="wordlist")
