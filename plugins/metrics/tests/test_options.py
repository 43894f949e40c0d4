from __future__ import annotations

import pytest

from nlpbench import MetricError
from nlpbench_metrics.options import check_average, check_known


def test_known_options_pass() -> None:
    check_known({"average": "macro"}, ("average", "positive"))


def test_unknown_option_is_named_with_a_suggestion() -> None:
    with pytest.raises(MetricError) as raised:
        check_known({"postive": "a"}, ("average", "positive"))
    assert str(raised.value) == ("no option 'postive' (did you mean 'positive'?); it takes: average, positive")


@pytest.mark.parametrize("average", ["macro", "micro", "weighted"])
def test_averages(average: str) -> None:
    assert check_average(average, None) == average


def test_binary_needs_positive() -> None:
    assert check_average("binary", "pos") == "binary"
    with pytest.raises(MetricError, match="set positive"):
        check_average("binary", None)


def test_unknown_average() -> None:
    with pytest.raises(MetricError, match="not 'samples'"):
        check_average("samples", None)
