// Package webhook verifies the signatures of Bellhop's webhook deliveries.
//
// Every delivery is signed twice, so that a receiver can use whichever
// scheme it already knows:
//
//   - Bellhop-Signature: t=<unix>,v1=<hex>: the HMAC-SHA256 of
//     "<t>.<body>", keyed with the whole endpoint secret as shown
//     ("whsec_…"), the Stripe scheme;
//   - Standard Webhooks: webhook-id, webhook-timestamp and
//     webhook-signature: v1,<base64>, the HMAC-SHA256 of
//     "<id>.<timestamp>.<body>", keyed with the base64-decoded part of the
//     secret after "whsec_".
//
// While an endpoint's secret is being rotated, each header carries one
// signature per valid secret; Verify accepts the delivery when any of them
// matches. A receiver verifies the raw body, before decoding it:
//
//	body, _ := io.ReadAll(r.Body)
//	if err := webhook.Verify(secret, r.Header, body); err != nil {
//		http.Error(w, "bad signature", http.StatusUnauthorized)
//		return
//	}
//	var ev bellhop.Event
//	_ = json.Unmarshal(body, &ev)
package webhook
