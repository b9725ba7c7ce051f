// Package prom exports what a hub does as Prometheus metrics, for /metrics:
// deliveries and their attempts, the queue, the circuit breaker, the
// connector plugins, the transforms, Redis, and the Go runtime and process.
//
// The engines name no metrics library: each declares a small Observer
// (delivery.Observer, transform.Observer, pluginhost.Observer) and a
// *Metrics implements all three. What is state rather than an event (the
// queue, which plugins run) is read at scrape time through the readers in
// Options and WatchPlugins.
//
// # Use
//
//	m := prom.New(prom.Options{Version: version, TopTargets: n, Queue: store, Redis: rdb, EventTypes: shippedNames})
//	delivery.New(delivery.Options{Observer: m, …})
//	transform.New(transform.Options{Observer: m, …})
//	host := pluginhost.New(pluginhost.Config{Observer: m, …})
//	m.WatchPlugins(host)
//	events = m.CountPublished(events) // core.EventService
//	api.New(…, api.Deps{Registerer: m.Registry(), Gatherer: m.Registry(), …})
//
// # Cardinality
//
// Every label takes a bounded set of values: target kinds, outcomes,
// status classes, the catalog's event types (an account's own are
// "custom"), connector plugin names, Redis command names. No series is kept
// per account or per target, so an account with 10,000 endpoints adds none;
// Options.TopTargets, off by default, adds one gauge per target for the N
// targets with the most failed attempts over the last minutes, and nothing
// for the others.
//
// # Cost
//
// An attempt costs a few atomic adds on label children resolved when the
// Metrics was made (no map lookups on the delivery path). A scrape reads
// the queue with about six O(1) Redis commands per scope (account and
// mode) in one pipeline (redisstore.Store.QueueStats), at most once per
// Options.QueueCacheFor however often it is scraped.
package prom
