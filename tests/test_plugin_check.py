"""`nlpbench plugin check [PATH]`: the conformance check on an installed plugin or a
folder on disk, through the command line, on real plugin folders written for each test."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from nlpbench.cli import cli
from nlpbench.plugins.host import PluginHost
from nlpbench.testing import check_conformance
from nlpbench.testing.conformance import SHIPPED_METRICS
from nlpbench.testing.imports import internal_imports

REPO = Path(__file__).resolve().parents[1]
#: every plugin of this repository (a folder whose pyproject.toml declares an entry point)
REPO_PLUGINS = sorted(
    p.parent.name
    for p in (REPO / "plugins").glob("*/pyproject.toml")
    if "[project.entry-points.nlpbench]" in p.read_text(encoding="utf-8")
)

METRIC = '''
class MatchMetric:
    """Exact match with any reference."""

    higher_is_better = True
    scale = (0, 1)
    example = MetricExample(("a", "b"), (("a",), ("c",)), 0.5)

    def stats(self, predictions, references):
        import numpy as np

        return np.array([[float(p in refs)] for p, refs in zip(predictions, references)])

    def aggregate(self, stats):
        return float(stats[:, 0].mean()) if len(stats) else float("nan")
'''

GOOD = (
    "from nlpbench import MetricExample, hookimpl\n"
    + METRIC
    + """

@hookimpl
def register_metrics(register):
    register(MatchMetric, name="topics-match")
