"""Bodies read as the Rust crate reads them: strict UTF-8, no repeated key,
no lone surrogate, no ``NaN`` or number beyond a double, nesting no deeper
than 128, and ``-0`` read as a float (as serde_json reads it).

Copied into the export by ``cargo xtask export`` from
xtask/kits/python/kit_webhooks/_reading.py.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Violation:
    """One reason the schemas refuse a delivery."""

    #: A JSON Pointer to the value at fault ("" for the whole delivery).
    instance_path: str
    #: The schema keyword that failed (or "json" / "size" for the body itself).
    keyword: str
    message: str


class _Malformed(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _Malformed(f"duplicate key {json.dumps(key)} in an object")
        out[key] = value
    return out


def _finite(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise _Malformed("a number out of range")
    return value


def _integer(text: str) -> int | float:
    # serde_json reads -0 as a float (-0.0), which an integer field refuses.
    return -0.0 if text == "-0" else int(text)


def _constant(name: str) -> Any:
    raise _Malformed(f"{name} is not JSON")


_SURROGATE = re.compile("[\ud800-\udfff]")
#: Rust refuses arrays and objects nested deeper than this.
_MAX_DEPTH = 128


def _unreadable(value: Any, depth: int = 0) -> str | None:
    """What Rust would not have read in a parsed value: a lone surrogate, or nesting too deep."""
    if isinstance(value, str):
        return "a lone surrogate in a string" if _SURROGATE.search(value) else None
    if isinstance(value, (list, dict)):
        if depth + 1 > _MAX_DEPTH:
            return f"arrays and objects are nested deeper than {_MAX_DEPTH} levels"
        items = value.items() if isinstance(value, dict) else ((None, v) for v in value)
        for key, item in items:
            if key is not None and _SURROGATE.search(key):
                return "a lone surrogate in a key"
            problem = _unreadable(item, depth + 1)
            if problem:
                return problem
    return None


def _json_error(message: str) -> Violation:
    return Violation("", "json", f"malformed JSON: {message}")


def document(body: Any, max_body_size: int) -> tuple[Any, Violation | None]:
    """The JSON document in ``body`` read as Rust's serde_json reads it, or why not."""
    if isinstance(body, (bytes, bytearray, memoryview, str)):
        raw = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else bytes(body)
        if len(raw) > max_body_size:
            return None, Violation("", "size", f"the body is {len(raw)} bytes, over the {max_body_size}-byte limit")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return None, _json_error("the body is not valid UTF-8")
        try:
            value = json.loads(
                text,
                object_pairs_hook=_no_duplicates,
                parse_float=_finite,
                parse_int=_integer,
                parse_constant=_constant,
            )
        except (ValueError, RecursionError) as e:
            return None, _json_error(str(e))
        problem = _unreadable(value)
        if problem:
            return None, _json_error(problem)
        return value, None
    return body, None
