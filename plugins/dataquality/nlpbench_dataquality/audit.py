"""The ``data-quality`` audit: every check of a task's data, no model asked."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

from nlpbench import ConfigError, DataAuditInput, DataAuditResult, Example, Options, one_line, parse_options

from . import describe
from .contamination import corpus_hits, ngram_table
from .corpus import Corpus, corpora, documents
from .duplicates import NearSettings, exact_groups, near_pairs, train_overlap
from .findings import finding, not_computed
from .options import DataQualityOptions
from .tokenizers import has_tokenizer, token_counter

#: What the clean subset leaves out, as its entries' ``info`` says.
EXCLUDED_BECAUSE = (
    "test examples found in a training corpus (n-gram contamination) or in the train split (train-test-overlap), "
    "and those too short to be checked for contamination"
)


class DataQualityAudit:
    """Checks a task's data without any model: duplicates and near duplicates in the
    test set, test examples found in the train split, n-gram contamination by training
    corpora, empty fields, references equal to their input, label balance, and lengths.
    When a run exists, the core scores each ok cell again without the contaminated and
    overlapping examples (the clean subset).

    Options (see :class:`~nlpbench_dataquality.options.DataQualityOptions`): ``checks``,
    ``threshold``, ``shingle_size``, ``num_perm``, ``ngram``, ``corpus``,
    ``corpus_field``, ``max_ids``, ``tokenizers``.
    """

    data_only: ClassVar[bool] = True
    options: ClassVar[type[Options]] = DataQualityOptions

    def __init__(self, base_dir: Path | None = None, **options: Any) -> None:
        # base_dir: the suite's folder, which the runner passes so that corpus files resolve against it
        self.settings = parse_options(DataQualityOptions, options)
        self.checks = set(self.settings.checks)
        self.corpora: list[Corpus] = corpora(self.settings.corpus, base_dir) if "contamination" in self.checks else []
        self.near = NearSettings(self.settings.threshold, self.settings.shingle_size, self.settings.num_perm)

    def describe(self) -> dict[str, Any]:
        return {"checks": list(self.settings.checks)}

    def audit_data(self, data: DataAuditInput) -> DataAuditResult:
        examples, max_ids = list(data.examples), self.settings.max_ids
        entries: list[dict[str, Any]] = []
        excluded: set[str] = set()
        looked = False
        train, no_train = self._train(data)
        for check in self.settings.checks:
            if check == "exact-duplicates":
                entries.append(self._exact(examples, max_ids))
            elif check == "near-duplicates":
                entries.append(self._near(examples, max_ids))
            elif check == "train-test-overlap":
                found, leaked = self._overlap(examples, train, no_train, max_ids)
                entries += found
                excluded |= leaked
                looked = looked or train is not None
            elif check == "contamination":
                found, leaked, ran = self._contamination(examples, data, train, no_train, max_ids)
                entries += found
                excluded |= leaked
                looked = looked or ran
            elif check == "empty-fields":
                entries += describe.empty_fields(examples, max_ids)
            elif check == "reference-equals-input":
                entries.append(describe.references_equal_input(examples, max_ids))
            elif check == "label-balance":
                entries += describe.label_balance(examples, data.labels, max_ids)
            elif check == "length":
                entries += self._lengths(examples, data)
        return DataAuditResult(tuple(entries), frozenset(excluded) if looked else None, EXCLUDED_BECAUSE)

    # -- the checks -------------------------------------------------------------

    @staticmethod
    def _train(data: DataAuditInput) -> tuple[Sequence[Example] | None, str | None]:
        """The train split, or why there is none (said in the entries that needed it)."""
        try:
            return data.train(), None
        except ConfigError as error:
            return None, f"task '{data.task}' has no train split ({one_line(error)})"

    def _exact(self, examples: list[Example], max_ids: int) -> dict[str, Any]:
        groups = exact_groups(examples)
        ids = [examples[i].id for group in groups for i in group]
        redundant = sum(len(group) - 1 for group in groups)
        shown = [[examples[i].id for i in group] for group in groups[:max_ids]]
        return finding(
            "exact-duplicates", "share", redundant / len(examples), len(examples), ids=ids, max_ids=max_ids,
            n_redundant=redundant, groups=shown,
        )  # fmt: skip

    def _near(self, examples: list[Example], max_ids: int) -> dict[str, Any]:
        pairs = near_pairs(examples, self.near)
        involved = sorted({i for a, b, _ in pairs for i in (a, b)})
        shown = [{"a": examples[a].id, "b": examples[b].id, "jaccard": round(j, 4)} for a, b, j in pairs[:max_ids]]
        return finding(
            "near-duplicates", "share", len(involved) / len(examples), len(examples),
            ids=[examples[i].id for i in involved], max_ids=max_ids, pairs=shown, threshold=self.near.threshold,
            shingle_size=self.near.shingle_size,
        )  # fmt: skip

    def _overlap(
        self, examples: list[Example], train: Sequence[Example] | None, no_train: str | None, max_ids: int
    ) -> tuple[list[dict[str, Any]], set[str]]:
        n = len(examples)
        if train is None:
            return [not_computed("train-test-overlap", m, n, str(no_train)) for m in ("exact", "near")], set()
        exact, near = train_overlap(examples, train, self.near)
        found = [
            finding("train-test-overlap", "exact", len(exact) / n, n, ids=[examples[t].id for t, _ in exact],
                    max_ids=max_ids, n_train=len(train),
                    matches=[{"id": examples[t].id, "train_id": train[s].id} for t, s in exact[:max_ids]]),
            finding("train-test-overlap", "near", len(near) / n, n, ids=[examples[t].id for t, _, _ in near],
                    max_ids=max_ids, n_train=len(train), threshold=self.near.threshold,
                    matches=[{"id": examples[t].id, "train_id": train[s].id, "jaccard": round(j, 4)}
                             for t, s, j in near[:max_ids]]),
        ]  # fmt: skip
        return found, {examples[t].id for t, _ in exact} | {examples[t].id for t, _, _ in near}

    def _contamination(
        self,
        examples: list[Example],
        data: DataAuditInput,
        train: Sequence[Example] | None,
        no_train: str | None,
        max_ids: int,
    ) -> tuple[list[dict[str, Any]], set[str], bool]:
        """Per corpus (group: its name), the share of checkable test examples with an
        n-gram in it; with several corpora, their union too (group ``all``)."""
        table = ngram_table(examples, self.settings.ngram)
        checked = len(table.checked)
        counts: dict[str, Any] = {"ngram": table.n, "n_too_short": len(table.too_short), "n_examples": len(examples)}
        entries, union, ran = [], set(), False
        for corpus in self.corpora:
            if corpus.is_train and train is None:
                entries.append(not_computed("contamination", "share", checked, str(no_train), group=corpus.label,
                                            **counts))  # fmt: skip
                continue
            if not checked:
                why = f"every example is shorter than {table.n} words (lower params.ngram)"
                entries.append(not_computed("contamination", "share", 0, why, group=corpus.label, **counts))
                continue
            hits = corpus_hits(table, documents(corpus, self.settings.corpus_field, lambda: train or ()))
            ran = True
            union |= hits
            ids = [examples[i].id for i in sorted(hits)]
            entries.append(finding("contamination", "share", len(hits) / checked, checked, ids=ids, max_ids=max_ids,
                                   group=corpus.label, **counts))  # fmt: skip
        if ran and len(self.corpora) > 1:
            ids = [examples[i].id for i in sorted(union)]
            entries.append(finding("contamination", "share", len(union) / checked, checked, ids=ids,
                                   max_ids=max_ids, group="all", **counts))  # fmt: skip
        # an example too short to hold an n-gram was never checked: it is not counted clean
        unchecked = set(table.too_short) if ran else set()
        return entries, {examples[i].id for i in union | unchecked}, ran

    def _lengths(self, examples: list[Example], data: DataAuditInput) -> list[dict[str, Any]]:
        entries = [describe.word_lengths(examples)]
        if not self.settings.tokenizers:
            return entries
        at_hand = [spec for spec in data.models if has_tokenizer(spec)]
        if not at_hand:
            why = "no model of the suite has a tokenizer beside local weights"
            entries.append(not_computed("length", "tokens", len(examples), why))
        for spec in at_hand:
            try:
                count = token_counter(spec)
            except Exception as error:  # transformers missing, or files it cannot read: said, not fatal
                entries.append(not_computed("length", "tokens", len(examples), f"tokenizer of '{spec.name}': "
                                            f"{one_line(error)}", group=spec.name))  # fmt: skip
                continue
            entries.append(describe.token_lengths(examples, spec.name, count))
        return entries
