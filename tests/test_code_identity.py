"""A plugin's code as the store's keys see it: its version, and for an editable install
a hash of its package's files (sources and data, not bytecode caches)."""

from __future__ import annotations

import importlib
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from nlpbench.plugins.code_identity import packages_digest, plugin_code
from nlpbench.plugins.host import PluginHost


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder on sys.path holding ``nlpbench_probe`` (a package with a data file) and its
    distribution's metadata; the package is imported fresh and forgotten afterwards."""
    folder = tmp_path / "site"
    package = folder / "nlpbench_probe"
    (package / "data").mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "plugin.py").write_text("ANSWER = 1\n", encoding="utf-8")
    (package / "data" / "words.txt").write_text("good\n", encoding="utf-8")
    info = folder / "nlpbench_probe-0.3.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: nlpbench-probe\nVersion: 0.3\n", encoding="utf-8")
    (info / "top_level.txt").write_text("nlpbench_probe\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(folder))
    importlib.invalidate_caches()
    yield folder
    for name in [m for m in sys.modules if m.startswith("nlpbench_probe")]:
        del sys.modules[name]


def _editable(site: Path) -> None:
    direct = {"url": f"file://{site}", "dir_info": {"editable": True}}
    (site / "nlpbench_probe-0.3.dist-info" / "direct_url.json").write_text(json.dumps(direct), encoding="utf-8")


def _identity(site: Path) -> dict[str, object]:
    packages_digest.cache_clear()  # once per process in use; here the files change under it
    module = importlib.import_module("nlpbench_probe.plugin")
    return plugin_code("nlpbench-probe", "0.3", module)


def test_a_released_plugin_is_its_version(site: Path) -> None:
    first = _identity(site)
    assert first == {"version": "0.3"}
    (site / "nlpbench_probe" / "plugin.py").write_text("ANSWER = 2\n", encoding="utf-8")
    assert _identity(site) == first


def test_an_editable_plugin_adds_a_hash_of_its_sources_and_data(site: Path) -> None:
    _editable(site)
    first = _identity(site)
    assert first["version"] == "0.3" and isinstance(first["source"], str) and len(first["source"]) == 64
    (site / "nlpbench_probe" / "__pycache__").mkdir()
    (site / "nlpbench_probe" / "__pycache__" / "plugin.cpython-311.pyc").write_bytes(b"\0bytecode")
    assert _identity(site) == first  # bytecode caches are not what the plugin ships
    (site / "nlpbench_probe" / "plugin.py").write_text("ANSWER = 2\n", encoding="utf-8")
    changed = _identity(site)
    assert changed["source"] != first["source"]
    (site / "nlpbench_probe" / "data" / "words.txt").write_text("bad\n", encoding="utf-8")
    assert _identity(site)["source"] not in (first["source"], changed["source"])  # its data counts too


def test_a_direct_url_that_is_not_editable_is_a_release(site: Path) -> None:
    direct = {"url": "file:///wheels/nlpbench_probe-0.3-py3-none-any.whl", "archive_info": {}}
    (site / "nlpbench_probe-0.3.dist-info" / "direct_url.json").write_text(json.dumps(direct), encoding="utf-8")
    assert _identity(site) == {"version": "0.3"}


def test_a_plugin_object_no_distribution_owns_is_hashed_by_its_module() -> None:
    identity = plugin_code(None, None, sys.modules[__name__])
    assert identity["version"] is None and len(str(identity["source"])) == 64


def test_the_host_gives_each_plugin_its_code_and_this_repository_hashes_fast() -> None:
    host = PluginHost(strict=False)
    loaded = [p.name for p in host.plugins if p.status == "ok"]
    packages_digest.cache_clear()
    started = time.perf_counter()
    identities = {name: host.code_identity(name) for name in loaded}
    seconds = time.perf_counter() - started
    # the core and this repository's plugins are editable installs in development
    assert identities["nlpbench"]["plugin"] == "nlpbench" and "source" in identities["nlpbench"]
    assert seconds < 2.0, f"hashing every plugin's sources took {seconds:.2f} s"
