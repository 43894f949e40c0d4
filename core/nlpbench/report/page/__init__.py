"""The HTML report's page: Jinja2 templates (``templates/``), its inline CSS and script
(``static/``), and one small module per part of the page that turns results.json into
what a template lays out. :func:`render_page` renders the whole page; ``nlpbench.report.html``
is the reporter that writes it."""

from __future__ import annotations

from nlpbench.report.page.escaping import script_json
from nlpbench.report.page.page import render_page

__all__ = ["render_page", "script_json"]
