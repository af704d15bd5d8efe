// Compiled into validators.js by `cargo xtask export` from xtask/kits/npm/formats.js.
// The two formats the schemas use, checked as the Rust crate's validator
// (jsonschema 0.61 with the email_address crate) checks them, so that every
// kit gives the same verdict. ajv-formats' own differ: its date-time takes a
// space for the `T`, its email wants a dot in the domain.
"use strict";

const UNICODE = require("./unicode.js");

const TWO = /^\d{2}$/;

function isValidDate(date) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return day <= days;
}

function isValidTime(time) {
  if (time.length < 9 || time[2] !== ":" || time[5] !== ":") return false;
  const [hh, mm, ss] = [time.slice(0, 2), time.slice(3, 5), time.slice(6, 8)];
  if (!TWO.test(hh) || !TWO.test(mm) || !TWO.test(ss)) return false;
  const [hour, minute, second] = [Number(hh), Number(mm), Number(ss)];
  if (hour > 23 || minute > 59 || second > 60) return false;
  let i = 8;
  if (time[i] === ".") {
    i++;
    const start = i;
    while (i < time.length && time[i] >= "0" && time[i] <= "9") i++;
    if (i === start) return false;
  }
  if (i === time.length) return false;
  const zone = time.slice(i);
  if (zone === "Z" || zone === "z") return second !== 60 || (hour === 23 && minute === 59);
  const m = /^([+-])(\d{2}):(\d{2})$/.exec(zone);
  if (!m) return false;
  const [oh, om] = [Number(m[2]), Number(m[3])];
  if (oh > 23 || om > 59) return false;
  if (second !== 60) return true;
  // A leap second is valid only at 23:59:60 UTC.
  const sign = m[1] === "+" ? -1 : 1;
  let utc = hour * 60 + minute + sign * (oh * 60 + om);
  utc = ((utc % 1440) + 1440) % 1440;
  return utc === 23 * 60 + 59;
}

function isValidDateTime(value) {
  const t = value.search(/[Tt]/);
  return t >= 0 && isValidDate(value.slice(0, t)) && isValidTime(value.slice(t + 1));
}

