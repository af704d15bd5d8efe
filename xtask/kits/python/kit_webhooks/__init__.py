"""Receive Kit webhooks in Python: verify the signature, validate, parse.

Copied into the export by ``cargo xtask export`` from
xtask/kits/python/kit_webhooks/__init__.py; the models and the schemas beside
it are generated from the kit-webhooks crate's schemas, and ``cargo xtask
interop`` holds this package to the Rust crate's verdicts.

>>> import kit_webhooks
>>> body = b'{"event":"test.ping","created_at":"2025-01-15T14:30:00Z","data":{}}'
>>> kit_webhooks.validate(body).valid
True
>>> kit_webhooks.parse(body).event
'test.ping'
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import hmac
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any, Iterable, Mapping, Sequence

from jsonschema import Draft202012Validator
from jsonschema.validators import extend as validators_extend
from pydantic import BaseModel

from . import models
from ._drift import drift_of as _drift_of
from ._events import EVENTS, MODELS
from ._formats import FORMATS, check_format, parse_timestamp
from ._reading import Violation, document

__all__ = [
    "DEFAULT_MAX_BODY_SIZE",
    "DEFAULT_TOLERANCE",
    "EVENTS",
    "InvalidDelivery",
    "ReceiveError",
    "ValidationResult",
    "VerificationError",
    "Violation",
    "check_format",
    "drift",
    "models",
    "parse",
    "receive",
    "validate",
    "verify",
]

#: Kit's replay window, in seconds, either way.
DEFAULT_TOLERANCE = 300
#: The largest body accepted by default, in bytes (as in Rust).
DEFAULT_MAX_BODY_SIZE = 1024 * 1024
#: Longer signature or timestamp headers are not Kit's (as in Rust).
MAX_HEADER_LENGTH = 1024

_KNOWN = frozenset(EVENTS)


class VerificationError(Exception):
    """A delivery not proven to come from Kit.

    ``reason`` is ``"signature"``, ``"stale"``, ``"future"`` or ``"malformed"``.
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class ValidationResult:
    """What :func:`validate` found."""

    valid: bool
    #: The body's ``event`` when it is a string, else None.
    event: str | None
    errors: list[Violation] = field(default_factory=list)


class InvalidDelivery(Exception):
    """A body the schemas refuse; ``errors`` lists why."""

    def __init__(self, event: str | None, errors: list[Violation]) -> None:
        first = errors[0] if errors else None
        where = f"{first.instance_path or '/'}: {first.message}" if first else "refused"
        super().__init__(f"invalid delivery{f' ({event})' if event else ''}: {where}")
        self.event = event
        self.errors = errors


class ReceiveError(Exception):
    """Why :func:`receive` refused a request.

    ``status`` is the answer to give: 401 not authentic, 400 a malformed
    request, 413 too large, 500 authentic but invalid (Kit retries a 5xx and
    never a 4xx). ``authentic`` is True when Kit's signature was proven: such
    a delivery must not be lost. ``errors`` holds the schema's reasons on a 500.
    """

    def __init__(self, status: int, authentic: bool, message: str, errors: list[Violation] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.authentic = authentic
        self.errors = errors or []


# ---------------------------------------------------------------------------
# Signatures
# ---------------------------------------------------------------------------

_HEX64 = re.compile(r"^[0-9a-fA-F]{64}\Z")


def _bytes(body: bytes | bytearray | memoryview | str) -> bytes:
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, (bytes, bytearray, memoryview)):
        return bytes(body)
    raise TypeError("body must be the raw body received: bytes or str")


