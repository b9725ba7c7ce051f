// Package delivery is Bellhop's delivery engine: it turns the events in each
// account's events stream into signed webhook deliveries (and, later,
// connector deliveries), at least once, with retries, an attempt log, a
// circuit breaker, replay and backfill.
//
// # Flow
//
// The dispatcher reads every scope's events stream with the consumer group
// redisstore.DispatchGroup, finds the matching targets through the per-type
// endpoint index, and creates one delivery per (event, target) on the scope's
// deliveries stream. It works a whole read at a time: each event type's
// subscribers are looked up once per read, and one Lua script creates the
// deliveries of every event read and acks them all, so a crash in between
// dispatches the events again and creates nothing twice (a delivery id is
// derived from event id, target and replay nonce).
//
// The same script takes as many of the new entries as this hub's workers
// have room for (redisstore.Take: an XREADGROUP for this hub's consumer,
// within the account's share) and the dispatcher starts them with the
// deliveries it has in memory, so that an event at a low rate is not read
// from the deliveries stream and then read back delivery by delivery. The
// taken entries are pending for this hub like any it read: a crash leaves
// them to be claimed.
//
// Workers read the deliveries streams with redisstore.WorkerGroup. Each
// attempt loads the target, takes a slot of the target's concurrency cap
// (requests in flight at the target), waiting in line in memory for up to
// Options.DeferDelay behind at most half the entries the hub holds; past
// that the delivery is deferred in Redis for a moment, no attempt burnt, so
// one hanging endpoint never ties up the shared worker pool. Then it takes
// one of its account's requests in flight (Options.AccountConcurrency, over
// all the account's endpoints and connections), waiting and deferring the
// same way. It checks
// its rate limit, runs the transform, signs, posts, classifies and records the
// attempt, schedules the retry and acks the entry, the last three in one
// script. Entries a crashed hub left unacked are claimed (XAUTOCLAIM) after
// Options.ClaimIdle. A mover queues due retries, sleeping until the nearest
// one is due (capped by Options.MaxIdle so retries scheduled by other hubs
// are seen), not polling in a tight loop.
//
// # Fair shares
//
// Accounts share the workers, and none may hold more than its share
// (fairShare): an account has a budget of requests in flight, a quarter of
// Options.Workers by default; each of its targets gets at most half of it
// (and at most Options.MaxEndpointConcurrency, which also bounds what an
// endpoint may set); and it holds at most half the entries in hand, its
// stream left unread while it has no room, so its waiting entries never
// crowd out the other accounts' reads. An account over its
// budget is slowed, never failed: its deliveries wait in memory, then in
// Redis, and go out as its requests end.
//
// Any number of hub processes may run an Engine against one Redis; the
// consumer groups share the work. The per-target concurrency cap and the
// per-account budget are per process; rate limits are shared through Redis
// (GCRA, redisstore.TakeTargetRate and TakeConnectorRate): an endpoint's
// rate_limit, and the limits a connector declares for each delivery
// (plugins.RateLimited), which Connections takes after the transform and
// before the plugin's Deliver. A delivery over either is deferred to when
// the limiter allows it, with no attempt spent (Outcome Deferred for a
// connection). Connections also lends each Deliver a plugins.Budget on the
// same limiter, in the connection's account and for its connector, for a
// limit the connector counts per request rather than per delivery (Sheets'
// writes).
//
// # Use
//
//	eng := delivery.New(delivery.Options{Store: store, Events: events, ...})
//	endpoints := delivery.NewEndpoints(eng, endpointOptions) // core.EndpointService
//	conns := delivery.NewConnections(eng, connectionOptions) // core.ConnectionService
//	go eng.Run(ctx)                                          // until ctx ends
//
// The Engine is the core.DeliveryService that the API calls, for every
// kind of target.
//
// # Targets
//
// A delivery names a core.Target. A Sender per target kind says which of its
// targets an event goes to (Match), loads a target and sends one attempt;
// NewEndpoints adds webhook endpoints and NewConnections connections. Another
// kind plugs in the same way (Options.Senders) and gets the same fan-out,
// streams, schedule, disabling, attempt log, replay, backfill and stats.
//
// # Storage
//
// The engine reaches storage only through small interfaces, one per job,
// each declared beside the code that uses it: queue (the streams, consumer
// groups, ack, defer, park and the retry set; worker.go), attemptLog
// (deliveries, FinishAttempt and health windows; worker.go),
// backfillLeases (backfills and their runners' leases; backfill_run.go), eventLog
// (retained events for replay and backfill; backfill.go) and limits (the
// shared rate limits; limits.go); Endpoints and Connections keep their
// targets through endpointStore and connectionStore. Options.Store, a
// *redisstore.Store, does them all (engine.go asserts it); a test may put
// a fake in place of one job's (seam_test.go).
package delivery
