// Copied into the export by `cargo xtask export` from xtask/kits/npm/kit.js.
// Receiving Kit webhooks in Node: verify the signature, validate, parse. The
// rules are the Rust crate's, and `cargo xtask interop` holds this package to
// its verdicts.
"use strict";

const crypto = require("node:crypto");
const { EVENTS, DEFAULT_MAX_BODY_SIZE, validate, documentOf, checkFormat, driftOf } = require("./check.js");

/** Kit's replay window: five minutes either way. */
const DEFAULT_TOLERANCE_SECONDS = 300;
/** Longer signature or timestamp headers are not Kit's (as in Rust). */
const MAX_HEADER_LENGTH = 1024;

/** A delivery that is not proven to come from Kit. `reason`: signature, stale, future or malformed. */
class VerificationError extends Error {
  constructor(reason, message) {
    super(message);
    this.name = "VerificationError";
    this.reason = reason;
  }
}

/** A body the schemas refuse; `errors` lists why ({ instancePath, keyword, message }). */
class InvalidDelivery extends Error {
  constructor(event, errors) {
    const first = errors[0];
    super(`invalid delivery${event ? ` (${event})` : ""}: ${first ? `${first.instancePath || "/"}: ${first.message}` : "refused"}`);
    this.name = "InvalidDelivery";
    this.event = event;
    this.errors = errors;
  }
}

/**
 * Why `receive` refused a request. `status` is the answer to give: 401 not
 * authentic, 400 a malformed request, 413 too large, 500 authentic but
 * invalid (Kit retries a 5xx and never a 4xx). `authentic` is true when the
 * signature was proven: such a delivery must not be lost.
 */
class ReceiveError extends Error {
  constructor(status, authentic, message, cause) {
    super(message, cause ? { cause } : undefined);
    this.name = "ReceiveError";
    this.status = status;
    this.authentic = authentic;
    if (cause && cause.errors) this.errors = cause.errors;
  }
}

function bodyBytes(body) {
  if (typeof body === "string") return Buffer.from(body, "utf8");
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  throw new TypeError("body must be a string, a Buffer or a Uint8Array (the raw bytes received)");
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

/** Milliseconds since the epoch of an RFC 3339 date-time, or null. */
function parseTimestamp(text) {
  const m = RFC3339.exec(text);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 60) return null;
  let offset = 0;
  if (m[8]) {
    const [oh, om] = [Number(m[9]), Number(m[10])];
    if (oh > 23 || om > 59) return null;
    offset = (m[8] === "-" ? -1 : 1) * (oh * 60 + om) * 60000;
  }
  const fraction = m[7] ? Number(`0${m[7]}`) * 1000 : 0;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, Math.min(second, 59), 0);
  // A leap second (:60) is one second after :59.
  return date.getTime() + (second === 60 ? 1000 : 0) + fraction - offset;
}

/**
 * Verifies a delivery's signature and replay window.
 *
 * `body` is the raw body as received (string, Buffer or Uint8Array);
 * `timestamp` and `signature` are the X-Webhook-Timestamp and
 * X-Webhook-Signature headers; `secrets` is one secret or several (during a
 * rotation). Returns the index of the secret that signed it. Throws a
 * VerificationError: `malformed` (the signature is not 64 hex digits, or the
 * timestamp is not RFC 3339), `signature` (no secret matches), `stale` or
 * `future` (outside `toleranceSeconds`, default 300, of `now`).
 */
function verify({ body, timestamp, signature, secrets, now = new Date(), toleranceSeconds = DEFAULT_TOLERANCE_SECONDS }) {
  const keys = typeof secrets === "string" ? [secrets] : Array.from(secrets || []);
  if (keys.length === 0 || !keys.every((k) => typeof k === "string" && k.length > 0)) {
    throw new TypeError("secrets must be a non-empty string or a non-empty array of them");
  }
  const bytes = bodyBytes(body);
  if (typeof signature !== "string" || !/^[0-9a-fA-F]{64}$/.test(signature)) {
    throw new VerificationError("malformed", "the signature is not 64 hex digits");
  }
  if (typeof timestamp !== "string") {
    throw new VerificationError("malformed", "the timestamp is missing");
  }
  const given = Buffer.from(signature, "hex");
  const signed = Buffer.concat([Buffer.from(`${timestamp}.`, "utf8"), bytes]);
  let index = -1;
  keys.forEach((key, i) => {
    const expected = crypto.createHmac("sha256", Buffer.from(key, "utf8")).update(signed).digest();
    if (crypto.timingSafeEqual(expected, given) && index < 0) index = i;
  });
  if (index < 0) throw new VerificationError("signature", "the signature does not match the body and timestamp");
  const signedAt = parseTimestamp(timestamp);
  if (signedAt === null) throw new VerificationError("malformed", "the timestamp is not an RFC 3339 date-time");
  const age = now.getTime() - signedAt;
  const tolerance = toleranceSeconds * 1000;
  if (age > tolerance) {
    throw new VerificationError("stale", `the timestamp is ${Math.floor(age / 1000)} s old, beyond the ${toleranceSeconds} s tolerance`);
  }
  if (-age > tolerance) {
    throw new VerificationError("future", `the timestamp is ${Math.floor(-age / 1000)} s in the future, beyond the ${toleranceSeconds} s tolerance`);
  }
  return index;
}

