"""Option schemas: every component's options are checked before anything runs, every
problem of a suite is reported on a line of its own (``nlpbench validate``, and ``run``
before any model loads), and the options reference is generated from the schemas."""

from __future__ import annotations

import dataclasses
import enum
import json
import os
import textwrap
from pathlib import Path
from typing import Any, ClassVar, Literal

import pytest
from click.testing import CliRunner, Result
from pydantic import BaseModel, Field, model_validator

from nlpbench import ConfigError, ConfigErrors, Options, hookimpl, option_problems, parse_options
from nlpbench.cli import build_cli
from nlpbench.plugins.host import PluginHost
from nlpbench.reference import render
from nlpbench.suites.suite import MAX_RESAMPLES, load_suite
from nlpbench.testing import make_host
from nlpbench.testing.tiny import TinyMatchMetric, TinyModel, TinyTask

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO / "docs" / "reference" / "options.md"


# -- the messages ---------------------------------------------------------------------


class Nested(Options):
    question: str = Field(description="q")
    context: str = Field("", description="c")


class Example(Options):
    bins: int = Field(10, ge=1, le=1000, description="bins")
    rate: float = Field(0.5, gt=0, lt=1, description="a rate")
    flag: bool = Field(False, description="a flag")
    mode: Literal["fast", "slow"] = Field("fast", description="a mode")
    names: str | tuple[str, ...] = Field((), description="one or several")
    span: Nested | None = Field(None, description="nested")
    labels: tuple[str, ...] = Field((), min_length=0, description="labels")

    @model_validator(mode="after")
    def _slow_needs_names(self) -> Example:
        if self.mode == "slow" and not self.names:
            raise ValueError("mode slow needs names")
        return self


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"bins": 0}, ["m.bins: must be at least 1, not 0"]),
        ({"bins": 1e8}, ["m.bins: must be at most 1000, not 100000000.0"]),
        ({"bins": "1e8"}, ["m.bins: must be a whole number, not '1e8'"]),  # YAML reads 1e8 as a string
        ({"bins": True}, ["m.bins: must be a whole number, not True"]),
        ({"bins": 2.5}, ["m.bins: must be a whole number, not 2.5"]),
        ({"rate": 1}, ["m.rate: must be less than 1, not 1"]),
        ({"rate": "0.3"}, ["m.rate: must be a number, not '0.3'"]),
        ({"flag": 1}, ["m.flag: must be true or false, not 1"]),
        ({"mode": "quick"}, ["m.mode: must be 'fast' or 'slow', not 'quick'"]),
        ({"mode": "fsat"}, ["m.mode: must be 'fast' or 'slow', not 'fsat' (did you mean 'fast'?)"]),
        ({"names": 5}, ["m.names: must be a string or a list, not 5"]),
        ({"names": ["a", 5]}, ["m.names[1]: must be a string, not 5"]),
        ({"span": {"questio": "x"}}, ["m.span.question: is required",
                                      "m.span.questio: unknown option (did you mean 'question'?); known: question, "
                                      "context"]),
        ({"bns": 3}, ["m.bns: unknown option (did you mean 'bins'?); known: bins, rate, flag, mode, names, span, "
                      "labels"]),
        ({"mode": "slow"}, ["m: mode slow needs names"]),
        ({"bins": 0, "flag": "no", "zzz": 1}, ["m.bins: must be at least 1, not 0", "m.flag: must be true or false, "
                                               "not 'no'", "m.zzz: unknown option; known: bins, rate, flag, mode, "
                                               "names, span, labels"]),
        ({}, []),
    ],
)  # fmt: skip
def test_every_problem_is_one_line_starting_with_its_key(given: dict[str, Any], expected: list[str]) -> None:
    assert option_problems(Example, given, "m") == expected


class Pooling(str, enum.Enum):
    MEAN = "mean"
    CLS = "cls"


class Choices(Options):
    pooling: Literal["mean", "cls"] = Field("mean", description="a choice")
    maybe: Literal["mean", "cls"] | None = Field(None, description="a choice or nothing")
    several: tuple[Literal["mean", "cls"], ...] = Field((), description="choices")
    either: Literal["auto"] | int = Field("auto", description="a choice or a number")
    member: Pooling = Field(Pooling.MEAN, description="an enum")


