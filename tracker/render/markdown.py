"""Markdown output: pipe tables and headings, for a wiki page or a briefing note.

The report is laid out as in text (``TextRenderer``), with Markdown headings; tables never
wrap (a wrapped row would break the table) and every cell and heading shows raw HTML as
text, so ``<script>`` in a title never runs in a viewer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tracker.render.text import TextRenderer, markdown_text, table


class MarkdownRenderer(TextRenderer):
    """``--format markdown``."""

    def table(self, rows: Sequence[Mapping[str, Any]], columns: Sequence[str],
              headers: Sequence[str] | None = None, wrap: bool = True) -> str:
        return table(rows, columns, "markdown", headers)

    def heading(self, text: str, level: int = 3) -> str:
        return "#" * level + " " + markdown_text(text)

    def subheading(self, text: str) -> str:
        return f"\n### {text}\n\n"

    def preformatted(self, text: str) -> str:
        return f"```\n{text}\n```"


RENDERER = MarkdownRenderer
