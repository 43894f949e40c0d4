"""The ``lm-eval`` task type: one task of an lm-evaluation-harness task file, run as
lm-evaluation-harness would run it (see :mod:`.config` for what is read and
docs/tasks.md for each convention that changes a number)."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

from nlpbench import ConfigError, TaskFileContents, TaskSpec, parse_options

from ..kinds import OUTPUTS
from ..task import DeclarativeTask, TaskSetup
from . import yamlfile
from .params import LmEvalParams

#: lm-evaluation-harness's output types, as a declarative task's outputs.
OUTPUT_TYPES = {
    "multiple_choice": "multiple_choice",
    "generate_until": "generate",
    "loglikelihood": "loglikelihood",
    "loglikelihood_rolling": "rolling",
}


class LmEvalTask(DeclarativeTask):
    """An lm-evaluation-harness task file, run as it is (its prompts, few-shot sampler, filters and metrics).

    Name the file (or a folder of them, or a group file) with ``task: path/to/file.yaml``
    in a suite; ``trust_task_code: true`` lets its ``!function`` Python run.
    """

    options: ClassVar[type[LmEvalParams]] = LmEvalParams

    def __init__(self, spec: TaskSpec) -> None:
        super().__init__(spec, self.setup_of(spec))

    @staticmethod
    def _overrides(spec: TaskSpec) -> dict[str, Any]:
        params = parse_options(LmEvalParams, spec.params, "params")
        overrides = dict(params.overrides)
        if params.num_fewshot is not None:
            overrides["num_fewshot"] = params.num_fewshot
        return overrides

    @classmethod
    def setup_of(cls, spec: TaskSpec) -> TaskSetup:
        from .config import translate  # pydantic and Jinja2 load when a task is built

        params = parse_options(LmEvalParams, spec.params, "params")
        file = params.file
        if file is None:
            raise ConfigError("params.file: an lm-eval task is named with task: (a file) in the suite, not with type:")
        loaded = yamlfile.load(Path(file))
        return translate(
            loaded.document, Path(file), trusted=params.trust_task_code, overrides=cls._overrides(spec)
        ).setup

    @classmethod
    def strategies_for(cls, spec: TaskSpec) -> tuple[str, ...]:
        file = spec.params.get("file")
        if not isinstance(file, str) or not Path(file).is_file():
            return ()
        output_type = _output_type(file, Path(file).stat().st_mtime_ns)
        return OUTPUTS.get(OUTPUT_TYPES.get(output_type, ""), ())

    @classmethod
    def check_spec(cls, spec: TaskSpec) -> None:
        """ConfigError for a key outside the subset nlpbench reads, an untrusted
        ``!function``, and a mistake the first examples of local data show."""
        DeclarativeTask(spec, cls.setup_of(spec)).check_first_examples()

    @classmethod
    def read_task_file(cls, path: Path, options: Mapping[str, Any]) -> TaskFileContents | None:
        """lm-evaluation-harness's task, group or folder at ``path``; None for anything else."""
        from .files import read_lm_eval

        return read_lm_eval(path, options)


@functools.lru_cache(maxsize=256)
def _output_type(file: str, mtime_ns: int) -> str:
    """A file's ``output_type``, includes merged, read once per version of the file
    (planning asks for every cell)."""
    return str(yamlfile.load(Path(file)).document.get("output_type", "generate_until"))
