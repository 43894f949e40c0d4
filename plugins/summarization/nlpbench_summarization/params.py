"""The ``params:`` of a summarization task, as an option schema: every key with its type,
default and description, checked by the core before anything loads. The templates and
the shots against the train split are checked in :mod:`nlpbench_summarization.config`."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from nlpbench import MaxNewTokens, Options, PromptParam, Shots

DEFAULT_MAX_NEW_TOKENS = 128
#: The longest cut a limit may ask for, in words or characters: more is no limit at all.
MAX_LIMIT = 10_000_000

#: A length limit: a whole number of at least 1; unset, no limit.
Limit = Annotated[int, Field(ge=1, le=MAX_LIMIT, strict=True)] | None


class SummarizationParams(Options):
    """Every key of a summarization task's ``params``: how summaries are asked for and how long they may be."""

    prompt: PromptParam = Field(
        default=None,
        description="The Jinja2 prompt, using {{ document }} and the shots (each with document and summary), or "
        "a mapping of model name or type to template with a 'default'; unset: 'summarize: …' for t5, the "
        "GPT-2 paper's '… TL;DR:' for the other models.",
    )
    shots: Shots = 0
    max_new_tokens: MaxNewTokens = DEFAULT_MAX_NEW_TOKENS
    max_words: Limit = Field(
        default=None, description="Cut each predicted summary to this many words before scoring; unset: no cut."
    )
    max_input_words: Limit = Field(
        default=None,
        description="Cut each document in the prompt to this many words (counted in results); unset: no cut.",
    )
    max_input_chars: Limit = Field(
        default=None,
        description="Cut each document in the prompt to this many characters, after max_input_words; unset: no cut.",
    )
