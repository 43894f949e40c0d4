"""Suite files: every mistake is one line naming the file, the line and the field."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from nlpbench import ConfigError
from nlpbench.suites.suite import load_suite
from nlpbench.testing import make_host

VALID = """\
name: demo
seed: 7
models:
  - name: m1
    type: tiny
tasks:
  - name: t1
    type: tiny
    limit: 3
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "suite.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def _error(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        load_suite(_write(tmp_path, text), make_host())
    message = str(caught.value)
    assert "\n" not in message
    return message.replace(str(tmp_path / "suite.yaml"), "suite.yaml")


def test_a_valid_suite_loads(tmp_path: Path) -> None:
    suite = load_suite(_write(tmp_path, VALID), make_host())
    assert suite.name == "demo" and suite.seed == 7
    assert [m.name for m in suite.models] == ["m1"]
    assert suite.tasks[0].limit == 3
    assert suite.hash.startswith("sha256:") and len(suite.hash) == 71
    assert [r.name for r in suite.reporters] == ["json", "html"]


def test_the_hash_ignores_formatting_but_not_content(tmp_path: Path) -> None:
    first = load_suite(_write(tmp_path, VALID)).hash
    reformatted = load_suite(_write(tmp_path, VALID.replace("limit: 3", "limit:    3  # a comment"))).hash
    changed = load_suite(_write(tmp_path, VALID.replace("limit: 3", "limit: 4"))).hash
    assert first == reformatted != changed


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (VALID.replace("seed: 7", "sede: 7"), "suite.yaml:2: sede: unknown key (did you mean 'seed'?)"),
        (
            VALID.replace("    type: tiny\ntasks", "    typ: tiny\ntasks"),
            "suite.yaml:5: models[0].typ: unknown key (did you mean 'type'?)",
        ),
        (VALID.replace("limit: 3", "limt: 3"), "suite.yaml:9: tasks[0].limt: unknown key (did you mean 'limit'?)"),
        (VALID.replace("limit: 3", "limit: three"), "suite.yaml:9: tasks[0].limit: must be an integer, not a string"),
        (VALID.replace("limit: 3", "limit: 0"), "suite.yaml:9: tasks[0].limit: must be at least 1, not 0"),
        (VALID.replace("seed: 7", "seed: [7]"), "suite.yaml:2: seed: must be an integer, not a list"),
        (
            VALID.replace("    type: tiny\ntasks", "    type: tinny\ntasks"),
            "suite.yaml:5: models[0].type: unknown model type 'tinny' (did you mean 'tiny'?)",
        ),
        (
            VALID.replace("    type: tiny\n    limit", "    type: tiyn\n    limit"),
            "suite.yaml:8: tasks[0].type: unknown task type 'tiyn' (did you mean 'tiny'?)",
        ),
        (
            VALID + "    metrics: [tiny-mach]\n",
            "suite.yaml:10: tasks[0].metrics[0]: unknown metric 'tiny-mach' (did you mean 'tiny-match'?)",
        ),
        (VALID.replace("name: demo\n", ""), "suite.yaml:1: name: is required"),
        (VALID.replace("name: demo", "name: ../demo"), "suite.yaml:1: name: '../demo' cannot name a folder"),
        (
            VALID.replace("  - name: m1\n    type: tiny\n", "  - name: m1\n"),
            "suite.yaml:4: models[0].type: is required",
        ),
        (VALID.split("tasks:")[0], "suite.yaml:1: tasks: is required: list at least one"),
        (
            VALID.replace("models:\n  - name: m1\n    type: tiny\n", "models: []\n"),
            "suite.yaml:3: models: is empty: list at least one",
        ),
        (
            VALID.replace("models:\n", "models:\n  - name: m1\n    type: tiny\n"),
            "suite.yaml:6: models[1].name: 'm1' is used twice",
        ),
        (
            VALID + "    models: [m2]\n",
            "suite.yaml:10: tasks[0].models[0]: no model is called 'm2' (did you mean 'm1'?)",
        ),
        (VALID + "    data: {path: missing.jsonl}\n", "suite.yaml:10: tasks[0].data.path: missing.jsonl: no such file"),
        (
            VALID.replace("    type: tiny\ntasks", "    type: tiny\n    path: nowhere\ntasks"),
            "suite.yaml:6: models[0].path: nowhere: no such file or folder",
        ),
        (
            VALID.replace("    type: tiny\ntasks", "    type: tiny\n    hub: gpt2\n    config: {}\ntasks"),
            "suite.yaml:7: models[0]: give one of path, hub or config, not hub and config",
        ),
        (
            VALID.replace("    type: tiny\ntasks", "    type: tiny\n    revision: main\ntasks"),
            "suite.yaml:6: models[0].revision: only applies with hub",
        ),
        (
            VALID.replace("    type: tiny\ntasks", "    type: tiny\n    params: [1]\ntasks"),
            "suite.yaml:6: models[0].params: must be a mapping, not a list",
        ),
        (
            VALID + "audits:\n  - type: counterfactual-gender\n",
            "suite.yaml:11: audits[0].type: unknown bias audit 'counterfactual-gender'; no bias audits are installed",
        ),
        (VALID + "reporters: [htm]\n", "suite.yaml:10: reporters[0]: unknown reporter 'htm' (did you mean 'html'?)"),
        (
            VALID + "bootstrap: {confidence: 2}\n",
            "suite.yaml:10: bootstrap.confidence: must be a number between 0 and 1",
        ),
        ("name: [unclosed\n", "suite.yaml:2: invalid YAML"),
        ("- just\n- a list\n", "suite.yaml:1: must be a mapping, not a list"),
        ("", "suite.yaml: the suite is empty"),
        (VALID + "seed: 8\n", "suite.yaml:10: invalid YAML: duplicate key 'seed'"),
        (
            VALID + "requires: ['nlpbench-nonexistent>=1']\n",
            "suite.yaml:10: requires[0]: nlpbench-nonexistent is not installed; to fix: pip install 'nlpbench-nonexistent>=1'",
        ),
        (
            VALID + "requires: ['nlpbench>=99']\n",
            "requires[0]: nlpbench 0.1.0 is installed but the suite needs 'nlpbench>=99'; to fix: pip install --upgrade 'nlpbench>=99'",
        ),
        (VALID + "requires: ['not a requirement!']\n", "requires[0]: 'not a requirement!' is not a valid requirement"),
    ],
)
def test_mistakes_are_one_line_naming_file_line_and_field(tmp_path: Path, text: str, expected: str) -> None:
    assert expected in _error(tmp_path, text)


