"""Answers are markdown from a model: rendered server-side and sanitized with nh3 before they reach a page."""

import re

import nh3
from markdown_it import MarkdownIt

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
_CITATION = re.compile(r"\[(\d{1,2})\](?!\()")
ALLOWED_TAGS = {
    "p", "br", "strong", "em", "code", "pre", "ul", "ol", "li", "blockquote", "h1", "h2", "h3", "h4",
    "table", "thead", "tbody", "tr", "th", "td", "a", "hr", "sup",
}  # fmt: skip


def render_answer(text: str, *, citation_url: str | None = None, cited: int = 0) -> str:
    """Markdown -> safe HTML; [n] becomes a link to source n when `citation_url` has a `{n}` slot."""
    html = _markdown.render(text or "")
    if citation_url:

        def link(match: re.Match) -> str:
            n = int(match.group(1))
            if n < 1 or n > cited:
                return match.group(0)
            return f'<sup><a class="cite" href="{citation_url.format(n=n)}">[{n}]</a></sup>'

        html = _CITATION.sub(link, html)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "class"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
