"""The language of a command: how it is chosen, the gettext catalogue it reads, and how
numbers, dates and statuses read in it.

English is the source language; Russian is ``locale/ru/LC_MESSAGES/tracker.mo``, compiled
from ``tracker.po`` and committed, read with the standard library's gettext (Babel only
writes the catalogues: ``scripts/i18n.py``). The choice is made once, before click parses
anything, so click's own messages ("Missing argument", "Try … for help") are translated
too: click calls the standard ``gettext`` functions, which read the domain bound here.
"""

from __future__ import annotations

import gettext as stdlib_gettext
import os
from collections.abc import Mapping, Sequence

DOMAIN = "tracker"
LOCALE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "locale")
LANGUAGES = ("en", "ru")
LANG_VARIABLE = "TRACKER_LANG"

_translation: stdlib_gettext.NullTranslations = stdlib_gettext.NullTranslations()
_lang = "en"


class UnknownLanguage(ValueError):
    """A language tracker does not speak (the CLI turns it into a usage error)."""


def choose(argv: Sequence[str], environ: Mapping[str, str]) -> str:
    """``--lang`` on the command line, else ``TRACKER_LANG``, else the locale (``LC_ALL``,
    ``LC_MESSAGES``, ``LANG`` beginning with ``ru``); English by default."""
    for n, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and n + 1 < len(argv):
            return _known(argv[n + 1], "--lang")
        if arg.startswith("--lang="):
            return _known(arg.partition("=")[2], "--lang")
    if environ.get(LANG_VARIABLE):
        return _known(environ[LANG_VARIABLE], LANG_VARIABLE)
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name)
        if value:  # the first that is set decides, as in the C library
            return "ru" if value.lower().startswith("ru") else "en"
    return "en"


def _known(value: str, where: str) -> str:
    lang = value.strip().lower()
    if lang not in LANGUAGES:
        raise UnknownLanguage(f"{where}={value!r}: tracker speaks {' and '.join(LANGUAGES)} "
                              "(en|ru)")
    return lang


def activate(lang: str) -> None:
    """Speak *lang* from now on, in our messages and in click's."""
    global _translation, _lang
    if lang == _lang and (lang == "en" or not isinstance(_translation,
                                                         stdlib_gettext.NullTranslations)):
        _bind(lang)
        return
    if lang == "en":
        _translation = stdlib_gettext.NullTranslations()
    else:
        # Through gettext's own cache: click's messages, which look the catalogue up by
        # the same path, then reuse this parse instead of reading it a second time.
        _translation = stdlib_gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang])
    _lang = lang
    _bind(lang)


def _bind(lang: str) -> None:
    """Point the standard gettext functions, which click calls, at our catalogue."""
    stdlib_gettext.bindtextdomain(DOMAIN, LOCALE_DIR)
    stdlib_gettext.textdomain(DOMAIN)
    os.environ["LANGUAGE"] = lang  # gettext.translation() reads the language from here


def current() -> str:
    """The language in force: ``en`` or ``ru``."""
    return _lang


def _(message: str) -> str:
    """*message* in the language in force."""
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a message for the number *n*, by the language's plural rule."""
    return _translation.ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """*message* in the language in force, as meant in *context* (one English word can
    be several Russian ones: a field, a column, an action)."""
    return _translation.pgettext(context, message)


def N_(message: str) -> str:
    """Mark *message* for the catalogue; it is translated where it is shown."""
    return message


def os_reason(exc: OSError) -> str:
    """Why a file could not be read or written, in the language in force (the system's own
    text speaks the C library's language)."""
    import errno

    if _lang == "en":
        return exc.strerror or str(exc)
    reasons = {
        errno.ENOENT: _("no such file or folder"), errno.EACCES: _("permission denied"),
        errno.EPERM: _("permission denied"), errno.EISDIR: _("it is a folder"),
        errno.ENOTDIR: _("a part of the path is not a folder"),
        errno.ENOSPC: _("no space left on the device"),
        errno.EROFS: _("the file system is read-only"), errno.EEXIST: _("it exists already"),
    }
    return reasons.get(exc.errno or 0) or exc.strerror or str(exc)


# --- numbers, dates and statuses as the language writes them ------------------------------


def number(value: float | int) -> str:
    """34, 0.5 — with a decimal comma in Russian (0,5)."""
    text = f"{value:g}" if isinstance(value, float) else str(value)
    return text.replace(".", ",") if _lang == "ru" else text


def grouped(value: int) -> str:
    """1,234,567 — its thousands apart with a (no-break) space in Russian: 1 234 567."""
    text = f"{value:,}"
    return text.replace(",", "\u00a0") if _lang == "ru" else text


def file_size(size: int) -> str:
    """A size in bytes as a sentence says it: 1 byte, 1,024 bytes; 1 байт, 1 024 байта."""
    return ngettext("{size} byte", "{size} bytes", size).format(size=grouped(size))


def percent(rate: float | None) -> str:
    """A rate with one decimal: 94.1% / 94,1 %; n/a when nothing was counted.

    Rounding never claims what is not so: a rate below 1 never shows as 100.0% (1999 of
    2000 is 99.9%), nor a rate above 0 as 0.0%.
    """
    if rate is None:
        return _("n/a")
    shown = round(rate * 100, 1)
    if shown >= 100 and rate < 1:
        shown = 99.9
    elif shown <= 0 and rate > 0:
        shown = 0.1
    return f"{shown:.1f}".replace(".", ",") + " %" if _lang == "ru" else f"{shown:.1f}%"


def day(iso: str | None) -> str:
    """A day: ISO in English, DD.MM.YYYY in Russian."""
    if not iso:
        return ""
    return f"{iso[8:10]}.{iso[5:7]}.{iso[:4]}" if _lang == "ru" and len(iso) == 10 else iso


def moment(stamp: str | None) -> str:
    """A recording time (UTC, ISO 8601): as stored in English, 21.11.2023 09:41:07 in
    Russian."""
    if not stamp:
        return ""
    if _lang != "ru" or len(stamp) < 19:
        return stamp
    return f"{day(stamp[:10])} {stamp[11:19]}"
