"""The import-graph helper the transformer plugins' tests use to keep their modules free
of circles, checked on throwaway packages and on this library itself."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from nlpbench_transformers.import_graph import import_cycles, import_graph


def make_package(root: Path, name: str, modules: dict[str, str]) -> None:
    folder = root / name
    for module, source in modules.items():
        path = folder / (module.replace(".", "/") + ".py")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source), encoding="utf-8")


def test_lazy_and_type_checking_imports_count(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_package(
        tmp_path,
        "circle_pkg",
        {
            "__init__": "from .model import Model\n",
            "model": """\
                from typing import TYPE_CHECKING
                import os
                if TYPE_CHECKING:
                    from .loaded import Loaded
                class Model:
                    def train(self):
                        from . import finetune
                        return finetune
            """,
            "finetune": "def run():\n    from circle_pkg.model import Model\n    return Model\n",
            "loaded": "from .util import helper\n",
            "util": "import circle_pkg.sub.leaf\nhelper = 1\n",
            "sub.__init__": "",
            "sub.leaf": "from .. import util\n",
        },
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    graph = import_graph("circle_pkg")
    assert graph == {
        "": {"model"},
        "model": {"loaded", "finetune"},
        "finetune": {"model"},
        "loaded": {"util"},
        "util": {"sub.leaf"},
        "sub": set(),
        "sub.leaf": {"util"},
    }
    assert import_cycles("circle_pkg") == [["finetune", "model"], ["sub.leaf", "util"]]


def test_one_way_dependencies_have_no_cycles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_package(
        tmp_path, "line_pkg", {"__init__": "", "a": "from . import b\n", "b": "from .c import x\n", "c": "x = 1\n"}
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    assert import_cycles("line_pkg") == []
    with pytest.raises(ValueError, match="not an importable package"):
        import_graph("no_such_pkg_here")


def test_this_library_has_no_cycles() -> None:
    assert import_cycles("nlpbench_transformers") == []
