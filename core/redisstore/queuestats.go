package redisstore

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// QueueStats is the delivery queue of every scope, summed: what an
// operator's metrics read at each scrape.
type QueueStats struct {
	Scopes int // scopes (account and mode) with streams
	// Events and Deliveries are the events streams (for the dispatch
	// group) and the deliveries streams (for the worker group).
	Events, Deliveries StreamStats
	Retries            int64 // deliveries waiting in the retry sets: retries and deferrals
	Parked             int64 // deliveries set aside while their target is disabled
	// Disabled counts disabled targets by kind and cause (DisabledCauses).
	Disabled  map[DisabledKey]int64
	Backfills int64 // backfills queued or running
}

// DisabledKey is a target kind and what disabled its targets.
type DisabledKey struct{ Kind, Cause string }

// StreamStats sums one kind of stream over every scope, for its group.
type StreamStats struct {
	Pending int64 // entries read by a hub and not yet acknowledged
	Lag     int64 // entries not yet read by any hub
	// Oldest is the age of the oldest entry pending or not yet read, at
	// the time QueueStats was asked for; 0 when there is none.
	Oldest time.Duration
}

// QueueStats reads the queue of every scope without scanning a key: per
// scope, XINFO GROUPS and the XPENDING summary of its events and
// deliveries streams, ZCARD of its retry set, parked deliveries and
// backfill runs, and SCARD of its disabled targets by kind and cause,
// eleven commands in one pipeline; then, in a second, one XRANGE … COUNT 1 per
// stream that has unread entries, for the oldest one's age. Every command
// is O(1) or O(log n) but XPENDING's summary (O(consumers)): a reading
// costs about eleven commands per scope and two round trips.
func (s *Store) QueueStats(ctx context.Context, now time.Time) (QueueStats, error) {
	scopes, err := s.ListScopes(ctx)
	if err != nil {
		return QueueStats{}, err
	}
	pipe := s.rdb.Pipeline()
	events := make([]*streamCmds, len(scopes))
	deliveries := make([]*streamCmds, len(scopes))
	retries := make([]*redis.IntCmd, len(scopes))
	backfills := make([]*redis.IntCmd, len(scopes))
	parked := make([]*redis.IntCmd, len(scopes))
	disabled := map[DisabledKey][]*redis.IntCmd{}
	for i, sc := range scopes {
		events[i] = queueStream(ctx, pipe, s.EventsStreamKey(sc), DispatchGroup)
		deliveries[i] = queueStream(ctx, pipe, s.DeliveriesStreamKey(sc), WorkerGroup)
		retries[i] = pipe.ZCard(ctx, s.retryKey(sc))
		backfills[i] = pipe.ZCard(ctx, s.backfillRunsKey(sc))
		parked[i] = pipe.ZCard(ctx, s.parkedKey(sc))
		for _, kind := range disabledKinds {
			for _, cause := range DisabledCauses {
				k := DisabledKey{kind, cause}
				disabled[k] = append(disabled[k], pipe.SCard(ctx, s.disabledKey(sc, kind, cause)))
			}
		}
	}
	// A stream whose group is not made yet answers an error of its own;
	// the others are still read.
	if _, err := pipe.Exec(ctx); err != nil && isConnError(err) {
		return QueueStats{}, storeErr("read queue stats", err)
	}
	st := QueueStats{Scopes: len(scopes), Disabled: map[DisabledKey]int64{}}
	for k, cmds := range disabled {
		for _, c := range cmds {
			st.Disabled[k] += c.Val()
		}
	}
	for i := range scopes {
		st.Retries += retries[i].Val()
		st.Backfills += backfills[i].Val()
		st.Parked += parked[i].Val()
	}
	all := append(events, deliveries...)
	var unread []*streamCmds
	for _, sc := range all {
		if sc.read(now) {
			unread = append(unread, sc)
		}
	}
	if len(unread) > 0 {
		pipe := s.rdb.Pipeline()
		next := make([]*redis.XMessageSliceCmd, len(unread))
		for i, sc := range unread {
			next[i] = pipe.XRangeN(ctx, sc.key, "("+sc.lastID, "+", 1)
		}
		if _, err := pipe.Exec(ctx); err != nil && isConnError(err) {
			return QueueStats{}, storeErr("read queue stats", err)
		}
		for i, sc := range unread {
			if msgs, err := next[i].Result(); len(msgs) > 0 {
				sc.stats.Oldest = max(sc.stats.Oldest, entryAge(msgs[0].ID, now))
			} else if err == nil {
				// Nothing after the group's last-delivered id: nothing lags,
				// whatever the lag field said (the embedded Redis counts
				// every entry of the stream there).
				sc.stats.Lag = 0
			}
		}
	}
	for i := range scopes {
		st.Events.add(events[i].stats)
		st.Deliveries.add(deliveries[i].stats)
	}
	return st, nil
}

func (a *StreamStats) add(b StreamStats) {
	a.Pending += b.Pending
	a.Lag += b.Lag
	a.Oldest = max(a.Oldest, b.Oldest)
}

// streamCmds are the commands QueueStats queued for one stream's group,
// and what they read.
type streamCmds struct {
	key, group string
	groups     *redis.XInfoGroupsCmd
	pending    *redis.XPendingCmd
	lastID     string // the last entry the group read
	stats      StreamStats
}

func queueStream(ctx context.Context, pipe redis.Pipeliner, key, group string) *streamCmds {
	return &streamCmds{key: key, group: group, groups: pipe.XInfoGroups(ctx, key), pending: pipe.XPending(ctx, key, group)}
}

// read takes in what the first pipeline answered and reports whether the
// group has entries not yet read, whose oldest one's age is a second read.
func (sc *streamCmds) read(now time.Time) bool {
	if p, err := sc.pending.Result(); err == nil && p.Count > 0 {
		sc.stats.Pending = p.Count
		sc.stats.Oldest = entryAge(p.Lower, now)
	}
	groups, err := sc.groups.Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return false
	}
	for _, g := range groups {
		if g.Name == sc.group {
			sc.lastID = g.LastDeliveredID
			sc.stats.Lag = max(g.Lag, 0) // -1: Redis cannot tell (entries deleted from the middle)
			return g.Lag != 0 && g.LastDeliveredID != ""
		}
	}
	return false
}

// entryAge is how long before now the stream entry id was added: an id
// starts with the milliseconds of its addition ("<ms>-<seq>").
func entryAge(id string, now time.Time) time.Duration {
	ms, _, _ := strings.Cut(id, "-")
	n, err := strconv.ParseInt(ms, 10, 64)
	if err != nil {
		return 0
	}
	return max(now.Sub(time.UnixMilli(n)), 0)
}
