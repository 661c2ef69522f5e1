"""Markdown to safe HTML: the coordinator writes Markdown, visitors get sanitised HTML."""

import markdown
import nh3

# No <h1> (the page has its own), no images or iframes (no external request), no script.
ALLOWED_TAGS = {
    "h2", "h3", "h4", "p", "br", "hr", "strong", "em", "a", "ul", "ol", "li",
    "blockquote", "abbr", "code", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}


def render_markdown(text: str) -> str:
    """Render Markdown, then keep only the tags and attributes listed above."""
    html = markdown.markdown(text or "", extensions=["extra", "sane_lists"], output_format="html")
    # A level-one heading typed by mistake becomes a level-two one (one <h1> per page).
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )
