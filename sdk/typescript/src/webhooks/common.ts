// What both verifiers share: reading the headers, deriving the keys, checking
// the timestamp and parsing the event. Only the HMAC differs between Node
// (node:crypto, synchronous) and edge runtimes (Web Crypto, asynchronous).
import type { Event } from "../events.js";

/** Headers as fetch (Headers) or node:http (IncomingHttpHeaders) hand them over. */
export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

/** The raw request body, exactly as received: verify bytes, never a re-serialised object. */
export type WebhookBody = string | Uint8Array | ArrayBuffer;

/** The signature schemes a Bellhop delivery carries; "auto" uses the Bellhop one when present. */
export type WebhookScheme = "auto" | "bellhop" | "standard";

/** VerifyOptions tune verifyWebhook. */
export interface VerifyOptions {
  /** How far the signed timestamp may be from now, in seconds; default 300. */
  toleranceSeconds?: number;
  /** Which signature to check; default "auto": `<prefix>-Signature` if present, else Standard Webhooks. */
  scheme?: WebhookScheme;
  /** The hub's brand prefix of the signature header (BELLHOP_SIGNATURE_PREFIX); default "Bellhop". */
  prefix?: string;
  /** The receiver's clock, in unix seconds; default Date.now(). For tests. */
  now?: number;
}

/** Why a webhook was refused, as the hub's own Go verifier names it. */
export type WebhookErrorReason =
  | "signature_missing"
  | "signature_malformed"
  | "signature_mismatch"
  | "timestamp_too_old"
  | "timestamp_too_new"
  | "body_invalid";

/** WebhookVerificationError is thrown when a request is not a genuine, fresh Bellhop delivery: answer it 400 or 401. */
export class WebhookVerificationError extends Error {
  /** What was wrong. */
  readonly reason: WebhookErrorReason;
  constructor(reason: WebhookErrorReason, message: string) {
    super(message);
    this.name = "WebhookVerificationError";
    this.reason = reason;
  }
}

/** DefaultToleranceSeconds is how old (or how far ahead) a signature may be by default: five minutes. */
export const DefaultToleranceSeconds = 300;

/**
 * A Signed is what one request says it signed: the bytes under the MAC
 * (content), the signatures to compare with, the timestamp, and how each
 * secret becomes a key for this scheme.
 */
export interface Signed {
  scheme: "bellhop" | "standard";
  content: Uint8Array;
  signatures: Uint8Array[];
  timestamp: number;
  keyOf(secret: string): Uint8Array;
}

const utf8 = new TextEncoder();

/** readSigned reads the signature headers of a request; it throws when they are missing or malformed. */
export function readSigned(body: WebhookBody, headers: WebhookHeaders, options: VerifyOptions = {}): Signed {
  const bytes = toBytes(body);
  const prefixed = header(headers, `${options.prefix ?? "Bellhop"}-Signature`);
  const standard = header(headers, "webhook-signature");
  const scheme = options.scheme ?? "auto";
  if (scheme === "bellhop" || (scheme === "auto" && prefixed !== undefined)) return readPrefixed(prefixed, bytes);
  if (scheme === "standard" || (scheme === "auto" && standard !== undefined)) return readStandard(headers, standard, bytes);
  throw new WebhookVerificationError("signature_missing", "no signature header: the request is not from Bellhop");
}

// readPrefixed parses "t=<unix>,v1=<hex>[,v1=<hex>…]", keyed with the whole
// secret string as the reference documents' verify.ts does.
function readPrefixed(value: string | undefined, body: Uint8Array): Signed {
  if (value === undefined || value.trim() === "") throw new WebhookVerificationError("signature_missing", "the signature header is empty");
  let ts: string | undefined;
  const signatures: Uint8Array[] = [];
  for (const item of value.split(",")) {
    const at = item.indexOf("=");
    if (at < 0) throw new WebhookVerificationError("signature_malformed", `the signature header's ${JSON.stringify(item)} is not key=value`);
    const key = item.slice(0, at).trim();
    const v = item.slice(at + 1).trim();
    if (key === "t") ts = v;
    if (key === "v1") {
      const sig = fromHex(v);
      if (sig) signatures.push(sig);
    }
  }
  const timestamp = unixSeconds(ts);
  if (signatures.length === 0) throw new WebhookVerificationError("signature_missing", "no v1 signature in the signature header");
  return { scheme: "bellhop", content: concat(utf8.encode(`${ts}.`), body), signatures, timestamp, keyOf: (s) => utf8.encode(s) };
}

