"""Prompt templates (Jinja2, per model) and seeded few-shot examples."""

from __future__ import annotations

import pytest

from nlpbench import (
    ConfigError,
    Example,
    FewShotSampler,
    ModelSpec,
    PromptTemplate,
    TaskError,
    check_keys,
    no_shots_without_train,
    prompt_templates,
    prompting,
    shot_count,
)

QA = "{% for shot in shots %}Q: {{ shot.question }}\nA: {{ shot.answer }}\n\n{% endfor %}Q: {{ question }}\nA:"


def _pool(n: int) -> list[Example]:
    return [Example(id=f"t{i}", input=f"question {i}", references=(f"answer {i}",)) for i in range(n)]


def test_a_template_renders_fields_and_shots() -> None:
    template = PromptTemplate(QA, where="params.prompt", variables=("question",))
    shots = [{"question": "2+2?", "answer": "4"}]
    assert template.render({"question": "3+3?"}, shots) == "Q: 2+2?\nA: 4\n\nQ: 3+3?\nA:"
    assert template.render({"question": "3+3?"}) == "Q: 3+3?\nA:"
    assert template.uses_shots


def test_an_unknown_variable_is_a_config_error_with_a_suggestion() -> None:
    with pytest.raises(ConfigError, match=r"params.prompt: unknown variable 'questoin' \(did you mean 'question'\?\)"):
        PromptTemplate("Q: {{ questoin }}", where="params.prompt", variables=("question", "context"))


def test_a_syntax_error_names_the_field_and_line() -> None:
    with pytest.raises(ConfigError, match=r"params.prompt: template error on its line 2: "):
        PromptTemplate("Q:\n{{ question ", where="params.prompt", variables=("question",))


@pytest.mark.parametrize("source", ["", "   ", None, 3])
def test_an_empty_template_is_refused(source: object) -> None:
    with pytest.raises(ConfigError, match=r"params.prompt must be a non-empty template"):
        PromptTemplate(source, where="params.prompt", variables=("question",))  # type: ignore[arg-type]


def test_rendering_errors_are_task_errors() -> None:
    template = PromptTemplate("{{ shots[3].question }}", where="params.prompt", variables=("question",))
    with pytest.raises(TaskError, match=r"params.prompt: "):
        template.render({"question": "q"})


def test_the_sandbox_refuses_python_internals() -> None:
    template = PromptTemplate("{{ question.__class__.__mro__ }}", where="params.prompt", variables=("question",))
    with pytest.raises(TaskError):
        template.render({"question": "q"})


def test_no_html_escaping() -> None:
    template = PromptTemplate("{{ question }}", where="params.prompt", variables=("question",))
    assert template.render({"question": 'a < b & "c"'}) == 'a < b & "c"'


def test_per_model_templates_choose_by_name_then_type_then_default() -> None:
    templates = prompt_templates(
        {"gpt-small": "name: {{ source }}"},
        where="params.prompt",
        variables=("source",),
        default={"t5": "translate: {{ source }}", "default": "plain: {{ source }}"},
    )
    t5 = ModelSpec(name="t5-tiny", type="t5")
    named = ModelSpec(name="gpt-small", type="gpt")
    other = ModelSpec(name="x", type="bert")
    assert templates.for_model(t5).render({"source": "s"}) == "translate: s"
    assert templates.for_model(named).render({"source": "s"}) == "name: s"
    assert templates.for_model(other).render({"source": "s"}) == "plain: s"
    assert templates.for_model(None).render({"source": "s"}) == "plain: s"


def test_one_template_string_applies_to_every_model() -> None:
    templates = prompt_templates(
        "mine: {{ source }}",
        where="params.prompt",
        variables=("source",),
        default={"t5": "t5: {{ source }}", "default": "d"},
    )
    assert templates.for_model(ModelSpec(name="a", type="t5")).render({"source": "s"}) == "mine: s"


def test_a_mapping_without_default_needs_one() -> None:
    with pytest.raises(ConfigError, match=r"give a 'default' template"):
        prompt_templates({"t5": "x {{ source }}"}, where="params.prompt", variables=("source",), default={"t5": "y"})


def test_errors_in_a_per_model_template_name_its_key() -> None:
    with pytest.raises(ConfigError, match=r"params.prompt.gpt: unknown variable 'src'"):
        prompt_templates({"gpt": "{{ src }}"}, where="params.prompt", variables=("source",), default="{{ source }}")


@pytest.mark.parametrize("value", [[], 3, {}])
def test_a_bad_prompt_value_is_refused(value: object) -> None:
    with pytest.raises(ConfigError, match=r"params.prompt must be a template or a mapping"):
        prompt_templates(value, where="params.prompt", variables=("source",), default="{{ source }}")


def test_shot_counts() -> None:
    assert shot_count({}) == 0
    assert shot_count({"shots": 3}) == 3
    for bad in (-1, 1.5, True, "2"):
        with pytest.raises(ConfigError, match=r"params.shots must be a whole number"):
            shot_count({"shots": bad})
    with pytest.raises(ConfigError, match=r"2 shots need a train split; set data.train"):
        no_shots_without_train(2, has_train=False)
    no_shots_without_train(0, has_train=False)


