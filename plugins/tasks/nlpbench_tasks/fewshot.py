"""Few-shot examples: which train examples each prompt shows.

- nlpbench's own files use the core's :class:`nlpbench.FewShotSampler`: shots drawn per
  example, seeded by the suite seed, the task and the example's id (the same for every
  model and run, different for each example, never the example itself).
- ``sampler: first`` shows the train split's first ``k`` examples, in order (MMLU's way).
- ``sampler: lm-eval`` (and every lm-evaluation-harness file) draws as it does:
  one ``random.Random(1234)`` (its ``--seed``'s default) that draws for the examples in
  order, ``sample(pool, k)``, or ``k + 1`` with the example itself removed (compared as
  a whole row) when the shots come from the split under evaluation (for its files: when
  ``fewshot_split`` equals ``test_split``, both unset included); ``first_n`` takes the
  pool's first ``k``.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from nlpbench import ConfigError, Example, FewShotSampler

#: lm-evaluation-harness's seed of its few-shot sampler (``--seed``'s fourth value).
LM_EVAL_SEED = 1234


@dataclass(frozen=True)
class LmEvalDraws:
    """lm-evaluation-harness's sampler, run once over the examples in order."""

    seed: int
    sampler: str = "default"  # or "first_n"
    same_split: bool = False

    def draw_all(self, examples: Sequence[Example], pool: Sequence[Example], k: int) -> dict[str, list[Example]]:
        """The shots of every example, by id, as lm-evaluation-harness draws them."""
        if k and len(pool) < k + (1 if self.same_split and self.sampler == "default" else 0):
            raise ConfigError(f"{k} shots need a few-shot split of more examples; it has {len(pool)}")
        rng = random.Random(self.seed)
        draws: dict[str, list[Example]] = {}
        for example in examples:
            if not k:
                draws[example.id] = []
            elif self.sampler == "first_n":
                candidates = [shot for shot in pool if not (self.same_split and _row(shot) == _row(example))]
                draws[example.id] = candidates[:k]
            elif self.same_split:
                drawn = [shot for shot in rng.sample(list(pool), k + 1) if _row(shot) != _row(example)][:k]
                if len(drawn) < k:  # the pool held copies of this row: draw again without any of them
                    drawn = rng.sample([shot for shot in pool if _row(shot) != _row(example)], k)
                draws[example.id] = drawn
            else:
                draws[example.id] = rng.sample(list(pool), k)
        return draws


def _row(example: Example) -> Mapping[str, Any]:
    """The row an example was made from (what lm-evaluation-harness compares)."""
    return {key: value for key, value in example.fields.items() if key not in ("_choices", "_continuation")}


class Shots:
    """The shots of each example under one task's sampling rules: lm-evaluation-harness's
    (``lm_eval``), the pool's first ``k`` (``first``), or nlpbench's seeded sampler."""

    def __init__(
        self,
        k: int,
        pool: Sequence[Example],
        seed: int,
        lm_eval: LmEvalDraws | None,
        examples: Sequence[Example],
        first: bool = False,
    ) -> None:
        self.k = k
        self.pool = list(pool)
        self.first = first
        self._by_id: dict[str, list[Example]] | None = None
        self._sampler: FewShotSampler | None = None
        if lm_eval is not None:
            self._by_id = lm_eval.draw_all(examples, pool, k)
        elif first:
            if len(self.pool) < k:
                raise ConfigError(f"params.shots: {k} shots need a train split of at least {k} examples")
        else:
            self._sampler = FewShotSampler(pool, k, seed)

    def draw(self, example: Example) -> list[Example]:
        if self.first:  # never the example itself
            return [shot for shot in self.pool if shot.id != example.id or shot.input != example.input][: self.k]
        if self._by_id is not None:
            found = self._by_id.get(example.id)
            if found is None:  # a perturbed copy (a bias audit): the original's shots
                found = self._by_id.get(example.id.split("~", 1)[0], [])
            return found
        assert self._sampler is not None
        return self._sampler.draw(example)
