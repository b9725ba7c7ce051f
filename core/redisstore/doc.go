// Package redisstore implements Bellhop's storage on Redis 7: accounts and API
// keys, the per-account events streams, custom event types, idempotency keys,
// rate limits and the activity log (and, in the files of the delivery
// engine, endpoints, deliveries, attempts and backfills).
//
// # Use
//
//	rdb, embedded, err := redisstore.Open(ctx, os.Getenv("REDIS_URL")) // "" → in-process miniredis
//	store := redisstore.New(rdb, redisstore.Options{Sealer: box})
//	key, err := store.Authenticate(ctx, bearer)
//	ev, created, err := store.AppendEvent(ctx, key.Scope(), ev)
//
// A *Store implements core.KeyService, core.EventStore, core.EventTypeStore,
// core.IdempotencyStore, core.RateLimiter, core.ActivityLog,
// core.SessionStore and core.HealthLog, and users.Store for core/users. It keeps no
// state of its own, so any number of hub processes may share one Redis.
//
// # Errors
//
// When Redis cannot be reached (connection refused or reset, EOF, pool or
// i/o timeout) every method returns an error whose core.ErrorCode is
// core.EUNAVAILABLE, with the message "The data store is unavailable. Please
// retry.", so the API answers 503; the cause stays wrapped for the logs.
// Other Redis errors are wrapped with what was being done.
//
// # Key layout
//
// Every tenant key is <prefix>{<account id>}:<mode>:…, where mode is test or
// live; the braces are a Redis Cluster hash tag so that one account's keys
// share a slot and one Lua script may touch several. Keys shared by all
// tenants are <prefix>… without a tag. <prefix> is Options.Prefix ("bh:").
// T below stands for <prefix>{<account>}:<mode>.
//
//	key                              type    holds                                  lifetime
//	<prefix>{<account>}:account      string  core.Account JSON (name, developer contact) forever; UpdateAccount rewrites it under WATCH
//	<prefix>apikey:<sha256 hex>      string  key record JSON (account, hash, fields) until revoked
//	<prefix>apikeys:revoked          set     hashes of revoked secrets               forever (a revoked bootstrap key stays dead)
//	<prefix>scopes                   set     "<account>:<mode>" of every key made    forever (the dispatcher's list of streams)
//	<prefix>health:components        hash    health component → its label             forever (health.go)
//	<prefix>{health:<component>}:samples  zset  a hub's check (JSON, the hub's id     trimmed to 2 h on every write, PX 2 h
//	                                         ending in LayoutTag), score = ms
//	<prefix>meta:masterkey           hash    key_id, check (sealed label); rotate_to, forever (masterkey.go)
//	                                         rotate_started_at while a rotation runs
//	rate:<prefix>ratelimit:<key id>  string  an API key's GCRA state (redis_rate, which puts "rate:" first;  PX: until the burst is full again
//	                                         a busy key's hub takes several requests a call: ratelimit.go)
//	T:key:<key id>                   string  key record JSON                          until revoked
//	T:keys                           zset    key ids, score = creation µs            until revoked
//	T:events                         stream  fields type, i (id after evt_), at, p,  trimmed on every append: MINID ~ now-EventRetention,
//	                                         o [v l fp tp]: the envelope in parts    and to Options.EventsPerScope when set
//	                                         (event_entry.go; earlier releases: id,   (dispatched entries only)
//	                                         or type, event = its JSON)
//	T:evt:idx:<n>                    hash    event id → its stream entry id, then    each field as long as its entry: deleted when
//	                                         its deliveries, each after a space as a  the stream is trimmed past it (dedupe, lookup,
//	                                         ref (delivery_refs.go) or an id; n of    cursors, the event's deliveries)
//	                                         0…4095 by a hash of the id (events.go)
//	T:evt:<event id>                 string  the same, one key an event, as earlier  read, and deleted with its entry (earlier
//	                                         releases kept it                        releases before: PX EventRetention)
//	T:evt:idx:legacy                 string  "1": publishes read the keys above too  PX EventRetention from the first start of
//	                                         (MarkLegacyEventIndexes)                a hub of +e6 on the store
//	<prefix>meta:legacy-index-marked string  "1": the scopes were marked once        forever
//	T:event_types                    hash    type name → core.EventType JSON         forever
//	T:subs                           string  subscriptions version: incremented by   forever
//	                                         every save and delete of an endpoint or
//	                                         a connection (subscribers.go)
//	T:idem:<sha256 of key, hex>      hash    state, fp, status, body                 PX 60 s while in flight, 24 h once done
//	T:activity                       stream  fields r [d] m s by l ip, at the request trimmed on every write: MINID ~ now-ActivityRetention
//	                                         id's ms (activity.go); field a (JSON) in
//	                                         entries of earlier versions
//	T:actors                         hash    key or user id → its number in activity  forever
//	                                         entries, "#<n>" → the id, "#" the count
//	T:activity:idx:<yyyymmdd>        hash    request id → entry id; earlier versions  read only, until its PX runs out
//	                                         wrote it, this one only reads it
//
// Stream trimming uses Redis's own clock (TIME inside the Lua script), the
// clock that stamps stream ids, so hub clocks never matter (the activity
// stream's ids come from the hub's request ids; a hub clock off by more
// than the retention would only shorten or lengthen its window). The
// events stream is trimmed exactly, up to 100 entries a write, each with
// its index; the activity stream with "~", which keeps whole stream
// nodes, so an entry may outlive its window by a few hundred entries.
// Never less than the window.
//
// Console users (users.go, invites.go, sessions.go document them) live in
// their account's slot as <prefix>{<account>}:user:<id>, :users, :owners,
// :invite:<id> and :invites; the hub-wide email index and setup token
// share the tag {users} (<prefix>{users}:emails, <prefix>{users}:setup);
// invite lookups, sign-in failure counters and sessions are single global
// keys (<prefix>invite:<hash>, <prefix>signin:<kind>:<id>,
// <prefix>session:<hash>, <prefix>user:<id>:sessions).
//
// The delivery engine's keys (endpoints.go, deliveries.go, attempts.go,
// backfills.go document them) live under T:ep, T:eps, T:dq, T:dlv, T:t and
// T:bf; the scope-wide figures the console's home and event pages read
// (overview.go) under T:evt:<event>:dlv, T:dfail and T:am:<minute>. The rate limits shared by every hub (an endpoint's rate_limit, a
// connector's declared limits; ratelimit_shared.go) are GCRA state kept by
// github.com/go-redis/redis_rate under rate:T:t:<target>:rate and
// rate:T:lim:<connector>:<limit>:<hash>: in the account's slot too.
//
// # Redis Cluster
//
// Open takes redis+cluster:// URLs and Store works on the ClusterClient as
// on a single Redis. What keeps it correct there: every script and MULTI
// touches the keys of one scope (one hash tag, one slot) or a single
// global key; the scopes are found in one registry set (<prefix>scopes),
// never by SCAN or KEYS; ReadGroup reads several accounts' streams one slot
// at a time (see readBySlot), where a single Redis takes one XREADGROUP for
// all. DeletePrefix, for tests and benchmarks only, scans every master.
// The hot path's auto-pipeliner runs on the cluster client too (hotClient
// says why).
//
// # Older versions' records
//
// Every record an earlier release wrote is read as it is, so upgrading needs
// no migration step: sealed values carry their secretbox version (version 1,
// without a key id, still opens), reads show core.SecretMask whatever mask
// was stored, an idempotency claim without a lease is in flight until its
// expiry, and the master key check value is written at the first start
// that lacks it. Issue 12's compact records sit beside the old ones the
// same way: a delivery hash holding its payload is sent and then ended like
// any other, attempt records say their version (a version 1 record is the
// API's JSON), an event's deliveries of old are still read from their
// sorted set, an event's index of old from its key, activity entries of old (JSON, with a per-day index) are still
// listed and paged, an idempotency record with a body replays it, a plain
// ended record reads beside packed ones, an ended record in a key of its
// own beside those kept in their hour's hash (deliveries.go), an events-stream entry holding
// the envelope JSON is read like one holding it in parts, and a target's
// deliveries of old are listed from their sorted set after its log.
// cmd/bellhop's TestUpgradeFromFixture holds this against Redis stores
// captured from releases 37c217d, 3b34df4, c6c8e4a, d5e1b19, 67407c8, 0640f54
// and c813375. A change that cannot be read
// that way needs a version stored beside it and a resumable start-up
// migration.
//
// # Costs
//
// AppendEvent is one EVALSHA (HGET, GET, XADD, HSET). It and AllowRequest, the
// two commands of every publish, go through go-redis's auto-pipeliner: the
// commands of concurrent requests are written and read in batches (one
// syscall each way per batch, not per command), which cut hub and Redis
// CPU per publish by about a third; each caller still waits for its own
// reply. On a cluster it batches per master.
// ActivityWriter records the activity log in pipelined batches off the
// request path (see its doc for what it may drop). FindEvent is one EVALSHA.
// ListEvents without filters is one HGET and GET per cursor plus one XREVRANGE of
// limit+1 entries; with filters it reads the stream in batches of 500 until
// limit+1 events match, at most 100,000 entries per call (see
// ListEvents). The activity log index costs one hash field per request, about
// as much memory as the activity entry itself; finding a cursor is one
// pipelined round trip of one HGET per retained day.
package redisstore
