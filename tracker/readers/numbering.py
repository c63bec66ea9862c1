"""Word's automatic numbering: the label («1.», «2.1.») Word shows before a numbered
paragraph, which is not in the paragraph's text. A plan's «№ п/п» column is often such a
list; without its labels the refs would be lost, and a plan imported twice would add its
measures twice.

ECMA-376 Part 1, §17.9: a paragraph names a list instance and a level (``w:numPr``,
directly or through its paragraph style); the instance (``w:num``) points to an abstract
definition (``w:abstractNum``) whose levels give the start, the number format and the
label's pattern («%1.%2.»). Instances of one definition continue one sequence unless an
instance overrides a level's start; a level's count restarts after a higher level
moves on. Paragraphs are counted in document order, those outside the tables too.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
import zipfile

from tracker.readers.archive import parsed

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_P, _PPR, _NUMPR, _ILVL, _NUMID, _PSTYLE, _VAL = (
    f"{W}{t}" for t in ("p", "pPr", "numPr", "ilvl", "numId", "pStyle", "val"))
LEVELS = 9
# Word's Russian letters for lists: the alphabet without ё, й, ъ, ы, ь.
RUSSIAN = "абвгдежзиклмнопрстуфхцчшщэюя"
_ROMAN = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
          (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))

Level = tuple[int, str, str]  # start, number format, label pattern


def labels(archive: zipfile.ZipFile, document: ElementTree.Element,
           name: str) -> dict[ElementTree.Element, str]:
    """Each numbered paragraph of *document* mapped to the label Word shows before it
    (bullets and unnumbered paragraphs have none)."""
    names = set(archive.namelist())
    if "word/numbering.xml" not in names:
        return {}
    # Only what the document uses is read: most tables number nothing.
    direct = next(document.iter(_NUMPR), None) is not None
    styled = "word/styles.xml" in names and next(document.iter(_PSTYLE), None) is not None
    styles = _style_numbering(parsed(archive, "word/styles.xml", name)[1]) if styled else {}
    if not direct and not any(num_id for num_id, _level, _base in styles.values()):
        return {}
    definitions, instances = _numbering(parsed(archive, "word/numbering.xml", name)[1])
    counters: dict[str, list[int | None]] = {}  # by abstract definition
    restarted: set[str] = set()
    found: dict[ElementTree.Element, str] = {}
    for p in document.iter(_P):
        properties = p.find(_PPR)
        if properties is None:
            continue
        numbered = _paragraph_numbering(properties, styles)
        if numbered is None or numbered[0] not in instances:
            continue
        num_id, level = numbered
        abstract, overrides = instances[num_id]
        levels = definitions.get(abstract)
        if levels is None or level >= len(levels):
            continue
        counts = counters.setdefault(abstract, [None] * LEVELS)
        if num_id not in restarted and overrides:
            restarted.add(num_id)
            for overridden in overrides:
                counts[overridden] = None
        start = overrides.get(level, levels[level][0])
        current = counts[level]
        counts[level] = start if current is None else current + 1
        for deeper in range(level + 1, LEVELS):
            counts[deeper] = None
        label = _label(levels, counts, level, overrides)
        if label:
            found[p] = label
    return found


def _numbering(root: ElementTree.Element) -> tuple[
        dict[str, list[Level]], dict[str, tuple[str, dict[int, int]]]]:
    """The abstract definitions' levels, and each instance's definition and start
    overrides."""
    definitions: dict[str, list[Level]] = {}
    for abstract in root.iter(f"{W}abstractNum"):
        levels: list[Level] = [(1, "decimal", "")] * LEVELS
        for lvl in abstract.iter(f"{W}lvl"):
            at = _int(lvl.get(f"{W}ilvl"), -1)
            if 0 <= at < LEVELS:
                levels[at] = (_int(_val(lvl, "start"), 1), _val(lvl, "numFmt") or "decimal",
                              _val(lvl, "lvlText") or "")
        definitions[abstract.get(f"{W}abstractNumId", "")] = levels
    instances: dict[str, tuple[str, dict[int, int]]] = {}
    for num in root.iter(f"{W}num"):
        overrides = {}
        for override in num.iter(f"{W}lvlOverride"):
            start = _val(override, "startOverride")
            if start is not None:
                overrides[_int(override.get(f"{W}ilvl"), 0)] = _int(start, 1)
        instances[num.get(f"{W}numId", "")] = (_val(num, "abstractNumId") or "", overrides)
    return definitions, instances


def _style_numbering(root: ElementTree.Element) -> dict[str, tuple[str | None, int, str]]:
    """Each paragraph style's list (instance, level) and the style it is based on."""
    found = {}
    for style in root.iter(f"{W}style"):
        numbering = style.find(f"{_PPR}/{_NUMPR}")
        num_id = None if numbering is None else _val(numbering, "numId")
        level = 0 if numbering is None else _int(_val(numbering, "ilvl"), 0)
        found[style.get(f"{W}styleId", "")] = (num_id, level, _val(style, "basedOn") or "")
    return found