def verify(
    body: bytes | str,
    *,
    timestamp: str,
    signature: str,
    secrets: str | Sequence[str],
    now: _dt.datetime | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
) -> int:
    """Verifies a delivery's signature and replay window.

    ``body`` is the raw body as received; ``timestamp`` and ``signature`` are
    the X-Webhook-Timestamp and X-Webhook-Signature headers; ``secrets`` is one
    secret or several (during a rotation). Returns the index of the secret
    that signed it. Raises :class:`VerificationError`: ``malformed`` (the
    signature is not 64 hex digits, or the timestamp is not RFC 3339),
    ``signature`` (no secret matches), ``stale`` or ``future`` (outside
    ``tolerance`` seconds of ``now``, default the current time).

    >>> import hashlib, hmac
    >>> body, at = b'{"event":"test.ping"}', "2025-01-15T14:30:00Z"
    >>> sig = hmac.new(b"s", f"{at}.".encode() + body, hashlib.sha256).hexdigest()
    >>> verify(body, timestamp=at, signature=sig, secrets=["old", "s"],
    ...        now=_dt.datetime(2025, 1, 15, 14, 31, tzinfo=_dt.timezone.utc))
    1
    """
    keys = [secrets] if isinstance(secrets, str) else list(secrets)
    if not keys or not all(isinstance(k, str) and k for k in keys):
        raise TypeError("secrets must be a non-empty str or a non-empty sequence of them")
    raw = _bytes(body)
    if not isinstance(signature, str) or not _HEX64.match(signature):
        raise VerificationError("malformed", "the signature is not 64 hex digits")
    if not isinstance(timestamp, str):
        raise VerificationError("malformed", "the timestamp is missing")
    given = bytes.fromhex(signature)
    signed = timestamp.encode("utf-8") + b"." + raw
    index = -1
    for i, key in enumerate(keys):
        expected = hmac.new(key.encode("utf-8"), signed, hashlib.sha256).digest()
        if hmac.compare_digest(expected, given) and index < 0:
            index = i
    if index < 0:
        raise VerificationError("signature", "the signature does not match the body and timestamp")
    signed_at = parse_timestamp(timestamp)
    if signed_at is None:
        raise VerificationError("malformed", "the timestamp is not an RFC 3339 date-time")
    now = now or _dt.datetime.now(_dt.timezone.utc)
    if now.tzinfo is None:
        now = now.replace(tzinfo=_dt.timezone.utc)
    age = (now - signed_at).total_seconds()
    if age > tolerance:
        raise VerificationError("stale", f"the timestamp is {int(age)} s old, beyond the {tolerance:g} s tolerance")
    if -age > tolerance:
        raise VerificationError("future", f"the timestamp is {int(-age)} s in the future, beyond the {tolerance:g} s tolerance")
    return index


# ---------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------

# The crate reads an integer field as a 64-bit integer: a number written with
# a fraction or an exponent (json.loads gives a float) is refused there, where
# JSON Schema alone would take 42.0.
_TYPES = Draft202012Validator.TYPE_CHECKER.redefine(
    "integer", lambda _checker, value: isinstance(value, int) and not isinstance(value, bool)
)
_KitValidator = validators_extend(Draft202012Validator, type_checker=_TYPES)


