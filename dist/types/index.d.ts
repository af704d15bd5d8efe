// Copied into the export by `cargo xtask export` from xtask/kits/npm/index.d.ts.
// The delivery types are generated from the schemas into ./delivery.d.ts.
import type { KitWebhookDelivery } from "./delivery";

export * from "./delivery";

/** The raw body as received: verify and validate the exact bytes. */
export type Body = string | Uint8Array;

/** Kit's replay window, in seconds: 300. */
export declare const DEFAULT_TOLERANCE_SECONDS: number;
/** The largest body accepted by default, in bytes: 1 MiB. */
export declare const DEFAULT_MAX_BODY_SIZE: number;
/** The documented event names. */
export declare const EVENTS: readonly string[];
/** The documented event names (the same list as `EVENTS`). */
export declare const events: readonly string[];
/** The lenient union schema. */
export declare const webhook: object;
/** The strict union schema. */
export declare const webhookStrict: object;
/** One self-contained schema per event, lenient. */
export declare const schemas: Readonly<Record<string, object>>;
/** One self-contained schema per event, strict. */
export declare const strictSchemas: Readonly<Record<string, object>>;

export interface VerifyOptions {
  body: Body;
  /** The X-Webhook-Timestamp header. */
  timestamp: string;
  /** The X-Webhook-Signature header. */
  signature: string;
  /** The signing secret, or several during a rotation. */
  secrets: string | readonly string[];
  /** The time to check the replay window against (default: now). */
  now?: Date;
  /** The replay window either way, in seconds (default: 300). */
  toleranceSeconds?: number;
}

/**
 * Verifies a delivery's signature and replay window; returns the index of
 * the secret that signed it. Throws `VerificationError`.
 */
export declare function verify(options: VerifyOptions): number;

export interface ValidationError {
  /** A JSON Pointer to the value at fault ("" for the whole delivery). */
  instancePath: string;
  /** The schema keyword that failed (or "json" / "size" for the body itself). */
  keyword: string;
  message: string;
}

export interface ValidationResult {
  valid: boolean;
  /** The body's `event` when it is a string, else null. */
  event: string | null;
  errors: ValidationError[];
}

export interface ValidateOptions {
  /** Refuse unknown events, unknown fields and undocumented values (default: false). */
  strict?: boolean;
  /** The largest body accepted, in bytes (default: 1 MiB). */
  maxBodySize?: number;
}

/** Checks a delivery (raw body, or a parsed value) against the schemas. */
export declare function validate(body: Body | unknown, options?: ValidateOptions): ValidationResult;

/** Validates and returns the delivery. Throws `InvalidDelivery`. */
export declare function parse(body: Body | unknown, options?: ValidateOptions): KitWebhookDelivery;

export interface ReceiveOptions extends ValidateOptions {
  secrets: string | readonly string[];
  now?: Date;
  toleranceSeconds?: number;
}

/** Request headers as Node gives them, or a Fetch `Headers`. */
export type RequestHeaders =
  | Readonly<Record<string, string | readonly string[] | undefined>>
  | { get(name: string): string | null; has(name: string): boolean };

/**
 * Verifies, then parses, a delivery as an HTTP handler receives it. Throws
 * `ReceiveError`, whose `status` is the answer to give.
 */
export declare function receive(headers: RequestHeaders, body: Body, options: ReceiveOptions): KitWebhookDelivery;

/** One thing a delivery carries that the schemas do not document. */
export interface Addition {
  /** An event, a field or a value Kit added. */
  kind: "event-added" | "field-added" | "value-added";
  /** Where, as a JSON pointer with array indices written `*` ("" for an added event). */
  pointer: string;
  /** Where in this delivery, as a plain JSON pointer. */
  instancePath: string;
  /** The added field's value, the added string, or an added event's `data`. */
  value: unknown;
}

/**
 * What a delivery carries that the schemas do not document, as the Rust
 * crate reports it. Validates leniently first: throws InvalidDelivery as
 * `parse` does. Empty for a delivery strict mode accepts.
 */
export declare function drift(body: Body | unknown, options?: { maxBodySize?: number }): Addition[];

/**
 * Whether `value` is a valid `format`, as the Rust crate's validator says:
 * the check the validators use. Throws a TypeError for another format.
 */
export declare function checkFormat(format: "date-time" | "email", value: string): boolean;

export declare class VerificationError extends Error {
  readonly reason: "signature" | "stale" | "future" | "malformed";
}

export declare class InvalidDelivery extends Error {
  readonly event: string | null;
  readonly errors: ValidationError[];
}

export declare class ReceiveError extends Error {
  /** 401 not authentic, 400 malformed request, 413 too large, 500 authentic but invalid. */
  readonly status: 400 | 401 | 413 | 500;
  /** Whether Kit's signature was proven: an authentic delivery must not be lost. */
  readonly authentic: boolean;
  /** Why the schemas refused it, when `status` is 500. */
  readonly errors?: ValidationError[];
}