/**
 * Validates and returns the delivery, typed as the union of events. Throws
 * InvalidDelivery (with `.errors`) when the schemas refuse it.
 */
function parse(body, options = {}) {
  const result = validate(body, options);
  if (!result.valid) throw new InvalidDelivery(result.event, result.errors);
  const bytes = typeof body === "string" || body instanceof Uint8Array;
  return bytes ? documentOf(body, Infinity).value : body;
}

/**
 * What a delivery carries that the schemas do not document: an event, a
 * field or a value Kit added. Validates leniently first (throws
 * InvalidDelivery as `parse` does), then returns the additions, each
 * `{kind, pointer, instancePath, value}`, ordered by `instancePath`; the
 * same report, kinds and pointers as the Rust crate's `parse_with_drift`.
 * Empty for a fully documented delivery (one strict mode accepts).
 */
function drift(body, options = {}) {
  return driftOf(parse(body, { maxBodySize: options.maxBodySize }));
}

/**
 * One header from a Node headers object or a Fetch Headers, by lower-case
 * name: a string, an array when it came more than once, or undefined. Both
 * join a repeated header with commas, which none of Kit's values holds.
 */
function header(headers, name) {
  let value;
  if (headers && typeof headers.get === "function" && typeof headers.has === "function") {
    value = headers.get(name) ?? undefined;
  } else {
    const keys = Object.keys(headers || {}).filter((k) => k.toLowerCase() === name);
    if (keys.length > 1) return keys.map((k) => headers[k]);
    value = keys.length ? headers[keys[0]] : undefined;
  }
  return typeof value === "string" && value.includes(",") ? value.split(",") : value;
}

/**
 * Verifies, then parses, a delivery as an HTTP handler receives it.
 *
 * `headers`: the request's headers (Node's `req.headers`, or a Fetch
 * `Headers`); `body`: the raw body. Options: `secrets` (required),
 * `strict`, `now`, `toleranceSeconds`, `maxBodySize` (default 1 MiB).
 * Returns the delivery. Throws a ReceiveError whose `status` is the answer
 * to give and whose `authentic` says whether Kit signed it (see the class).
 */
function receive(headers, body, options = {}) {
  const bytes = bodyBytes(body);
  const limit = options.maxBodySize ?? DEFAULT_MAX_BODY_SIZE;
  if (bytes.length > limit) {
    throw new ReceiveError(413, false, `the body is ${bytes.length} bytes, over the ${limit}-byte limit`);
  }
  const one = (name, status) => {
    const value = header(headers, name);
    if (value === undefined) throw new ReceiveError(status, false, `the ${name} header is missing`);
    if (Array.isArray(value)) throw new ReceiveError(status, false, `the ${name} header appears more than once`);
    if (typeof value !== "string" || value.length > MAX_HEADER_LENGTH || !/^[\x20-\x7e]*$/.test(value)) {
      throw new ReceiveError(status, false, `the ${name} header is not a plausible value`);
    }
    return value;
  };
  const signature = one("x-webhook-signature", 401);
  const timestamp = one("x-webhook-timestamp", 400);
  try {
    verify({ body: bytes, timestamp, signature, secrets: options.secrets, now: options.now, toleranceSeconds: options.toleranceSeconds });
  } catch (e) {
    if (e instanceof VerificationError) throw new ReceiveError(401, false, e.message, e);
    throw e;
  }
  const event = one("x-webhook-event", 400);
  const read = documentOf(bytes, limit);
  const bodyEvent = read.value && typeof read.value === "object" && !Array.isArray(read.value) ? read.value.event : undefined;
  if (typeof bodyEvent === "string" && bodyEvent !== event) {
    throw new ReceiveError(400, true, `the X-Webhook-Event header says ${JSON.stringify(event)} but the signed body says ${JSON.stringify(bodyEvent)}`);
  }
  try {
    return parse(bytes, { strict: options.strict, maxBodySize: limit });
  } catch (e) {
    if (e instanceof InvalidDelivery) throw new ReceiveError(500, true, `authentic delivery, but ${e.message}`, e);
    throw e;
  }
}

module.exports = {
  EVENTS,
  DEFAULT_TOLERANCE_SECONDS,
  DEFAULT_MAX_BODY_SIZE,
  verify,
  validate,
  parse,
  receive,
  drift,
  checkFormat,
  VerificationError,
  InvalidDelivery,
  ReceiveError,
};
