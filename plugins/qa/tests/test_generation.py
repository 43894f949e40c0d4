"""Reading predictions from generated text and extracted spans."""

from __future__ import annotations

import pytest

from nlpbench import Span, TaskError
from nlpbench_qa.generation import clean_generation, span_text


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        (" 1874", "1874"),
        (" Agnes Pell\nQuestion: Who", "Agnes Pell"),
        ("\n\nparaffin\n", "paraffin"),
        (" Answer: eleven", "eleven"),
        ("answer:four o'clock", "four o'clock"),
        (" Unanswerable.", ""),
        ("UNANSWERABLE", ""),
        ("", ""),
        ("   \n", ""),
        (" unanswerable questions are hard", "unanswerable questions are hard"),
    ],
)
def test_clean_generation(output: str, expected: str) -> None:
    assert clean_generation(output, "unanswerable") == expected


def test_the_no_answer_phrase_is_an_option() -> None:
    assert clean_generation(" No answer", "no answer") == ""
    assert clean_generation(" unanswerable", "no answer") == "unanswerable"


def test_span_text() -> None:
    assert span_text(Span("1874", 44, 48)) == "1874"
    assert span_text(Span("", -1, -1)) == ""  # the model found no answer
    assert span_text("replayed") == "replayed"
    with pytest.raises(TaskError, match="expected a Span, got int"):
        span_text(3)
