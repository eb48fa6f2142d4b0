"""Self-contained HTML pages from our jinja2 templates (the matrix, the vendor report).

Escaping is the template engine's default (autoescape on for every template), so no call
site has to remember it.  CSS and script are package files inlined at render time: the
page must open offline and survive being mailed, so nothing is ever fetched.  JSON for
the page's script goes into a ``<script type="application/json">`` element, where ``<``,
``>`` and ``&`` must not appear literally; ``json_script`` writes them as escapes.
"""
from __future__ import annotations

import json
from importlib import resources
from typing import Any, Iterator

import jinja2
from markupsafe import Markup

__all__ = ["render_page", "render_pieces", "json_script"]

_TEMPLATES = "templates"


def _asset(name: str) -> Markup:
    """One of our own CSS or script files, inlined as is (it is ours, not data)."""
    text = resources.files("conformance").joinpath(_TEMPLATES, name).read_text(encoding="utf-8")
    return Markup(text.replace("</", "<\\/") if name.endswith(".js") else text)


def json_script(data: Any) -> Markup:
    """JSON safe inside a script element: no '<', '>' or '&' can end or open anything."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("conformance", _TEMPLATES),
        autoescape=True, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined,
    )
    env.globals["asset"] = _asset
    env.filters["json_script"] = json_script
    return env


def render_page(template: str, **context: Any) -> str:
    """Render one of our templates with ``context`` (every value escaped unless Markup)."""
    return _environment().get_template(template).render(**context)


def render_pieces(template: str, **context: Any) -> Iterator[str]:
    """``render_page`` in the pieces the template engine makes, in order, for a writer to
    write as they come: a large run's page (tens of MB as one string, more as its parts
    joined) need never be whole in memory."""
    return _environment().get_template(template).generate(**context)
