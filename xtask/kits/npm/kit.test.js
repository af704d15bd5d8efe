// Run by `cargo xtask interop` with `node --test`, in a fresh project that
// installed the packed export (and express, for the README's quickstart).
// Judges: the signature vectors (made with Python's hmac) and the Rust
// validator's verdicts on every fixture (KIT_CASES).
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const crypto = require("node:crypto");
const fs = require("node:fs");
const net = require("node:net");
const { spawn } = require("node:child_process");
const kit = require("@kit-webhooks/schemas");
const { vectors } = require("@kit-webhooks/schemas/signature-vectors.json");

const cases = JSON.parse(fs.readFileSync(process.env.KIT_CASES, "utf8"));
const bytesOf = (v) => (v.body_base64 !== undefined ? Buffer.from(v.body_base64, "base64") : Buffer.from(v.body, "utf8"));
const at = (timestamp, seconds = 0) => new Date(Date.parse(timestamp) + seconds * 1000);
const sign = (secret, timestamp, body) => crypto.createHmac("sha256", secret).update(`${timestamp}.`).update(body).digest("hex");
const reasonOf = (fn) => {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof kit.VerificationError, `${e}`);
    return e.reason;
  }
  return "accepted";
};

test("every signature vector verifies, with the index of its secret", () => {
  assert.ok(vectors.length >= 10);
  for (const v of vectors) {
    const body = bytesOf(v);
    const base = { timestamp: v.timestamp, signature: v.signature, now: at(v.timestamp) };
    assert.equal(kit.verify({ ...base, body, secrets: v.secret }), 0, v.description);
    assert.equal(kit.verify({ ...base, body: new Uint8Array(body), secrets: ["whsec_other", v.secret] }), 1, v.description);
    assert.equal(kit.verify({ ...base, body, signature: v.signature.toUpperCase(), secrets: [v.secret] }), 0, v.description);
    if (v.body !== undefined) assert.equal(kit.verify({ ...base, body: v.body, secrets: v.secret }), 0, v.description);
  }
});

test("a changed signature, body, timestamp or secret is refused as `signature`", () => {
  for (const v of vectors) {
    const body = bytesOf(v);
    const base = { body, timestamp: v.timestamp, signature: v.signature, secrets: v.secret, now: at(v.timestamp) };
    const flipped = v.signature.slice(0, -1) + (v.signature.endsWith("0") ? "1" : "0");
    assert.equal(reasonOf(() => kit.verify({ ...base, signature: flipped })), "signature", v.description);
    assert.equal(reasonOf(() => kit.verify({ ...base, body: Buffer.concat([body, Buffer.from(" ")]) })), "signature", v.description);
    assert.equal(reasonOf(() => kit.verify({ ...base, secrets: `${v.secret}x` })), "signature", v.description);
    assert.equal(reasonOf(() => kit.verify({ ...base, timestamp: v.timestamp.replace(/:00(Z|\+)/, ":01$1") })), "signature", v.description);
  }
});

test("an hour late is `stale`, an hour early `future`; the window's edges hold", () => {
  for (const v of vectors) {
    const base = { body: bytesOf(v), timestamp: v.timestamp, signature: v.signature, secrets: v.secret };
    assert.equal(reasonOf(() => kit.verify({ ...base, now: at(v.timestamp, 3600) })), "stale", v.description);
    assert.equal(reasonOf(() => kit.verify({ ...base, now: at(v.timestamp, -3600) })), "future", v.description);
    assert.equal(kit.verify({ ...base, now: at(v.timestamp, 300) }), 0);
    assert.equal(kit.verify({ ...base, now: at(v.timestamp, -300) }), 0);
    assert.equal(reasonOf(() => kit.verify({ ...base, now: at(v.timestamp, 301) })), "stale");
    assert.equal(kit.verify({ ...base, now: at(v.timestamp, 3600), toleranceSeconds: 3601 }), 0);
  }
});

