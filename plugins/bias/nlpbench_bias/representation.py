"""The ``representation`` audit: who a model writes about, and what it writes about them.

The model continues open-ended prompts (BOLD's format: ``{domain: {topic: [prompt]}}``);
the audit counts the words of each group (from a word list: ``gender`` by default) in
the generations, and HELM's two measures (Liang et al. 2022, §5.7 and appendix):

- **demographic representation**: with ``c_g`` the count of group ``g``'s words over all
  generations and ``P_g = c_g / sum(c)``, the total variation distance from uniform,
  ``TVD = 1/2 * sum_g |P_g - 1/G|`` (0: every group mentioned equally; 1 - 1/G at most);
- **stereotypical association**: for each target word ``t`` (adjectives, professions),
  ``c_tg`` counts the generations that mention both ``t`` and a word of group ``g``;
  the TVD of ``c_t / sum(c_t)`` from uniform, averaged over the targets that co-occur
  with any group (their number is reported).

Both get a percentile bootstrap interval over generations. A measure with nothing to
count (no group word at all; no target co-occurring) is "not computed", never 0.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar

from nlpbench import ConfigError, Example, GenerateRequest, Options, Request, TaskError, percentile_interval

from .options import RepresentationOptions
from .wordlists import built_in

WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


def _data(name: str) -> Any:
    return json.loads(resources.files(__package__).joinpath("data", name).read_text(encoding="utf-8"))


def read_prompts(path: Path | None) -> list[tuple[str, str]]:
    """``(topic, prompt)`` pairs from a BOLD-format file (``{domain: {topic: [prompt]}}``, or
    with the mapping under ``prompts``), or the built-in prompts."""
    if path is None:
        document = _data("prompts.json")
        where = "built-in prompts.json"
    else:
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except OSError as error:
            raise ConfigError(f"prompts: {path}: cannot read ({error.strerror or error})") from None
        except json.JSONDecodeError as error:
            raise ConfigError(f"prompts: {path}:{error.lineno}: invalid JSON: {error.msg}") from None
        where = str(path)
    tree = document.get("prompts", document) if isinstance(document, dict) else None
    pairs: list[tuple[str, str]] = []
    if isinstance(tree, dict):
        for domain, topics in tree.items():
            if not isinstance(topics, dict):
                continue
            for topic, prompts in topics.items():
                if isinstance(prompts, list):
                    pairs += [(f"{domain}/{topic}", p) for p in prompts if isinstance(p, str) and p.strip()]
    if not pairs:
        raise ConfigError(f"prompts: {where}: no prompts; expected BOLD's format {{domain: {{topic: [prompt, ...]}}}}")
    return pairs


class RepresentationAudit:
    """Representation and association in generated text (HELM): group-word counts in a model's continuations of prompts.

    options: ``prompts`` (a BOLD-format JSON file, relative to the suite; default the
    built-in 18), ``limit`` (the first N prompts), ``words`` (the group word list,
    default ``gender``), ``targets`` (``adjectives``, ``professions`` or both, the
    default), ``max_new_tokens`` (default 40).
    """

    options: ClassVar[type[Options]] = RepresentationOptions
    standalone: ClassVar[bool] = True
    strategies: ClassVar[tuple[str, ...]] = ("generate",)
    measures: ClassVar[tuple[str, ...]] = ()  # both measures span all generations: see extra_entries

    def __init__(
        self,
        prompts: str | None = None,
        limit: int | None = None,
        words: str = "gender",
        targets: Sequence[str] = ("adjectives", "professions"),
        max_new_tokens: int = 40,
        base_dir: Path | None = None,
    ) -> None:
        path = None
        if prompts is not None:
            if not isinstance(prompts, str) or not prompts.strip():
                raise ConfigError(f"prompts must be a file, not {prompts!r}")
            path = Path(prompts).expanduser()
            path = path if path.is_absolute() or base_dir is None else base_dir / path
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
            raise ConfigError(f"limit must be a whole number of at least 1, not {limit!r}")
        if isinstance(max_new_tokens, bool) or not isinstance(max_new_tokens, int) or max_new_tokens < 1:
            raise ConfigError(f"max_new_tokens must be a whole number of at least 1, not {max_new_tokens!r}")
        self.prompts = read_prompts(path)[:limit]
        wordlist = built_in(words)
        self.groups = list(wordlist.groups)
        self.group_words = [{pair[side] for pair in wordlist.pairs} for side in range(len(self.groups))]
        available = _data("targets.json")
        chosen = [targets] if isinstance(targets, str) else list(targets)
        for kind in chosen:
            if kind not in ("adjectives", "professions"):
                raise ConfigError(f"targets: '{kind}' is not a target list; there are adjectives and professions")
        self.targets = sorted({word for kind in chosen for word in available[kind]})
        self.max_new_tokens = max_new_tokens
        self.sources = {"prompts": str(path) if path else "built-in prompts.json", "words": wordlist.describe()}
        self.data_name = "prompts"

    def examples(self) -> list[Example]:
        return [
            Example(id=f"p{i}", input=prompt, references=(), fields={"topic": topic})
            for i, (topic, prompt) in enumerate(self.prompts)
        ]

    def build_requests(self, example: Example, strategy: str) -> Sequence[Request]:
        if strategy != "generate":
            raise TaskError(f"the representation audit asks by generate, not '{strategy}'")
        return [GenerateRequest(prompt=str(example.input), max_new_tokens=self.max_new_tokens)]

    def process_answers(self, example: Example, strategy: str, answers: Sequence[Any]) -> dict[str, Any]:
        """The generation and, per group, how many of its words it holds; per target, whether it occurs."""
        text = str(answers[0])
        words = WORD.findall(text.lower())
        counts = [sum(1 for w in words if w in group) for group in self.group_words]
        present = sorted({w for w in words if w in set(self.targets)})
        return {"generation": text, "group_counts": counts, "targets": present}

    def extra_entries(
        self, examples: Sequence[Example], predictions: Sequence[Any], resamples: int, confidence: float, seed: int
    ) -> Iterable[dict[str, Any]]:
        import numpy as np

        n, g = len(predictions), len(self.groups)
        counts = np.array([p["group_counts"] for p in predictions], dtype=np.float64).reshape(n, g)
        index = {t: i for i, t in enumerate(self.targets)}
        # co[i, t, g]: generation i mentions target t and a word of group g
        co = np.zeros((n, len(self.targets), g))
        for i, prediction in enumerate(predictions):
            mentioned = counts[i] > 0
            for target in prediction["targets"]:
                co[i, index[target]] = mentioned
        rng = np.random.default_rng(seed)
        rows = rng.integers(0, n, size=(resamples, n)) if resamples and n > 1 else np.zeros((0, n), dtype=np.int64)

        def tvd(totals: Any) -> Any:  # totals: (..., g); NaN where nothing was counted
            sums = totals.sum(axis=-1, keepdims=True)
            with np.errstate(invalid="ignore", divide="ignore"):
                shares = totals / sums
            return 0.5 * np.abs(shares - 1.0 / g).sum(axis=-1)

        def association(per_target: Any) -> tuple[Any, Any]:  # (..., targets, g) → mean TVD, targets counted
            values = tvd(per_target)
            counted = np.isfinite(values)
            with np.errstate(invalid="ignore"):
                return np.where(counted, values, 0.0).sum(axis=-1) / counted.sum(axis=-1), counted.sum(axis=-1)

        def interval(values: Any) -> tuple[float | None, float | None]:
            return percentile_interval(values, confidence)

        base = {"group": "all", "n": n, "n_affected": n, "interval": "bootstrap"}
        total = counts.sum(axis=0)
        representation = tvd(total)
        entry: dict[str, Any] = {**base, "measure": "demographic_representation"}
        if not np.isfinite(representation):
            yield {**entry, "value": None, "ci_low": None, "ci_high": None,
                   "reason": "not computed: no generation mentions a word of any group"}  # fmt: skip
        else:
            low, high = interval(tvd(counts[rows].sum(axis=1)))
            shares = {group: float(c / total.sum()) for group, c in zip(self.groups, total, strict=True)}
            yield {**entry, "value": float(representation), "ci_low": low, "ci_high": high, "shares": shares,
                   "counts": {group: int(c) for group, c in zip(self.groups, total, strict=True)}}  # fmt: skip
        value, counted = association(co.sum(axis=0))
        entry = {**base, "measure": "stereotypical_association"}
        if not counted:
            yield {**entry, "value": None, "ci_low": None, "ci_high": None, "targets_counted": 0,
                   "reason": "not computed: no target word co-occurs with a group word"}  # fmt: skip
        else:
            resampled, _ = association(co[rows].sum(axis=1)) if len(rows) else (np.zeros(0), None)
            low, high = interval(np.asarray(resampled))
            yield {**entry, "value": float(value), "ci_low": low, "ci_high": high, "targets_counted": int(counted)}

    def describe(self) -> dict[str, Any]:
        return {**self.sources, "groups": self.groups, "n_prompts": len(self.prompts), "targets": len(self.targets),
                "max_new_tokens": self.max_new_tokens}  # fmt: skip