def test_a_misspelt_choice_gets_a_did_you_mean() -> None:
    given = {"pooling": "maen", "maybe": "cl", "several": ["mean", "mena"], "either": "atuo", "member": "clss"}
    assert option_problems(Choices, given, "params") == [
        "params.pooling: must be 'mean' or 'cls', not 'maen' (did you mean 'mean'?)",
        "params.maybe: must be 'mean' or 'cls', not 'cl' (did you mean 'cls'?)",
        "params.several[1]: must be 'mean' or 'cls', not 'mena' (did you mean 'mean'?)",
        "params.either: must be 'auto' or a whole number, not 'atuo' (did you mean 'auto'?)",
        "params.member: must be 'mean' or 'cls', not 'clss' (did you mean 'cls'?)",
    ]
    # nothing close: no guess
    assert option_problems(Choices, {"pooling": "max"}, "params") == [
        "params.pooling: must be 'mean' or 'cls', not 'max'"
    ]


def test_an_empty_schema_refuses_every_option_and_a_non_mapping_is_said() -> None:
    class NoOptions(Options):
        pass

    assert option_problems(NoOptions, {"average": "macro"}, "tasks[0].metrics[0] (accuracy)") == [
        "tasks[0].metrics[0] (accuracy).average: unknown option: it takes none"
    ]
    assert option_problems(NoOptions, [1], "x") == ["x: must be a mapping of option: value, not a list"]  # type: ignore[arg-type]


def test_parse_options_gives_the_settings_or_every_problem() -> None:
    assert parse_options(Example, {"bins": 3}).bins == 3
    with pytest.raises(ConfigErrors) as caught:
        parse_options(Example, {"bins": 0, "mode": "x"}, "w")
    assert caught.value.messages == ["w.bins: must be at least 1, not 0", "w.mode: must be 'fast' or 'slow', not 'x'"]
    assert isinstance(caught.value, ConfigError) and "\n" not in str(caught.value)


def test_any_pydantic_model_works_as_a_schema() -> None:
    class Plain(BaseModel):
        size: int = 1

    assert option_problems(Plain, {"size": "big"}) == ["size: must be a whole number, not 'big'"]


# -- components with schemas, in suites -----------------------------------------------------


class SizedOptions(Options):
    size: int = Field(1, ge=1, le=64, description="how big")
    device: str = Field("cpu", description="where")


class WidthOptions(Options):
    """Its architecture, when built from config."""

    width: int = Field(8, ge=1, description="hidden width")


class SizedModel(TinyModel):
    """The tiny model, with a schema for its params."""

    options: ClassVar[type[Options]] = SizedOptions
    config_options: ClassVar[type[Options]] = WidthOptions

    def __init__(self, spec: Any) -> None:
        super().__init__(dataclasses.replace(spec, params={}))  # its own params are checked already


class PickyModel(TinyModel):
    """The tiny model, whose type checks what one key cannot: size and device together."""

    options: ClassVar[type[Options]] = SizedOptions

    @classmethod
    def check_spec(cls, spec: Any) -> None:
        if spec.params.get("size", 1) > 8 and spec.params.get("device") == "cpu":
            raise ConfigError("params.size: more than 8 needs device cuda")


class ShotsOptions(Options):
    shots: int = Field(0, ge=0, le=2048, description="examples shown")


class ShotsTask(TinyTask):
    """The tiny task, with a schema for its params."""

    options: ClassVar[type[Options]] = ShotsOptions


class BinsOptions(Options):
    bins: int = Field(10, ge=1, le=1000, description="bins")


class BinnedMetric(TinyMatchMetric):
    """The tiny metric, taking bins."""

    options: ClassVar[type[Options]] = BinsOptions

    def __init__(self, **options: Any) -> None:
        self.bins = parse_options(BinsOptions, options).bins


class TitleOptions(Options):
    file: str = Field("page.txt", min_length=1, description="where")


