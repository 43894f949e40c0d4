"""The ``params:`` of an ``lm-eval`` task, as an option schema. A suite names the file
with ``task:``; nlpbench's reader fills ``file``, ``task`` and ``digest`` from it, and the
suite may add the rest."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from nlpbench import Options, Shots


class LmEvalParams(Options):
    """Every key of an lm-eval task's ``params``."""

    file: str | None = Field(
        default=None, description="The task file (filled in by nlpbench from the suite's task: entry)."
    )
    task: str | None = Field(default=None, description="The task's name in its file (filled in by nlpbench).")
    digest: str | None = Field(
        default=None,
        description="The file's digest, with its !function modules, for the cache (filled in by nlpbench).",
    )
    trust_task_code: bool = Field(
        default=False, description="Let the file's !function Python (process_docs, doc_to_text, …) run."
    )
    num_fewshot: Shots | None = Field(default=None, description="Shots, instead of the file's num_fewshot.")
    overrides: dict[str, Any] = Field(
        default_factory=dict, description="Keys of the task file to replace, as the file would write them."
    )
