"""Which executor a run uses: the command line's (``--executor``, ``--ray-address``),
else the suite's ``executor:`` entry, else local."""

from __future__ import annotations

from nlpbench.contracts.errors import ConfigError
from nlpbench.plugins.host import PluginHost
from nlpbench.running.executors.base import Executor
from nlpbench.running.executors.local import LocalExecutor
from nlpbench.suites.executing import EXECUTORS
from nlpbench.suites.suite import Suite


def choose_executor(suite: Suite, host: PluginHost, kind: str | None = None, address: str | None = None) -> Executor:
    """The executor for ``suite``: ``kind`` and ``address`` (the command line's) win over
    the suite's; an ``address`` alone means Ray. ConfigError (exit 2) for an address with
    the local executor, Ray not installed, or a cluster that cannot be reached."""
    chosen = kind or ("ray" if address is not None else suite.executor.type)
    if chosen not in EXECUTORS:
        raise ConfigError(f"executor must be one of {', '.join(EXECUTORS)}, not {chosen!r}")
    if chosen == "local":
        if address is not None:
            raise ConfigError("--ray-address applies only with --executor ray")
        return LocalExecutor(host)
    from nlpbench.running.executors.ray import RayExecutor  # imports Ray only when asked for

    return RayExecutor(
        address if address is not None else suite.executor.address,
        host,
        models=len(suite.models),
        placement_timeout=suite.executor.placement_timeout,
    )
