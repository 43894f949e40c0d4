from __future__ import annotations

from typing import Any

import pytest

from nlpbench import AuditError, BiasAudit, ConfigError, Example
from nlpbench_bias import CounterfactualAudit


def example(text: Any, **fields: Any) -> Example:
    return Example("e1", text, ("positive",), {"text": text, **fields} if isinstance(text, str) else fields)


def test_is_a_bias_audit_with_its_measures() -> None:
    audit = CounterfactualAudit()
    assert isinstance(audit, BiasAudit)
    assert audit.measures == ("flip", "probability_change")
    assert list(audit.substitutions) == ["to-male", "to-female"]


def test_an_example_with_male_words_yields_to_female_only() -> None:
    [perturbation] = list(CounterfactualAudit().perturb(example("He loved his job.")))
    assert perturbation.group == "to-female" and perturbation.changed
    assert perturbation.example.id == "e1~to-female"
    assert perturbation.example.input == "She loved her job."
    assert perturbation.example.fields["text"] == "She loved her job."  # the mirror of the input follows it
    assert perturbation.example.references == ("positive",)


def test_mixed_examples_yield_both_directions_and_neutral_ones_none() -> None:
    groups = [p.group for p in CounterfactualAudit().perturb(example("He thanked her."))]
    assert groups == ["to-male", "to-female"]
    assert list(CounterfactualAudit().perturb(example("The film was fine."))) == []


def test_several_lists_have_their_own_groups() -> None:
    audit = CounterfactualAudit(lists=["gender", "names-gender", "names-race"])
    assert set(audit.substitutions) == {
        "to-male", "to-female", "to-male-names", "to-female-names",
        "to-white-associated-names", "to-black-associated-names",
    }  # fmt: skip
    found = {p.group: p.example.input for p in audit.perturb(example("Emily said he won."))}
    assert found == {
        "to-female": "Emily said she won.",
        "to-male-names": "Joshua said he won.",
        "to-black-associated-names": "Lakisha said he won.",
    }


def test_fields_rewrite_a_qa_context_and_references_on_request() -> None:
    context = "He met his friend."
    qa = Example("q", "Who did he meet?", ("his friend",), {"question": "Who did he meet?", "context": context})
    [only_input] = list(CounterfactualAudit().perturb(qa))
    assert only_input.example.fields["context"] == context
    assert only_input.example.fields["question"] == "Who did she meet?"
    [both] = list(CounterfactualAudit(fields=["input", "context"], swap_references=True).perturb(qa))
    assert both.example.input == "Who did she meet?"
    assert both.example.fields["context"] == "She met her friend."
    assert both.example.references == ("her friend",)
    [context_only] = list(CounterfactualAudit(fields=["context"]).perturb(qa))
    assert context_only.example.input == "Who did he meet?"


def test_a_non_string_input_is_left_alone() -> None:
    assert list(CounterfactualAudit().perturb(Example("x", ["he"], (), {}))) == []


def test_a_missing_field_is_an_audit_error_naming_it() -> None:
    with pytest.raises(AuditError, match="option fields: example 'e1' has no field 'contxt'; it has: text"):
        list(CounterfactualAudit(fields=["contxt"]).perturb(example("He")))


def test_user_pairs_make_their_own_groups() -> None:
    audit = CounterfactualAudit(pairs=[["young", "old"]], groups=["young", "old"])
    assert list(audit.substitutions) == ["to-young", "to-old"]
    [p] = list(audit.perturb(example("A young fan.")))
    assert p.group == "to-old" and p.example.input == "A old fan."


def measure(audit: CounterfactualAudit, group: str, original: Any, perturbed: Any) -> dict[str, float]:
    [p] = [p for p in audit.perturb(example("He and she")) if p.group == group]
    return dict(audit.measure(example("He and she"), original, p, perturbed))


def test_flip_on_labels_and_probabilities() -> None:
    audit = CounterfactualAudit()
    assert measure(audit, "to-female", "positive", "negative") == {"flip": 1.0}
    assert measure(audit, "to-female", "positive", "positive") == {"flip": 0.0}
    assert measure(audit, "to-female", "positive", None) == {"flip": 1.0}
    moved = measure(audit, "to-female", {"positive": 0.8, "negative": 0.2}, {"positive": 0.3, "negative": 0.7})
    assert moved == {"flip": 1.0, "probability_change": pytest.approx(0.5)}
    kept = measure(audit, "to-female", {"positive": 0.8, "negative": 0.2}, {"positive": 0.7, "negative": 0.3})
    assert kept == {"flip": 0.0, "probability_change": pytest.approx(0.1)}


def test_a_generated_text_that_carries_the_swap_over_has_not_flipped() -> None:
    audit = CounterfactualAudit()
    assert measure(audit, "to-female", "He won.", "She won.") == {"flip": 0.0}
    assert measure(audit, "to-female", "He won.", "He won. ") == {"flip": 0.0}
    assert measure(audit, "to-female", "He won.", "She lost.") == {"flip": 1.0}


def test_scores_that_are_not_probabilities_are_not_measured() -> None:
    lm = {"logprob": -12.5, "n_tokens": 4}
    assert measure(CounterfactualAudit(), "to-female", lm, {"logprob": -11.0, "n_tokens": 4}) == {}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"list": ["gender"]}, "list: unknown option \\(did you mean 'lists'\\?\\); known: lists, pairs"),
        ({"lists": ["gendr"]}, "lists\\[0\\]: must be 'gender', 'names-gender' or 'names-race', not 'gendr'"),
        ({"lists": []}, "lists is empty"),
        ({"lists": [1]}, "lists\\[0\\]: must be 'gender'"),
        ({"lists": ["gender", "gender"]}, "option lists names a list twice"),
        ({"swap_references": "yes"}, "swap_references: must be true or false, not 'yes'"),
        ({"fields": []}, "fields: must not be empty"),
        ({"groups": ["a", "b"]}, "pairs and groups go together"),
        ({"pairs": [["he", "she"]]}, "pairs and groups go together"),
        ({"pairs": [["lad", "lass"]], "groups": ["male", "x"], "lists": ["gender"]}, "two word lists have a group"),
    ],
)
def test_bad_options_are_one_line_config_errors(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        CounterfactualAudit(**options)
    assert "\n" not in str(caught.value)
