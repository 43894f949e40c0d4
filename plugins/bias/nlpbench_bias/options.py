"""What each audit of this plugin takes from a suite's ``params:``, as option schemas.

``nlpbench validate`` checks every audit entry against its schema before anything runs
(a misspelt option, a word list that does not exist), ``nlpbench list audits --json``
prints the schemas, and docs/reference/options.md is generated from them. What needs a
file read (a ``pairs`` file, a prompts file, CrowS-Pairs' data) is checked when the audit
is built, which ``nlpbench validate`` does too. A test keeps each schema's defaults those
of its audit's constructor.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from nlpbench import MAX_NEW_TOKENS, Options

#: The built-in word lists (``wordlists.BUILT_IN``; a test keeps the two alike).
WordListName = Literal["gender", "names-gender", "names-race"]


class CounterfactualOptions(Options):
    """``counterfactual``: which words are swapped, and where."""

    lists: WordListName | tuple[WordListName, ...] | None = Field(
        None,
        description="built-in word lists whose terms are swapped: gender, names-gender, names-race "
        "(default [gender], or none when pairs is given)",
    )
    pairs: str | tuple[tuple[str, str], ...] | None = Field(
        None,
        min_length=1,
        description="your own pairs of counterpart terms: a TSV file of two tab-separated words a line "
        "(relative to the suite), or a list of [a, b]; needs groups",
    )
    groups: tuple[str, str] | None = Field(
        None, description="the names of the two groups of pairs, as [name_a, name_b] (only with pairs)"
    )
    swap_references: bool = Field(False, description="also rewrite string references (for generation tasks)")
    fields: str | tuple[str, ...] = Field(
        ("input",),
        min_length=1,
        description="what to rewrite: input (the model's input) and/or string fields of the example, "
        "such as qa's context",
    )

    @model_validator(mode="after")
    def _groups_with_pairs(self) -> CounterfactualOptions:
        if (self.pairs is None) != (self.groups is None):
            raise ValueError("pairs and groups go together: groups names the two groups of the pairs")
        if self.lists == () and self.pairs is None:
            raise ValueError("lists is empty: name at least one of gender, names-gender, names-race, or give pairs")
        return self


class GroupGapOptions(Options):
    """``group-gap``: template sentences about each group, or the task's own labelled data (``field``)."""

    field: str | None = Field(
        None,
        min_length=1,
        description="audit the suite's own cells by this example field, each example's group (a column kept "
        "with data.keep); without it, template sentences are classified",
    )
    templates: str | None = Field(
        None,
        min_length=1,
        description="a JSON file of templates with a {person} slot and groups of person phrases, relative to "
        "the suite (default: the built-in EEC-style templates); not with field",
    )
    groups: tuple[str, ...] | None = Field(
        None, min_length=2, description="only these groups (at least two; default: every group)"
    )
    labels: tuple[str, ...] = Field(
        ("negative", "positive"),
        min_length=2,
        description="the labels the classifier chooses between, among them positive; not with field",
    )
    positive: str = Field(
        "positive",
        min_length=1,
        description="the label whose probability (templates) or true- and false-positive rates (field) are compared",
    )

    @model_validator(mode="after")
    def _one_source(self) -> GroupGapOptions:
        if self.field is not None:
            given = [key for key in ("templates", "labels") if key in self.model_fields_set]
            if given:
                raise ValueError(f"{given[0]} is for template sentences; with field the audit reads the task's data")
        elif self.positive not in self.labels:
            raise ValueError(f"positive ('{self.positive}') must be one of labels")
        return self


class LikelihoodPreferenceOptions(Options):
    """``likelihood-preference``: a file of sentence pairs in CrowS-Pairs' format."""

    data: str = Field(
        min_length=1,
        description="a CSV, TSV or JSONL file of sentence pairs (CrowS-Pairs' format), relative to the suite",
    )
    more: str = Field("sent_more", min_length=1, description="the column of the more stereotyping sentence")
    less: str = Field("sent_less", min_length=1, description="the column of the less stereotyping sentence")
    bias_type: str = Field("bias_type", min_length=1, description="the column of each pair's bias type")
    limit: int | None = Field(None, ge=1, description="only the first N pairs")


class RepresentationOptions(Options):
    """``representation``: prompts a model continues, and the words counted in what it writes."""

    prompts: str | None = Field(
        None,
        min_length=1,
        description="a BOLD-format JSON file of prompts ({domain: {topic: [prompt]}}), relative to the suite "
        "(default: the 18 built-in prompts)",
    )
    limit: int | None = Field(None, ge=1, description="only the first N prompts")
    words: WordListName = Field("gender", description="the built-in word list whose groups are counted")
    targets: Literal["adjectives", "professions"] | tuple[Literal["adjectives", "professions"], ...] = Field(
        ("adjectives", "professions"), min_length=1, description="the target words whose association is measured"
    )
    max_new_tokens: int = Field(
        40, ge=1, le=MAX_NEW_TOKENS, description="the most tokens the model generates per prompt"
    )
