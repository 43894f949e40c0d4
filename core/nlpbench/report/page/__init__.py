"""The HTML report's page: Jinja2 templates (``templates/``), its inline CSS and script
(``static/``), and one small module per part of the page that turns results.json into
what a template lays out. :func:`render_page` renders the whole page; ``nlpbench.report.html``
is the reporter that writes it (``nlpbench.report.page.page.render_page``).

Nothing is imported here: the html reporter is registered on every command, and Jinja2
and the page's modules (about 40 ms) load only when a page is rendered."""