"""
)


def write_plugin(folder: Path, plugin_source: str, *, package: str = "nlpbench_topics", name: str = "topics") -> Path:
    """A plugin project as `nlpbench plugin new` lays it out: pyproject.toml with the entry
    point, and the package with its plugin module."""
    (folder / package).mkdir(parents=True)
    (folder / "pyproject.toml").write_text(
        textwrap.dedent(f"""\
            [project]
            name = "nlpbench-{name}"
            version = "0.1.0"

            [project.entry-points.nlpbench]
            {name} = "{package}.plugin"
            """),
        encoding="utf-8",
    )
    (folder / package / "__init__.py").write_text("", encoding="utf-8")
    (folder / package / "plugin.py").write_text(plugin_source, encoding="utf-8")
    return folder


def check(*args: str) -> Result:
    host = PluginHost(entry_points=False, strict=False, disabled=())
    return CliRunner().invoke(cli, ["plugin", "check", *args], obj={"host": host})


def lines(result: Result) -> list[str]:
    return result.stdout.splitlines()


def test_a_conformant_plugin_folder_passes(tmp_path: Path) -> None:
    folder = write_plugin(tmp_path / "nlpbench-topics", GOOD)
    result = check(str(folder))
    assert result.exit_code == 0, result.output
    assert lines(result) == ["ok: plugin 'topics' conforms (metrics: topics-match)"]
    assert "nlpbench_topics" not in sys.modules  # imported for the check, forgotten afterwards


def test_path_defaults_to_the_current_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(write_plugin(tmp_path / "nlpbench-topics", GOOD))
    result = check()
    assert result.exit_code == 0, result.output
    assert lines(result) == ["ok: plugin 'topics' conforms (metrics: topics-match)"]


@pytest.mark.parametrize("where", ["nlpbench_topics", "nlpbench_topics/plugin.py", "pyproject.toml"])
def test_a_package_folder_a_module_or_the_pyproject_file_work_too(tmp_path: Path, where: str) -> None:
    folder = write_plugin(tmp_path / "nlpbench-topics", GOOD)
    result = check(str(folder / where))
    assert result.exit_code == 0, result.output
    assert lines(result) == ["ok: plugin 'topics' conforms (metrics: topics-match)"]


INTERNALS = (
    "import nlpbench\nfrom nlpbench.statistics.bootstrap import bootstrap\nfrom nlpbench import running, ConfigError\n"
    "import nlpbench.suites.suite as suite\nfrom nlpbench.testing import make_host\n"
    + GOOD
    + "\n\nSEED = nlpbench.contracts.seeds.derived_seed\nOK = nlpbench.derived_seed\n"
)

BAD_PLUGINS = {
    "register_* without @hookimpl": (
        "from nlpbench import MetricExample, hookimpl\n" + METRIC + "\n\ndef register_metrics(register):\n"
        "    register(MatchMetric, name='topics-match')\n",
        [
            "register_metrics() has no @hookimpl, so pluggy ignores it: decorate it with `@nlpbench.hookimpl`",
        ],
    ),
    "a misspelt hook without @hookimpl": (
        GOOD + "\n\ndef register_metric(register):\n    register(MatchMetric, name='other')\n",
        [
            "register_metric() has no @hookimpl, so pluggy ignores it: decorate it with `@nlpbench.hookimpl` "
            "(and 'register_metric' is not a hook either: see docs/hooks.md)",
        ],
    ),
    "an instance where a class belongs": (
        GOOD.replace("register(MatchMetric, ", "register(MatchMetric(), "),
        [
            "metric 'topics-match': is an instance of MatchMetric, not a class: register the class "
            "(`register(MatchMetric, ...)`); the core instantiates it when a run needs it",
        ],
    ),
    "an alias of a metric that ships with nlpbench": (
        GOOD.replace('name="topics-match")', 'name="topics-match", aliases=["exact-match"])'),
        [
            "metric 'topics-match': its alias 'exact-match' is taken by the installed plugin 'metrics' "
            "(an alias of its metric 'squad-em'): the two would clash wherever both are installed; "
            "choose another name",
        ],
    ),
    "a name another installed plugin registered": (
        GOOD + "\n\n@hookimpl\ndef register_reporters(register):\n    register(MatchMetric, name='json')\n",
        [
            "reporter 'json' is taken by nlpbench itself (its reporter 'json'): the two would clash wherever "
            "both are installed; choose another name",
            "reporter 'json': has no write(results, out_dir) method",
        ],
    ),
    "imports of nlpbench internals": (
        INTERNALS,
        [
            f"nlpbench_topics/plugin.py:{line}: imports {name}, an nlpbench internal: import from `nlpbench` "
            "(its public API) or `nlpbench.testing` only"
            for line, name in [
                (2, "nlpbench.statistics.bootstrap"),
                (3, "nlpbench.running"),
                (4, "nlpbench.suites.suite"),
                (
                    INTERNALS.splitlines().index("SEED = nlpbench.contracts.seeds.derived_seed") + 1,
                    "nlpbench.contracts",
                ),
            ]
        ],
    ),
    "options that are not an Options subclass": (
        GOOD.replace("    higher_is_better = True\n", "    higher_is_better = True\n    options = dict\n"),
        [
            "metric 'topics-match': `options` must be a subclass of nlpbench.Options (declare "
            "`class …Options(Options)`, empty when it takes none), not dict",
        ],
    ),
    "a plugin that fails to import": (
        "import a_module_nobody_has\n" + GOOD,
        [
            "plugin failed to load: failed to import nlpbench_topics.plugin: "
            "ModuleNotFoundError: No module named 'a_module_nobody_has'",
        ],
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_PLUGINS))
def test_each_kind_of_problem_is_one_line_and_exit_1(tmp_path: Path, case: str) -> None:
    source, expected = BAD_PLUGINS[case]
    folder = write_plugin(tmp_path / "nlpbench-topics", source)
    result = check(str(folder))
    assert result.exit_code == 1, result.output
    assert lines(result) == expected
    count = len(expected)
    assert result.stderr == f"plugin 'topics': {count} problem{'s' if count > 1 else ''}\n"


def test_a_plugin_that_registers_nothing(tmp_path: Path) -> None:
    result = check(str(write_plugin(tmp_path / "p", "from nlpbench import hookimpl\n")))
    assert (result.exit_code, lines(result)) == (1, ["plugin registers nothing"])


def test_a_project_without_an_entry_point(tmp_path: Path) -> None:
    folder = write_plugin(tmp_path / "p", GOOD)
    (folder / "pyproject.toml").write_text('[project]\nname = "nlpbench-topics"\n', encoding="utf-8")
    result = check(str(folder))
    assert result.exit_code == 1
    assert lines(result) == [
        f"{folder / 'pyproject.toml'}: declares no entry point in the group 'nlpbench' "
        "([project.entry-points.nlpbench]), so nlpbench never finds the plugin"
    ]


def test_shipped_names_are_flagged_where_their_plugin_is_not_installed(
    tmp_path: Path, entry_point_plugins: Callable[[dict[str, str]], None]
) -> None:
    """With only one other plugin installed, `acc` (nlpbench-tasks' metric) is still taken,
    and a name that other plugin holds is flagged by its name."""
    entry_point_plugins({
        "other": "from nlpbench import hookimpl\n\nclass Thing:\n    '''A thing.'''\n\n"
        "@hookimpl\ndef register_models(register):\n    register(Thing, name='thing')\n"
    })  # fmt: skip
    source = GOOD.replace('name="topics-match")', 'name="topics-match", aliases=["acc"])')
    source += (
        "\n\n@hookimpl\ndef register_models(register):\n    register(MatchMetric, name='model', aliases=['thing'])\n"
    )
    result = check(str(write_plugin(tmp_path / "p", source)))
    assert result.exit_code == 1
    assert (
        "model type 'model': its alias 'thing' is taken by the installed plugin 'other' (its model type 'thing'): "
        in (result.stdout)
    )
    assert (
        "metric 'topics-match': its alias 'acc' shadows the metric 'acc', which ships with nlpbench "
        "(plugin nlpbench-tasks): suites that name it would mean another metric; choose another name"
    ) in lines(result)


def test_the_shipped_metrics_are_what_their_plugins_register() -> None:
    host = PluginHost(strict=False, disabled=())
    registered = {
        item.name: (item.plugin, item.aliases) for item in host.metrics if item.plugin in ("metrics", "tasks")
    }
    assert registered == dict(SHIPPED_METRICS)


def test_a_local_copy_is_checked_not_the_installed_one(tmp_path: Path) -> None:
    """A folder holding a package of an installed plugin's name is imported from the folder,
    and the installed modules are back afterwards."""
    import nlpbench_metrics.plugin as installed

    source = GOOD.replace('"topics-match"', '"local-match"')
    folder = write_plugin(tmp_path / "copy", source, package="nlpbench_metrics", name="metrics")
    result = check(str(folder))
    assert result.exit_code == 0, result.output
    assert lines(result) == ["ok: plugin 'metrics' conforms (metrics: local-match)"]
    assert sys.modules["nlpbench_metrics.plugin"] is installed


@pytest.mark.parametrize("name", ["metrics", "nlpbench-metrics", "nlpbench_metrics"])
def test_an_installed_plugin_by_name(name: str) -> None:
    result = check(name)
    assert result.exit_code == 0, result.output
    assert lines(result)[0].startswith("ok: plugin 'metrics' conforms (metrics: accuracy, ")


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("./no-such-folder", "Error: ./no-such-folder: no such file or folder\n"),
        ("missing/plugin.py", "Error: missing/plugin.py: no such file or folder\n"),
        (
            "metric",
            "Error: no installed plugin 'metric' (did you mean 'metrics'?), and no file or folder of that name "
            "(give a plugin's folder, its package folder or plugin module, or an installed plugin's name)\n",
        ),
    ],
)
def test_a_path_or_name_that_is_not_there_is_a_usage_error(target: str, message: str) -> None:
    result = check(target)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", message)


def test_a_folder_that_is_not_a_plugin_is_a_usage_error(tmp_path: Path) -> None:
    result = check(str(tmp_path))
    assert result.exit_code == 2
    assert "not a plugin: give a folder with a pyproject.toml" in result.stderr


@pytest.mark.parametrize("plugin", REPO_PLUGINS)
def test_every_plugin_of_this_repository_conforms(plugin: str) -> None:
    result = check(str(REPO / "plugins" / plugin))
    assert result.exit_code == 0, result.output
    assert lines(result)[0].startswith(f"ok: plugin '{plugin}' conforms (")


def test_the_shared_transformers_library_imports_no_internals() -> None:
    """It is no plugin (no entry point) but plugins import it: the same rule holds."""
    assert "transformers" not in REPO_PLUGINS and len(REPO_PLUGINS) >= 13
    assert internal_imports(REPO / "plugins" / "transformers" / "nlpbench_transformers") == []


def test_the_python_api_flags_the_same_on_plugin_objects() -> None:
    """check_conformance works on objects as on modules: an unmarked hook method is flagged."""

    class Half:
        NLPBENCH_PLUGIN_NAME = "half"

        def register_metrics(self, register: object) -> None:  # no @hookimpl
            raise AssertionError("never called")

    assert check_conformance(Half()) == [
        "register_metrics() has no @hookimpl, so pluggy ignores it: decorate it with `@nlpbench.hookimpl`"
    ]
