"""The plugin loader: one plugin's failure never takes down the others."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest

from nlpbench import ConfigError, PluginError, hookimpl
from nlpbench.plugins.host import PluginHost

GOOD = """
from nlpbench import hookimpl

class GoodMetric:
    '''A metric that is fine.'''

@hookimpl
def register_metrics(register):
    register(GoodMetric, name="good-metric", aliases=["good"])
"""


def _host(**kwargs: Any) -> PluginHost:
    return PluginHost(strict=False, disabled=(), **kwargs)


class _Plugin:
    """A plugin object for tests, named by NLPBENCH_PLUGIN_NAME."""

    def __init__(self, name: str, **hooks: Callable[..., None]) -> None:
        self.NLPBENCH_PLUGIN_NAME = name
        for hook_name, function in hooks.items():
            setattr(self, hook_name, hookimpl(function))


def test_builtins_register_through_the_hooks() -> None:
    host = _host(entry_points=False)
    assert "html" in host.reporters
    assert host.reporters.get("html").plugin == "nlpbench"


def test_entry_point_plugin_is_loaded_and_stamped(entry_point_plugins: Callable[[dict[str, str]], None]) -> None:
    entry_point_plugins({"good": GOOD})
    host = _host()
    assert host.metrics.get("good").name == "good-metric"
    assert host.metrics.get("good-metric").plugin == "good"
    assert host.plugin("good") is not None and host.plugin("good").components == {"metrics": ["good-metric"]}  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("source", "error"),
    [
        (
            "raise ImportError('no module named torchy')",
            "failed to import ep_plugin_broken: ImportError: no module named torchy",
        ),
        ("syntax error here", "SyntaxError"),
        (
            "from nlpbench import hookimpl\n@hookimpl\ndef register_modles(register):\n    pass\n",
            "register_modles",
        ),
        (
            "from nlpbench import hookimpl\n@hookimpl\ndef register_models(register, extra):\n    pass\n",
            "extra",
        ),
        (
            "from nlpbench import hookimpl\n@hookimpl\ndef register_models(register):\n    raise RuntimeError('boom at registration')\n",
            "RuntimeError: boom at registration",
        ),
        (
            "from nlpbench import hookimpl\nclass M: pass\n@hookimpl\ndef register_models(register):\n    register(M, name='Bad_Name')\n",
            "not lowercase kebab-case",
        ),
        (
            "from nlpbench import hookimpl\nclass M: pass\n@hookimpl\ndef register_models(register):\n    register(M)\n",
            "None is not lowercase kebab-case",
        ),
    ],
    ids=[
        "import-error",
        "syntax-error",
        "misspelt-hook",
        "unknown-argument",
        "raises-in-register",
        "bad-name",
        "no-name",
    ],
)
def test_a_broken_plugin_is_recorded_and_the_others_still_work(
    entry_point_plugins: Callable[[dict[str, str]], None], source: str, error: str
) -> None:
    entry_point_plugins({"broken": source, "good": GOOD})
    host = _host()
    broken = host.plugin("broken")
    assert broken is not None and broken.status == "failed"
    assert broken.error is not None and error in broken.error
    assert "good-metric" in host.metrics
    assert host.plugin("good").status == "ok"  # type: ignore[union-attr]


def test_a_plugin_that_fails_halfway_registers_nothing(entry_point_plugins: Callable[[dict[str, str]], None]) -> None:
    entry_point_plugins(
        {
            "half": """
        from nlpbench import hookimpl
        class A:
            '''a'''
        @hookimpl
        def register_metrics(register):
            register(A, name="first-metric")
        @hookimpl
        def register_tasks(register):
            raise RuntimeError("second hook fails")
    """
        }
    )
    host = _host()
    assert "first-metric" not in host.metrics
    assert host.plugin("half").status == "failed"  # type: ignore[union-attr]


def test_name_clash_is_rejected_naming_both_plugins(entry_point_plugins: Callable[[dict[str, str]], None]) -> None:
    entry_point_plugins({"alpha": GOOD, "beta": GOOD.replace('aliases=["good"]', "aliases=[]")})
    host = _host()
    beta = host.plugin("beta")
    assert beta is not None and beta.status == "failed"
    assert "'good-metric' from plugin 'beta' clashes with the one registered by plugin 'alpha'" in (beta.error or "")
    assert host.metrics.get("good-metric").plugin == "alpha"


def test_alias_clash_is_rejected_too() -> None:
    class A:
        """a"""

    first = _Plugin("first", register_metrics=lambda register: register(A, name="one", aliases=["shared"]))
    second = _Plugin("second", register_metrics=lambda register: register(A, name="shared"))
    host = _host(entry_points=False, plugins=[first, second])
    assert host.plugin("second").status == "failed"  # type: ignore[union-attr]
    assert "clashes with the one registered by plugin 'first'" in (host.plugin("second").error or "")  # type: ignore[union-attr]


def test_disabled_plugins_are_blocked(
    entry_point_plugins: Callable[[dict[str, str]], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    entry_point_plugins({"good": GOOD})
    monkeypatch.setenv("NLPBENCH_DISABLE_PLUGINS", "other, good")
    host = PluginHost(strict=False)
    assert host.plugin("good").status == "disabled"  # type: ignore[union-attr]
    assert "good-metric" not in host.metrics


def test_strict_mode_turns_a_failure_into_an_error(
    entry_point_plugins: Callable[[dict[str, str]], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    entry_point_plugins({"broken": "raise ImportError('nope')"})
    monkeypatch.setenv("NLPBENCH_STRICT_PLUGINS", "1")
    with pytest.raises(PluginError, match="plugin 'broken' failed to load: failed to import"):
        PluginHost()


def test_unknown_name_suggests_and_names_failed_plugins(entry_point_plugins: Callable[[dict[str, str]], None]) -> None:
    entry_point_plugins({"broken": "raise ImportError('nope')", "good": GOOD})
    host = _host()
    with pytest.raises(ConfigError) as caught:
        host.metrics.get("god-metric")
    message = str(caught.value)
    assert "unknown metric 'god-metric' (did you mean 'good-metric'?)" in message
    assert "plugin 'broken' failed to load and might provide it" in message


def test_failures_are_warned_about_once(
    entry_point_plugins: Callable[[dict[str, str]], None], capsys: pytest.CaptureFixture[str]
) -> None:
    entry_point_plugins({"broken": "raise ImportError('nope')"})
    host = _host()
    host.warn_failures()
    err = capsys.readouterr().err
    assert err.count("plugin 'broken' failed to load") == 1


def test_register_commands_errors_are_warnings() -> None:
    import click

    def commands(cli: click.Group) -> None:
        raise RuntimeError("cannot add")

    def good_commands(cli: click.Group) -> None:
        @cli.command("hello-test")
        def hello() -> None:
            click.echo("hi")

    group = click.Group()
    host = _host(
        entry_points=False,
        plugins=[_Plugin("bad", register_commands=commands), _Plugin("fine", register_commands=good_commands)],
    )
    warnings = host.register_commands(group)
    assert warnings == ["plugin 'bad' could not add its commands: RuntimeError: cannot add"]
    assert "hello-test" in group.commands


def test_listing_imports_no_heavy_library() -> None:
    """`nlpbench plugins` and `nlpbench list` must stay instant: no torch, transformers, sklearn, nor the
    report page's Jinja2 (loaded when a page is rendered)."""
    code = (
        "import sys, json\n"
        "from click.testing import CliRunner\n"
        "from nlpbench.cli import build_cli\n"
        "from nlpbench.plugins.host import PluginHost\n"
        "host = PluginHost(strict=False)\n"
        "cli = build_cli(host)\n"
        "for args in (['plugins', '--json'], ['list', 'models', '--json'], ['list', 'metrics'], ['list', 'tasks']):\n"
        "    assert CliRunner().invoke(cli, args, obj={'host': host}).exit_code == 0, args\n"
        "print(json.dumps(sorted(m for m in ('torch', 'transformers', 'sklearn', 'scipy', 'datasets', 'jinja2', 'ray', 'pandas') if m in sys.modules)))\n"
    )
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(completed.stdout) == []


def test_conformance_checks_what_a_model_type_can_fine_tune() -> None:
    from nlpbench.testing import check_conformance

    class HalfFinetunable:
        """Says it can fine-tune what it cannot do, and has no finetune()."""

        capabilities = frozenset({"classify"})
        finetunable = frozenset({"generate"})

        def classify(self, requests: list[Any]) -> list[Any]:
            return []

    plugin = _Plugin("half", register_models=lambda register: register(HalfFinetunable, name="half"))
    problems = check_conformance(plugin)
    assert "model type 'half': `finetunable` must be a frozenset of capabilities the model type declares" in problems
    assert "model type 'half': declares `finetunable` but has no finetune() classmethod" in problems