class TitleReporter:
    """Writes the suite's name into a file."""

    options: ClassVar[type[Options]] = TitleOptions

    def __init__(self, file: str = "page.txt") -> None:
        self.file = file

    def write(self, results: Any, out_dir: Path) -> str:
        path = out_dir / self.file
        path.write_text(str(results["suite"]["name"]))
        return str(path)


class LooseReporter:
    """Declares no schema; refuses a bad title when built."""

    def __init__(self, title: str = "x") -> None:
        if not title.strip():
            raise ConfigError("title must not be blank")

    def write(self, results: Any, out_dir: Path) -> None:
        return None


class SchemaPlugin:
    NLPBENCH_PLUGIN_NAME = "schemas"

    @hookimpl
    def register_models(self, register: Any) -> None:
        register(SizedModel, name="sized")
        register(PickyModel, name="picky")

    @hookimpl
    def register_tasks(self, register: Any) -> None:
        register(ShotsTask, name="shots")

    @hookimpl
    def register_metrics(self, register: Any) -> None:
        register(BinnedMetric, name="binned")

    @hookimpl
    def register_reporters(self, register: Any) -> None:
        register(TitleReporter, name="title")
        register(LooseReporter, name="loose")


def _host() -> PluginHost:
    return make_host(SchemaPlugin())


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "suite.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def _cli(*args: str) -> Result:
    host = _host()
    return CliRunner().invoke(build_cli(host), list(args), obj={"host": host})


MANY_MISTAKES = """\
name: many
sede: 3
bootstrap: {resamples: 1000000000000}
models:
  - name: a
    type: sized
    params: {size: 0, colour: red}
  - name: b
    type: picky
    params: {size: 16, device: cpu}
tasks:
  - name: t
    type: shots
    params: {shots: 1000000}
    metrics:
      - tiny-match
      - {name: binned, bins: 0}
      - tiny-match
      - {name: binned, as: binned-2, bins: 20}
reporters:
  - json
  - {name: title, fil: x.txt}
"""


def test_a_suite_reports_every_mistake_one_line_each_with_its_file_line_and_key(tmp_path: Path) -> None:
    path = _write(tmp_path, MANY_MISTAKES)
    with pytest.raises(ConfigErrors) as caught:
        load_suite(path, _host())
    assert caught.value.messages == [
        f"{path}:2: sede: unknown key (did you mean 'seed'?)",
        f"{path}:3: bootstrap.resamples: must be at most {MAX_RESAMPLES}, not 1000000000000 "
        "(0: no confidence intervals)",
        f"{path}:7: models[0].params.size: must be at least 1, not 0",
        f"{path}:7: models[0].params.colour: unknown option; known: size, device",
        # a schema problem of one entry and a check_spec problem of another both show
        f"{path}:8: models[1]: params.size: more than 8 needs device cuda",
        f"{path}:17: tasks[0].metrics[1] (binned).bins: must be at least 1, not 0",
        f"{path}:18: tasks[0].metrics[2] (tiny-match): 'tiny-match' is listed twice (also tasks[0].metrics[0]): "
        "give one of them `as:` another name",
        f"{path}:14: tasks[0].params.shots: must be at most 2048, not 1000000",
        f"{path}:22: reporters[1] (title).fil: unknown option (did you mean 'file'?); known: file",
    ]