const ALNUM = /^[\p{Alphabetic}\p{N}]$/u;
const ATEXT = /^[\p{Alphabetic}\p{N}!#$%&'*+\-/=?^_`{|}~]$/u;
const isAtext = (c) => ATEXT.test(c) || c.codePointAt(0) > 0x7f;
const isAtom = (s) => s.length > 0 && Array.from(s).every(isAtext);
const utf8 = (s) => new TextEncoder().encode(s).length;

function isQcontent(s) {
  const chars = Array.from(s);
  for (let i = 0; i < chars.length; i++) {
    const code = chars[i].codePointAt(0);
    if (chars[i] === "\\") {
      const next = chars[++i];
      if (next === undefined || next.codePointAt(0) < 0x21 || next.codePointAt(0) > 0x7e) return false;
    } else if (!(code === 0x20 || code === 0x09 || code === 0x21 || (code >= 0x23 && code <= 0x5b) || (code >= 0x5d && code <= 0x7e) || code > 0x7f)) {
      return false;
    }
  }
  return true;
}

function isValidHostname(host) {
  if (host.length === 0 || host.length > 253 || host.endsWith(".")) return false;
  return host.split(".").every((label) => {
    if (!/^[A-Za-z0-9-]{1,63}$/.test(label) || label.startsWith("-") || label.endsWith("-")) return false;
    const punycode = label.startsWith("xn--");
    // Hyphens in the third and fourth places only in an A-label (xn--).
    if (label.length >= 4 && label.slice(2, 4) === "--" && !punycode) return false;
    if (!punycode) return true;
    const decoded = decodePunycode(label.slice(4));
    return decoded !== null && isValidUnicodeLabel(decoded);
  });
}

// Punycode (RFC 3492) as jsonschema decodes an A-label's payload: arithmetic
// in 32 bits, where an overflow makes the label invalid.
const U32 = 0xffffffff;

function punycodeDigit(code) {
  if (code >= 0x30 && code <= 0x39) return code - 0x30 + 26;
  if (code >= 0x41 && code <= 0x5a) return code - 0x41;
  if (code >= 0x61 && code <= 0x7a) return code - 0x61;
  return null;
}

function punycodeAdapt(delta, count, first) {
  delta = Math.floor(delta / (first ? 700 : 2));
  delta += Math.floor(delta / count);
  let k = 0;
  while (delta > Math.floor((35 * 26) / 2)) {
    delta = Math.floor(delta / 35);
    k += 36;
  }
  return k + Math.floor((36 * delta) / (delta + 38));
}

/** The code points of a punycode payload, or null. */
function decodePunycode(input) {
  const dash = input.lastIndexOf("-");
  const basic = dash > 0 ? input.slice(0, dash) : "";
  const encoded = dash > 0 ? input.slice(dash + 1) : input;
  const output = Array.from(basic, (c) => c.codePointAt(0));
  let n = 128;
  let i = 0;
  let bias = 72;
  let p = 0;
  while (p < encoded.length) {
    const previous = i;
    let weight = 1;
    for (let k = 36; ; k += 36) {
      if (p >= encoded.length) return null;
      const digit = punycodeDigit(encoded.charCodeAt(p++));
      if (digit === null || digit * weight > U32) return null;
      i += digit * weight;
      if (i > U32) return null;
      const t = k <= bias ? 1 : k >= bias + 26 ? 26 : k - bias;
      if (digit < t) break;
      weight *= 36 - t;
      if (weight > U32) return null;
    }
    const count = output.length + 1;
    bias = punycodeAdapt(i - previous, count, previous === 0);
    n += Math.floor(i / count);
    i %= count;
    if (n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) return null;
    output.splice(i, 0, n);
    i++;
  }
  return output;
}

function inRanges(ranges, code) {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (code < ranges[mid][0]) hi = mid - 1;
    else if (code > ranges[mid][1]) lo = mid + 1;
    else return true;
  }
  return false;
}

const VIRAMA = new Set(UNICODE.VIRAMA);
const DISALLOWED = new Set(UNICODE.DISALLOWED);
const EXCEPTIONS = new Set(UNICODE.EXCEPTIONS);

/** jsonschema's check of a decoded label (RFC 5892's categories and contextual rules). */
function isValidUnicodeLabel(label) {
  if (label.length > 0 && inRanges(UNICODE.MARK, label[0])) return false;
  let katakanaMiddleDot = false;
  let hiraganaKatakanaHan = false;
  let arabicIndic = false;
  let extendedArabicIndic = false;
  for (let j = 0; j < label.length; j++) {
    const c = label[j];
    const previous = j > 0 ? label[j - 1] : null;
    const next = j + 1 < label.length ? label[j + 1] : null;
    if (c === 0x200d && !(previous !== null && VIRAMA.has(previous))) return false;
    if (c === 0x00b7 && (previous !== 0x6c || next !== 0x6c)) return false;
    if (c === 0x0375 && !(next !== null && next >= 0x370 && next <= 0x3ff)) return false;
    if ((c === 0x05f3 || c === 0x05f4) && !(previous !== null && previous >= 0x590 && previous <= 0x5ff)) return false;
    if (c === 0x30fb) katakanaMiddleDot = true;
    else if ((c >= 0x3040 && c <= 0x30ff) || (c >= 0x4e00 && c <= 0x9fff)) hiraganaKatakanaHan = true;
    else if (c >= 0x660 && c <= 0x669) arabicIndic = true;
    else if (c >= 0x6f0 && c <= 0x6f9) extendedArabicIndic = true;
    else if (DISALLOWED.has(c)) return false;
    else if (EXCEPTIONS.has(c)) continue;
    else if (c > 0x7f && !inRanges(UNICODE.PVALID, c)) return false;
  }
  return !((katakanaMiddleDot && !hiraganaKatakanaHan) || (arabicIndic && extendedArabicIndic));
}

