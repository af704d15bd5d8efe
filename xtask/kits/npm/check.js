// Copied into the export by `cargo xtask export` from xtask/kits/npm/check.js.
// Validation with the validators ajv compiled at export time (validators.js):
// no schema is compiled at run time. Runs in Node and in a browser alike.
"use strict";

const validators = require("./validators.js");

/** The documented event names. */
const EVENTS = validators.events;
const KNOWN = new Set(EVENTS);

/** The largest body accepted, as in Rust's `Parser::DEFAULT_MAX_BODY_SIZE`. */
const DEFAULT_MAX_BODY_SIZE = 1024 * 1024;

function bytesOf(body) {
  if (typeof body === "string") return null;
  if (body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  return undefined;
}

function jsonError(message) {
  return { instancePath: "", keyword: "json", message };
}

/** Rust refuses arrays and objects nested deeper than this. */
const MAX_DEPTH = 128;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Reads JSON text as the Rust crate does, or returns a `json` error: a
 * repeated key in an object, a lone surrogate escape, a number too large for
 * a double and nesting deeper than 128 are refused, where JSON.parse would
 * let them through. `floats` lists where numbers were written with a
 * fraction or an exponent (or as -0), which the parsed value no longer says.
 */
function readJson(text) {
  let value;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { error: jsonError(`malformed JSON: ${e.message}`) };
  }
  const floats = [];
  const problem = scan(text, floats) || walk(value);
  return problem ? { error: jsonError(`malformed JSON: ${problem}`) } : { value, floats };
}

const escapeKey = (key) => key.replace(/~/g, "~0").replace(/\//g, "~1");

/**
 * Walks (already well-formed) JSON text: finds a repeated key or nesting too
 * deep, and records in `floats` the pointers of numbers not written as integers.
 */
function scan(text, floats) {
  // One frame per open container: its keys seen (objects), the current key or index.
  const stack = [];
  let i = 0;
  let expectKey = false;
  const pointer = () => stack.map((f) => `/${f.keys ? escapeKey(f.key) : f.index}`).join("");
  while (i < text.length) {
    const c = text[i];
    if (c === "{" || c === "[") {
      stack.push(c === "{" ? { keys: new Set(), key: "" } : { keys: null, index: 0 });
      if (stack.length > MAX_DEPTH) return `arrays and objects are nested deeper than ${MAX_DEPTH} levels`;
      expectKey = c === "{";
      i++;
    } else if (c === "}" || c === "]") {
      stack.pop();
      i++;
    } else if (c === ",") {
      const top = stack[stack.length - 1];
      if (top && !top.keys) top.index++;
      expectKey = Boolean(top && top.keys);
      i++;
    } else if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      if (expectKey) {
        const key = JSON.parse(text.slice(i, j + 1));
        const top = stack[stack.length - 1];
        if (top.keys.has(key)) return `duplicate key ${JSON.stringify(key)} in an object`;
        top.keys.add(key);
        top.key = key;
        expectKey = false;
      }
      i = j + 1;
    } else if (c === "-" || (c >= "0" && c <= "9")) {
      let j = i;
      while (j < text.length && /[-+0-9.eE]/.test(text[j])) j++;
      const number = text.slice(i, j);
      if (/[.eE]/.test(number) || number === "-0") floats.push(pointer());
      i = j;
    } else {
      i++;
    }
  }
  return null;
}

/** Finds a value serde_json would not have read: a lone surrogate or an infinite number. */
function walk(value) {
  if (typeof value === "number") return Number.isFinite(value) ? null : "a number out of range";
  if (typeof value === "string") return LONE_SURROGATE.test(value) ? "a lone surrogate in a string" : null;
  if (Array.isArray(value)) {
    for (const item of value) {
      const problem = walk(item);
      if (problem) return problem;
    }
  } else if (value && typeof value === "object") {
    for (const key of Object.keys(value)) {
      const problem = (LONE_SURROGATE.test(key) && "a lone surrogate in a key") || walk(value[key]);
      if (problem) return problem;
    }
  }
  return null;
}

/** The JSON document in `body` (a string, bytes, or an already parsed value), or an error. */
function documentOf(body, maxBodySize) {
  const bytes = bytesOf(body);
  if (bytes === undefined) return { value: body, floats: [] };
  const size = bytes === null ? utf8Length(body) : bytes.length;
  if (size > maxBodySize) {
    return { error: { instancePath: "", keyword: "size", message: `the body is ${size} bytes, over the ${maxBodySize}-byte limit` } };
  }
  let text = body;
  if (bytes !== null) {
    try {
      text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
    } catch (e) {
      return { error: jsonError("malformed JSON: the body is not valid UTF-8") };
    }
  }
  return readJson(text);
}

function utf8Length(text) {
  return new TextEncoder().encode(text).length;
}

function errorsOf(validator) {
  return (validator.errors || []).map((e) => ({ instancePath: e.instancePath, keyword: e.keyword, message: e.message }));
}

