"""PDF output: the HTML page printed on A4 by WeasyPrint — the same content, its chart,
page numbers, headings kept with what follows them, long tables breaking between rows
with their header repeated (the print rules are the page's own CSS).

WeasyPrint is the optional extra ``tracker[pdf]`` (it needs the Pango library, present
wherever a desktop or a browser is); without it the command says how to install it. It is
imported only here, and reads no external resource: the page holds none, and its URL
fetcher refuses everything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NoReturn

from tracker.errors import TrackerError
from tracker.i18n import _
from tracker.render import Renderer
from tracker.render.html import render_html

if TYPE_CHECKING:
    from tracker.reports import Discipline, Report

INSTALL = "pip install 'tracker[pdf]'"


def _no_fetching(url: str, *args: Any, **kwargs: Any) -> NoReturn:
    raise ValueError(f"tracker's PDF reads nothing from outside: {url}")


def pdf_bytes(report: Report, version: str = "") -> bytes:
    """The PDF of a report."""
    return print_page(render_html(report, version))


def print_page(html: str) -> bytes:
    """The PDF of one of tracker's pages."""
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: the Pango library is missing
        raise TrackerError(
            _("--format pdf needs WeasyPrint, which is not installed here ({error})")
            .format(error=type(exc).__name__),
            _("Install it with: {command} (and, on Debian or Ubuntu, apt-get install "
              "libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core)").format(command=INSTALL),
        ) from None
    page = weasyprint.HTML(string=html, url_fetcher=_no_fetching)
    data: bytes = page.write_pdf()
    return data


class PdfRenderer(Renderer):
    """``report --format pdf -o FILE``."""

    binary = True

    def report(self, report: Report) -> bytes:
        return pdf_bytes(report, self.version)

    def discipline(self, discipline: Discipline) -> bytes:
        from tracker.render.html import render_discipline_html

        return print_page(render_discipline_html(discipline, self.version))


RENDERER = PdfRenderer
