"""Checking what plugin code hands the runner, before anything is stored or scored.

A model's answers, a task's requests, predictions and label probabilities, and what
``describe()`` says, are each checked for the shape the contract promises
(:mod:`nlpbench.contracts.components`). What is wrong fails the cell with one line that says
what was expected, instead of being stringified, scored as wrong, or written into
results with a memory address in it. Each error is blamed on the plugin function that
gave the value (see :func:`nlpbench.running.failures.blame`), so the cell's traceback says
where to look.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, get_args

from nlpbench.contracts.components import Message, Request
from nlpbench.contracts.errors import ModelError, NlpbenchError, TaskError
from nlpbench.results.documents import NotJSONError, plain_json
from nlpbench.running.failures import blame, error_line

#: How far label probabilities may sum from 1 (rounding, float32 softmax).
PROBABILITY_TOLERANCE = 1e-3

_REQUEST_TYPES: tuple[type, ...] = get_args(Request)


def _real(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _is_sequence(value: Any) -> bool:
    return isinstance(value, Iterable) and not isinstance(value, (str, bytes, Mapping))


def _vector(value: Any) -> bool:
    if hasattr(value, "tolist") and type(value).__module__ == "numpy":
        value = value.tolist()
    return isinstance(value, (list, tuple)) and all(_real(v) for v in value)


#: capability → (does an answer have the promised shape, what was promised)
_ANSWERS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "generate": (lambda a: isinstance(a, str), "str"),
    "loglikelihood": (lambda a: _real(getattr(a, "logprob", None)), "Loglikelihood"),
    "loglikelihood_rolling": (lambda a: _real(getattr(a, "logprob", None)), "Loglikelihood"),
    "classify": (lambda a: isinstance(a, Mapping), "a mapping of label to probability"),
    "extract_span": (lambda a: isinstance(getattr(a, "text", None), str), "Span"),
    "encode": (_vector, "a list of floats"),
}


def _name(value: Any) -> str:
    return "None" if value is None else type(value).__name__


def checked_requests(value: Any, example_id: str, source: Callable[..., Any]) -> list[Request]:
    """``build_requests``' result for one example: a non-empty list of requests."""
    if isinstance(value, _REQUEST_TYPES) or not _is_sequence(value):
        raise blame(
            TaskError(f"build_requests() for example '{example_id}' returned {_name(value)}, not a list of requests"),
            source,
        )
    requests = list(value)
    if not requests:
        raise blame(TaskError(f"the task built no requests for example '{example_id}'"), source)
    wrong = next((r for r in requests if not isinstance(r, _REQUEST_TYPES)), None)
    if wrong is not None:
        raise blame(
            TaskError(f"build_requests() for example '{example_id}' returned a {_name(wrong)} among its requests"),
            source,
        )
    for request in requests:
        messages = getattr(request, "messages", ())
        if messages and (
            not isinstance(messages, tuple)
            or not all(isinstance(m, Message) and isinstance(m.content, str) for m in messages)
            or messages[-1].role != "user"
        ):
            raise blame(
                TaskError(
                    f"build_requests() for example '{example_id}': a request's messages must be a tuple of "
                    "nlpbench.Message ending with the user's turn"
                ),
                source,
            )
    return requests


def checked_answers(value: Any, capability: str, requests: Sequence[Request], source: Callable[..., Any]) -> list[Any]:
    """A capability method's result: one answer of the promised shape per request."""
    if not _is_sequence(value):
        raise blame(ModelError(f"{capability}: the model returned {_name(value)}, not a list of answers"), source)
    answers = list(value)
    if len(answers) != len(requests):
        raise blame(
            ModelError(f"{capability}: the model returned {len(answers)} answers for {len(requests)} requests"), source
        )
    shaped, promised = _ANSWERS.get(capability, (lambda a: True, ""))
    for answer, request in zip(answers, requests, strict=True):
        if not shaped(answer):
            raise blame(
                ModelError(
                    f"{capability}: the model's answer for example '{request.example_id}' is {_name(answer)}, "
                    f"not {promised}"
                ),
                source,
            )
    return answers


def checked_prediction(value: Any, example_id: str, source: Callable[..., Any]) -> Any:
    """``process_answers``' prediction for one example, as plain JSON (as the store gives it back)."""
    try:
        return plain_json(value)
    except NotJSONError as error:
        raise blame(
            TaskError(f"process_answers() for example '{example_id}' gave a prediction that is not JSON: {error}"),
            source,
        ) from None


def checked_probabilities(value: Any, example_id: str, source: Callable[..., Any] | None) -> dict[str, float] | None:
    """The task's label probabilities for one example (or None: the strategy gives none):
    each a finite number in [0, 1], together summing to 1."""
    if value is None:
        return None
    where = f"probabilities() for example '{example_id}'"
    if not isinstance(value, Mapping) or not value:
        raise blame(TaskError(f"{where} returned {_name(value)}, not a mapping of label to probability"), source)
    plain: dict[str, float] = {}
    for label, probability in value.items():
        if not isinstance(label, str):
            raise blame(TaskError(f"{where}: a label is {_name(label)}, not str"), source)
        # a bool is 0 or 1, as Python counts it; anything else must be a number in [0, 1]
        if not isinstance(probability, numbers.Real) or not 0.0 <= float(probability) <= 1.0 + PROBABILITY_TOLERANCE:
            raise blame(TaskError(f"{where}: label '{label}' has probability {probability!r}"), source)
        plain[label] = float(probability)
    total = math.fsum(plain.values())
    if abs(total - 1.0) > PROBABILITY_TOLERANCE:
        raise blame(TaskError(f"{where}: the probabilities sum to {total:.6g}, not 1"), source)
    return plain


def checked_description(
    value: Any, what: str, source: Callable[..., Any], error: type[NlpbenchError]
) -> dict[str, Any]:
    """``describe()``'s facts: a mapping of JSON values (None: nothing to say)."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise blame(error(f"{what}: describe() returned {_name(value)}, not a mapping of JSON values"), source)
    try:
        described: dict[str, Any] = plain_json(value)
    except NotJSONError as problem:
        raise blame(error(f"{what}: describe() returned a value that is not JSON: {problem}"), source) from None
    return described


def checked_token_count(value: Any, source: Callable[..., Any]) -> int | None:
    """``tokens_processed()``: a whole number of tokens (None: the model does not know)."""
    if value is None:
        return None
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or int(value) < 0:
        raise blame(ModelError(f"tokens_processed() returned {value!r}, not a count of tokens"), source)
    return int(value)


def checked_view(value: Any, task: str, source: Callable[..., Any]) -> Any:
    """``for_model``'s task: something, not None."""
    if value is None:
        raise blame(TaskError(f"task '{task}': for_model() returned None, not a task"), source)
    return value


def described(component: Any, what: str, error_type: type[NlpbenchError]) -> dict[str, Any]:
    """``{"info": component.describe()}`` when the component describes itself. What it
    says goes into results, so it is code like any other: a describe() that raises, or
    says something other than a mapping of JSON values, fails the cell."""
    describe = getattr(component, "describe", None)
    if not callable(describe):
        return {}
    try:
        info = describe()
    except (NlpbenchError, KeyboardInterrupt):
        raise
    except BaseException as error:
        raise error_type(f"{what}: describe() failed: {error_line(error)}") from error
    checked = checked_description(info, what, describe, error_type)
    return {"info": checked} if checked else {}
