// verifyWebhook for edge runtimes and browsers, on Web Crypto
// (crypto.subtle): asynchronous, and importing nothing from Node.
import type { Event } from "../events.js";
import { webCrypto } from "../webcrypto.js";
import { accept, readSigned, sameBytes, secretsOf, type VerifyOptions, type WebhookBody, type WebhookHeaders } from "./common.js";

export * from "./common.js";

/**
 * verifyWebhook checks that a request is a genuine, fresh Bellhop delivery
 * and resolves to its event, typed; it is the Node verifier's twin on Web
 * Crypto. Pass the raw body (`await request.text()` or `arrayBuffer()`), the
 * request's Headers and the endpoint's whsec_… secret (or several).
 *
 * Rejects with WebhookVerificationError with reason signature_missing,
 * signature_malformed, signature_mismatch, timestamp_too_old,
 * timestamp_too_new or body_invalid.
 */
export async function verifyWebhook(
  body: WebhookBody,
  headers: WebhookHeaders,
  secret: string | readonly string[],
  options: VerifyOptions = {},
): Promise<Event> {
  const signed = readSigned(body, headers, options);
  const { subtle } = await webCrypto();
  let matched = false;
  for (const s of secretsOf(secret)) {
    const key = await subtle.importKey("raw", signed.keyOf(s) as BufferSource, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    const mac = new Uint8Array(await subtle.sign("HMAC", key, signed.content as BufferSource));
    for (const sig of signed.signatures) {
      if (sameBytes(sig, mac)) matched = true;
    }
  }
  return accept(signed, matched, body, options);
}
