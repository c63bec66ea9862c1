"""The checks an Office file (.xlsx, .docx: a zip of XML parts) passes before it is parsed:
that it is one, whole and unencrypted, that it does not expand past a sane size (a zip
bomb), and that no part declares a document type or an entity (an XML bomb, or an
external entity that would make the parser fetch something). Office never writes either.
The archive is scanned once when it is opened; each part a reader parses — whatever its
name, in whatever encoding — passes ``root_namespace`` first, which reads its prolog with
expat itself.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ElementTree
import xml.parsers.expat as expat
import zipfile
import zlib
from collections import deque
from collections.abc import Iterator
from typing import IO, NoReturn

from tracker.errors import TrackerError
from tracker.i18n import N_, _, grouped

# What a plan's workbook or document may expand to: a 5,000-measure plan is ~3 MB of XML.
MAX_PART = 40 * 1024 * 1024
MAX_TOTAL = 80 * 1024 * 1024
MAX_ELEMENTS = 2_000_000  # in one part: a 5,000-measure plan's table is ~300,000
MARKUP = (".xml", ".rels", ".vml")  # the parts scanned when the archive is opened
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an encrypted Office file, or .xls/.doc
_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
KINDS = {"xlsx": (N_("an Excel workbook (.xlsx)"), "xl/workbook.xml"),
         "docx": (N_("a Word document (.docx)"), "word/document.xml")}


def open_checked(data: bytes, name: str, kind: str) -> zipfile.ZipFile:
    """The file as a zip archive that passed every check, or one clear TrackerError."""
    what, main_part = _(KINDS[kind][0]), KINDS[kind][1]
    if data.startswith(OLE_MAGIC):
        raise TrackerError(
            _("{name} is password-protected, or an old Office 97–2003 file (.xls, .doc), not "
              "{what}: open it in Office and save it as .{kind} without a password")
            .format(name=name, what=what, kind=kind))
    if not data.startswith(b"PK"):
        if _is_text(data):
            raise TrackerError(_("{name} is not {what}: it holds CSV or text (rename it to .csv "
                                 "to import it as CSV)").format(name=name, what=what))
        raise TrackerError(_("{name} is not {what}: it holds something else")
                           .format(name=name, what=what))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, EOFError, ValueError):
        raise TrackerError(_("{name} is damaged: it is not a whole .{kind} file (a copy cut "
                             "short?); nothing was imported")
                           .format(name=name, kind=kind)) from None
    names = {m.filename for m in members}
    if "EncryptedPackage" in names or "EncryptionInfo" in names:
        raise TrackerError(_("{name} is password-protected: save it without a password")
                           .format(name=name))
    if main_part not in names:
        raise TrackerError(_("{name} is not {what}: it is a zip without {main_part}")
                           .format(name=name, what=what, main_part=main_part))
    # The limits hold for the XML that is parsed, not for pictures, which never are (a
    # plan may carry a scanned page); a reader checks any other part it parses itself.
    markup = [m for m in members if m.filename.endswith(MARKUP)]
    declared = sum(m.file_size for m in markup)
    if declared > MAX_TOTAL:
        raise _too_large(name, declared)
    for member in markup:
        if member.file_size > MAX_PART:
            raise _part_too_large(name, member.filename, member.file_size)
    total = 0
    for member in markup:
        try:
            with archive.open(member) as part:
                total += _scan(part, name, member.filename)
        except READ_ERRORS as exc:
            if isinstance(exc, _TooLarge):
                raise _part_too_large(name, member.filename, exc.size) from None
            unreadable(name, member.filename, exc)
        if total > MAX_TOTAL:
            raise _too_large(name, total)
    return archive


class _TooLarge(ValueError):
    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


# What reading a member may raise: a damaged zip (a bad checksum, a corrupt stream), an
# unsupported compression (Deflate64: NotImplementedError), the zip's own encryption
# (RuntimeError). The readers catch the same while they parse a part.
READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError,
               NotImplementedError, RuntimeError)


def unreadable(name: str, member: str, exc: Exception) -> NoReturn:
    """Raise the one line for a part that cannot be read (*exc*: why)."""
    if isinstance(exc, RuntimeError) and "encrypted" in str(exc):
        raise TrackerError(_("{name} is password-protected: save it without a password")
                           .format(name=name)) from None
    raise TrackerError(_("{name} is damaged: its part {filename} cannot be read; "
                         "nothing was imported").format(name=name, filename=member)) from None


class _Root(Exception):
    """The root element is reached: no declaration can follow it."""


def root_namespace(archive: zipfile.ZipFile, member: str, name: str) -> str:
    """The namespace of a part's root element (``{uri}``, or ``""``), once expat has read
    the part's prolog: a document type or an entity declared there is refused in any
    encoding the part is written in (a byte scan sees only ASCII-compatible ones), and a
    part expat cannot read (an unknown encoding) is damaged. The prolog only is read."""
    found: list[str] = []
    parser = expat.ParserCreate(namespace_separator="}")

    def declared(*_args: object) -> None:
        raise _declared(name, member)

    def root(tag: str, _attributes: object) -> None:
        found.append(tag)
        raise _Root

    parser.StartDoctypeDeclHandler = declared
    parser.EntityDeclHandler = declared
    parser.StartElementHandler = root
    try:
        size = archive.getinfo(member).file_size  # zipfile never unpacks past it
        if size > MAX_PART:
            raise _part_too_large(name, member, size)
        with archive.open(member) as source:
            while block := source.read(1 << 16):
                parser.Parse(block, False)
            parser.Parse(b"", True)
    except _Root:
        uri, separator, _local = found[0].rpartition("}")
        return "{" + uri + "}" if separator else ""
    except (expat.ExpatError, LookupError, KeyError, *READ_ERRORS) as exc:
        unreadable(name, member, exc)
    unreadable(name, member, ValueError("no element"))


def elements(archive: zipfile.ZipFile, member: str, name: str
             ) -> tuple[str, Iterator[ElementTree.Element]]:
    """The part's root namespace (``root_namespace``, which checks its prolog first) and
    its elements, each as it ends (ElementTree's iterparse: the root last); refused past
    MAX_ELEMENTS, which bounds the memory a part of tiny elements would take (40 MB of
    ``<a/>`` is ten million of them)."""
    namespace = root_namespace(archive, member, name)

    def each() -> Iterator[ElementTree.Element]:
        with archive.open(member) as source:
            for count, (_event, element) in enumerate(ElementTree.iterparse(source), 1):
                if count > MAX_ELEMENTS:
                    raise TrackerError(
                        _("{name} is refused: its part {member} holds more than {count} XML "
                          "elements, far past any plan; nothing was imported")
                        .format(name=name, member=member, count=grouped(MAX_ELEMENTS)))
                yield element

    return namespace, each()


def parsed(archive: zipfile.ZipFile, member: str, name: str
           ) -> tuple[str, ElementTree.Element]:
    """The part's root namespace and its root element, the tree built by ``elements``."""
    namespace, each = elements(archive, member, name)
    last = deque(each, maxlen=1)  # the root ends last
    return namespace, last[0]  # (a part without one is an ExpatError in root_namespace)


def _declared(name: str, member: str) -> TrackerError:
    return TrackerError(
        _("{name} is refused: its part {member} declares an XML document type or entity, "
          "which Office never writes (an XML bomb or an external entity); nothing was "
          "imported").format(name=name, member=member))


def _scan(part: IO[bytes], name: str, member: str) -> int:
    """Read a part in blocks (never more than MAX_PART), refusing a DOCTYPE or ENTITY."""
    size = 0
    tail = b""
    while True:
        block = part.read(1 << 20)
        if not block:
            return size
        size += len(block)
        if size > MAX_PART:
            raise _TooLarge(size)
        if _DECLARATION.search(tail + block):
            raise _declared(name, member)
        tail = block[-16:]


def _too_large(name: str, size: int) -> TrackerError:
    return TrackerError(
        _("{name} is refused: it expands to more than {size} MB, far past any plan (at most "
          "{limit} MB of sheets or text); nothing was imported")
        .format(name=name, size=grouped(round(size / 2 ** 20)), limit=MAX_TOTAL // 2 ** 20))


def _part_too_large(name: str, member: str, size: int) -> TrackerError:
    return TrackerError(
        _("{name} is refused: its part {member} expands to more than {size} MB, far past any "
          "plan (at most {limit} MB a part); nothing was imported")
        .format(name=name, member=member, size=grouped(round(size / 2 ** 20)),
                limit=MAX_PART // 2 ** 20))


def _is_text(data: bytes) -> bool:
    head = data[:4096]
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        try:
            head.decode("cp1251")
        except UnicodeDecodeError:
            return False
    return b"\x00" not in head
