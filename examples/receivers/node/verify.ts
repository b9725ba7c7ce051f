import crypto from "node:crypto";

export function verifySwiftGuestSignature(
  rawBody: string,
  headerValue: string,
  secret: string,
): boolean {
  // Header looks like: "t=1744572300,v1=9a2e4b..."
  const parts = Object.fromEntries(
    headerValue.split(",").map((kv) => kv.split("=") as [string, string]),
  );

  const timestamp = parts.t;
  const signature = parts.v1;

  if (!timestamp || !signature) return false;

  // Reject anything older than 5 minutes to prevent replay
  const age = Math.floor(Date.now() / 1000) - Number(timestamp);
  if (age > 300) return false;

  const signedPayload = `${timestamp}.${rawBody}`;

  const expected = crypto
    .createHmac("sha256", secret)
    .update(signedPayload)
    .digest("hex");

  // Use timingSafeEqual to avoid timing attacks
  return crypto.timingSafeEqual(
    Buffer.from(expected, "hex"),
    Buffer.from(signature, "hex"),
  );
}
