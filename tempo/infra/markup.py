"""Authored Markdown rendered to HTML and sanitised: no script passes from content to a page."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})

ALLOWED_TAGS = {"p", "em", "strong", "ul", "ol", "li", "br", "a", "blockquote", "code", "h3", "h4"}


def render(text: str | None) -> Markup:
    """Markdown to safe HTML (links keep only their href and get rel=noopener)."""
    if not text:
        return Markup("")
    html = _md.render(text)
    return Markup(
        nh3.clean(
            html, tags=ALLOWED_TAGS, attributes={"a": {"href"}}, link_rel="noopener noreferrer"
        )
    )
