"""The docs agree with the code: every hook documented with its exact signature, and
the plugin guide's scaffold example matches what ``nlpbench plugin new`` writes."""

from __future__ import annotations

import inspect
import re
import shlex
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from nlpbench import hookspecs
from nlpbench.cli import cli
from nlpbench.plugins import PluginHost

DOCS = Path(__file__).resolve().parents[1] / "docs"
HOOKS_DOC = DOCS / "hooks.md"
PLUGINS_DOC = DOCS / "writing-plugins.md"

FENCE = re.compile(r"^```(?P<lang>[\w-]*)\n(?P<body>.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)


def fenced_blocks(text: str) -> list[tuple[str, str]]:
    """Every fenced block of a Markdown text, as (language, body)."""
    return [(m["lang"], m["body"]) for m in FENCE.finditer(text)]


def render_signature(name: str, function: Callable[..., Any]) -> str:
    """``def name(params) -> return``, with the annotations as written in the source
    (``hookspecs`` uses ``from __future__ import annotations``, so they are strings)."""
    signature = inspect.signature(function)
    parameters = list(signature.parameters.values())
    parts: list[str] = []
    for index, parameter in enumerate(parameters):
        previous = parameters[index - 1].kind if index else None
        if parameter.kind is parameter.KEYWORD_ONLY and previous not in (
            parameter.VAR_POSITIONAL,
            parameter.KEYWORD_ONLY,
        ):
            parts.append("*")  # the bare star before the first keyword-only parameter
        text = parameter.name
        if parameter.kind is parameter.VAR_POSITIONAL:
            text = "*" + text
        elif parameter.kind is parameter.VAR_KEYWORD:
            text = "**" + text
        annotated = parameter.annotation is not parameter.empty
        if annotated:
            text += f": {_annotation(parameter.annotation)}"
        if parameter.default is not parameter.empty:
            text += f" = {parameter.default!r}" if annotated else f"={parameter.default!r}"
        parts.append(text)
        if parameter.kind is parameter.POSITIONAL_ONLY and (
            index + 1 == len(parameters) or parameters[index + 1].kind is not parameter.POSITIONAL_ONLY
        ):
            parts.append("/")
    returns = signature.return_annotation
    suffix = f" -> {_annotation(returns)}" if returns is not signature.empty else ""
    return f"def {name}({', '.join(parts)}){suffix}"


def _annotation(annotation: Any) -> str:
    return annotation if isinstance(annotation, str) else inspect.formatannotation(annotation)


def hook_specs() -> dict[str, Callable[..., Any]]:
    """Every hook specification in ``nlpbench.hookspecs``, by name."""
    marker = f"{hookspecs.PROJECT}_spec"
    return {name: obj for name, obj in vars(hookspecs).items() if callable(obj) and hasattr(obj, marker)}


def documented_signatures(text: str) -> list[str]:
    """The signature blocks of a doc: ```python blocks of a single ``def ...`` line
    without a body (examples have a colon and a body, so they are not counted)."""
    found = []
    for lang, body in fenced_blocks(text):
        lines = [line for line in body.strip().splitlines() if line.strip()]
        if lang == "python" and len(lines) == 1 and lines[0].startswith("def ") and not lines[0].endswith(":"):
            found.append(lines[0].strip())
    return found


# ---------------------------------------------------------------------------
# hooks.md
# ---------------------------------------------------------------------------


def test_render_signature_matches_the_source_text() -> None:
    assert render_signature("register_models", hook_specs()["register_models"]) == (
        "def register_models(register: Register) -> None"
    )


def test_there_are_hooks_to_document() -> None:
    assert {"register_models", "register_tasks", "register_metrics", "register_commands"} <= set(hook_specs())


@pytest.mark.parametrize("name", sorted(hook_specs()))
def test_every_hook_is_documented_with_its_exact_signature(name: str) -> None:
    expected = render_signature(name, hook_specs()[name])
    documented = [
        s for s in documented_signatures(HOOKS_DOC.read_text(encoding="utf-8")) if s.startswith(f"def {name}(")
    ]
    assert documented, f"docs/hooks.md does not document the hook {name}: add\n```python\n{expected}\n```"
    assert documented == [expected], f"docs/hooks.md documents {name} as {documented}; the hookspec is {expected!r}"


def test_every_documented_hook_exists() -> None:
    names = [re.match(r"def (\w+)\(", s) for s in documented_signatures(HOOKS_DOC.read_text(encoding="utf-8"))]
    documented = [m.group(1) for m in names if m]
    assert len(documented) == len(set(documented)), f"a hook is documented twice: {sorted(documented)}"
    unknown = sorted(set(documented) - set(hook_specs()))
    assert not unknown, f"docs/hooks.md documents hooks that nlpbench.hookspecs does not have: {unknown}"


def test_the_register_callback_is_documented_exactly() -> None:
    expected = render_signature("__call__", hookspecs.Register.__call__)
    blocks = [body for lang, body in fenced_blocks(HOOKS_DOC.read_text(encoding="utf-8")) if lang == "python"]
    register = [body for body in blocks if body.startswith("class Register(Protocol):")]
    assert len(register) == 1, "docs/hooks.md must show `class Register(Protocol):` once"
    (line,) = [line.strip() for line in register[0].splitlines() if line.strip().startswith("def __call__")]
    assert line == expected + ": ..."


def test_a_drifted_signature_is_caught() -> None:
    """The checker itself catches a drifted signature (guards against a parser that finds nothing)."""
    text = HOOKS_DOC.read_text(encoding="utf-8").replace(
        "def register_tasks(register: Register) -> None", "def register_tasks(register) -> None"
    )
    documented = [s for s in documented_signatures(text) if s.startswith("def register_tasks(")]
    assert documented and documented != [render_signature("register_tasks", hook_specs()["register_tasks"])]


# ---------------------------------------------------------------------------
# writing-plugins.md
# ---------------------------------------------------------------------------


def parse_tree(listing: str) -> set[str]:
    """The files of a ``tree``-style listing (``├── name``, ``│   └── name``), as
    paths relative to its first line's folder."""
    lines = listing.strip("\n").splitlines()
    stack: list[str] = []
    files: set[str] = set()
    for line in lines[1:]:
        match = re.match(r"^((?:│   |    )*)(?:├── |└── )(.+?)\s*$", line)
        assert match, f"not a tree line: {line!r}"
        depth = len(match.group(1)) // 4
        name = match.group(2)
        stack = stack[:depth]
        if name.endswith("/"):
            stack.append(name.rstrip("/"))
        else:
            files.add("/".join([*stack, name]))
    return files


def _scaffold_examples() -> list[tuple[list[str], list[str]]]:
    """Each ```bash block that runs ``nlpbench plugin new``, with the ```text blocks
    that follow it up to the next ```bash block."""
    blocks = fenced_blocks(PLUGINS_DOC.read_text(encoding="utf-8"))
    examples = []
    for index, (lang, body) in enumerate(blocks):
        if lang == "bash" and body.startswith("nlpbench plugin new"):
            following = []
            for next_lang, next_body in blocks[index + 1 :]:
                if next_lang == "bash":
                    break
                if next_lang == "text":
                    following.append(next_body)
            examples.append((shlex.split(body.strip().splitlines()[0]), following))
    return examples


def test_the_guide_scaffolds_a_plugin() -> None:
    assert _scaffold_examples(), "docs/writing-plugins.md has no ```bash block running `nlpbench plugin new`"


@pytest.mark.parametrize("command, outputs", _scaffold_examples())
def test_the_guides_scaffold_example_is_what_it_writes(
    command: list[str], outputs: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert command[:3] == ["nlpbench", "plugin", "new"]
    monkeypatch.chdir(tmp_path)
    host = PluginHost(entry_points=False, strict=False, disabled=())
    result = CliRunner().invoke(cli, command[1:], obj={"host": host})
    assert result.exit_code == 0, result.output
    created = [o for o in outputs if o.startswith("created ")]
    assert created, "the guide shows no output of `nlpbench plugin new`"
    assert created[0] == result.output
    trees = [o for o in outputs if o.splitlines()[0].endswith("/")]
    assert len(trees) == 1, "the guide shows no listing of the folder `nlpbench plugin new` writes"
    folder = tmp_path / trees[0].splitlines()[0].rstrip("/")
    assert folder.is_dir(), (
        f"the guide lists {folder.name}/ but the command wrote {sorted(p.name for p in tmp_path.iterdir())}"
    )
    written = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert parse_tree(trees[0]) == written
