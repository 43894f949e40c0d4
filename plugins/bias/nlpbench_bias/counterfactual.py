"""The ``counterfactual`` audit: swap demographic terms in each example and see whether the
model's prediction moves.

For each word list and each of its two groups, an example that mentions the other
group's words yields one perturbed copy with them rewritten as the group's (group
``to-female``: male words made female). Only copies whose model-visible text changed are
yielded. ``measure`` gives ``flip`` (1.0 when the prediction moved, else 0.0; the core
gives the rate with its exact interval) and, where the task gives label probabilities,
``probability_change`` (averaged per group with a percentile bootstrap).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, ClassVar

from nlpbench import AuditError, ConfigError, Example, Options, Perturbation, parse_options

from .options import CounterfactualOptions
from .substitution import Substitution
from .wordlists import BUILT_IN, WordList, built_in, user_list

#: The name ``fields`` uses for the example's input.
INPUT = "input"


class CounterfactualAudit:
    """Counterfactual substitution with curated or user word lists.

    Options: ``lists`` (built-in lists: ``gender``, ``names-gender``, ``names-race``;
    default ``[gender]``, or none when ``pairs`` is given), ``pairs`` (your own: a TSV
    file of two tab-separated words a line, or ``[[a, b], ...]``) with ``groups`` (their
    two group names), ``swap_references`` (also rewrite string references; default
    false) and ``fields`` (what to rewrite: ``input`` and/or string fields of the
    example, such as qa's ``context``; default ``[input]``).
    """

    options: ClassVar[type[Options]] = CounterfactualOptions
    measures: ClassVar[tuple[str, ...]] = ("flip", "probability_change")
    #: A flip is an event: its rate gets the exact binomial interval; a change in
    #: probability is averaged with a bootstrap interval.
    measure_kinds: ClassVar[dict[str, str]] = {"flip": "proportion", "probability_change": "mean"}

    def __init__(self, base_dir: Path | None = None, **options: Any) -> None:
        # base_dir: the suite's folder, which the runner passes so that a pairs file resolves against it
        parse_options(CounterfactualOptions, options)  # the suite was checked already; a direct call is not
        self.lists = _lists(options, base_dir)
        self.swap_references = _bool(options, "swap_references")
        self.fields = _fields(options)
        #: perturbation group → the substitution that makes it
        self.substitutions: dict[str, Substitution] = {}
        for word_list in self.lists:
            for group in word_list.groups:
                name = f"to-{group}"
                if name in self.substitutions:
                    raise ConfigError(
                        f"two word lists have a group named '{group}'; name the groups of option pairs apart"
                    )
                self.substitutions[name] = word_list.towards(group)

    def perturb(self, example: Example) -> Iterable[Perturbation]:
        for group, substitution in self.substitutions.items():
            rewritten = self._rewrite(example, group, substitution)
            if rewritten is not None:
                yield Perturbation(group=group, example=rewritten, changed=True)

    def measure(
        self,
        example: Example,
        original: Any,
        perturbation: Perturbation,
        perturbed: Any,
        original_probabilities: Mapping[str, float] | None = None,
        perturbed_probabilities: Mapping[str, float] | None = None,
    ) -> Mapping[str, float]:
        """``flip`` and, where the task gives label probabilities (or the prediction is a
        label → probability mapping), ``probability_change``: how far the probability of
        the originally predicted label moved. Nothing for other mappings (a language
        model's log-likelihood moves with any edit of the text)."""
        if _is_distribution(original) and _is_distribution(perturbed):
            original_probabilities, perturbed_probabilities = original, perturbed
            original, perturbed = _top(original), _top(perturbed)
        elif isinstance(original, Mapping) or isinstance(perturbed, Mapping):
            return {}
        measured: dict[str, float] = {"flip": self._flip(original, perturbation, perturbed)}
        if _is_distribution(original_probabilities) and _is_distribution(perturbed_probabilities):
            assert original_probabilities is not None and perturbed_probabilities is not None
            label = original if original in original_probabilities else _top(original_probabilities)
            moved = float(perturbed_probabilities.get(label, 0.0)) - float(original_probabilities[label])
            measured["probability_change"] = abs(moved)
        return measured

    def _flip(self, original: Any, perturbation: Perturbation, perturbed: Any) -> float:
        if isinstance(original, str) and isinstance(perturbed, str):
            # a generated text that only carries the swap over ("he" → "she") has not flipped
            swapped = self.substitutions[perturbation.group].apply(original) or original
            return float(perturbed.strip() not in (original.strip(), swapped.strip()))
        return float(perturbed != original)

    def describe(self) -> dict[str, Any]:
        return {
            "lists": [w.describe() for w in self.lists],
            "groups": list(self.substitutions),
            "fields": list(self.fields),
            "swap_references": self.swap_references,
        }

    def _rewrite(self, example: Example, group: str, substitution: Substitution) -> Example | None:
        """The example with its chosen text rewritten, or None when that text is unchanged."""
        new_input = example.input
        fields = dict(example.fields)
        changed = False
        for name in self.fields:
            if name == INPUT:
                if isinstance(example.input, str):
                    new_input = substitution.apply(example.input) or example.input
                    changed = changed or new_input != example.input
                continue
            if name not in example.fields:
                have = ", ".join(sorted(map(str, example.fields))) or "none"
                raise AuditError(f"option fields: example '{example.id}' has no field '{name}'; it has: {have}")
            value = example.fields[name]
            if isinstance(value, str):
                fields[name] = substitution.apply(value) or value
                changed = changed or fields[name] != value
        if not changed:
            return None
        if new_input != example.input:  # keep raw fields that mirror the input consistent with it
            for name, value in example.fields.items():
                if name not in self.fields and value == example.input:
                    fields[name] = new_input
        references = example.references
        if self.swap_references:
            references = tuple((substitution.apply(r) or r) if isinstance(r, str) else r for r in references)
        return replace(example, id=f"{example.id}~{group}", input=new_input, references=references, fields=fields)


def _lists(options: Mapping[str, Any], base_dir: Path | None = None) -> list[WordList]:
    names = options.get("lists")
    pairs, groups = options.get("pairs"), options.get("groups")
    if names is None:
        names = [] if pairs is not None else ["gender"]
    if isinstance(names, str):
        names = [names]
    if not isinstance(names, Sequence) or not all(isinstance(n, str) for n in names):
        raise ConfigError(f"option lists must be a list of names ({', '.join(BUILT_IN)}), not {names!r}")
    if len(set(names)) != len(names):
        raise ConfigError(f"option lists names a list twice: {list(names)!r}")
    lists = [built_in(name) for name in names]
    if pairs is not None:
        lists.append(user_list(pairs, groups, base_dir))
    elif groups is not None:
        raise ConfigError("option groups names the groups of option pairs, which is not given")
    if not lists:
        raise ConfigError(f"option lists is empty: name at least one of {', '.join(BUILT_IN)}, or give option pairs")
    return lists


def _bool(options: Mapping[str, Any], key: str) -> bool:
    value = options.get(key, False)
    if not isinstance(value, bool):
        raise ConfigError(f"option {key} must be true or false, not {value!r}")
    return value


def _fields(options: Mapping[str, Any]) -> tuple[str, ...]:
    value = options.get("fields", [INPUT])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, Sequence) or not value or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(f"option fields must be a non-empty list of field names (or 'input'), not {value!r}")
    return tuple(dict.fromkeys(value))


def _top(distribution: Mapping[str, float]) -> str:
    """The most probable label; ties go to the first."""
    labels = list(distribution)
    return max(labels, key=lambda label: (distribution[label], -labels.index(label)))


def _is_distribution(value: Any) -> bool:
    """A label → probability mapping: numbers in [0, 1] summing to 1."""
    if not isinstance(value, Mapping) or not value:
        return False
    numbers = list(value.values())
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and 0.0 <= v <= 1.0 for v in numbers):
        return False
    return abs(sum(numbers) - 1.0) < 1e-6