def test_resamples_zero_stays_valid_and_the_bound_is_inclusive(tmp_path: Path) -> None:
    base = "name: r\nmodels: [{name: m, type: tiny}]\ntasks: [{name: t, type: tiny}]\n"
    assert load_suite(_write(tmp_path, base + "bootstrap: {resamples: 0}\n")).resamples == 0
    assert load_suite(_write(tmp_path, base + f"bootstrap: {{resamples: {MAX_RESAMPLES}}}\n")).resamples == (
        MAX_RESAMPLES
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a broken model entry: the tasks that name it are not blamed for it
        (
            """\
            name: c
            models:
              - name: a
                type: nope
            tasks:
              - {name: t, type: tiny, models: [a]}
            """,
            [":4: models[0].type: unknown model type 'nope'"],
        ),
        # a misspelt top-level key is said once, not again as the key it meant being missing
        (
            """\
            nme: c
            modles: [{name: a, type: tiny}]
            tasks:
              - {name: t, type: tiny, models: [a]}
            """,
            [":1: nme: unknown key (did you mean 'name'?)", ":2: modles: unknown key (did you mean 'models'?)"],
        ),
        # an unknown task type: its default metrics are not guessed at; its listed ones still are
        (
            """\
            name: c
            models: [{name: a, type: tiny}]
            tasks:
              - {name: t, type: nope, metrics: [tiny-mach]}
            """,
            [
                ":4: tasks[0].metrics[0]: unknown metric 'tiny-mach' (did you mean 'tiny-match'?)",
                ":4: tasks[0].type: unknown task type 'nope'",
            ],
        ),
        # a broken task entry: audits naming it are not blamed
        (
            """\
            name: c
            models: [{name: a, type: tiny}]
            tasks:
              - {name: t, type: tiny, limit: zero}
            audits:
              - {type: anything, tasks: [t]}
            """,
            [":4: tasks[0].limit: must be an integer, not a string", ":6: audits[0].type: unknown bias audit"],
        ),
    ],
)
def test_no_cascades(tmp_path: Path, text: str, expected: list[str]) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigErrors) as caught:
        load_suite(path, _host())
    messages = [m.removeprefix(str(path)) for m in caught.value.messages]
    assert len(messages) == len(expected), messages
    for message, start in zip(messages, expected, strict=True):
        assert message.startswith(start), (message, start)


def test_unmet_requirements_are_all_said_and_alone(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """\
        name: r
        requires: [nlpbench-mamba>=1, nlpbench-rwkv>=1]
        models: [{name: m, type: mamba}]
        tasks: [{name: t, type: tiny}]
        """,
    )
    with pytest.raises(ConfigErrors) as caught:
        load_suite(path, _host())
    assert [m.split(": ", 2)[1] for m in caught.value.messages] == ["requires[0]", "requires[1]"]


def test_a_check_spec_that_raises_a_bug_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    class BuggyModel(TinyModel):
        @classmethod
        def check_spec(cls, spec: Any) -> None:
            raise ImportError("cannot import name 'parse_params'")

    class Plugin:
        NLPBENCH_PLUGIN_NAME = "buggy"

        @hookimpl
        def register_models(self, register: Any) -> None:
            register(BuggyModel, name="buggy")

    path = _write(tmp_path, "name: b\nmodels: [{name: m, type: buggy}]\ntasks: [{name: t, type: tiny}]\n")
    with pytest.raises(ConfigErrors) as caught:
        load_suite(path, make_host(Plugin()))
    assert caught.value.messages == [
        f"{path}:2: models[0]: check_spec() raised ImportError: cannot import name 'parse_params' (a bug in the plugin)"
    ]


# -- nlpbench validate ------------------------------------------------------------------------


def test_validate_prints_every_error_one_a_line_and_exits_2(tmp_path: Path) -> None:
    result = _cli("validate", str(_write(tmp_path, MANY_MISTAKES)))
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 9 and all(line.startswith(f"Error: {tmp_path / 'suite.yaml'}:") for line in lines)
    assert result.stdout == ""


def test_validate_reads_the_data_and_reports_its_errors_among_the_others(tmp_path: Path) -> None:
    from .test_runner import TestPlugin

    path = _write(
        tmp_path,
        """\
        name: d
        models: [{name: m, type: tiny}]
        tasks:
          - {name: rows, type: odd-task, params: {mode: data-error}}
          - {name: t, type: tiny, metrics: [{name: tiny-match, extra: 1}]}
        reporters: [json, {name: loose, title: " "}]
        """,
    )
    host = make_host(TestPlugin(), SchemaPlugin())
    result = CliRunner().invoke(build_cli(host), ["validate", str(path)], obj={"host": host})
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"Error: {path}:4: tasks[0] (rows): rows.jsonl:3: column 'text' is missing")
    # tiny-match declares no schema: the runner's way of building it finds the stray option
    assert lines[1].startswith(f"Error: {path}:5: tasks[1] (t): metric 'tiny-match': bad options: ")
    assert "'extra'" in lines[1]
    assert lines[2] == f"Error: {path}:6: reporters[1] (loose): title must not be blank"
    assert len(lines) == 3