function isValidIPv4(text) {
  const parts = text.split(".");
  return parts.length === 4 && parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
}

function isValidIPv6(text) {
  if (!/^[0-9A-Fa-f:.]+$/.test(text)) return false;
  let head = text;
  let groups = 8;
  const lastColon = text.lastIndexOf(":");
  if (text.slice(lastColon + 1).includes(".")) {
    if (!isValidIPv4(text.slice(lastColon + 1))) return false;
    head = text.slice(0, lastColon + 1) + "0";
    groups = 7;
  }
  const halves = head.split("::");
  if (halves.length > 2) return false;
  const count = (h) => (h === "" ? [] : h.split(":"));
  const parts = halves.flatMap(count);
  if (!parts.every((p) => /^[0-9A-Fa-f]{1,4}$/.test(p))) return false;
  return halves.length === 2 ? parts.length < groups : parts.length === groups;
}

const WHITE_SPACE = new Set(UNICODE.WHITE_SPACE);

/** Rust's `str::trim`: Unicode White_Space at both ends (String.prototype.trim also takes U+FEFF). */
function trimRust(text) {
  const chars = Array.from(text);
  let start = 0;
  let end = chars.length;
  while (start < end && WHITE_SPACE.has(chars[start].codePointAt(0))) start++;
  while (end > start && WHITE_SPACE.has(chars[end - 1].codePointAt(0))) end--;
  return chars.slice(start, end).join("");
}

/** email_address's split of `Display Name <address>`: [display, address], or null. */
function splitDisplay(text) {
  let inQuote = false;
  let escaped = false;
  let separator = -1;
  for (let i = 0; i < text.length; i++) {
    if (!inQuote && text.startsWith(" <", i)) separator = i;
    const c = text[i];
    if (escaped) escaped = false;
    else if (inQuote && c === "\\") escaped = true;
    else if (c === '"') inQuote = !inQuote;
  }
  if (separator < 0) return ["", text];
  const right = trimRust(text.slice(separator + 2));
  return right.endsWith(">") ? [trimRust(text.slice(0, separator)), right.slice(0, -1)] : null;
}

function isValidEmail(email) {
  // email_address rejects an empty quoted local part, which RFC 5321 allows.
  if (email.startsWith('""@')) email = `"a"@${email.slice(3)}`;
  const split = splitDisplay(email);
  if (split === null) return false;
  const [display, address] = split;
  const at = address.lastIndexOf("@");
  if (at < 0) return false;
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (display === "" && local.startsWith("<")) return false;
  if (local.length === 0 || utf8(local) > 64) return false;
  if (local.startsWith('"') && local.endsWith('"')) {
    if (local.length <= 2 || !isQcontent(local.slice(1, -1))) return false;
  } else if (!local.split(".").every(isAtom)) {
    return false;
  }
  if (/[^\x00-\x7f]/.test(local)) return false;
  if (domain.length === 0 || utf8(domain) > 254) return false;
  if (domain.startsWith("[") && domain.endsWith("]")) {
    const literal = domain.slice(1, -1);
    if (!Array.from(literal).every((c) => { const x = c.codePointAt(0); return (x >= 0x21 && x <= 0x5a) || (x >= 0x5e && x <= 0x7e) || x > 0x7f; })) return false;
    return /^ipv6:/i.test(literal) ? isValidIPv6(literal.slice(5)) : isValidIPv4(literal);
  }
  for (const label of domain.split(".")) {
    const chars = Array.from(label);
    if (chars.length === 0 || !ALNUM.test(chars[0]) || !ALNUM.test(chars[chars.length - 1])) return false;
    if (utf8(label) > 63 || !isAtom(label)) return false;
  }
  return isValidHostname(domain);
}

module.exports = {
  "date-time": { type: "string", validate: isValidDateTime },
  email: { type: "string", validate: isValidEmail },
};
