"""Built-in reporters."""

from __future__ import annotations

from nlpbench.contracts.hookspecs import Register, hookimpl
from nlpbench.report.html import HtmlReporter
from nlpbench.report.text import CsvReporter, JsonReporter, MarkdownReporter


@hookimpl
def register_reporters(register: Register) -> None:
    register(HtmlReporter, name="html")
    register(JsonReporter, name="json")
    register(MarkdownReporter, name="markdown")
    register(CsvReporter, name="csv")
