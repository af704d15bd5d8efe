"""Drift: what a delivery carries that the schemas do not document, found by
walking the shape the Rust crate walks (``drift_shape.json``, derived from the
schemas at export time by the crate's own code), so that the report, its
kinds and its pointers are the Rust crate's.

Copied into the export by ``cargo xtask export`` from
xtask/kits/python/kit_webhooks/_drift.py.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any


@lru_cache(maxsize=None)
def _shape() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("drift_shape.json").read_text(encoding="utf-8")
    return json.loads(text)


def _token(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _walk(index: int, value: Any, instance: str, pattern: str, out: list[dict[str, Any]]) -> None:
    if index == 0:
        return
    node = _shape()["nodes"][index]
    props = dict(node.get("props", []))
    is_object = bool(props) or node.get("closes", False) or node.get("others", 0)
    if isinstance(value, dict) and is_object:
        for key, child in value.items():
            t = _token(key)
            if key in props:
                _walk(props[key], child, f"{instance}/{t}", f"{pattern}/{t}", out)
            elif node.get("closes", False):
                out.append({"kind": "field-added", "pointer": f"{pattern}/{t}", "instance_path": f"{instance}/{t}", "value": child})
            else:
                _walk(node.get("others", 0), child, f"{instance}/{t}", f"{pattern}/{t}", out)
    elif isinstance(value, list) and node.get("items", 0):
        for i, item in enumerate(value):
            _walk(node["items"], item, f"{instance}/{i}", f"{pattern}/*", out)
    elif isinstance(value, str) and node.get("values") and value not in node["values"]:
        out.append({"kind": "value-added", "pointer": pattern, "instance_path": instance, "value": value})


def drift_of(delivery: dict[str, Any]) -> list[dict[str, Any]]:
    """The drift of a parsed delivery (a dict with a string ``event``)."""
    event = delivery.get("event") if isinstance(delivery.get("event"), str) else ""
    events = _shape()["events"]
    if event not in events:
        return [{"kind": "event-added", "pointer": "", "instance_path": "", "value": delivery.get("data")}]
    out: list[dict[str, Any]] = []
    _walk(events[event], delivery, "", "", out)
    # Python orders strings by code point, as Rust orders them by UTF-8 bytes.
    return sorted(out, key=lambda a: a["instance_path"])
