"""Built-in reporters."""

from __future__ import annotations

from ..hookspecs import Register, hookimpl
from ..report import HtmlReporter


@hookimpl
def register_reporters(register: Register) -> None:
    register(HtmlReporter, name="html")
