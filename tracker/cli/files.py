"""``tracker attach``, ``attachments``, ``detach`` and ``attachment get``: the files that
prove a measure was done, kept with the database (SPEC §15)."""

from __future__ import annotations

import os

import click

from tracker.cli.common import (
    CONTEXT_SETTINGS,
    ITEM,
    App,
    TextType,
    TranslatedGroup,
    command,
    echo,
    emit,
    format_option,
    listed_otherwise,
    note,
    on_option,
    pass_app,
)
from tracker.errors import InvalidValue
from tracker.i18n import _, file_size


@command("attach")
@click.argument("address", metavar="ITEM", type=ITEM)
@click.argument("paths", metavar="FILE...", nargs=-1, required=True,
                type=click.Path(dir_okay=True, allow_dash=False))
@click.option("--note", "note_text", default="", type=TextType("note", lines=True),
              help="What the files are (the signed protocol, the decision…).")
@click.option("--name", metavar="NAME",
              help="Keep the file under this name (one FILE only; default: its own name).")
@on_option
@pass_app
def attach(app: App, address: str, paths: tuple[str, ...], note_text: str, name: str | None,
           on: str | None) -> None:
    """Keep files with a measure: the evidence that it was done. Each file is kept with
    the database (named by its SHA-256; beside a file database in DB.files/), listed in
    reports, never opened or run; at most 50 MB a file (TRACKER_MAX_ATTACHMENT).

    \b
    Examples:
      tracker attach csto-2023:34 protocol.pdf --note "signed protocol of 21.11.2023"
      tracker attach csto-2023:12 decision.docx annex.xlsx --on 2023-11-21
    """
    from tracker.attachments import check_file, size_limit

    if name is not None and len(paths) > 1:
        raise InvalidValue(_("--name names one file, and {count} were given")
                           .format(count=len(paths)))
    limit = size_limit()
    for path in paths:
        check_file(path, limit)
    files = [(name if name is not None else os.path.basename(os.path.normpath(path)), path)
             for path in paths]
    with app.writing() as t:
        recorded = t.attach(address, files, limit, note_text, on)
    for event in recorded:
        note(_("{item}: attached {name} ({size}, SHA-256 {sha})").format(
            item=event["id"], name=event["name"], size=file_size(event["size"]),
            sha=event["sha256"][:16]))


@command("attachments")
@click.argument("target", metavar="[ITEM|PLAN]", required=False)
@format_option(choices=("table", "json"))
@pass_app
def attachments(app: App, target: str | None, fmt: str) -> None:
    """List the files kept with an item, with a plan's items, or with every item.

    \b
    Example:
      tracker attachments csto-2023
    """
    found = app.reader().attachments(target)
    rows = [{"id": item, **record} for item, files in found.items()
            for record in files.values()]
    if listed_otherwise(fmt, rows, _("No files attached.")):
        return
    from typing import cast

    from tracker.render.text import TextRenderer

    # As 'list' prints: wrapped to a terminal's width, in full into a pipe.
    echo(cast(TextRenderer, app.renderer("table")).rows(
        [{**r, "sha256": r["sha256"][:16]} for r in rows],
        ["id", "name", "size", "attached", "actor", "sha256", "note"],
        [_("item"), _("file"), _("bytes"), _("attached"), _("by"), _("SHA-256"), _("note")]))


@command("detach")
@click.argument("address", metavar="ITEM", type=ITEM)
@click.argument("name", metavar="NAME")
@on_option
@pass_app
def detach(app: App, address: str, name: str, on: str | None) -> None:
    """Take a file off a measure (the journal keeps it: undo brings it back).

    \b
    Example:
      tracker detach csto-2023:34 protocol.pdf
    """
    with app.writing() as t:
        event = t.detach(address, name, on)
    note(_("{item}: detached {name}").format(item=event["id"], name=name))


@click.group("attachment", cls=TranslatedGroup, context_settings=CONTEXT_SETTINGS)
def attachment() -> None:
    """One file kept with a measure.

    \b
    Example:
      tracker attachment get csto-2023:34 protocol.pdf -o protocol.pdf
    """


@attachment.command("get", context_settings=CONTEXT_SETTINGS)
@click.argument("address", metavar="ITEM", type=ITEM)
@click.argument("name", metavar="NAME")
@click.option("-o", "--output", required=True, metavar="FILE",
              help="Where to write the file ('-': stdout).")
@pass_app
def attachment_get(app: App, address: str, name: str, output: str) -> None:
    """Write a file kept with a measure, as it was attached.

    \b
    Example:
      tracker attachment get csto-2023:34 protocol.pdf -o protocol.pdf
    """
    reader = app.reader()
    kept = reader.attachment(address, name)
    if output != "-":
        app.check_output(output)
    emit(app, reader.repo.get_file(kept["sha256"]), None if output == "-" else output)


COMMANDS = [attach, attachments, detach, attachment]
