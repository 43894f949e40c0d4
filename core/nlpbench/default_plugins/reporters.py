"""Built-in reporters."""

from __future__ import annotations

from ..hookspecs import Register, hookimpl
from ..report import HtmlReporter
from ..reporters_text import CsvReporter, JsonReporter, MarkdownReporter


@hookimpl
def register_reporters(register: Register) -> None:
    register(HtmlReporter, name="html")
    register(JsonReporter, name="json")
    register(MarkdownReporter, name="markdown")
    register(CsvReporter, name="csv")