def _paragraph_numbering(properties: ElementTree.Element,
                         styles: dict[str, tuple[str | None, int, str]]) -> tuple[str, int] | None:
    """The list instance and level of a paragraph: its own, else its style's (or the
    style that one is based on); numId 0 says «not numbered»."""
    numbering = properties.find(_NUMPR)
    if numbering is not None:
        num_id = _val(numbering, "numId")
        level = _int(_val(numbering, "ilvl"), 0)
        if num_id is not None:
            return None if num_id == "0" else (num_id, min(max(level, 0), LEVELS - 1))
    style = properties.find(_PSTYLE)
    style_id = None if style is None else style.get(_VAL)
    for _depth in range(10):  # a style's chain of bases, cut at ten
        if style_id is None or style_id not in styles:
            return None
        num_id, level, based_on = styles[style_id]
        if num_id is not None:
            return None if num_id == "0" else (num_id, min(max(level, 0), LEVELS - 1))
        style_id = based_on
    return None


def _label(levels: list[Level], counts: list[int | None], level: int,
           overrides: dict[int, int]) -> str:
    """The level's pattern with each %N replaced by level N's count in its format."""
    _start, number_format, pattern = levels[level]
    if number_format in ("bullet", "none") or not pattern:
        return ""
    text = pattern
    for n in range(LEVELS, 0, -1):  # %10 is not a level: replace %9 … %1
        if f"%{n}" in text:
            count = counts[n - 1]
            if count is None:
                count = overrides.get(n - 1, levels[n - 1][0])
            text = text.replace(f"%{n}", _formatted(count, levels[n - 1][1]))
    return text.strip()


def _formatted(count: int, number_format: str) -> str:
    if number_format == "decimalZero":
        return f"{count:02d}"
    if number_format in ("lowerLetter", "upperLetter", "russianLower", "russianUpper"):
        alphabet = RUSSIAN if number_format.startswith("russian") else \
            "abcdefghijklmnopqrstuvwxyz"
        letter = alphabet[(count - 1) % len(alphabet)] * ((count - 1) // len(alphabet) + 1)
        return letter.upper() if number_format.endswith(("Upper", "upperLetter")) else letter
    if number_format in ("lowerRoman", "upperRoman") and 0 < count < 4000:
        roman = ""
        for value, digits in _ROMAN:
            while count >= value:
                roman, count = roman + digits, count - value
        return roman.upper() if number_format == "upperRoman" else roman
    return str(count)


def _val(element: ElementTree.Element, child: str) -> str | None:
    found = element.find(f"{W}{child}")
    return None if found is None else found.get(_VAL)


def _int(text: str | None, default: int) -> int:
    if text is None or not (text.lstrip("-").isascii() and text.lstrip("-").isdigit()
                            and len(text) < 10):
        return default
    return int(text)
