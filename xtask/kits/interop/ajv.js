const fs = require("fs");
const path = require("path");
const Ajv2020 = require("ajv/dist/2020");
const addFormats = require("ajv-formats");
const [dist, casesFile] = process.argv.slice(2);
const load = (p) => JSON.parse(fs.readFileSync(path.join(dist, p), "utf8"));
const compile = (schema) => {
  const ajv = new Ajv2020({ allErrors: true });
  addFormats(ajv);
  return ajv.compile(schema);
};
const union = { lenient: compile(load("webhook.json")), strict: compile(load("webhook.strict.json")) };
const cache = {};
const perEvent = (event, mode) => {
  const key = mode + ":" + event;
  if (!cache[key]) cache[key] = compile(load(mode === "strict" ? `schemas/strict/${event}.json` : `schemas/${event}.json`));
  return cache[key];
};
const lines = [];
for (const c of JSON.parse(fs.readFileSync(casesFile, "utf8"))) {
  for (const mode of ["lenient", "strict"]) {
    lines.push([c.name, "webhook.json", mode, union[mode](c.document) ? "valid" : "invalid"].join("\t"));
    if (c.event) lines.push([c.name, c.event, mode, perEvent(c.event, mode)(c.document) ? "valid" : "invalid"].join("\t"));
  }
}
process.stdout.write(lines.join("\n") + "\n");
