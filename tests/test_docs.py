"""The docs agree with the code: every hook documented with its exact signature, and
the plugin guide's scaffold example matches what ``nlpbench plugin new`` writes."""

from __future__ import annotations

import dataclasses
import inspect
import re
import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from nlpbench.cli import cli
from nlpbench.contracts import hookspecs
from nlpbench.plugins.host import PluginHost

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
    """Every hook specification in ``nlpbench.contracts.hookspecs``, by name."""
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
    assert not unknown, f"docs/hooks.md documents hooks that nlpbench.contracts.hookspecs does not have: {unknown}"


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


# ---------------------------------------------------------------------------
# task-helpers.md: the helpers task plugins are told to use
# ---------------------------------------------------------------------------

HELPERS_DOC = DOCS / "task-helpers.md"
REPO = DOCS.parent
#: Every doc a user or plugin author reads.
ALL_DOCS = sorted([*DOCS.rglob("*.md"), REPO / "README.md", *(REPO / "plugins").glob("*/README.md")])

#: The helpers the docs tell task plugins to use: each must be documented with its signature.
HELPERS = (
    "task_data", "TaskData", "TaskData.kept", "DataSource.read", "Row", "column", "map_columns", "prompting",
    "Prompting", "PromptTemplates", "PromptTemplates.for_model", "PromptTemplate.render", "FewShotSampler",
    "FewShotSampler.draw", "derived_seed",
)  # fmt: skip
CALL_SIGNATURE = re.compile(r"^(?P<name>[A-Za-z_][\w.]*)\((?P<params>.*)\)(?: -> .+)?$")


def _resolve(name: str) -> Any:
    """``nlpbench.NAME`` (or ``nlpbench.testing.NAME``), following dots into attributes."""
    import nlpbench
    import nlpbench.testing

    for root in (nlpbench, nlpbench.testing):
        obj: Any = root
        try:
            for part in name.split("."):
                obj = getattr(obj, part)
        except AttributeError:
            continue
        return obj
    raise AttributeError(f"neither nlpbench nor nlpbench.testing has {name}")


def render_call(name: str, obj: Any) -> str:
    """``name(params) -> return`` as the helpers page writes it: ``self`` left out, a class
    without a return, a dataclass field's default factory shown as the value it makes."""
    text = render_signature(name, obj).removeprefix("def ")
    text = re.sub(r"\(self(, )?", "(", text, count=1)
    if inspect.isclass(obj):
        text = re.sub(r" -> .*$", "", text)
        if dataclasses.is_dataclass(obj):
            for item in dataclasses.fields(obj):
                if item.default_factory is not dataclasses.MISSING:
                    text = text.replace(f"{item.name}: {item.type} = <factory>",
                                        f"{item.name}: {item.type} = {item.default_factory()!r}")  # fmt: skip
    return text


def documented_calls(text: str) -> dict[str, list[str]]:
    """The helpers page's signature blocks (```python blocks of one ``name(...)`` line), by name."""
    found: dict[str, list[str]] = {}
    for lang, body in fenced_blocks(text):
        lines = [line for line in body.strip().splitlines() if line.strip()]
        match = CALL_SIGNATURE.match(lines[0].strip()) if lang == "python" and len(lines) == 1 else None
        if match:
            found.setdefault(match["name"], []).append(lines[0].strip())
    return found


@pytest.mark.parametrize("name", HELPERS)
def test_every_task_helper_is_documented_with_its_exact_signature(name: str) -> None:
    expected = render_call(name, _resolve(name))
    documented = documented_calls(HELPERS_DOC.read_text(encoding="utf-8")).get(name)
    assert documented, f"docs/task-helpers.md does not document {name}: add\n```python\n{expected}\n```"
    assert documented == [expected], f"docs/task-helpers.md documents {name} as {documented}; it is {expected!r}"


def test_every_documented_helper_signature_is_real() -> None:
    documented = documented_calls(HELPERS_DOC.read_text(encoding="utf-8"))
    assert set(HELPERS) <= set(documented)
    for name, signatures in documented.items():
        assert signatures == [render_call(name, _resolve(name))], name


