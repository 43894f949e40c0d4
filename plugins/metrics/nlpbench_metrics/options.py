"""The option schemas the metrics of this plugin share (a metric's own lives beside it).

A metric declares what a suite may give it (``{name: precision, average: binary}``) as
an :class:`nlpbench.Options` schema in its ``options`` attribute: ``nlpbench validate``
checks every entry against it before anything runs, ``nlpbench list metrics --json``
prints it, and docs/reference/options.md is generated from it. The metric reads its
settings with :func:`nlpbench.parse_options`, so the schema is the one place a default
is written.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from nlpbench import Options

AVERAGES = ("macro", "micro", "weighted", "binary")


class NoOptions(Options):
    """The metric takes no options (so a misspelt one is an error, not ignored)."""


class AveragingOptions(Options):
    """How precision and recall average over labels."""

    average: Literal["macro", "micro", "weighted", "binary"] = Field(
        "macro",
        description="macro: the mean over labels; micro: over examples; weighted: by each label's support; "
        "binary: the positive label alone (scikit-learn's averages)",
    )
    positive: str | int | None = Field(None, description="the positive label, with average binary (and only then)")

    @model_validator(mode="after")
    def _positive_with_binary(self) -> AveragingOptions:
        if self.average == "binary" and self.positive is None:
            raise ValueError("average binary needs the positive label: set positive")
        if self.average != "binary" and self.positive is not None:
            raise ValueError(f"positive only applies with average binary (average is {self.average})")
        return self
