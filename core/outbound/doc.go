// Package outbound sends webhook deliveries over HTTP and says what each
// answer means for the retry schedule.
//
// A Client is built once per mode and shared by every worker: it pools
// HTTP/1.1 keep-alive connections per receiver, never follows redirects, caps
// the response body it keeps, and, with BlockPrivate (live mode), refuses to
// connect to loopback, private, link-local and cloud-metadata addresses. The
// check runs on the address actually being dialled, after DNS, so a hostname
// that resolves (or re-resolves) to an internal address is caught too.
//
//	live := outbound.New(outbound.Options{BlockPrivate: true, UserAgent: "Bellhop/1.0"})
//	resp := live.Post(ctx, endpoint.URL, headers, body)
//	v := outbound.Classify(resp.Status, resp.Header, resp.Err, time.Now())
//	switch v.Outcome {
//	case outbound.Succeeded: …
//	case outbound.Retry: … // v.RetryAfter, when set, overrides the schedule
//	case outbound.Failed: … // for good; v.Reason says why
//	}
//
// Outcome is the one vocabulary of attempt outcomes: the delivery engine
// records it, a connector's answer is spelled in it, and StatusOutcome,
// RetryAfter and ClampRetryAfter are the one status classifier and
// Retry-After parser and clamp that webhooks and connectors share.
//
// Code that makes its own HTTP calls in live mode (the connectors) uses
// GuardedTransport, or DialControl on its own net.Dialer, so the same address
// rules apply to it; CheckAddr refuses a literal internal address up front.
//
// Post never returns a Go error: a failed request is a Response with Err set,
// because a failed attempt is data to record, not a fault of the caller.
package outbound
