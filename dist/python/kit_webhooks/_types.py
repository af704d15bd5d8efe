"""Types the generated models use in place of pydantic's own.

Copied into the export by ``cargo xtask export`` from
xtask/kits/python/kit_webhooks/_types.py.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AwareDatetime as _AwareDatetime
from pydantic import BeforeValidator

_LEAP = re.compile(r"^.{10}[Tt ].{2}:.{2}:60", re.ASCII)


def _leap_second(value: Any) -> Any:
    """A leap second (``23:59:60Z``), which the schemas and Rust accept and
    Python's datetime cannot hold, is read as the second after it."""
    if isinstance(value, str) and _LEAP.match(value):
        from ._formats import parse_timestamp

        return parse_timestamp(value) or value
    return value


#: An RFC 3339 date-time with its offset, leap seconds included.
AwareDatetime = Annotated[_AwareDatetime, BeforeValidator(_leap_second)]
