// Redact guest PII before the event leaves: every "email" becomes
// "email_sha256" (the SHA-256 of the lower-cased address, so a receiver can
// still match a guest it knows), and every "phone" is dropped.

function redact(v) {
  if (Array.isArray(v)) return v.map(redact);
  if (v === null || typeof v !== "object") return v;
  const out = {};
  for (const k of Object.keys(v)) {
    if (k === "phone") continue;
    if (k === "email") {
      out.email_sha256 = typeof v.email === "string" ? bellhop.sha256(v.email.trim().toLowerCase()) : null;
      continue;
    }
    out[k] = redact(v[k]);
  }
  return out;
}

function transform(event, context) {
  return Object.assign({}, event, { data: { object: redact(event.data.object) } });
}