def test_validate_notes_a_hub_dataset_it_does_not_fetch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from nlpbench import task_data

    class HubTask(TinyTask):
        """Reads its rows through the core's data sources."""

        def __init__(self, spec: Any) -> None:
            self.rows = task_data(spec, {"text": "text", "label": "label"}).source.read()  # type: ignore[union-attr]

    class Plugin:
        NLPBENCH_PLUGIN_NAME = "hub"

        @hookimpl
        def register_tasks(self, register: Any) -> None:
            register(HubTask, name="hub-task")

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    path = _write(
        tmp_path,
        """\
        name: h
        models: [{name: m, type: tiny}]
        tasks:
          - name: t
            type: hub-task
            data: {hub: nlpbench-tests/nowhere, split: test, text: text, label: label}
          - name: t2
            type: hub-task
            data: {hub: nlpbench-tests/nowhere, split: train, text: text, label: label}
        """,
    )
    host = make_host(Plugin())
    result = CliRunner().invoke(build_cli(host), ["validate", str(path)], obj={"host": host})
    assert result.exit_code == 0, result.output
    note, more = result.stderr.splitlines()
    assert note == (
        f"note: {path}:4: tasks[0] (t): data not checked: nlpbench-tests/nowhere is on the hub and not in the local cache"
    )
    # validate never fetches from the hub (offline, every try may wait minutes on retries)
    assert more == "note: the data of 1 more task from nlpbench-tests/nowhere not checked either: t2"
    assert "ok — 1 models × 2 tasks" in result.stdout


def test_validate_of_the_quick_suite_is_ok_and_quick() -> None:
    import time

    host = PluginHost(strict=False, disabled=())
    started = time.monotonic()
    result = CliRunner().invoke(
        build_cli(host), ["validate", str(REPO / "benchmarks" / "suites" / "quick.yaml")], obj={"host": host}
    )
    assert result.exit_code == 0, result.output
    assert "ok — 9 models × 8 tasks" in result.stdout
    assert time.monotonic() - started < 20  # it reads every task's data, and loads no model


# -- reporters are built before anything runs ------------------------------------------------


