"""The two formats the schemas use, ``date-time`` and ``email``, checked as the
Rust crate's validator (jsonschema 0.61 with the email_address crate) checks
them, so that every kit gives the same verdict; and the RFC 3339 reading of
the signature's timestamp.

Copied into the export by ``cargo xtask export`` from
xtask/kits/python/kit_webhooks/_formats.py.
"""

from __future__ import annotations

import bisect
import datetime as _dt
import ipaddress
import re

from jsonschema import FormatChecker

from . import _unicode

_WHITE_SPACE = "".join(chr(c) for c in _unicode.WHITE_SPACE)

_RFC3339 = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?(?:[Zz]|([+-])(\d{2}):(\d{2}))\Z", re.ASCII
)


def parse_timestamp(text: str) -> _dt.datetime | None:
    """An RFC 3339 date-time (a leap second counts as the next second), or None."""
    m = _RFC3339.match(text)
    if not m:
        return None
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    if hour > 23 or minute > 59 or second > 60:
        return None
    offset = _dt.timedelta(0)
    if m.group(8):
        oh, om = int(m.group(9)), int(m.group(10))
        if oh > 23 or om > 59:
            return None
        offset = _dt.timedelta(hours=oh, minutes=om) * (-1 if m.group(8) == "-" else 1)
    try:
        moment = _dt.datetime(year, month, day, hour, minute, min(second, 59), tzinfo=_dt.timezone(offset))
    except ValueError:
        return None
    fraction = _dt.timedelta(seconds=float("0" + m.group(7))) if m.group(7) else _dt.timedelta(0)
    return moment + fraction + _dt.timedelta(seconds=1 if second == 60 else 0)


def _is_valid_date(date: str) -> bool:
    m = re.fullmatch(r"([0-9]{4})-([0-9]{2})-([0-9]{2})", date)
    if not m:
        return False
    year, month, day = (int(g) for g in m.groups())
    if not 1 <= month <= 12 or day < 1:
        return False
    leap = (year % 4 == 0 and year % 100 != 0) or year % 400 == 0
    return day <= [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]


def _is_valid_time(time: str) -> bool:
    m = re.fullmatch(r"([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?(?:([Zz])|([+-])([0-9]{2}):([0-9]{2}))", time)
    if not m:
        return False
    hour, minute, second = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if hour > 23 or minute > 59 or second > 60:
        return False
    if m.group(5):
        return second != 60 or (hour == 23 and minute == 59)
    oh, om = int(m.group(7)), int(m.group(8))
    if oh > 23 or om > 59:
        return False
    if second != 60:
        return True
    # A leap second is valid only at 23:59:60 UTC.
    sign = -1 if m.group(6) == "+" else 1
    return (hour * 60 + minute + sign * (oh * 60 + om)) % 1440 == 23 * 60 + 59


def _is_valid_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    t = re.search("[Tt]", value)
    return bool(t) and _is_valid_date(value[: t.start()]) and _is_valid_time(value[t.start() + 1 :])


def _split_display(text: str) -> tuple[str, str] | None:
    in_quote = escaped = False
    separator = -1
    for i, c in enumerate(text):
        if not in_quote and text.startswith(" <", i):
            separator = i
        if escaped:
            escaped = False
        elif in_quote and c == "\\":
            escaped = True
        elif c == '"':
            in_quote = not in_quote
    if separator < 0:
        return "", text
    # Rust's str::trim (Unicode White_Space); Python's strip() also takes \x1c-\x1f.
    right = text[separator + 2 :].strip(_WHITE_SPACE)
    return (text[:separator].strip(_WHITE_SPACE), right[:-1]) if right.endswith(">") else None


_ATEXT_ASCII = frozenset("!#$%&'*+-/=?^_`{|}~")


def _is_atom(s: str) -> bool:
    return bool(s) and all(c.isalnum() or c in _ATEXT_ASCII or ord(c) > 0x7F for c in s)


def _is_qcontent(s: str) -> bool:
    chars = iter(s)
    for c in chars:
        if c == "\\":
            nxt = next(chars, None)
            if nxt is None or not 0x21 <= ord(nxt) <= 0x7E:
                return False
        elif not (c in " \t" or ord(c) == 0x21 or 0x23 <= ord(c) <= 0x5B or 0x5D <= ord(c) <= 0x7E or ord(c) > 0x7F):
            return False
    return True


def _is_valid_hostname(host: str) -> bool:
    if not host or len(host) > 253 or host.endswith("."):
        return False
    for label in host.split("."):
        if not re.fullmatch(r"[A-Za-z0-9-]{1,63}", label) or label[0] == "-" or label[-1] == "-":
            return False
        punycode = label.startswith("xn--")
        # Hyphens in the third and fourth places only in an A-label (xn--).
        if len(label) >= 4 and label[2:4] == "--" and not punycode:
            return False
        if punycode:
            decoded = _decode_punycode(label[4:])
            if decoded is None or not _is_valid_unicode_label(decoded):
                return False
    return True


# Punycode (RFC 3492) as jsonschema decodes an A-label's payload: arithmetic
# in 32 bits, where an overflow makes the label invalid. (Python's own
# "punycode" codec takes what this refuses, and refuses differently.)
_U32 = 0xFFFFFFFF


def _punycode_digit(c: str) -> int | None:
    if "0" <= c <= "9":
        return ord(c) - 0x30 + 26
    if "A" <= c <= "Z":
        return ord(c) - 0x41
    if "a" <= c <= "z":
        return ord(c) - 0x61
    return None


def _punycode_adapt(delta: int, count: int, first: bool) -> int:
    delta //= 700 if first else 2
    delta += delta // count
    k = 0
    while delta > (35 * 26) // 2:
        delta //= 35
        k += 36
    return k + (36 * delta) // (delta + 38)


