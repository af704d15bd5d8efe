import json, os, sys
from jsonschema import Draft202012Validator, FormatChecker
dist, cases_file = sys.argv[1], sys.argv[2]
def load(p):
    with open(os.path.join(dist, p)) as f:
        return json.load(f)
def make(schema):
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
union = {"lenient": make(load("webhook.json")), "strict": make(load("webhook.strict.json"))}
cache = {}
def per_event(event, mode):
    key = (mode, event)
    if key not in cache:
        cache[key] = make(load(f"schemas/strict/{event}.json" if mode == "strict" else f"schemas/{event}.json"))
    return cache[key]
with open(cases_file) as f:
    cases = json.load(f)
out = []
for c in cases:
    for mode in ("lenient", "strict"):
        out.append("\t".join([c["name"], "webhook.json", mode, "valid" if union[mode].is_valid(c["document"]) else "invalid"]))
        if c["event"]:
            out.append("\t".join([c["name"], c["event"], mode, "valid" if per_event(c["event"], mode).is_valid(c["document"]) else "invalid"]))
print("\n".join(out))