@pytest.mark.parametrize(
    ("reporter", "message"),
    [
        ("{name: title, fil: x.txt}", ":5: reporters[0] (title).fil: unknown option (did you mean 'file'?)"),
        ("{name: loose, title: ' '}", "reporters[0] (loose): title must not be blank"),
        ("{name: loose, titel: x}", "reporters[0] (loose): bad options: "),
    ],
)
def test_a_reporter_mistake_stops_the_run_before_the_first_cell(tmp_path: Path, reporter: str, message: str) -> None:
    path = _write(
        tmp_path,
        f"""\
        name: rep
        models: [{{name: m, type: tiny, params: {{fail: answer}}}}]
        tasks: [{{name: t, type: tiny}}]
        reporters:
          - {reporter}
        """,
    )
    result = _cli("run", str(path), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert message in result.stderr and result.stderr.count("\n") == 1
    assert not (tmp_path / "out" / "results.json").exists()  # no cell ran


def test_a_reporters_options_reach_it(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """\
        name: rep
        models: [{name: m, type: tiny}]
        tasks: [{name: t, type: tiny}]
        reporters: [{name: title, file: named.txt}]
        """,
    )
    assert _cli("run", str(path), "--out", str(tmp_path / "out")).exit_code == 0
    assert (tmp_path / "out" / "named.txt").read_text() == "rep"


def test_device_goes_only_to_the_models_that_take_it(tmp_path: Path) -> None:
    class NoOptions(Options):
        pass

    seen: dict[str, dict[str, Any]] = {}

    class Baseline(TinyModel):
        """Runs nowhere: takes no params."""

        options: ClassVar[type[Options]] = NoOptions

        def __init__(self, spec: Any) -> None:
            seen[spec.name] = dict(spec.params)
            super().__init__(spec)

    class OnDevice(Baseline):
        """Takes a device."""

        options: ClassVar[type[Options]] = SizedOptions

    class Plugin:
        NLPBENCH_PLUGIN_NAME = "devices"

        @hookimpl
        def register_models(self, register: Any) -> None:
            register(Baseline, name="baseline")
            register(OnDevice, name="on-device")

    path = _write(
        tmp_path,
        """\
        name: dev
        models: [{name: b, type: baseline}, {name: d, type: on-device}, {name: t, type: tiny}]
        tasks: [{name: t, type: tiny}]
        reporters: []
        """,
    )
    host = make_host(Plugin())
    result = CliRunner().invoke(
        build_cli(host), ["run", str(path), "--out", str(tmp_path / "out"), "--device", "cpu"], obj={"host": host}
    )
    assert result.exit_code == 0, result.output
    assert seen == {"b": {}, "d": {"device": "cpu"}}
    assert load_suite(path, host).with_overrides(device="cpu", host=host).models[2].params == {"device": "cpu"}


# -- listing and the reference ----------------------------------------------------------------


def test_list_json_gives_each_schema_or_null() -> None:
    rows = {row["name"]: row for row in json.loads(_cli("list", "metrics", "--json").stdout)}
    bins = rows["binned"]["options"]["properties"]["bins"]
    assert (bins["default"], bins["minimum"], bins["maximum"], bins["description"]) == (10, 1, 1000, "bins")
    assert rows["tiny-match"]["options"] is None
    reporters = {row["name"]: row for row in json.loads(_cli("list", "reporters", "--json").stdout)}
    assert set(reporters["html"]["options"]["properties"]) == {"file", "max_examples"}
    assert "config_options" not in reporters["html"]


def test_list_models_json_gives_the_config_schema_or_null() -> None:
    rows = {row["name"]: row for row in json.loads(_cli("list", "models", "--json").stdout)}
    width = rows["sized"]["config_options"]["properties"]["width"]
    assert (width["default"], width["minimum"], width["description"]) == (8, 1, "hidden width")
    assert rows["picky"]["config_options"] is None  # declares no config schema


def test_the_reference_page_renders_every_kind_of_key() -> None:
    page = render(_host(), Path(__file__).parent)
    assert "### `sized`" in page and "### `binned`" in page and "### `tiny`" not in page  # only this folder's
    assert "| `size` | integer | `1` | 1 to 64 | how big |" in page
    config = "Its `config:` (a model built untrained): Its architecture, when built from config."
    assert f"{config}\n\n| option | type | default | range | description |" in page
    assert "| `width` | integer | `8` | ≥ 1 | hidden width |" in page
    assert '| `file` | string | `"page.txt"` | at least 1 character | where |' in page
    assert "### `loose`\n\nDeclares no schema; refuses a bad title when built. Plugin `schemas`.\n\nIt declares no " \
           "option schema" in page  # fmt: skip


def test_the_committed_reference_is_what_the_schemas_say() -> None:
    """docs/reference/options.md cannot drift: regenerate it with
    ``python -m nlpbench.reference --within . docs/reference/options.md``."""
    host = PluginHost(strict=False, disabled=())
    assert not host.failed(), [p.error for p in host.failed()]
    assert REFERENCE.read_text(encoding="utf-8") == render(host, REPO), (
        "docs/reference/options.md is out of date: run python -m nlpbench.reference --within . "
        "docs/reference/options.md"
    )


def test_the_reference_module_writes_the_page(tmp_path: Path) -> None:
    import subprocess
    import sys

    out = tmp_path / "options.md"
    env = {k: v for k, v in os.environ.items() if not k.startswith("NLPBENCH_")}
    done = subprocess.run(
        [sys.executable, "-m", "nlpbench.reference", "--within", str(REPO), str(out)],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert out.read_text(encoding="utf-8") == REFERENCE.read_text(encoding="utf-8")