def _schema(path: str) -> dict[str, Any]:
    return json.loads(resources.files(__name__).joinpath("schemas", path).read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def _validator(event: str | None, strict: bool) -> Any:
    if event is None:
        # The envelope of an event this version does not know.
        union = _schema("webhook.json")
        schema = {"$schema": union["$schema"], "$defs": union["$defs"], "$ref": "#/$defs/UnknownEvent"}
    else:
        schema = _schema(f"strict/{event}.json" if strict else f"{event}.json")
    return _KitValidator(schema, format_checker=FORMATS)


def _pointer(path: Iterable[Any]) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def validate(body: Any, *, strict: bool = False, max_body_size: int = DEFAULT_MAX_BODY_SIZE) -> ValidationResult:
    """Checks one delivery against the schemas.

    ``body`` is the raw body (bytes or str) or an already parsed value.
    Prefer the raw body: ``json.loads`` reads ``-0`` as the integer 0, which
    the Rust crate refuses in an integer field.
    Lenient (the default) accepts what Kit may add: an event this version does
    not know (by its envelope), a field, a value in a documented list.
    ``strict=True`` refuses all three.
    """
    value, problem = document(body, max_body_size)
    if problem is not None:
        return ValidationResult(False, None, [problem])
    if not isinstance(value, dict):
        return ValidationResult(False, None, [Violation("", "type", f"{json.dumps(value)[:80]} is not of type 'object'")])
    event = value.get("event") if isinstance(value.get("event"), str) else None
    if event is not None and event not in _KNOWN and strict:
        message = f"{json.dumps(event)} is not a documented Kit event (strict mode accepts only the {len(EVENTS)} known events)"
        return ValidationResult(False, event, [Violation("/event", "enum", message)])
    validator = _validator(event if event in _KNOWN else None, strict)
    errors = sorted(validator.iter_errors(value), key=lambda e: list(map(str, e.absolute_path)))
    violations = [Violation(_pointer(e.absolute_path), str(e.validator), e.message) for e in errors]
    return ValidationResult(not violations, event, violations)


def parse(body: Any, *, strict: bool = False, max_body_size: int = DEFAULT_MAX_BODY_SIZE) -> BaseModel:
    """Validates the delivery and returns its event's model.

    The model's ``.event`` is the event name; an event this version does not
    know (lenient mode) comes back as :class:`models.UnknownEvent`. Fields
    and values Kit adds later are kept. Raises :class:`InvalidDelivery`.
    """
    result = validate(body, strict=strict, max_body_size=max_body_size)
    if not result.valid:
        raise InvalidDelivery(result.event, result.errors)
    value, _ = document(body, max_body_size)
    model = getattr(models, MODELS[result.event]) if result.event in _KNOWN else models.UnknownEvent
    return model.model_validate(value)


def drift(body: Any, *, max_body_size: int = DEFAULT_MAX_BODY_SIZE) -> list[dict[str, Any]]:
    """What a delivery carries that the schemas do not document: an event, a
    field or a value Kit added, as the Rust crate's ``parse_with_drift``
    reports it.

    Validates leniently first (raises :class:`InvalidDelivery` as :func:`parse`
    does), then returns the additions, each ``{"kind", "pointer",
    "instance_path", "value"}``, ordered by ``instance_path``. ``kind`` is
    ``event-added`` (``value``: its ``data``), ``field-added`` or
    ``value-added``; ``pointer`` writes array indices as ``*``. Empty for a
    delivery strict mode accepts.

    >>> drift(b'{"event": "test.ping", "created_at": "2025-01-15T14:30:00Z", "data": {"bonus": 1}}')
    [{'kind': 'field-added', 'pointer': '/data/bonus', 'instance_path': '/data/bonus', 'value': 1}]
    """
    result = validate(body, max_body_size=max_body_size)
    if not result.valid:
        raise InvalidDelivery(result.event, result.errors)
    value, _ = document(body, max_body_size)
    return _drift_of(value)


# ---------------------------------------------------------------------------
# Receiving
# ---------------------------------------------------------------------------


def _header_values(headers: Any, name: str) -> list[str]:
    getlist = getattr(headers, "getlist", None) or getattr(headers, "get_all", None)
    if callable(getlist):
        values = list(getlist(name) or [])
    elif callable(getattr(headers, "items", None)):
        values = [v for k, v in headers.items() if isinstance(k, str) and k.lower() == name]
    else:
        raise TypeError("headers must be a mapping of header names to values (a dict, or Flask's or Starlette's headers)")
    out: list[str] = []
    for value in values:
        # Some servers join a repeated header with commas; none of Kit's values holds one.
        out.extend(value.split(",") if isinstance(value, str) else [value])
    return out


def receive(
    headers: Mapping[str, str] | Any,
    body: bytes | str,
    *,
    secrets: str | Sequence[str],
    strict: bool = False,
    now: _dt.datetime | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
    max_body_size: int = DEFAULT_MAX_BODY_SIZE,
) -> BaseModel:
    """Verifies, then parses, a delivery as an HTTP view receives it.

    ``headers`` is the request's headers (a dict, or Flask's / Starlette's
    headers); ``body`` the raw body. Returns the event's model. Raises
    :class:`ReceiveError`, whose ``status`` is the answer to give.
    """
    raw = _bytes(body)
    if len(raw) > max_body_size:
        raise ReceiveError(413, False, f"the body is {len(raw)} bytes, over the {max_body_size}-byte limit")

    def one(name: str, status: int) -> str:
        values = _header_values(headers, name)
        if not values:
            raise ReceiveError(status, False, f"the {name} header is missing")
        if len(values) > 1:
            raise ReceiveError(status, False, f"the {name} header appears more than once")
        value = values[0]
        if not isinstance(value, str) or len(value) > MAX_HEADER_LENGTH or not re.fullmatch(r"[\x20-\x7e]*", value):
            raise ReceiveError(status, False, f"the {name} header is not a plausible value")
        return value

    signature = one("x-webhook-signature", 401)
    timestamp = one("x-webhook-timestamp", 400)
    try:
        verify(raw, timestamp=timestamp, signature=signature, secrets=secrets, now=now, tolerance=tolerance)
    except VerificationError as e:
        raise ReceiveError(401, False, str(e)) from e
    event = one("x-webhook-event", 400)
    value, _ = document(raw, max_body_size)
    body_event = value.get("event") if isinstance(value, dict) else None
    if isinstance(body_event, str) and body_event != event:
        raise ReceiveError(
            400, True, f"the X-Webhook-Event header says {event!r} but the signed body says {body_event!r}"
        )
    try:
        return parse(raw, strict=strict, max_body_size=max_body_size)
    except InvalidDelivery as e:
        raise ReceiveError(500, True, f"authentic delivery, but {e}", e.errors) from e