def _decode_punycode(payload: str) -> list[int] | None:
    dash = payload.rfind("-")
    basic, encoded = (payload[:dash], payload[dash + 1 :]) if dash > 0 else ("", payload)
    output = [ord(c) for c in basic]
    n, i, bias, p = 128, 0, 72, 0
    while p < len(encoded):
        previous, weight, k = i, 1, 36
        while True:
            if p >= len(encoded):
                return None
            digit = _punycode_digit(encoded[p])
            p += 1
            if digit is None or digit * weight > _U32:
                return None
            i += digit * weight
            if i > _U32:
                return None
            t = 1 if k <= bias else 26 if k >= bias + 26 else k - bias
            if digit < t:
                break
            weight *= 36 - t
            if weight > _U32:
                return None
            k += 36
        count = len(output) + 1
        bias = _punycode_adapt(i - previous, count, previous == 0)
        n += i // count
        i %= count
        if n > 0x10FFFF or 0xD800 <= n <= 0xDFFF:
            return None
        output.insert(i, n)
        i += 1
    return output


def _in_ranges(ranges: list[list[int]], code: int) -> bool:
    at = bisect.bisect_right(ranges, [code, 0x110000]) - 1
    return at >= 0 and ranges[at][0] <= code <= ranges[at][1]


_VIRAMA = frozenset(_unicode.VIRAMA)
_DISALLOWED = frozenset(_unicode.DISALLOWED)
_EXCEPTIONS = frozenset(_unicode.EXCEPTIONS)


def _is_valid_unicode_label(label: list[int]) -> bool:
    """jsonschema's check of a decoded label (RFC 5892's categories and contextual rules)."""
    if label and _in_ranges(_unicode.MARK, label[0]):
        return False
    katakana_middle_dot = hiragana_katakana_han = arabic_indic = extended_arabic_indic = False
    for j, c in enumerate(label):
        previous = label[j - 1] if j > 0 else None
        following = label[j + 1] if j + 1 < len(label) else None
        if c == 0x200D and previous not in _VIRAMA:
            return False
        if c == 0x00B7 and (previous != 0x6C or following != 0x6C):
            return False
        if c == 0x0375 and not (following is not None and 0x370 <= following <= 0x3FF):
            return False
        if c in (0x05F3, 0x05F4) and not (previous is not None and 0x590 <= previous <= 0x5FF):
            return False
        if c == 0x30FB:
            katakana_middle_dot = True
        elif 0x3040 <= c <= 0x30FF or 0x4E00 <= c <= 0x9FFF:
            hiragana_katakana_han = True
        elif 0x660 <= c <= 0x669:
            arabic_indic = True
        elif 0x6F0 <= c <= 0x6F9:
            extended_arabic_indic = True
        elif c in _DISALLOWED:
            return False
        elif c in _EXCEPTIONS:
            continue
        elif c > 0x7F and not _in_ranges(_unicode.PVALID, c):
            return False
    return not ((katakana_middle_dot and not hiragana_katakana_han) or (arabic_indic and extended_arabic_indic))


def _is_valid_ipv4(text: str) -> bool:
    parts = text.split(".")
    return len(parts) == 4 and all(re.fullmatch(r"0|[1-9][0-9]{0,2}", p) and int(p) <= 255 for p in parts)


def _is_valid_ipv6(text: str) -> bool:
    if not re.fullmatch(r"[0-9A-Fa-f:.]+", text):
        return False
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    tail = text.rsplit(":", 1)[-1]
    return "." not in tail or _is_valid_ipv4(tail)


def _is_valid_email(value: object) -> bool:
    if not isinstance(value, str):
        return True
    email = value
    if email.startswith('""@'):
        email = '"a"@' + email[3:]
    split = _split_display(email)
    if split is None:
        return False
    display, address = split
    local, at, domain = address.rpartition("@")
    if not at:
        return False
    if display == "" and local.startswith("<"):
        return False
    if not local or len(local.encode()) > 64:
        return False
    if local.startswith('"') and local.endswith('"'):
        if len(local) <= 2 or not _is_qcontent(local[1:-1]):
            return False
    elif not all(_is_atom(part) for part in local.split(".")):
        return False
    if not local.isascii() or not domain or len(domain.encode()) > 254:
        return False
    if domain.startswith("[") and domain.endswith("]"):
        literal = domain[1:-1]
        if not all(0x21 <= ord(c) <= 0x5A or 0x5E <= ord(c) <= 0x7E or ord(c) > 0x7F for c in literal):
            return False
        return _is_valid_ipv6(literal[5:]) if literal[:5].lower() == "ipv6:" else _is_valid_ipv4(literal)
    for label in domain.split("."):
        if not label or not label[0].isalnum() or not label[-1].isalnum():
            return False
        if len(label.encode()) > 63 or not _is_atom(label):
            return False
    return _is_valid_hostname(domain)


def check_format(format: str, value: str) -> bool:
    """Whether ``value`` is a valid ``format`` (``"date-time"`` or ``"email"``), as the
    Rust crate's validator says.

    >>> check_format("email", "Jane <jane@example.com>")
    True
    >>> check_format("email", "a@xn--a.com")
    False
    >>> check_format("date-time", "2016-12-31T23:59:60Z")
    True
    """
    checks = {"date-time": _is_valid_date_time, "email": _is_valid_email}
    if format not in checks:
        raise ValueError(f"no such format: {format!r} (date-time, email)")
    return checks[format](value)


#: python-jsonschema's format checks, with these two in place of its own.
FORMATS = FormatChecker()
FORMATS.checks("date-time")(_is_valid_date_time)
FORMATS.checks("email")(_is_valid_email)
