"""JSON in and out, choosing the parser by size.

orjson parses a large database several times faster than the standard library, but
importing it costs ~10 ms (it loads uuid, zoneinfo, dataclasses); the standard ``json``
is already half loaded. So small payloads go through ``json`` and large ones through
orjson: every command pays only for what its data needs.
"""

from __future__ import annotations

import sys
from typing import Any

LARGE = 256 * 1024  # bytes; above this orjson's speed outweighs its import


class DecodeError(ValueError):
    """The text is not valid JSON."""


def loads(raw: bytes, large: bool = False) -> Any:
    """Parse JSON bytes (UTF-8): with orjson when large (or the caller knows that more is
    to come: one plan's rows of many), or once it is loaded anyway."""
    if large or len(raw) > LARGE or "orjson" in sys.modules:
        import orjson

        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise DecodeError(str(exc)) from None
    import json

    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DecodeError(str(exc)) from None


def dumps(data: Any, large: bool = False) -> bytes:
    """Compact JSON bytes; *large* when the caller knows the document is big (or orjson
    is loaded anyway: the journal lines of a large import)."""
    if large or "orjson" in sys.modules:
        import orjson

        return orjson.dumps(data)
    import json

    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def pretty(data: Any) -> str:
    """Indented JSON for people and scripts, non-ASCII kept, with a final newline.

    Through orjson when the command loaded it anyway (a large database): the standard
    library's indenting encoder is pure Python, seconds at 50,000 items. The two differ
    only in how a float's exponent is written (1e-07, 1e-7): the same JSON value."""
    if "orjson" in sys.modules:
        import orjson

        return orjson.dumps(data, option=orjson.OPT_INDENT_2).decode() + "\n"
    import json

    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