test("malformed signatures and timestamps are `malformed`", () => {
  const v = vectors[0];
  const base = { body: bytesOf(v), timestamp: v.timestamp, secrets: v.secret, now: at(v.timestamp) };
  for (const signature of ["", "zz".repeat(32), v.signature.slice(1), `${v.signature}0`, `sha256=${v.signature}`]) {
    assert.equal(reasonOf(() => kit.verify({ ...base, signature })), "malformed", signature);
  }
  const timestamp = "yesterday";
  const signature = sign(v.secret, timestamp, bytesOf(v));
  assert.equal(reasonOf(() => kit.verify({ ...base, timestamp, signature })), "malformed");
  assert.throws(() => kit.verify({ ...base, signature: v.signature, secrets: [] }), TypeError);
});

test("every fixture gets the Rust validator's verdict, lenient and strict", () => {
  assert.ok(cases.length >= 100);
  for (const c of cases) {
    const body = bytesOf(c);
    for (const [mode, strict] of [["lenient", false], ["strict", true]]) {
      const result = kit.validate(body, { strict });
      assert.equal(result.valid, c[mode], `${c.name} (${mode}): ${JSON.stringify(result.errors)}`);
      assert.equal(result.errors.length === 0, c[mode], c.name);
      for (const e of result.errors) {
        assert.equal(typeof e.instancePath, "string");
        assert.equal(typeof e.keyword, "string");
        assert.equal(typeof e.message, "string");
      }
      if (c.utf8) assert.equal(kit.validate(body.toString("utf8"), { strict }).valid, c[mode], `${c.name} as a string`);
      // A parsed value keeps no trace of `42.0` having been written with a fraction.
      if (c.utf8 && c.json && !c.floats) assert.equal(kit.validate(JSON.parse(body.toString("utf8")), { strict }).valid, c[mode], `${c.name} parsed`);
    }
    assert.equal(kit.validate(body).event, c.event, c.name);
  }
});

test("parse gives the right event for every valid delivery, and throws InvalidDelivery otherwise", () => {
  let parsed = 0;
  for (const c of cases) {
    for (const [mode, strict] of [["lenient", false], ["strict", true]]) {
      if (c[mode]) {
        const delivery = kit.parse(bytesOf(c), { strict });
        assert.equal(delivery.event, c.event, c.name);
        assert.deepEqual(delivery, JSON.parse(bytesOf(c).toString("utf8")), `${c.name}: nothing dropped`);
        parsed++;
      } else {
        assert.throws(() => kit.parse(bytesOf(c), { strict }), (e) => e instanceof kit.InvalidDelivery && e.errors.length > 0, c.name);
      }
    }
  }
  assert.ok(parsed >= 2 * kit.EVENTS.length);
});

test("drift gives the Rust report (kinds, pointers, values) for every lenient-valid delivery", () => {
  let withDrift = 0;
  const kinds = new Set();
  for (const c of cases.filter((x) => x.drift !== undefined)) {
    const found = kit.drift(bytesOf(c));
    const expected = c.drift.map((a) => ({ kind: a.kind, pointer: a.pointer, instancePath: a.instance_path, value: a.value }));
    assert.deepEqual(found, expected, c.name);
    if (found.length) withDrift++;
    for (const a of found) kinds.add(a.kind);
    assert.equal(found.length === 0, c.strict, `${c.name}: no drift exactly when strict mode accepts`);
  }
  assert.deepEqual([...kinds].sort(), ["event-added", "field-added", "value-added"]);
  assert.ok(withDrift >= 100, `${withDrift} deliveries with drift`);
  const invalid = cases.find((c) => !c.lenient && c.event && c.json);
  assert.throws(() => kit.drift(bytesOf(invalid)), kit.InvalidDelivery);
});

function signed(body, { secret = "whsec_kit", timestamp = new Date().toISOString(), event } = {}) {
  const value = JSON.parse(body.toString("utf8"));
  return {
    "content-type": "application/json",
    "x-webhook-event": event ?? value.event,
    "x-webhook-timestamp": timestamp,
    "x-webhook-signature": sign(secret, timestamp, body),
  };
}