def test_shots_are_seeded_per_example_and_never_the_example_itself() -> None:
    pool = _pool(20)
    sampler = FewShotSampler(pool, 3, seed=7)
    for example in pool:
        shots = sampler.draw(example)
        assert len(shots) == 3 and len({s.id for s in shots}) == 3
        assert example.id not in {s.id for s in shots}
        assert sampler.draw(example) == shots  # the same every time
        assert FewShotSampler(pool, 3, seed=7).draw(example) == shots  # and in a new sampler
    draws = {tuple(s.id for s in sampler.draw(e)) for e in pool}
    assert len(draws) > 10  # different examples get different shots
    other_seed = FewShotSampler(pool, 3, seed=8)
    assert any(other_seed.draw(e) != sampler.draw(e) for e in pool)  # the seed matters


def test_shots_skip_an_identical_input_under_another_id() -> None:
    pool = [Example(id="a", input="same", references=("x",)), *_pool(3)]
    target = Example(id="test-1", input="same", references=("x",))
    for seed in range(20):
        assert all(s.input != "same" for s in FewShotSampler(pool, 3, seed=seed).draw(target))


def test_too_few_train_examples_for_the_shots() -> None:
    with pytest.raises(ConfigError, match=r"5 shots need a train split of at least 5 examples; it has 2"):
        FewShotSampler(_pool(2), 5, seed=0)
    assert FewShotSampler(_pool(2), 0, seed=0).draw(_pool(1)[0]) == []


def test_which_template_a_model_gets_and_where_it_came_from() -> None:
    templates = prompt_templates(
        {"t5": "mine: {{ source }}"},
        where="params.prompt",
        variables=("source",),
        default={"default": "d {{ source }}", "gpt": "g"},
    )
    assert templates.key_for(ModelSpec(name="x", type="t5")) == "t5"
    assert templates.key_for(ModelSpec(name="x", type="gpt")) == "gpt"
    assert templates.key_for(ModelSpec(name="x", type="bert")) == "default"
    assert templates.origin("t5") == "params.prompt.t5"
    assert templates.origin("gpt") == "built-in"
    single = prompt_templates("s {{ source }}", where="params.prompt", variables=("source",), default="d")
    assert single.origin("default") == "params.prompt"


def test_prompting_checks_shots_against_the_train_split_and_templates() -> None:
    done = prompting({"shots": 2}, variables=("question",), default=QA, has_train=True)
    assert done.shots == 2 and done.templates.default.uses_shots
    with pytest.raises(ConfigError, match=r"params.shots: 2 shots need a train split"):
        prompting({"shots": 2}, variables=("question",), default=QA, has_train=False)
    with pytest.raises(ConfigError, match=r"no template of params.prompt shows them"):
        prompting({"shots": 1, "prompt": "Q: {{ question }}"}, variables=("question",), default=QA, has_train=True)


def test_check_keys() -> None:
    assert check_keys({"shots": 1}, ("shots", "prompt")) == {"shots": 1}
    with pytest.raises(
        ConfigError, match=r"params: unknown key 'shot' \(did you mean 'shots'\?\); known: shots, prompt"
    ):
        check_keys({"shot": 1}, ("shots", "prompt"))
    with pytest.raises(ConfigError, match=r"params must be a mapping, not list"):
        check_keys([], ("shots",))


def test_shots_become_alternating_turns_holding_the_prompts_text() -> None:
    from nlpbench import Message

    source = "Answer briefly.\n\n" + QA
    template = PromptTemplate(source, where="params.prompt", variables=("question",))
    shots = [{"question": "2+2?", "answer": "4"}, {"question": "1+1?", "answer": "2"}]
    assert template.conversation({"question": "3+3?"}, shots, answer="answer") == (
        Message("user", "Answer briefly.\n\nQ: 2+2?\nA:"),  # what precedes the shots opens the first turn
        Message("assistant", "4"),
        Message("user", "Q: 1+1?\nA:"),
        Message("assistant", "2"),
        Message("user", "Q: 3+3?\nA:"),
    )
    assert template.conversation({"question": "3+3?"}, [], answer="answer") == ()  # no shots: the plain prompt


def test_a_template_that_changes_the_answer_is_turned_shot_by_shot() -> None:
    from nlpbench import Message

    source = "{% for shot in shots %}Q: {{ shot.question }}\nA: {{ shot.answer | upper }}\n\n{% endfor %}Q: {{ question }}\nA:"
    template = PromptTemplate(source, where="params.prompt", variables=("question",))
    turns = template.conversation(
        {"question": "Capital of France?"}, [{"question": "Of Spain?", "answer": "madrid"}], "answer"
    )
    assert turns == (
        Message("user", "Q: Of Spain?\nA:"),
        Message("assistant", "madrid"),
        Message("user", "Q: Capital of France?\nA:"),
    )
