// Package signature signs outgoing webhooks and verifies them on the
// receiving side.
//
// Every delivery carries two signature schemes at once, so that a receiver can
// use whichever it already has code for:
//
//   - `<Prefix>-Signature: t=<unix>,v1=<hex>`: the Stripe-style scheme of the
//     reference documents. The HMAC-SHA256 of "<t>.<raw body>" is keyed with
//     the whole secret string exactly as shown to the user ("whsec_…"), so
//     the verification code published in the reference accepts it unchanged.
//   - Standard Webhooks (`webhook-id`, `webhook-timestamp`,
//     `webhook-signature: v1,<base64>`), keyed with the base64-decoded part
//     of the secret after "whsec_", so the Standard Webhooks libraries verify
//     it.
//
// The hub signs with a Signer:
//
//	s := signature.Signer{Prefix: "Bellhop"}
//	h := s.Headers([]string{oldSecret, newSecret}, ev.ID, time.Now(), body)
//
// During a secret rotation pass every valid secret: each one adds a `v1=` to
// the prefixed header and a `v1,` entry to `webhook-signature`.
//
// A Go receiver verifies with Verify and switches on the exported errors:
//
//	err := signature.Verify(secret, r.Header.Get("Bellhop-Signature"), body, 0)
//	if errors.Is(err, signature.ErrTimestampTooOld) { … }
package signature
