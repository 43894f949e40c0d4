"""Each audit declares what it takes as a schema, whose defaults are its constructor's, and
``nlpbench validate`` reports every mistake in an audit entry before anything runs."""

from __future__ import annotations

import inspect
import textwrap
import typing
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pydantic_core import PydanticUndefined

from nlpbench import Options
from nlpbench.cli import build_cli
from nlpbench.testing import make_host
from nlpbench_bias import plugin
from nlpbench_bias.options import WordListName
from nlpbench_bias.wordlists import BUILT_IN


def _audits() -> list[Any]:
    return list(make_host(plugin, tiny_plugin=False).audits)


@pytest.mark.parametrize("registered", _audits(), ids=lambda r: r.name)
def test_the_schema_is_the_constructors(registered: Any) -> None:
    schema = registered.component.options
    assert issubclass(schema, Options)
    assert all(field.description for field in schema.model_fields.values())
    parameters = inspect.signature(registered.component.__init__).parameters
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())
    for name, field in schema.model_fields.items():
        if takes_any and name not in parameters:
            continue  # read from **options
        assert name in parameters, f"{registered.name}: the constructor takes no {name}"
        default = parameters[name].default
        expected = field.default if field.default is not PydanticUndefined else inspect.Parameter.empty
        if expected is inspect.Parameter.empty:
            assert default in (inspect.Parameter.empty, None), name  # required in the schema
        else:
            assert default == expected or list(default) == list(expected), (name, default, expected)


def test_the_word_lists_are_the_built_in_ones() -> None:
    assert set(typing.get_args(WordListName)) == set(BUILT_IN)


SUITE = """\
name: audit-options
models:
  - name: tiny
    type: tiny
tasks:
  - name: t
    type: tiny
audits:
  - type: counterfactual
    tasks: [t]
    params: {feilds: [input], lists: [gender, nonbinary]}
  - type: bold
    params:
      max_new_tokens: 100000000
  - type: crows-pairs
    params: {data: missing.csv}
  - type: eec
    params: {field: subject, templates: mine.json}
"""


def test_validate_reports_each_audits_mistakes(tmp_path: Path) -> None:
    path = tmp_path / "suite.yaml"
    path.write_text(textwrap.dedent(SUITE))
    host = make_host(plugin)
    result = CliRunner().invoke(build_cli(host), ["validate", str(path)], obj={"host": host})
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"Error: {path}:11: audits[0].params.lists[1]: must be 'gender', 'names-gender' or 'names-race', "
        "not 'nonbinary'",
        f"Error: {path}:11: audits[0].params.feilds: unknown option (did you mean 'fields'?); "
        "known: lists, pairs, groups, swap_references, fields",
        f"Error: {path}:14: audits[1].params.max_new_tokens: must be at most 32768, not 100000000",
        f"Error: {path}:18: audits[3].params: templates is for template sentences; with field the audit reads "
        "the task's data",
        # the file is checked when the audit is built, as the runner builds it
        f"Error: {path}:15: audits[2] (crows-pairs): data: {tmp_path / 'missing.csv'}: no such file",
    ]
