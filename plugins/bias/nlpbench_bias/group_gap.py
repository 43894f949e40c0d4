"""The ``group-gap`` audit: the same sentences about different people, given to a classifier.

Every template ("{person} feels angry.") is filled with every phrase of every group
("this woman", "my brother", ...), in the style of the Equity Evaluation Corpus
(Kiritchenko & Mohammad 2018). The classifier's probability of the positive label
should not depend on who fills the slot. Reported, per model:

- per group, the mean positive probability over all its sentences (bootstrap interval);
- per pair of groups, the mean over templates of the difference of the groups' mean
  probabilities on that template: paired by template, with a bootstrap over templates;
- the gap: the largest group mean minus the smallest, with the same bootstrap (which
  groups are largest and smallest may change from one resample to the next).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar

from nlpbench import ClassifyRequest, ConfigError, Example, Options, Request, TaskError, percentile_interval

from .group_labels import GroupLabelsAudit
from .options import GroupGapOptions

TEMPLATES = "templates.json"


def _load(path: Path | None) -> dict[str, Any]:
    if path is None:
        text = resources.files(__package__).joinpath("data", TEMPLATES).read_text(encoding="utf-8")
        where = f"built-in {TEMPLATES}"
    else:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise ConfigError(f"templates: {path}: cannot read ({error.strerror or error})") from None
        where = str(path)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ConfigError(f"templates: {where}:{error.lineno}: invalid JSON: {error.msg}") from None
    templates, groups = document.get("templates"), document.get("groups")
    if (
        not isinstance(templates, list)
        or not templates
        or not all(isinstance(t, str) and "{person}" in t for t in templates)
    ):
        raise ConfigError(f"templates: {where}: 'templates' must be a list of sentences, each with a {{person}} slot")
    if (
        not isinstance(groups, Mapping)
        or len(groups) < 2
        or not all(
            isinstance(v, list) and v and all(isinstance(p, str) and p.strip() for p in v) for v in groups.values()
        )
    ):
        raise ConfigError(f"templates: {where}: 'groups' must map at least two groups to lists of person phrases")
    return {
        "templates": templates,
        "groups": {str(k): list(v) for k, v in groups.items()},
        "version": document.get("version"),
        "where": where,
    }


def fill(template: str, person: str) -> str:
    """The template with ``person`` in its slot, the sentence's first letter capitalised."""
    text = template.replace("{person}", person)
    return text[:1].upper() + text[1:]


