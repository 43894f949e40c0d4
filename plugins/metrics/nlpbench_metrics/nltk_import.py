"""Importing nltk without the scipy and scikit-learn it never needs here.

``import nltk.stem.porter`` runs nltk's ``__init__``, which imports nearly all of nltk,
and with it ``scipy.stats`` (for a Fisher exact test in ``nltk.metrics``) and
scikit-learn (for a classifier wrapper), when they are installed: about 1.6 of the 1.9
CPU seconds the import took, paid by every run that scores ROUGE, a cached rerun's
audits included. nltk itself falls back when either is missing (both imports sit in
``try``/``except ImportError``), so they are hidden while nltk loads and restored at
once: the rest of the process imports them normally. Only nltk's own Fisher test and
scikit-learn wrapper are left without them, and nlpbench uses neither.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType

#: What nltk imports only for parts of itself that nlpbench never calls.
UNNEEDED = ("scipy", "sklearn")


def import_nltk(module: str) -> ModuleType:
    """``importlib.import_module(module)`` (an ``nltk`` module), loading nltk light."""
    if "nltk" in sys.modules:
        return importlib.import_module(module)
    hidden = [name for name in UNNEEDED if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # makes `import name` raise ImportError
    try:
        return importlib.import_module(module)
    finally:
        for name in hidden:
            if sys.modules.get(name, ...) is None:
                del sys.modules[name]
