// Package api is Bellhop's REST API on Gin: the routes under /v1, the
// conventions every route shares, and the OpenAPI 3.1 document that describes
// them.
//
// Wiring: build a Server with New(cfg, deps), where deps holds the core
// services (keys, events, event types, idempotency, rate limits, activity),
// and serve Server.Handler(). The server holds no state of its own beyond
// Prometheus collectors; everything lives behind the core interfaces.
//
// Conventions, applied by middleware so that a handler never repeats them:
//
//   - Every response carries X-Request-Id (req_…), errors and 404s included.
//   - Errors are Stripe-style {"error":{type,code,message,param,request_id,doc_url}}.
//     A handler reports any failure with writeError(c, err); the one table in
//     errors.go maps core error codes to status and type. Errors without a
//     core code are shown as an internal error; their text goes only to the log.
//   - Routes under /v1 need Authorization: Bearer <key>. Authenticated
//     responses carry X-RateLimit-Limit, -Remaining and -Reset (unix seconds);
//     a spent limit gets 429 with Retry-After.
//   - A POST with Idempotency-Key is answered once; a retry with the same key
//     and body gets the saved response with Idempotent-Replayed: true. A
//     retry while the first runs gets 409, unless the first one's hub died:
//     its claim lapses within seconds and the retry takes it over with the
//     same seed, so a publish names its event as the first did and finds
//     it stored rather than publishing it twice (see idempotent).
//   - Bodies are decoded by decodeJSON (unknown fields rejected, the faulty
//     param named) and capped at Config.BodyLimit (413 beyond).
//   - Lists are {"object":"list","data":[…],"has_more":…,"url":…} and page
//     with limit, starting_after and ending_before (see parsePage).
//   - Resources are returned as their core types marshal; the event is
//     exactly the delivered envelope, so resources carry no "object" field.
//   - A client that hangs up before its answer is logged at debug level and
//     counted as 499 (metrics, activity log), never as a 500.
//
// # Speed
//
// A publish costs two Redis commands (rate limit, append), four with an
// Idempotency-Key (claim, save), which the store auto-pipelines across
// concurrent requests. A batch (POST /v1/events/batch) costs the same for up
// to MaxBatchEvents events: one rate-limit token, one append script for all
// of them. Two things are kept off the request path on purpose:
//
//   - Keys that authenticated are cached in the process for
//     Config.KeyCacheTTL (default 5 s). A key revoked through this hub stops
//     working at once; one revoked through another hub process keeps
//     working here for at most KeyCacheTTL, and a changed rate limit takes
//     as long to apply. A negative KeyCacheTTL turns the cache off.
//   - The activity log is recorded after the answer, by whatever
//     Deps.Activity is: the hub passes a redisstore.ActivityWriter, which
//     writes in batches and may drop entries under overload (counted in
//     bellhop_activity_dropped_total) rather than slow a request.
//
// Adding a resource: put its handlers in <resource>.go (functions returning
// gin.HandlerFunc), add a field to Deps for its service, one line per route
// in routes.go, and its paths and schemas to openapi.json (keep the file as
// `python3 -m json.tool --indent 2` prints it). Test it with newTestAPI from
// harness_test.go, which checks every request and response against
// openapi.json.
package api
