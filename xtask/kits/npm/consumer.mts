// Compiled by `cargo xtask interop` with `tsc --module nodenext` (and run with
// node) and with `--module esnext --moduleResolution bundler`, in the fresh
// project that installed the packed export: the kit from an ES module.
import kit, { EVENTS, ReceiveError, checkFormat, validate, type ValidationResult } from "@kit-webhooks/schemas";
import * as namespace from "@kit-webhooks/schemas";

const body = '{"event":"test.ping","created_at":"2025-01-15T14:30:00Z","data":{}}';
const named: ValidationResult = validate(body);
const viaDefault: ValidationResult = kit.validate(body, { strict: true });
const viaNamespace: ValidationResult = namespace.validate(body);
const email: boolean = checkFormat("email", "jane@example.com");
if (!named.valid || !viaDefault.valid || !viaNamespace.valid || !email || EVENTS.length === 0) {
  throw new Error("the kit does not work from an ES module");
}
if (kit.ReceiveError !== ReceiveError || namespace.ReceiveError !== ReceiveError) throw new Error("two ReceiveError classes");
console.log(`esm consumer: ${EVENTS.length} events; validate, kit.validate and namespace.validate agree`);
