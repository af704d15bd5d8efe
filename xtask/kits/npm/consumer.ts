// Compiled by `cargo xtask interop` with `tsc --strict --noEmit` in the fresh
// project that installed the packed export: the kit's declarations, used as
// a TypeScript receiver would use them.
import {
  DEFAULT_TOLERANCE_SECONDS,
  EVENTS,
  InvalidDelivery,
  KitWebhookDelivery,
  OfferAccepted,
  ReceiveError,
  ValidationResult,
  VerificationError,
  parse,
  receive,
  validate,
  verify,
} from "@kit-webhooks/schemas";

const body = new TextEncoder().encode('{"event":"test.ping","created_at":"2025-01-15T14:30:00Z","data":{}}');
const index: number = verify({ body, timestamp: "2025-01-15T14:30:00Z", signature: "00", secrets: ["a", "b"], now: new Date(), toleranceSeconds: DEFAULT_TOLERANCE_SECONDS });
const result: ValidationResult = validate(body, { strict: true });
const pointer: string | undefined = result.errors[0]?.instancePath;
const event: string | null = result.event;
const delivery: KitWebhookDelivery = parse("{}");
const name: string = delivery.event;
export function statusOf(offer: OfferAccepted): string {
  return offer.data.status;
}
try {
  receive({ "x-webhook-signature": "a", "x-webhook-timestamp": "b", "x-webhook-event": "c" }, body, { secrets: "s", strict: false });
} catch (e) {
  if (e instanceof ReceiveError) {
    const status: 400 | 401 | 413 | 500 = e.status;
    const authentic: boolean = e.authentic;
    console.log(status, authentic, e.errors?.length);
  } else if (e instanceof VerificationError) {
    const reason: "signature" | "stale" | "future" | "malformed" = e.reason;
    console.log(reason);
  } else if (e instanceof InvalidDelivery) {
    console.log(e.errors.map((x) => x.keyword));
  }
}
console.log(index, pointer, event, name, EVENTS.length);
