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
// The hub signs with a Signer and an endpoint's Keys, made once from its
// secrets when it is loaded, so that every attempt starts from the HMACs'
// kept key schedules:
//
//	s := signature.Signer{Prefix: "Bellhop"}
//	keys := signature.NewKeys([]string{oldSecret, newSecret})
//	s.Sign(req.Header, keys, ev.ID, time.Now(), body)
//
// Signer.Headers does the same for a one-off into a new http.Header.
//
// During a secret rotation pass every valid secret: each one adds a `v1=` to
// the prefixed header and a `v1,` entry to `webhook-signature`.
//
// A Go receiver verifies with Verify and switches on the exported errors:
//
//	err := signature.Verify(secret, r.Header.Get("Bellhop-Signature"), body, 0)
//	if errors.Is(err, signature.ErrTimestampTooOld) { … }
package signature