def test_requires_is_checked_before_anything_else(tmp_path: Path) -> None:
    text = VALID.replace("type: tiny", "type: mamba") + "requires: ['nlpbench-mamba>=0.1']\n"
    assert "nlpbench-mamba is not installed; to fix: pip install 'nlpbench-mamba>=0.1'" in _error(tmp_path, text)


def test_missing_and_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        load_suite(tmp_path / "absent.yaml")
    with pytest.raises(ConfigError, match="is a folder"):
        load_suite(tmp_path)


def test_paths_resolve_against_the_suite_folder(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "d.jsonl").write_text("{}\n")
    suite = load_suite(_write(tmp_path, VALID + "    data: {path: data/d.jsonl}\n"))
    assert suite.tasks[0].resolve(suite.tasks[0].data["path"]) == tmp_path / "data" / "d.jsonl"


def test_overrides_from_the_command_line(tmp_path: Path) -> None:
    suite = load_suite(_write(tmp_path, VALID)).with_overrides(limit=2, device="cpu")
    assert suite.tasks[0].limit == 2
    assert suite.models[0].params["device"] == "cpu"
    assert load_suite(_write(tmp_path, VALID)).with_overrides(limit=10).tasks[0].limit == 3


def test_metric_options_are_kept(tmp_path: Path) -> None:
    suite = load_suite(_write(tmp_path, VALID + "    metrics: [tiny-match, {name: other, average: binary}]\n"))
    assert suite.tasks[0].metrics == ("tiny-match", {"name": "other", "average": "binary"})


def test_a_model_type_may_check_its_own_entry(tmp_path: Path) -> None:
    from nlpbench import hookimpl

    class Picky:
        """picky"""

        capabilities = frozenset({"classify"})

        @classmethod
        def check_spec(cls, spec: object) -> None:
            raise ConfigError("params.size: must be small")

    class Plugin:
        NLPBENCH_PLUGIN_NAME = "picky"

        @hookimpl
        def register_models(self, register: object) -> None:
            register(Picky, name="picky")  # type: ignore[operator]

    with pytest.raises(ConfigError) as caught:
        load_suite(_write(tmp_path, VALID.replace("type: tiny\ntasks", "type: picky\ntasks")), make_host(Plugin()))
    assert str(caught.value) == f"{tmp_path / 'suite.yaml'}:4: models[0]: params.size: must be small"