test("receive: statuses and authenticity as in Rust", () => {
  const options = { secrets: ["whsec_old", "whsec_kit"] };
  const valid = cases.filter((c) => c.lenient && c.strict && c.event);
  for (const c of valid) {
    const body = bytesOf(c);
    assert.equal(kit.receive(signed(body), body, options).event, c.event, c.name);
    assert.equal(kit.receive(new Headers(signed(body)), body, options).event, c.event, `${c.name} (Fetch Headers)`);
  }
  const body = bytesOf(valid[0]);
  const refused = (headers, payload = body, extra = {}) => {
    try {
      kit.receive(headers, payload, { ...options, ...extra });
    } catch (e) {
      assert.ok(e instanceof kit.ReceiveError, `${e}`);
      return [e.status, e.authentic];
    }
    return "accepted";
  };
  assert.deepEqual(refused(signed(body, { secret: "whsec_forged" })), [401, false]);
  assert.deepEqual(refused(signed(body, { timestamp: new Date(Date.now() - 3600e3).toISOString() })), [401, false]);
  assert.deepEqual(refused(signed(body, { timestamp: new Date(Date.now() + 3600e3).toISOString() })), [401, false]);
  const { "x-webhook-signature": _s, ...noSignature } = signed(body);
  assert.deepEqual(refused(noSignature), [401, false]);
  const { "x-webhook-timestamp": _t, ...noTimestamp } = signed(body);
  assert.deepEqual(refused(noTimestamp), [400, false]);
  const { "x-webhook-event": _e, ...noEvent } = signed(body);
  assert.deepEqual(refused(noEvent), [400, false]);
  assert.deepEqual(refused(signed(body, { event: "test.ping" })), [400, true]);
  assert.deepEqual(refused(signed(body), body, { maxBodySize: body.length - 1 }), [413, false]);
  const invalid = cases.find((c) => !c.lenient && c.event && c.json);
  const bad = bytesOf(invalid);
  const e = (() => {
    try {
      kit.receive(signed(bad), bad, options);
    } catch (error) {
      return error;
    }
  })();
  assert.equal(e.status, 500, invalid.name);
  assert.equal(e.authentic, true);
  assert.ok(e.errors.length > 0);
  const undocumented = cases.find((c) => c.lenient && !c.strict && c.name.includes("undocumented-enum"));
  const kept = bytesOf(undocumented);
  assert.equal(kit.receive(signed(kept), kept, options).data.status, JSON.parse(kept).data.status, "lenient keeps the value sent");
  assert.deepEqual(refused(signed(kept), kept, { strict: true }), [500, true]);
});

function freePort() {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

test("the README's Express quickstart receives, refuses and keeps", async () => {
  const port = await freePort();
  const child = spawn(process.execPath, [process.env.KIT_QUICKSTART], {
    env: { ...process.env, PORT: String(port), KIT_WEBHOOK_SECRET: "whsec_kit" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  try {
    const url = `http://127.0.0.1:${port}/webhooks/kit`;
    const post = async (headers, body) => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await fetch(url, { method: "POST", headers, body });
        } catch (e) {
          if (attempt > 50) throw e;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    };
    const ok = cases.find((c) => c.name === "valid/offer.accepted.json");
    const body = bytesOf(ok);
    const answer = await post(signed(body), body);
    assert.equal(answer.status, 200, output);
    assert.deepEqual(await answer.json(), { received: "offer.accepted" });
    assert.equal((await post(signed(body, { secret: "whsec_forged" }), body)).status, 401);
    const { "content-type": _type, ...untyped } = signed(body);
    assert.equal((await post(untyped, body)).status, 200, "no Content-Type: still the raw bytes");
    const invalid = cases.find((c) => c.name === "invalid/offer.wrong-type-details.json");
    const bad = bytesOf(invalid);
    assert.equal((await post(signed(bad), bad)).status, 500);
    assert.match(output, /keep this delivery/);
  } finally {
    child.kill();
  }
});
