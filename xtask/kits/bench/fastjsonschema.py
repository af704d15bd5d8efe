import json, sys
import fastjsonschema
schema_file, input_file = sys.argv[1], sys.argv[2]
validate = fastjsonschema.compile(json.load(open(schema_file)), formats={})
out = []
write = sys.stdout.write
with open(input_file) as f:
    for i, line in enumerate(f, 1):
        if not line.strip():
            continue
        source = f"{input_file}:{i}"
        try:
            doc = json.loads(line)
        except ValueError as e:
            out.append(json.dumps({"source": source, "valid": False, "event": None, "errors": [{"instance_path": "", "keyword": "json", "message": str(e)}]}))
            continue
        event = doc.get("event") if isinstance(doc, dict) and isinstance(doc.get("event"), str) else None
        try:
            validate(doc)
            out.append(json.dumps({"source": source, "valid": True, "event": event, "errors": []}))
        except fastjsonschema.JsonSchemaException as e:
            out.append(json.dumps({"source": source, "valid": False, "event": event, "errors": [{"instance_path": e.path, "keyword": e.rule, "message": e.message}]}))
        if len(out) >= 4096:
            write("\n".join(out) + "\n"); out = []
if out:
    write("\n".join(out) + "\n")
