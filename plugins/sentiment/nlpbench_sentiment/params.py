"""The ``params:`` of a sentiment task, as an option schema: every key with its type,
default and description, checked by the core before anything loads. What depends on
more than one key or on the data (templates, shots and the train split, verbalizers
and the task's labels) is checked in :mod:`nlpbench_sentiment.config`."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from nlpbench import MaxNewTokens, Options, PromptParam, Shots

#: The default prompt: the shots (each with its label's word), then the review to label.
DEFAULT_PROMPT = (
    "{% for shot in shots %}Review: {{ shot.text }}\nSentiment: {{ shot.label }}\n\n{% endfor %}"
    "Review: {{ text }}\nSentiment:"
)
DEFAULT_DESCRIPTION = "This review is {{ label }}."
#: The generate strategy's answer: a label word needs a few tokens, and ends the line.
DEFAULT_MAX_NEW_TOKENS = 5
DEFAULT_UNTIL = ("\n",)


def _word(value: str) -> str:
    if not value.strip():
        raise ValueError(f"must be a word, not {value!r}")
    return value


class SentimentParams(Options):
    """Every key of a sentiment task's ``params``: how a prompted model is asked."""

    prompt: PromptParam = Field(
        default=None,
        description="The Jinja2 prompt for the loglikelihood and generate strategies, using {{ text }} and the "
        "shots (each with text and label), or a mapping of model name or type to template with a 'default'; "
        "unset: 'Review: … Sentiment:' after the shots.",
    )
    shots: Shots = 0
    verbalizers: dict[str, Annotated[str, AfterValidator(_word)]] = Field(
        default_factory=dict,
        description="The word a model says for each label (label → word), for loglikelihood and generate; "
        "unset: the label's own name.",
    )
    description: Annotated[str, AfterValidator(_word)] = Field(
        default=DEFAULT_DESCRIPTION,
        description="The Jinja2 description of each label, using {{ label }} (its word), that the encode "
        "strategy compares a text with.",
    )
    max_new_tokens: MaxNewTokens = Field(
        default=DEFAULT_MAX_NEW_TOKENS,
        description="The most tokens the generate strategy lets a model say (a label word needs a few).",
    )
    until: list[str] = Field(
        default_factory=lambda: list(DEFAULT_UNTIL),
        description="The generate strategy's stop strings: the answer ends before the first one (default: a "
        "newline); an empty list lets the model say max_new_tokens tokens.",
    )
