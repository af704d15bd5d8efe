"""Run by ``cargo xtask interop`` (xtask/src/format_fuzz.rs) with the venv that
installed the kit: ``python format_fuzz.py STRINGS_JSON OUT_JSON`` writes the
kit's verdict on every string, per format, as a string of 0s and 1s."""
import json, sys
import kit_webhooks
with open(sys.argv[1], encoding="utf-8") as f:
    strings = json.load(f)
out = {fmt: "".join("1" if kit_webhooks.check_format(fmt, s) else "0" for s in values) for fmt, values in strings.items()}
with open(sys.argv[2], "w", encoding="utf-8") as f:
    json.dump(out, f)
