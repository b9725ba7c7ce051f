// verifyWebhook for Node, on node:crypto. Edge runtimes (Cloudflare Workers,
// Vercel Edge, Deno, browsers) use "@bellhop/sdk/webhooks/edge" instead.
import { createHmac, timingSafeEqual } from "node:crypto";
import type { Event } from "../events.js";
import { accept, readSigned, secretsOf, type VerifyOptions, type WebhookBody, type WebhookHeaders } from "./common.js";

export * from "./common.js";

/**
 * verifyWebhook checks that a request is a genuine, fresh Bellhop delivery
 * and returns its event, typed. It takes the raw body (string or Buffer, as
 * received, never re-serialised), the request headers and the endpoint's
 * whsec_… secret (or several). It accepts the `Bellhop-Signature: t=…,v1=…`
 * header or the Standard Webhooks ones; any v1 signature may match (during a
 * rotation there is one per secret); comparison is constant-time; the
 * timestamp must be within toleranceSeconds (300) of now.
 *
 * Throws WebhookVerificationError with reason signature_missing,
 * signature_malformed, signature_mismatch, timestamp_too_old,
 * timestamp_too_new or body_invalid.
 */
export function verifyWebhook(
  body: WebhookBody,
  headers: WebhookHeaders,
  secret: string | readonly string[],
  options: VerifyOptions = {},
): Event {
  const signed = readSigned(body, headers, options);
  let matched = false;
  for (const s of secretsOf(secret)) {
    const mac = createHmac("sha256", signed.keyOf(s)).update(signed.content).digest();
    // Compare with every signature, without stopping at a match.
    for (const sig of signed.signatures) {
      if (sig.length === mac.length && timingSafeEqual(sig, mac)) matched = true;
    }
  }
  return accept(signed, matched, body, options);
}
