"""The worked example BLEU, chrF and TER document and test themselves on.

Three English translations, each with two references; the values are sacrebleu
2.6.0's ``corpus_score`` with default options (signatures in the metric cards).
"""

from __future__ import annotations

PREDICTIONS = (
    "The cat sat on the mat.",
    "It is raining heavily today.",
    "He read the book yesterday.",
)
REFERENCES = (
    ("The cat sat on the mat.", "A cat was sitting on the mat."),
    ("Today it rains a lot.", "It is raining hard today."),
    ("Yesterday he read the book.", "He read that book yesterday."),
)

BLEU = 67.20992268290748
CHRF = 80.931449217645
TER = 12.121212121212121
