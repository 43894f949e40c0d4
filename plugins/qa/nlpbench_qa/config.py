"""The task's entry in a suite: ``data`` (where the questions are, which columns hold
what) and ``params`` (how a generating model is asked), checked before anything loads
so that a typo fails ``nlpbench validate``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from nlpbench import (
    ConfigError,
    PromptTemplates,
    TaskData,
    TaskSpec,
    parse_options,
    prompting,
    task_data,
)

from .params import QAParams

#: The fields a flat row maps, and their default columns (those of HF's squad and squad_v2).
COLUMNS = {"context": "context", "question": "question", "answers": "answers", "id": "id", "title": "title"}

#: The fields an example fills itself beyond the mapped columns, which ``data.keep`` may not overwrite.
RESERVED_FIELDS = ("answer_starts",)

#: Fields a row may leave out unless the suite maps them explicitly: a missing id is the
#: row's line, a missing title is empty.
OPTIONAL = ("id", "title")

#: ``data.format`` for a file: ``squad`` (SQuAD JSON, also recognised in any .json file by
#: its structure) or a flat format the core reads.
FORMATS = ("squad", "json", "jsonl", "csv", "tsv")

#: The default prompt: the shots (each with its answer), then the question to answer.
DEFAULT_PROMPT = (
    "{% for shot in shots %}"
    "Context: {{ shot.context }}\nQuestion: {{ shot.question }}\nAnswer: {{ shot.answer }}\n\n"
    "{% endfor %}"
    "Context: {{ context }}\nQuestion: {{ question }}\nAnswer:"
)
#: T5 was trained on SQuAD with this input (Raffel et al. 2020), so a T5 gets it by default.
T5_PROMPT = "question: {{ question }} context: {{ context }}"
DEFAULT_PROMPTS = {"default": DEFAULT_PROMPT, "t5": T5_PROMPT}

#: What a template may use besides ``shots`` (each shot has these and ``answer``).
VARIABLES = ("question", "context", "title")


@dataclass(frozen=True)
class QAConfig:
    """The task's entry, checked: its data, its prompt templates, and how to generate."""

    data: TaskData
    templates: PromptTemplates
    shots: int
    max_new_tokens: int
    no_answer: str
    explicit: frozenset[str]  # the fields data maps explicitly


def qa_config(spec: TaskSpec) -> QAConfig:
    """``spec.data`` and ``spec.params`` checked; ConfigError naming the key at fault."""
    data = task_data(spec, COLUMNS, reserved_fields=RESERVED_FIELDS)
    declared = spec.data.get("format") if isinstance(spec.data, Mapping) else None
    if declared is not None and declared not in FORMATS:
        raise ConfigError(f"data.format must be one of {', '.join(FORMATS)}, not {declared!r}")
    params = parse_options(QAParams, spec.params, "params")
    prompts = prompting(
        params.model_dump(), variables=VARIABLES, default=DEFAULT_PROMPTS, has_train=data.train is not None
    )
    explicit = frozenset(key for key in COLUMNS if isinstance(spec.data, Mapping) and key in spec.data)
    return QAConfig(data, prompts.templates, prompts.shots, params.max_new_tokens, params.no_answer, explicit)
