"""Run by `cargo xtask interop` with pytest, in a fresh virtual environment
that installed the wheel built from the export's python/ project (and Flask,
for the README's quickstart). Judges: the signature vectors (made with
Python's hmac, not this package) and the Rust validator's verdicts on every
fixture (KIT_CASES)."""

import base64
import datetime as dt
import hashlib
import hmac
import importlib.util
import json
import os

import pytest

import kit_webhooks
from kit_webhooks import models

with open(os.environ["KIT_CASES"], encoding="utf-8") as f:
    CASES = json.load(f)
with open(os.environ["KIT_VECTORS"], encoding="utf-8") as f:
    VECTORS = json.load(f)["vectors"]


def body_of(v):
    return base64.b64decode(v["body_base64"]) if "body_base64" in v else v["body"].encode("utf-8")


def at(timestamp, seconds=0):
    return dt.datetime.fromisoformat(timestamp.replace("Z", "+00:00")) + dt.timedelta(seconds=seconds)


def sign(secret, timestamp, body):
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def reason(**kwargs):
    try:
        kit_webhooks.verify(kwargs.pop("body"), **kwargs)
    except kit_webhooks.VerificationError as e:
        return e.reason
    return "accepted"


@pytest.mark.parametrize("v", VECTORS, ids=lambda v: v["description"])
def test_every_signature_vector_verifies(v):
    body = body_of(v)
    now = at(v["timestamp"])
    assert kit_webhooks.verify(body, timestamp=v["timestamp"], signature=v["signature"], secrets=v["secret"], now=now) == 0
    assert kit_webhooks.verify(
        bytearray(body), timestamp=v["timestamp"], signature=v["signature"].upper(), secrets=["whsec_other", v["secret"]], now=now
    ) == 1
    if "body" in v:
        assert kit_webhooks.verify(v["body"], timestamp=v["timestamp"], signature=v["signature"], secrets=[v["secret"]], now=now) == 0


@pytest.mark.parametrize("v", VECTORS, ids=lambda v: v["description"])
def test_changed_signatures_bodies_and_secrets_are_refused(v):
    base = dict(body=body_of(v), timestamp=v["timestamp"], signature=v["signature"], secrets=v["secret"], now=at(v["timestamp"]))
    flipped = v["signature"][:-1] + ("1" if v["signature"].endswith("0") else "0")
    assert reason(**{**base, "signature": flipped}) == "signature"
    assert reason(**{**base, "body": base["body"] + b" "}) == "signature"
    assert reason(**{**base, "secrets": v["secret"] + "x"}) == "signature"


@pytest.mark.parametrize("v", VECTORS, ids=lambda v: v["description"])
def test_an_hour_late_is_stale_and_early_is_future(v):
    base = dict(body=body_of(v), timestamp=v["timestamp"], signature=v["signature"], secrets=v["secret"])
    assert reason(**base, now=at(v["timestamp"], 3600)) == "stale"
    assert reason(**base, now=at(v["timestamp"], -3600)) == "future"
    assert reason(**base, now=at(v["timestamp"], 300)) == "accepted"
    assert reason(**base, now=at(v["timestamp"], 301)) == "stale"
    assert reason(**base, now=at(v["timestamp"], 3600), tolerance=3601) == "accepted"


def test_malformed_signatures_and_timestamps():
    v = VECTORS[0]
    base = dict(body=body_of(v), timestamp=v["timestamp"], secrets=v["secret"], now=at(v["timestamp"]))
    for signature in ["", "zz" * 32, v["signature"][1:], v["signature"] + "0", "sha256=" + v["signature"]]:
        assert reason(**base, signature=signature) == "malformed"
    stamp = "yesterday"
    assert reason(**{**base, "timestamp": stamp}, signature=sign(v["secret"], stamp, body_of(v))) == "malformed"
    with pytest.raises(TypeError):
        kit_webhooks.verify(body_of(v), timestamp=v["timestamp"], signature=v["signature"], secrets=[])


def test_there_are_enough_cases():
    assert len(CASES) >= 100
    assert sum(c["lenient"] for c in CASES) >= len(kit_webhooks.EVENTS)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["name"])
def test_every_fixture_gets_the_rust_verdict(case):
    body = body_of(case)
    for mode, strict in (("lenient", False), ("strict", True)):
        result = kit_webhooks.validate(body, strict=strict)
        assert result.valid == case[mode], (mode, result.errors)
        assert (not result.errors) == case[mode]
        for e in result.errors:
            assert isinstance(e.instance_path, str) and isinstance(e.keyword, str) and isinstance(e.message, str)
        if case["utf8"]:
            assert kit_webhooks.validate(body.decode("utf-8"), strict=strict).valid == case[mode]
        if case["utf8"] and case["json"] and not case["floats"]:
            # json.loads keeps 42.0 a float, but reads -0 as the integer 0.
            assert kit_webhooks.validate(json.loads(body), strict=strict).valid == case[mode]
    assert kit_webhooks.validate(body).event == case["event"]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["name"])