// readStandard parses the Standard Webhooks headers: the MAC covers
// "<webhook-id>.<webhook-timestamp>.<body>", keyed with the base64 after whsec_.
function readStandard(headers: WebhookHeaders, value: string | undefined, body: Uint8Array): Signed {
  if (value === undefined || value.trim() === "") throw new WebhookVerificationError("signature_missing", "no webhook-signature header");
  const id = header(headers, "webhook-id");
  const ts = header(headers, "webhook-timestamp");
  if (!id) throw new WebhookVerificationError("signature_malformed", "no webhook-id header");
  const timestamp = unixSeconds(ts);
  const signatures: Uint8Array[] = [];
  for (const item of value.split(" ")) {
    const [version, sig] = item.split(",", 2);
    const bytes = version === "v1" && sig !== undefined ? fromBase64(sig) : undefined;
    if (bytes) signatures.push(bytes);
  }
  if (signatures.length === 0) throw new WebhookVerificationError("signature_missing", "no v1 signature in webhook-signature");
  return { scheme: "standard", content: concat(utf8.encode(`${id}.${ts}.`), body), signatures, timestamp, keyOf: standardKey };
}

/**
 * standardKey is the Standard Webhooks key of a secret: the base64 after
 * "whsec_", or, for a secret that is not base64 (one typed by hand), its raw
 * bytes, as the hub signs with (core/signature/secret.go).
 */
export function standardKey(secret: string): Uint8Array {
  const s = secret.startsWith("whsec_") ? secret.slice("whsec_".length) : secret;
  return fromBase64(s) ?? utf8.encode(s);
}

/** accept checks what a MAC comparison found and the timestamp, then parses the event. */
export function accept(signed: Signed, matched: boolean, body: WebhookBody, options: VerifyOptions = {}): Event {
  if (!matched) throw new WebhookVerificationError("signature_mismatch", "no signature matches the body and secret");
  const tolerance = options.toleranceSeconds ?? DefaultToleranceSeconds;
  const now = options.now ?? Math.floor(Date.now() / 1000);
  if (now - signed.timestamp > tolerance) {
    throw new WebhookVerificationError("timestamp_too_old", `signed at ${signed.timestamp}, ${now - signed.timestamp}s ago; tolerance ${tolerance}s`);
  }
  if (signed.timestamp - now > tolerance) {
    throw new WebhookVerificationError("timestamp_too_new", `signed at ${signed.timestamp}, ${signed.timestamp - now}s ahead of this clock; tolerance ${tolerance}s`);
  }
  try {
    return JSON.parse(new TextDecoder().decode(toBytes(body))) as Event;
  } catch {
    throw new WebhookVerificationError("body_invalid", "the signed body is not JSON");
  }
}

/** secretsOf accepts one secret or several (a receiver that holds both during its own rotation). */
export function secretsOf(secret: string | readonly string[]): readonly string[] {
  const list = typeof secret === "string" ? [secret] : secret;
  if (list.length === 0 || list.some((s) => !s)) throw new TypeError("verifyWebhook: the endpoint's whsec_… secret is required");
  return list;
}

/** sameBytes compares in time that depends only on the lengths, which are public. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

function header(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined;
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(headers as Record<string, string | string[] | undefined>)) {
    if (key.toLowerCase() === lower) return Array.isArray(value) ? value.join(", ") : value;
  }
  return undefined;
}

function unixSeconds(ts: string | undefined): number {
  if (ts === undefined || ts === "") throw new WebhookVerificationError("signature_malformed", "no signature timestamp");
  if (!/^[+-]?\d{1,15}$/.test(ts)) throw new WebhookVerificationError("signature_malformed", `timestamp ${JSON.stringify(ts)} is not unix seconds`);
  return Number(ts);
}

function toBytes(body: WebhookBody): Uint8Array {
  if (typeof body === "string") return utf8.encode(body);
  return body instanceof Uint8Array ? body : new Uint8Array(body);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function fromHex(s: string): Uint8Array | undefined {
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) return undefined;
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

// fromBase64 decodes standard, padded base64 strictly (as Go's
// StdEncoding), so that key derivation agrees with the hub's.
function fromBase64(s: string): Uint8Array | undefined {
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s)) return undefined;
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
