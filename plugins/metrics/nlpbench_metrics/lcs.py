"""rouge-score's ROUGE-L and ROUGE-Lsum formulas on a faster longest-common-subsequence kernel.

rouge-score fills the whole LCS table in pure Python, one cell at a time; on 250
CNN/DailyMail summaries that is most of the time ROUGE takes. Here the table is kept
bit-parallel (Allison and Dix 1986; Hyyrö 2004): one Python integer per row of the
reference, whose set bits mark the columns where the row does *not* grow, so a row costs
a few integer operations however long the candidate is. Any cell can be read back
(``table(i, j)``), which is what rouge-score's backtracking needs to pick the same one of
several longest subsequences. The formulas around the kernel are rouge-score 0.1.2's
``_score_lcs`` and ``_summary_level_lcs``, line for line; the tests check every value
equals rouge-score's own.
"""

from __future__ import annotations

import collections
from collections.abc import Sequence

Tokens = Sequence[str]
#: (precision, recall, fmeasure), as rouge-score's ``Score`` holds them.
Triple = tuple[float, float, float]


class LcsTable:
    """The LCS table of ``ref`` (rows) against ``can`` (columns), as rouge-score's
    ``_lcs_table(ref, can)`` would fill it, kept one integer per row."""

    def __init__(self, ref: Tokens, can: Tokens) -> None:
        self.ref, self.can = ref, can
        width = len(can)
        self.full = (1 << width) - 1
        matches: dict[str, int] = {}
        for j, token in enumerate(can):
            matches[token] = matches.get(token, 0) | (1 << j)
        row = self.full  # row 0: all zeros, so no column grows
        self.rows = [row]
        for token in ref:
            match = row & matches.get(token, 0)
            row = ((row + match) | (row - match)) & self.full
            self.rows.append(row)

    def cell(self, i: int, j: int) -> int:
        """``_lcs_table(ref, can)[i][j]``: the LCS length of ``ref[:i]`` and ``can[:j]``."""
        return j - (self.rows[i] & ((1 << j) - 1)).bit_count()

    def length(self) -> int:
        """The LCS length of the whole of ``ref`` and ``can``."""
        return self.cell(len(self.ref), len(self.can))

    def indices(self) -> list[int]:
        """rouge-score's ``lcs_ind(ref, can)``: the positions in ``ref`` of the one LCS its
        backtracking (``_backtrack_norec``) reads out, in order."""
        ref, can = self.ref, self.can
        i, j = len(ref), len(can)
        found: list[int] = []
        while i > 0 and j > 0:
            if ref[i - 1] == can[j - 1]:
                found.append(i - 1)
                i -= 1
                j -= 1
            elif self.cell(i, j - 1) > self.cell(i - 1, j):
                j -= 1
            else:
                i -= 1
        found.reverse()
        return found


def fmeasure(precision: float, recall: float) -> float:
    """rouge-score's ``scoring.fmeasure``."""
    if precision + recall > 0:
        return 2 * precision * recall / (precision + recall)
    return 0.0


def score_lcs(target: Tokens, prediction: Tokens) -> Triple:
    """rouge-score's ``_score_lcs(target_tokens, prediction_tokens)``: ROUGE-L."""
    if not target or not prediction:
        return (0, 0, 0)
    lcs_length = LcsTable(target, prediction).length()
    precision = lcs_length / len(prediction)
    recall = lcs_length / len(target)
    return (precision, recall, fmeasure(precision, recall))


def summary_level_lcs(ref_sent: Sequence[Tokens], can_sent: Sequence[Tokens]) -> Triple:
    """rouge-score's ``_summary_level_lcs(ref_sent, can_sent)``: ROUGE-Lsum over tokenized
    sentences, each token of the union LCS counted at most as often as it occurs."""
    if not ref_sent or not can_sent:
        return (0, 0, 0)
    m = sum(map(len, ref_sent))
    n = sum(map(len, can_sent))
    if not n or not m:
        return (0, 0, 0)
    token_cnts_r: collections.Counter[str] = collections.Counter()
    token_cnts_c: collections.Counter[str] = collections.Counter()
    for s in ref_sent:
        token_cnts_r.update(s)
    for s in can_sent:
        token_cnts_c.update(s)
    hits = 0
    for r in ref_sent:
        for t in _union_lcs(r, can_sent):
            if token_cnts_c[t] > 0 and token_cnts_r[t] > 0:
                hits += 1
                token_cnts_c[t] -= 1
                token_cnts_r[t] -= 1
    recall = hits / m
    precision = hits / n
    return (precision, recall, fmeasure(precision, recall))


def _union_lcs(ref: Tokens, c_list: Sequence[Tokens]) -> list[str]:
    """rouge-score's ``_union_lcs``: the tokens of ``ref`` on an LCS with any candidate sentence."""
    union: set[int] = set()
    for c in c_list:
        union.update(LcsTable(ref, c).indices())
    return [ref[i] for i in sorted(union)]