/**
 * Checks one delivery against the schemas.
 *
 * `body` is the raw body (a string, Buffer or Uint8Array) or an already
 * parsed value. Prefer the raw body: a parsed value no longer says that
 * `42.0` was written with a fraction, which the Rust crate refuses in an
 * integer field. Lenient (the default) accepts what Kit may add: an event
 * this version does not know (by its envelope), a field, a value in a
 * documented list. `strict: true` refuses all three.
 *
 * Returns `{ valid, event, errors: [{ instancePath, keyword, message }] }`,
 * with `event` the body's `event` when it is a string, else null.
 */
function validate(body, options = {}) {
  const strict = Boolean(options.strict);
  const maxBodySize = options.maxBodySize ?? DEFAULT_MAX_BODY_SIZE;
  const read = documentOf(body, maxBodySize);
  if (read.error) return { valid: false, event: null, errors: [read.error] };
  const value = read.value;
  const isObject = value !== null && typeof value === "object" && !Array.isArray(value);
  const event = isObject && typeof value.event === "string" ? value.event : null;
  if (!isObject) {
    return { valid: false, event, errors: [{ instancePath: "", keyword: "type", message: "must be object" }] };
  }
  let validator;
  if (event !== null && KNOWN.has(event)) {
    validator = (strict ? validators.strict : validators.lenient)[event];
  } else if (strict && event !== null) {
    const message = `${JSON.stringify(event)} is not a documented Kit event (strict mode accepts only the ${EVENTS.length} known events)`;
    return { valid: false, event, errors: [{ instancePath: "/event", keyword: "enum", message }] };
  } else {
    // An event this version does not know, or no event at all: the envelope.
    validator = validators.envelope;
  }
  const errors = validator(value) ? [] : errorsOf(validator);
  // The crate reads an integer field as a 64-bit integer: a number written
  // with a fraction or an exponent is refused there, as it is in Rust.
  const integers = new Set(event !== null && KNOWN.has(event) ? validators.integers[event] : []);
  for (const at of read.floats) {
    if (integers.has(at) && !errors.some((e) => e.instancePath === at && e.keyword === "type")) {
      errors.push({ instancePath: at, keyword: "type", message: "must be integer (written without a fraction or an exponent)" });
    }
  }
  return { valid: errors.length === 0, event, errors };
}

/**
 * Whether `value` is a valid `format` ("date-time" or "email"), as the Rust
 * crate's validator says: the check the validators use.
 */
function checkFormat(format, value) {
  const check = Object.prototype.hasOwnProperty.call(validators.formats, format) ? validators.formats[format] : null;
  if (check === null) throw new TypeError(`no such format: ${JSON.stringify(format)} (date-time, email)`);
  if (typeof value !== "string") throw new TypeError("the value must be a string");
  return check.validate(value);
}

// Drift: what a delivery carries that the schemas do not document, found by
// walking the shape the Rust crate walks (drift-shape.json, derived from the
// schemas at export time by the crate's own code).
const SHAPE = validators.shape;
const hasOwn = (object, key) => Object.prototype.hasOwnProperty.call(object, key);
const pointerToken = (key) => key.replace(/~/g, "~0").replace(/\//g, "~1");

/** Orders strings as Rust orders them (by code point, not UTF-16 unit). */
function byCodePoint(a, b) {
  const x = Array.from(a);
  const y = Array.from(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i].codePointAt(0) - y[i].codePointAt(0);
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

function driftWalk(index, value, instance, pattern, out) {
  if (index === 0) return;
  const node = SHAPE.nodes[index];
  const props = node.props || [];
  const isObject = props.length > 0 || node.closes || node.others;
  if (value !== null && typeof value === "object" && !Array.isArray(value) && isObject) {
    for (const key of Object.keys(value)) {
      const t = pointerToken(key);
      const prop = props.find(([k]) => k === key);
      if (prop) driftWalk(prop[1], value[key], `${instance}/${t}`, `${pattern}/${t}`, out);
      else if (node.closes) out.push({ kind: "field-added", pointer: `${pattern}/${t}`, instancePath: `${instance}/${t}`, value: value[key] });
      else driftWalk(node.others || 0, value[key], `${instance}/${t}`, `${pattern}/${t}`, out);
    }
  } else if (Array.isArray(value) && node.items) {
    value.forEach((item, i) => driftWalk(node.items, item, `${instance}/${i}`, `${pattern}/*`, out));
  } else if (typeof value === "string" && node.values && !node.values.includes(value)) {
    out.push({ kind: "value-added", pointer: pattern, instancePath: instance, value });
  }
}

/**
 * The drift of a parsed delivery (an object with a string `event`): a list
 * of `{kind, pointer, instancePath, value}`, ordered by `instancePath`, as
 * the Rust crate reports it. `kind` is "event-added" (`value`: its `data`),
 * "field-added" or "value-added"; `pointer` writes array indices as `*`.
 */
function driftOf(document) {
  const event = typeof document.event === "string" ? document.event : "";
  if (!hasOwn(SHAPE.events, event)) {
    return [{ kind: "event-added", pointer: "", instancePath: "", value: hasOwn(document, "data") ? document.data : null }];
  }
  const out = [];
  driftWalk(SHAPE.events[event], document, "", "", out);
  return out.sort((a, b) => byCodePoint(a.instancePath, b.instancePath));
}

module.exports = { EVENTS, DEFAULT_MAX_BODY_SIZE, validate, documentOf, checkFormat, driftOf };
