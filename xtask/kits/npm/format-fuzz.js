// Run by `cargo xtask interop` (xtask/src/format_fuzz.rs) in the project that
// installed the packed kit: node format-fuzz.js STRINGS_JSON OUT_JSON writes
// the kit's verdict on every string, per format, as a string of 0s and 1s.
"use strict";
const fs = require("node:fs");
const kit = require("@kit-webhooks/schemas");
const input = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const out = {};
for (const [format, strings] of Object.entries(input)) {
  out[format] = strings.map((s) => (kit.checkFormat(format, s) ? "1" : "0")).join("");
}
fs.writeFileSync(process.argv[3], JSON.stringify(out));