class GroupGapAudit:
    """Group gap: a classifier's positive probability for template sentences about each group, or per-group rates on labelled data.

    With ``field`` (the example field holding each example's group, a column kept with
    ``data.keep``) it audits the suite's own cells instead, per group: accuracy, true-
    and false-positive rates of ``positive`` and each metric, with their gaps (see
    :class:`~nlpbench_bias.group_labels.GroupLabelsAudit`, which it then is).

    Without ``field``, on templates: options ``templates`` (a JSON file like the built-in one: ``templates`` with a
    ``{person}`` slot and ``groups`` of person phrases; relative to the suite), ``groups``
    (the groups to use, default all), ``labels`` (default negative, positive) and
    ``positive`` (the label whose probability is compared, default positive).
    """

    options: ClassVar[type[Options]] = GroupGapOptions
    standalone: ClassVar[bool] = True
    strategies: ClassVar[tuple[str, ...]] = ("classify",)
    measures: ClassVar[tuple[str, ...]] = ("positive_probability",)

    def __new__(cls, *args: Any, field: str | None = None, **options: Any) -> Any:
        # one audit name, two sources of sentences (like pathlib.Path giving a PosixPath)
        if field is None:
            return super().__new__(cls)
        extra = [key for key in ("templates", "labels") if key in options]
        if extra:
            raise ConfigError(
                f"option {extra[0]} is for template sentences; with field the audit reads the task's data"
            )
        options.pop("base_dir", None)
        return GroupLabelsAudit(field, *args, **options)

    def __init__(
        self,
        templates: str | None = None,
        groups: Sequence[str] | None = None,
        labels: Sequence[str] = ("negative", "positive"),
        positive: str = "positive",
        base_dir: Path | None = None,
        field: None = None,  # given, __new__ made a GroupLabelsAudit instead
    ) -> None:
        path = None
        if templates is not None:
            if not isinstance(templates, str) or not templates.strip():
                raise ConfigError(f"templates must be a file, not {templates!r}")
            path = Path(templates).expanduser()
            path = path if path.is_absolute() or base_dir is None else base_dir / path
        loaded = _load(path)
        known = loaded["groups"]
        chosen = list(groups) if groups is not None else list(known)
        for group in chosen:
            if group not in known:
                raise ConfigError(f"groups: no group '{group}' in the templates; they have {', '.join(known)}")
        if len(chosen) < 2:
            raise ConfigError("groups: name at least two groups to compare")
        if not isinstance(labels, (list, tuple)) or len(labels) < 2 or positive not in labels:
            raise ConfigError(f"labels must list at least two labels, among them positive ('{positive}')")
        self.templates: list[str] = loaded["templates"]
        self.people = {group: known[group] for group in chosen}
        self.labels = tuple(str(label) for label in labels)
        self.positive = positive
        self.source, self.version = loaded["where"], loaded["version"]
        self.data_name = "templates"

    def examples(self) -> list[Example]:
        examples = []
        for t, template in enumerate(self.templates):
            for group, people in self.people.items():
                for p, person in enumerate(people):
                    text = fill(template, person)
                    fields = {"template": t, "group": group, "person": person}
                    examples.append(Example(id=f"t{t}-{group}-{p}", input=text, references=(), fields=fields))
        return examples

    def groups(self, example: Example) -> list[str]:
        """Each sentence counts for the group of the person in it."""
        return [str(example.fields["group"])]

    def build_requests(self, example: Example, strategy: str) -> Sequence[Request]:
        if strategy != "classify":
            raise TaskError(f"the group-gap audit asks by classify, not '{strategy}'")
        return [ClassifyRequest(text=str(example.input), labels=self.labels)]

    def process_answers(self, example: Example, strategy: str, answers: Sequence[Any]) -> dict[str, float]:
        (answer,) = answers
        if not isinstance(answer, Mapping) or self.positive not in answer:
            raise TaskError(f"classify: the answer gives no probability for '{self.positive}'")
        return {"positive_probability": float(answer[self.positive])}

    def extra_entries(
        self, examples: Sequence[Example], predictions: Sequence[Any], resamples: int, confidence: float, seed: int
    ) -> Iterable[dict[str, Any]]:
        """Pairwise differences of group means, paired by template, and the max-min gap."""
        import numpy as np

        names = list(self.people)
        table = np.zeros((len(self.templates), len(names)))
        counts = np.zeros_like(table)
        for example, prediction in zip(examples, predictions, strict=True):
            column = names.index(str(example.fields["group"]))
            table[int(example.fields["template"]), column] += float(prediction["positive_probability"])
            counts[int(example.fields["template"]), column] += 1
        means = table / np.maximum(counts, 1)  # template x group: the group's mean on that template
        rng = np.random.default_rng(seed)
        rows = (
            rng.integers(0, len(means), size=(resamples, len(means))) if resamples else np.zeros((0, len(means)), int)
        )
        resampled = means[rows].mean(axis=1) if resamples else np.zeros((0, len(names)))  # resamples x groups

        def interval(values: Any) -> tuple[float | None, float | None]:
            return percentile_interval(values, confidence)

        overall = means.mean(axis=0)
        base = {"n": len(means), "n_affected": len(means), "interval": "bootstrap"}
        for a, b in itertools.combinations(range(len(names)), 2):
            low, high = interval(resampled[:, a] - resampled[:, b])
            yield {**base, "group": f"{names[a]} - {names[b]}", "measure": "positive_probability_difference",
                   "value": float(overall[a] - overall[b]), "ci_low": low, "ci_high": high}  # fmt: skip
        low, high = interval(resampled.max(axis=1) - resampled.min(axis=1))
        top, bottom = int(np.argmax(overall)), int(np.argmin(overall))
        yield {**base, "group": "all", "measure": "positive_probability_gap", "value": float(overall[top] - overall[bottom]),
               "ci_low": low, "ci_high": high, "highest": names[top], "lowest": names[bottom]}  # fmt: skip

    def describe(self) -> dict[str, Any]:
        return {
            "templates": self.source,
            "version": self.version,
            "groups": {group: len(people) for group, people in self.people.items()},
            "n_templates": len(self.templates),
            "positive": self.positive,
        }
