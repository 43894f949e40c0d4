"""Reaching a Ray cluster: importing Ray, connecting (or starting one for the run), and
reserving what a model's replicas ask for.

Nothing leaves the machine unless the user names a cluster: the cluster started for a
run is this machine's alone (asked for on 127.0.0.1, no dashboard), and Ray's usage
statistics are off.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
from collections.abc import Mapping
from typing import Any

from nlpbench.contracts.errors import ConfigError, ModelError

#: The one line shown when Ray is not installed.
MISSING_RAY = "--executor ray needs Ray, which is not installed: pip install 'nlpbench[ray]'"
#: How long to try to reach a named cluster's address before saying it cannot be reached.
CONNECT_TIMEOUT = 5.0
#: Ray's head port when an address gives none.
DEFAULT_PORT = 6379


def import_ray() -> Any:
    """The ``ray`` module; ConfigError naming the pip command when it is not installed."""
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # before Ray reads it: nothing is sent anywhere
    # Ray's C++ core would take SIGTERM over and abort the process; the run's own handler
    # stops it the run's way (finished work kept, exit 143)
    os.environ.setdefault("RAY_DISABLE_FAILURE_SIGNAL_HANDLER", "1")
    try:
        import ray
    except ImportError:
        raise ConfigError(MISSING_RAY) from None
    return ray


def host_and_port(address: str) -> tuple[str, int] | None:
    """Where ``address`` (``HOST:PORT``, ``ray://HOST:PORT``) points; None for ``auto``
    and ``local``, which Ray resolves itself."""
    if address in ("auto", "local"):
        return None
    rest = address.split("://", 1)[1] if "://" in address else address
    host, _, port = rest.rstrip("/").rpartition(":")
    if not host:  # no port given
        return rest.rstrip("/"), DEFAULT_PORT
    try:
        return host.strip("[]"), int(port)
    except ValueError:
        raise ConfigError(f"Ray address '{address}': the port must be a number, not '{port}'") from None


def check_reachable(address: str, timeout: float = CONNECT_TIMEOUT) -> None:
    """ConfigError unless something listens at ``address``: Ray itself retries an
    unreachable address for minutes, so a wrong one is said at once instead."""
    target = host_and_port(address)
    if target is None:
        return
    try:
        with socket.create_connection(target, timeout=timeout):
            pass
    except OSError as error:
        reason = "timed out" if isinstance(error, TimeoutError) else (error.strerror or str(error))
        raise ConfigError(
            f"cannot reach the Ray cluster at {address}: {reason} (is `ray start --head` running there?)"
        ) from None


class RayConnection:
    """This process's connection to a Ray cluster: to the one at ``address``, or to one
    started for the run (``address`` None) and shut down with it. Connecting happens once,
    from whichever thread first needs it."""

    def __init__(self, ray: Any, address: str | None) -> None:
        self.ray = ray
        self.address = address
        self._lock = threading.Lock()
        self._connected = False
        #: whether this connection called ray.init (a caller's own Ray session is left alone)
        self._owned = False
        #: set at shutdown: the thread that started a local cluster may end
        self._stop = threading.Event()

    def connect(self) -> None:
        with self._lock:
            if self._connected:
                return
            if self.ray.is_initialized():  # the caller's own session (a notebook): used as it is
                self._connected = True
                return
            options: dict[str, Any] = {
                "include_dashboard": False,
                "logging_level": logging.ERROR,
                "log_to_driver": False,
                "namespace": "nlpbench",
            }
            if self.address is None:
                # "local" always starts a new cluster, even where RAY_ADDRESS names another
                options.update(address="local", _node_ip_address="127.0.0.1")
            else:
                options.update(address=self.address)
            try:
                if self.address is None:
                    self._start_local(options)
                else:
                    self._init(options)
            except Exception as error:
                where = f"the Ray cluster at {self.address}" if self.address else "a local Ray cluster"
                hint = (
                    " (a cluster with token authentication, Ray's default, needs RAY_AUTH_MODE=token and its "
                    "token in RAY_AUTH_TOKEN or ~/.ray/auth_token)"
                    if self.address and "RAY_AUTH_MODE" not in os.environ
                    else ""
                )
                raise ConfigError(f"cannot connect to {where}: {_first_line(error)}{hint}") from None
            self._connected = self._owned = True

    def _init(self, options: Mapping[str, Any]) -> None:
        """``ray.init``, the run's SIGTERM handler kept (Ray takes it over in the main thread)."""
        main = threading.current_thread() is threading.main_thread()
        previous = signal.getsignal(signal.SIGTERM) if main else None
        try:
            self.ray.init(**options)
        finally:
            if main:  # SIGTERM keeps stopping the run the run's way: work kept, exit 143
                signal.signal(signal.SIGTERM, previous)

    def _start_local(self, options: Mapping[str, Any]) -> None:
        """``ray.init`` of a new local cluster from a thread that lives until :meth:`shutdown`:
        Ray ties the processes it starts to the life of the thread that started them, and a
        model's thread ends when its cells do, while other models still need the cluster."""
        started = threading.Event()
        failed: list[BaseException] = []

        def keep() -> None:
            try:
                self.ray.init(**options)
            except BaseException as error:  # told to the caller
                failed.append(error)
                return
            finally:
                started.set()
            self._stop.wait()

        threading.Thread(target=keep, name="nlpbench-ray-cluster", daemon=True).start()
        started.wait()
        if failed:
            raise failed[0]

    def resources(self) -> dict[str, float]:
        """What the whole cluster has (CPU, GPU, memory in bytes), for messages."""
        return {k: v for k, v in self.ray.cluster_resources().items() if k in ("CPU", "GPU", "memory")}

    def shutdown(self) -> None:
        with self._lock:
            if self._owned:
                self.ray.shutdown()
            self._stop.set()  # the local cluster's thread may end now: its processes are gone
            self._connected = self._owned = False


def bundle_of(resources: Mapping[str, Any]) -> dict[str, float]:
    """One replica's reservation, as a placement group bundle: CPU (1 unless told), GPU
    and memory where given."""
    bundle = {"CPU": float(resources.get("num_cpus", 1))}
    if resources.get("num_gpus"):
        bundle["GPU"] = float(resources["num_gpus"])
    if resources.get("memory"):
        bundle["memory"] = float(resources["memory"])
    return bundle


def reserve(connection: RayConnection, model: str, replicas: int, bundle: Mapping[str, float], timeout: float) -> Any:
    """A placement group holding ``replicas`` bundles, ready; ModelError when the cluster
    cannot place them within ``timeout`` seconds (a request no node satisfies, or more
    replicas than fit), instead of waiting forever."""
    ray = connection.ray
    group = ray.util.placement_group([dict(bundle)] * replicas, strategy="PACK")
    if group.wait(timeout_seconds=timeout):
        return group
    ray.util.remove_placement_group(group)
    asked = ", ".join(f"{k} {_amount(k, v)}" for k, v in bundle.items())
    has = ", ".join(f"{k} {_amount(k, v)}" for k, v in sorted(connection.resources().items())) or "nothing"
    copies = f"{replicas} replicas" if replicas != 1 else "1 replica"
    raise ModelError(
        f"model '{model}': the Ray cluster could not place {copies} asking {asked} each within {timeout:g} s "
        f"(the cluster has {has} in all); lower replicas or resources, or add nodes"
    )


def _amount(key: str, value: float) -> str:
    if key == "memory":
        return f"{value / 2**30:.3g} GiB"
    return f"{value:g}"


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__
