package redisstore

import (
	"context"
	"strings"
	"sync/atomic"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/redis/go-redis/v9"
)

var (
	_ core.KeyService = (*Store)(nil)
	_ core.EventStore = (*Store)(nil)
)

// Options tune a Store. The zero value of each field means its default.
type Options struct {
	// Prefix starts every key, so that several hubs (or tests) can share one
	// Redis. Default "bh:".
	Prefix string
	// EventRetention is how long events stay in a stream. Default 72h; never less.
	EventRetention time.Duration
	// ActivityRetention is how long the activity log keeps a request.
	// Default DefaultActivityRetention.
	ActivityRetention time.Duration
	// DeliveriesPerTarget caps the delivery log of each endpoint and
	// connection: past it, each new delivery removes the oldest ended one,
	// so one busy or hostile account's log is bounded in count as well as
	// in age. A delivery that may still be attempted is never removed.
	// 0 means no cap.
	DeliveriesPerTarget int
	// EventsPerScope caps the events one account keeps in each mode: past
	// it, appends remove the oldest, in batches, even inside the retention
	// window (they can no longer be listed, fetched or replayed, and a
	// publish that repeats one's Idempotency-Key stores it anew). Only
	// events the dispatcher has read and acked go, so an accepted event is
	// always delivered first; while it is behind, the stream waits over
	// the cap. 0 means no cap.
	EventsPerScope int
	// Sealer encrypts secrets at rest (endpoint secrets, connector credentials).
	Sealer Sealer
}

// Sealer encrypts and decrypts secrets at rest; core/secretbox implements it.
type Sealer interface {
	Seal(plaintext []byte) ([]byte, error)
	Open(ciphertext []byte) ([]byte, error)
}

// Store implements the core storage interfaces on Redis. It is safe for
// concurrent use and keeps no state of its own beyond its options (and a
// turn counter for cluster reads), so any number of hub processes can share
// one Redis.
type Store struct {
	rdb  redis.UniversalClient
	hot  hotCmds // the hot paths' client (publish, dispatch, attempts): see newHot
	opts Options
	// readTurn picks the slot group an idle cluster read blocks on, in
	// turn, so that each slot is the watched one as often as the others.
	readTurn atomic.Uint32
	// leases are the API requests this hub took ahead from busy keys'
	// limits (AllowRequest).
	leases requestLeases
}

// New returns a Store on rdb.
func New(rdb redis.UniversalClient, opts Options) *Store {
	if opts.Prefix == "" {
		opts.Prefix = "bh:"
	}
	if opts.EventRetention < 72*time.Hour {
		opts.EventRetention = 72 * time.Hour
	}
	if opts.ActivityRetention <= 0 {
		opts.ActivityRetention = DefaultActivityRetention
	}
	return &Store{rdb: rdb, hot: newHot(rdb), opts: opts}
}

// Client returns the Redis client, for packages that run their own streams
// (the delivery engine) under the same prefix.
func (s *Store) Client() redis.UniversalClient { return s.rdb }

// Prefix returns the key prefix.
func (s *Store) Prefix() string { return s.opts.Prefix }

// scopeKey names a key of one tenant: <prefix>{<account>}:<mode>:<parts…>.
// The braces are a Redis Cluster hash tag, so all of an account's keys live in
// one slot and Lua scripts and MULTI can span them.
//
// It is built in one allocation: an attempt names fourteen keys, and adding
// the parts one at a time made a string per part, a few percent of a busy
// hub's CPU.
func (s *Store) scopeKey(scope core.Scope, parts ...string) string {
	mode := scope.Mode()
	n := len(s.opts.Prefix) + len(scope.AccountID) + len(mode) + 3
	for _, p := range parts {
		n += 1 + len(p)
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteString(s.opts.Prefix)
	b.WriteByte('{')
	b.WriteString(scope.AccountID)
	b.WriteString("}:")
	b.WriteString(mode)
	for _, p := range parts {
		b.WriteByte(':')
		b.WriteString(p)
	}
	return b.String()
}

// globalKey names a key shared by all tenants: <prefix><parts…>.
func (s *Store) globalKey(parts ...string) string {
	k := s.opts.Prefix
	for i, p := range parts {
		if i > 0 {
			k += ":"
		}
		k += p
	}
	return k
}

// Ping checks that Redis answers, for /readyz. Returns EUNAVAILABLE if not.
func (s *Store) Ping(ctx context.Context) error {
	return storeErr("ping", s.rdb.Ping(ctx).Err())
}
