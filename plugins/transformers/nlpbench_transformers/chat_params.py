"""The ``chat`` and ``system`` params of the transformer model types that prompt (gpt,
t5), and what ``nlpbench validate`` checks of them before anything loads: that a model
asked for ``chat: true`` has a chat template in its tokenizer's files, that a template
file is there and that a template parses. Importing this module never imports torch.

``chat`` is ``false`` (plain prompts), ``true`` (the tokenizer's own template), a Jinja
chat template, or the path of a ``.jinja`` file (relative to the suite's folder).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationInfo, field_validator

from nlpbench import ModelSpec

from .params import HFParams

#: What a template file's name ends with: a ``chat:`` string ending so is a path.
TEMPLATE_SUFFIX = ".jinja"
#: The files a tokenizer folder keeps a chat template in (transformers writes the first
#: since 4.43 and reads both).
TEMPLATE_FILE = "chat_template.jinja"
TOKENIZER_CONFIG = "tokenizer_config.json"


class ChatParams(HFParams):
    """The common transformer params and ``chat``/``system``, for the model types that prompt."""

    chat: bool | str = Field(
        default=False,
        description="Prompt through a chat template: false (plain prompts), true (the tokenizer's own, "
        "apply_chat_template), a Jinja chat template, or the path of a .jinja file relative to the suite. "
        "Generation prompts become the conversation (few-shot examples as turns) and a scored context one user "
        "turn, both with the generation prompt; whole-text scoring (perplexity) ignores it.",
    )
    system: str | None = Field(
        default=None, description="With chat: a system prompt, the conversation's first message."
    )

    @field_validator("chat")
    @classmethod
    def _a_template(cls, value: bool | str) -> bool | str:
        if isinstance(value, str) and not value.strip():
            raise ValueError("must be true, false, a chat template or the path of a .jinja file, not an empty text")
        return value

    @field_validator("system")
    @classmethod
    def _only_with_chat(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and info.data.get("chat", False) is False:
            raise ValueError(
                "applies only with chat (true, a template or a .jinja file): a plain prompt has no system turn"
            )
        return value


def is_template_file(value: str) -> bool:
    """Whether a ``chat:`` string names a file (one line ending ``.jinja``) rather than being a template."""
    text = value.strip()
    return "\n" not in text and text.endswith(TEMPLATE_SUFFIX)


def chat_problems(spec: ModelSpec, params: ChatParams, *, built_in: str) -> list[str]:
    """What ``params.chat`` cannot do for ``spec``, found without loading anything: a
    missing template file, a template that does not parse, or ``chat: true`` for a
    tokenizer whose files hold no template (``built_in`` names the tokenizer a model
    built from ``config:`` gets, which has none). A hub id not in the local cache is
    checked when the model loads."""
    chat = params.chat
    if chat is False:
        return []
    if isinstance(chat, str):
        if is_template_file(chat):
            path = spec.resolve(chat.strip())
            if not path.is_file():
                return [f"params.chat: no template file '{path}' (a path is relative to the suite's folder)"]
            return template_problems(path.read_text(encoding="utf-8"), f"params.chat ({path.name})")
        return template_problems(chat, "params.chat")
    folder, where = _tokenizer_files(spec)
    if folder is None:
        if where == "built-in":
            return [
                f"params.chat: true, but the built-in tokenizer ({built_in}) has no chat template: "
                "give the template itself, or the path of a .jinja file"
            ]
        return []  # a hub id not in the local cache: checked when it loads
    if has_chat_template(folder) is False and not (where.startswith("hub") and _template_file_unknown(spec)):
        return [
            f"params.chat: true, but the tokenizer of {where} has no chat template (no chat_template in "
            f"{TOKENIZER_CONFIG}, no {TEMPLATE_FILE}): give the template itself, or the path of a .jinja file"
        ]
    return []


def template_problems(source: str, where: str) -> list[str]:
    """A Jinja syntax error of a chat template, in one line (parsed as transformers does)."""
    import jinja2
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    environment = ImmutableSandboxedEnvironment(
        trim_blocks=True, lstrip_blocks=True, extensions=["jinja2.ext.loopcontrols"]
    )
    try:
        environment.parse(source)
    except jinja2.TemplateSyntaxError as error:
        return [f"{where}: chat template error on its line {error.lineno}: {error.message}"]
    return []


def has_chat_template(folder: Path) -> bool | None:
    """Whether the tokenizer files in ``folder`` hold a chat template; None when the folder
    holds no tokenizer config to tell (loading the model will say what is wrong)."""
    if (folder / TEMPLATE_FILE).is_file():
        return True
    config_file = folder / TOKENIZER_CONFIG
    if not config_file.is_file():
        return None
    try:
        config = json.loads(config_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return isinstance(config, dict) and bool(config.get("chat_template"))


def _tokenizer_files(spec: ModelSpec) -> tuple[Path | None, str]:
    """The folder holding the entry's tokenizer files, and how to name it in an error:
    (None, "built-in") for a model built from ``config:`` with the default tokenizer,
    (None, "hub") for a hub id not in the local cache."""
    if spec.config is not None:
        tokenizer = spec.config.get("tokenizer")
        if tokenizer is None:
            return None, "built-in"
        return spec.resolve(str(tokenizer)), f"config.tokenizer '{tokenizer}'"
    if spec.path is not None:
        return spec.path, f"'{spec.path}'"
    if spec.hub is not None:
        cached = _cached_hub_folder(spec.hub, spec.revision)
        return (cached, f"hub '{spec.hub}' (its cached copy)") if cached is not None else (None, "hub")
    return None, "hub"


def _template_file_unknown(spec: ModelSpec) -> bool:
    """Whether the hub cache cannot tell if ``spec.hub`` has a chat_template.jinja (never
    asked for it): then loading decides."""
    from huggingface_hub import try_to_load_from_cache

    assert spec.hub is not None
    return try_to_load_from_cache(spec.hub, TEMPLATE_FILE, revision=spec.revision) is None


def _cached_hub_folder(repo: str, revision: str | None) -> Path | None:
    """The local snapshot folder of ``repo``'s tokenizer config, when the hub cache has it."""
    from huggingface_hub import try_to_load_from_cache

    try:
        found: Any = try_to_load_from_cache(repo, TOKENIZER_CONFIG, revision=revision)
    except (ValueError, OSError):  # not a valid repo id: loading says so
        return None
    return Path(found).parent if isinstance(found, str) else None
