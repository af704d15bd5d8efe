// Run by `cargo xtask interop` with `node --test` in the fresh project that
// installed the packed export: the kit as an ES module imports it, and its
// declarations, its CommonJS exports and its ES module exports held equal.
import assert from "node:assert/strict";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { test } from "node:test";

import kit, { EVENTS, ReceiveError, checkFormat, parse, receive, validate, verify } from "@kit-webhooks/schemas";
import * as namespace from "@kit-webhooks/schemas";

const require = createRequire(import.meta.url);
const cjs = require("@kit-webhooks/schemas");
const root = path.dirname(require.resolve("@kit-webhooks/schemas/package.json"));

test("named imports, the default import and the namespace are the CommonJS exports", () => {
  for (const f of [validate, verify, receive, parse, checkFormat]) assert.equal(typeof f, "function");
  assert.equal(kit, cjs);
  assert.equal(namespace.default, cjs);
  assert.equal(namespace.validate, cjs.validate);
  assert.equal(ReceiveError, cjs.ReceiveError, "one class, whichever way it is imported");
  assert.equal(EVENTS.length, cjs.events.length);
  const body = '{"event":"test.ping","created_at":"2025-01-15T14:30:00Z","data":{}}';
  assert.equal(validate(body).valid, true);
  assert.equal(namespace.validate(body, { strict: true }).valid, true);
});

test("the declarations name exactly what the module exports at run time", () => {
  const declared = new Set();
  const dts = fs.readFileSync(path.join(root, "types/index.d.ts"), "utf8");
  for (const m of dts.matchAll(/^export declare (?:const|function|class) ([A-Za-z_$][\w$]*)/gm)) declared.add(m[1]);
  const atRunTime = new Set(Object.keys(cjs));
  const esm = new Set(Object.keys(namespace).filter((k) => k !== "default"));
  assert.deepEqual([...declared].sort(), [...atRunTime].sort(), "index.d.ts against require()");
  assert.deepEqual([...esm].sort(), [...atRunTime].sort(), "import * against require()");
});

test("every conditional export lists `types` first", () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
  let conditional = 0;
  for (const [entry, target] of Object.entries(pkg.exports)) {
    if (typeof target === "object") {
      conditional++;
      assert.equal(Object.keys(target)[0], "types", `exports[${JSON.stringify(entry)}]`);
    }
  }
  assert.ok(conditional > 0);
});