def test_a_drifted_helper_signature_is_caught() -> None:
    text = HELPERS_DOC.read_text(encoding="utf-8").replace("k: int, seed: int", "k: int, seed: int | None")
    assert documented_calls(text)["FewShotSampler"] != [render_call("FewShotSampler", _resolve("FewShotSampler"))]


def _worked_example() -> tuple[dict[str, str], str, str]:
    """The helpers page's worked example: its plugin's files (blocks starting ``# PATH.py``),
    the ``# try it`` block, and the ```text block that shows what it prints."""
    blocks = fenced_blocks(HELPERS_DOC.read_text(encoding="utf-8"))
    files = {
        body.splitlines()[0][2:]: body for lang, body in blocks if lang == "python" and body.startswith("# nlpbench_")
    }
    (index,) = [i for i, (lang, body) in enumerate(blocks) if lang == "python" and body.startswith("# try it")]
    assert blocks[index + 1][0] == "text", "the `# try it` block must be followed by a ```text block of its output"
    return files, blocks[index][1], blocks[index + 1][1]


def test_the_helpers_worked_example_runs_and_prints_what_the_page_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    files, script, shown = _worked_example()
    assert set(files) == {"nlpbench_reviews/task.py", "nlpbench_reviews/plugin.py"}
    for name, body in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(body, encoding="utf-8")
    (tmp_path / "nlpbench_reviews" / "__init__.py").write_text("", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        exec(compile(script, "task-helpers.md (try it)", "exec"), {"__name__": "try_it"})
        import nlpbench_reviews.plugin  # type: ignore[import-not-found]

        from nlpbench.testing import check_conformance

        assert check_conformance(nlpbench_reviews.plugin) == []
    finally:
        for module in [m for m in sys.modules if m == "nlpbench_reviews" or m.startswith("nlpbench_reviews.")]:
            del sys.modules[module]
    assert capsys.readouterr().out == shown


def _table_keys(text: str, heading: str, after: str) -> list[str]:
    """The first column of the first table after ``after`` in the section ``heading``."""
    section = text.split(heading, 1)[1]
    rows = section.split(after, 1)[1].split("\n\n", 2)[1]
    return [line.split("|")[1].strip().strip("`") for line in rows.splitlines()[2:] if line.startswith("|")]


def test_the_tiny_models_params_are_documented_as_they_are() -> None:
    from nlpbench.contracts.options import options_schema_of
    from nlpbench.testing import TinyModel

    schema = options_schema_of(TinyModel)
    known = list(getattr(TinyModel, "KNOWN_PARAMS", None) or (schema.model_fields if schema else ()))
    documented = _table_keys(HELPERS_DOC.read_text(encoding="utf-8"), "### The tiny model and task", "Its `params`:")
    assert sorted(documented) == sorted(known)


# ---------------------------------------------------------------------------
# every doc: what it says about names, errors and built-ins is what the code does
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def installed() -> PluginHost:
    """Every installed plugin (this repository's), as a user's `nlpbench` sees them."""
    return PluginHost(strict=False, disabled=())


def test_errors_are_documented_as_the_cli_prints_them(tmp_path: Path) -> None:
    """The CLI prints `Error: ...`; no doc may show the `nlpbench: error:` it once documented."""
    stale = [f"{path.relative_to(REPO)}:{n}" for path in ALL_DOCS
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if "nlpbench: error:" in line]  # fmt: skip
    assert not stale, f"errors print as `Error: ...`, not `nlpbench: error: ...`: {stale}"
    host = PluginHost(entry_points=False, strict=False, disabled=())
    result = CliRunner().invoke(cli, ["validate", str(tmp_path / "missing.yaml")], obj={"host": host})
    assert result.exit_code == 2 and result.stderr.startswith("Error: ")


def test_the_core_reporters_are_listed_as_they_are() -> None:
    host = PluginHost(entry_points=False, strict=False, disabled=())
    builtin = [item.name for item in host.reporters]
    shown = f"nlpbench {host.plugins[0].version}  reporters: " + ", ".join(host.plugins[0].components["reporters"])
    lines = [line for path in ALL_DOCS for line in path.read_text(encoding="utf-8").splitlines()
             if re.match(r"^nlpbench \S+  reporters:", line)]  # fmt: skip
    assert lines and all(line == shown for line in lines), f"`nlpbench plugins` prints {shown!r}, the docs {lines}"
    core_row = next(line for line in (REPO / "README.md").read_text(encoding="utf-8").splitlines()
                    if line.startswith("| `nlpbench` (core/)"))  # fmt: skip
    assert all(f"`{name}`" in core_row for name in builtin), core_row


def test_no_doc_writes_a_registered_id_with_underscores(installed: PluginHost) -> None:
    """`language_modeling` for `language-modeling`: an id with hyphens written with underscores
    (where that spelling is not registered too) is a name no suite accepts. Metrics are
    left out: docs name lm-evaluation-harness's `exact_match` and `word_perplexity` as such."""
    taken = {name for kind, registry in installed.registries.items() if kind != "metrics" for name in registry.names()}
    wrong = {name.replace("-", "_"): name for name in taken if "-" in name and name.replace("-", "_") not in taken}
    found = [
        f"{path.relative_to(REPO)}:{n}: `{token}` (the id is `{wrong[token]}`)"
        for path in ALL_DOCS
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        for token in re.findall(r"`([a-z0-9_]+)`", line)
        if token in wrong
    ]
    assert not found, found


def _documented_registrations() -> list[tuple[str, str, str, list[str]]]:
    """Every ``register(Class, name="...", aliases=[...])`` the docs and hookspecs' docstrings show."""
    call = re.compile(r'register\((\w+), name="([\w-]+)"(?:, aliases=\[([^\]]*)\])?\)')
    texts = [(str(path.relative_to(REPO)), path.read_text(encoding="utf-8")) for path in ALL_DOCS]
    texts += [(f"hookspecs.{name}", inspect.getdoc(spec) or "") for name, spec in hook_specs().items()]
    texts.append(("hookspecs", hookspecs.__doc__ or ""))
    return [
        (where, m[1], m[2], [a.strip().strip("\"'") for a in m[3].split(",") if a.strip()] if m[3] else [])
        for where, text in texts
        for m in call.finditer(text)
    ]


def test_registration_examples_name_real_components_as_they_are_registered(installed: PluginHost) -> None:
    """An example that registers a shipped component's id must show its real class and
    aliases (`aliases=["acc"]` for `accuracy` was documented but never registered)."""
    examples = _documented_registrations()
    assert len(examples) >= 8
    problems = []
    for where, cls, name, aliases in examples:
        owners = [registry.owner(name) for registry in installed.registries.values()]
        found = [item for item in owners if item is not None]
        if not found:
            continue  # an example plugin's own component (topics-exact-match)
        item = found[0]
        if item.name != name:
            problems.append(f"{where}: {name} is an alias of {item.name}, not an id")
        elif getattr(item.component, "__name__", None) != cls or sorted(item.aliases) != sorted(aliases):
            problems.append(f"{where}: register({cls}, name={name!r}, aliases={aliases}) but it is "
                            f"register({getattr(item.component, '__name__', '?')}, aliases={list(item.aliases)})")  # fmt: skip
    assert not problems, problems


def test_documented_aliases_are_registered(installed: PluginHost) -> None:
    """`X` (alias `Y`), `X` (aliases `Y`, `Z`), `X` (also `Y`), `X` (also reachable as `Y`):
    each Y resolves to X."""
    claim = re.compile(r"`([\w-]+)` \((?:alias|aliases|also reachable as|also) (`[\w-]+`(?:, `[\w-]+`)*)\)")
    checked, problems = 0, []
    for path in ALL_DOCS:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for m in claim.finditer(line):
                name, aliases = m[1], re.findall(r"`([\w-]+)`", m[2])
                owners = [r.owner(name) for r in installed.registries.values() if r.owner(name) is not None]
                if not owners or any(owners[0].name != name or alias not in owners[0].aliases for alias in aliases):
                    problems.append(f"{path.relative_to(REPO)}:{n}: {m[0]}")
                checked += 1
    assert checked >= 10 and not problems, problems