def test_parse_gives_the_right_event_or_raises(case):
    body = body_of(case)
    for mode, strict in (("lenient", False), ("strict", True)):
        if case[mode]:
            delivery = kit_webhooks.parse(body, strict=strict)
            assert delivery.event == case["event"]
            expected = models.UnknownEvent if case["event"] not in kit_webhooks.EVENTS else getattr(models, kit_webhooks._events.MODELS[case["event"]])
            assert type(delivery) is expected
            # Nothing the delivery carried is dropped: unknown fields and undocumented values are kept.
            sent = json.loads(body)
            back = delivery.model_dump(mode="json", by_alias=True)
            assert set(back) >= set(sent)
            assert set(back["data"]) >= set(sent["data"])
            if isinstance(sent["data"].get("status"), str):
                assert back["data"]["status"] == sent["data"]["status"]
        else:
            with pytest.raises(kit_webhooks.InvalidDelivery) as raised:
                kit_webhooks.parse(body, strict=strict)
            assert raised.value.errors


def test_drift_gives_the_rust_report_for_every_lenient_valid_delivery():
    with_drift = 0
    kinds = set()
    for case in (c for c in CASES if "drift" in c):
        found = kit_webhooks.drift(body_of(case))
        assert found == case["drift"], case["name"]
        with_drift += bool(found)
        kinds.update(a["kind"] for a in found)
        assert (not found) == case["strict"], case["name"]
    assert kinds == {"event-added", "field-added", "value-added"}
    assert with_drift >= 100
    invalid = next(c for c in CASES if not c["lenient"] and c["event"] and c["json"])
    with pytest.raises(kit_webhooks.InvalidDelivery):
        kit_webhooks.drift(body_of(invalid))


def signed(body, secret="whsec_kit", timestamp=None, event=None):
    timestamp = timestamp or dt.datetime.now(dt.timezone.utc).isoformat().replace("+00:00", "Z")
    return {
        "Content-Type": "application/json",
        "X-Webhook-Event": event or json.loads(body)["event"],
        "X-Webhook-Timestamp": timestamp,
        "X-Webhook-Signature": sign(secret, timestamp, body),
    }


def status(headers, body, **options):
    try:
        kit_webhooks.receive(headers, body, secrets=["whsec_old", "whsec_kit"], **options)
    except kit_webhooks.ReceiveError as e:
        return e.status, e.authentic
    return "accepted"


def test_receive_statuses_and_authenticity_as_in_rust():
    valid = [c for c in CASES if c["lenient"] and c["strict"] and c["event"]]
    for case in valid:
        body = body_of(case)
        assert kit_webhooks.receive(signed(body), body, secrets="whsec_kit").event == case["event"]
    body = body_of(valid[0])
    hour = dt.timedelta(hours=1)
    iso = lambda t: t.isoformat().replace("+00:00", "Z")
    now = dt.datetime.now(dt.timezone.utc)
    assert status(signed(body, secret="whsec_forged"), body) == (401, False)
    assert status(signed(body, timestamp=iso(now - hour)), body) == (401, False)
    assert status(signed(body, timestamp=iso(now + hour)), body) == (401, False)
    for header, expected in (("X-Webhook-Signature", 401), ("X-Webhook-Timestamp", 400), ("X-Webhook-Event", 400)):
        headers = signed(body)
        del headers[header]
        assert status(headers, body) == (expected, False), header
    assert status(signed(body, event="test.ping"), body) == (400, True)
    assert status({k.lower(): v for k, v in signed(body).items()}, body) == "accepted"
    with pytest.raises(TypeError):
        kit_webhooks.receive(None, body, secrets="whsec_kit")
    assert status(signed(body), body, max_body_size=len(body) - 1) == (413, False)
    invalid = next(c for c in CASES if not c["lenient"] and c["event"] and c["json"])
    bad = body_of(invalid)
    with pytest.raises(kit_webhooks.ReceiveError) as raised:
        kit_webhooks.receive(signed(bad), bad, secrets="whsec_kit")
    assert (raised.value.status, raised.value.authentic) == (500, True)
    assert raised.value.errors
    undocumented = next(c for c in CASES if c["lenient"] and not c["strict"] and "undocumented-enum" in c["name"])
    kept = body_of(undocumented)
    delivery = kit_webhooks.receive(signed(kept), kept, secrets="whsec_kit")
    assert delivery.model_dump(mode="json")["data"]["status"] == json.loads(kept)["data"]["status"]
    assert status(signed(kept), kept, strict=True) == (500, True)


def test_the_readme_flask_quickstart_receives_and_refuses(monkeypatch):
    monkeypatch.setenv("KIT_WEBHOOK_SECRET", "whsec_kit")
    spec = importlib.util.spec_from_file_location("quickstart", os.environ["KIT_QUICKSTART"])
    quickstart = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(quickstart)
    client = quickstart.app.test_client()
    ok = next(c for c in CASES if c["name"] == "valid/offer.accepted.json")
    body = body_of(ok)
    answer = client.post("/webhooks/kit", data=body, headers=signed(body))
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.get_json() == {"received": "offer.accepted"}
    assert client.post("/webhooks/kit", data=body, headers=signed(body, secret="whsec_forged")).status_code == 401
    bad = body_of(next(c for c in CASES if c["name"] == "invalid/offer.wrong-type-details.json"))
    assert client.post("/webhooks/kit", data=bad, headers=signed(bad)).status_code == 500
