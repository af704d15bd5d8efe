const fs = require("fs");
const Ajv2020 = require("ajv/dist/2020");
const addFormats = require("ajv-formats");
const [schemaFile, input] = process.argv.slice(2);
const ajv = new Ajv2020();
addFormats(ajv);
const validate = ajv.compile(JSON.parse(fs.readFileSync(schemaFile, "utf8")));
const lines = fs.readFileSync(input, "utf8").split("\n");
let out = [];
const flush = () => { if (out.length) { fs.writeSync(1, out.join("")); out = []; } };
for (let i = 0; i < lines.length; i++) {
  const line = lines[i];
  if (!line.trim()) continue;
  const source = `${input}:${i + 1}`;
  let doc;
  try { doc = JSON.parse(line); } catch (e) {
    out.push(JSON.stringify({ source, valid: false, event: null, errors: [{ instance_path: "", keyword: "json", message: e.message }] }) + "\n");
    continue;
  }
  const valid = validate(doc);
  const event = doc && typeof doc.event === "string" ? doc.event : null;
  const errors = valid ? [] : validate.errors.map((e) => ({ instance_path: e.instancePath, keyword: e.keyword, message: e.message }));
  out.push(JSON.stringify({ source, valid, event, errors }) + "\n");
  if (out.length >= 4096) flush();
}
flush();
