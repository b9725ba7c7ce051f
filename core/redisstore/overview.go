package redisstore

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strconv"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/redis/go-redis/v9"
)

// A scope's figures across every target, for the console's home page: its
// attempts per minute and its newest failures. FinishAttempt writes both
// in the script it runs anyway (attempts.go), so reading them is a fixed
// number of keys, never a walk over the scope's targets.

// failuresKept bounds the failures index: the home page shows the newest
// few, and older ones are in each target's log.
const failuresKept = 1000

func (s *Store) scopeMinuteKey(scope core.Scope, minute int64) string {
	return s.scopeKey(scope, "am", strconv.FormatInt(minute, 10))
}

func (s *Store) failuresKey(scope core.Scope) string { return s.scopeKey(scope, "dfail") }

// RecentAttempts returns the scope's attempts in each of the last 60
// minutes, oldest first, the current minute last, read in one round trip.
func (s *Store) RecentAttempts(ctx context.Context, scope core.Scope, now time.Time) ([]core.AttemptCount, error) {
	const minutes = 60
	last := now.Unix() / 60
	cmds := make([]*redis.SliceCmd, minutes)
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i := range cmds {
			cmds[i] = p.HMGet(ctx, s.scopeMinuteKey(scope, last-minutes+1+int64(i)), "n", "ok", "fail")
		}
		return nil
	})
	if err != nil {
		return nil, storeErr("read recent attempts", err)
	}
	out := make([]core.AttemptCount, minutes)
	for i, c := range cmds {
		v := c.Val()
		out[i] = core.AttemptCount{Start: time.Unix((last-minutes+1+int64(i))*60, 0).UTC(),
			Total: atoiAny(v[0]), Succeeded: atoiAny(v[1]), Failed: atoiAny(v[2])}
	}
	return out, nil
}

func atoiAny(v any) int {
	str, _ := v.(string)
	n, _ := strconv.Atoi(str)
	return n
}

// NewestFailedDeliveries returns up to limit deliveries whose latest
// attempt failed, newest failure first, leaving out those that succeeded
// or were skipped since. It reads the failures index in chunks, so it
// costs a few round trips however many failures the scope has.
func (s *Store) NewestFailedDeliveries(ctx context.Context, scope core.Scope, limit int) ([]*core.Delivery, error) {
	if limit <= 0 {
		limit = core.DefaultPageLimit
	}
	out := []*core.Delivery{}
	chunk := int64(max(limit*2, 20))
	for start := int64(0); start < failuresKept; start += chunk {
		ids, err := s.rdb.ZRevRange(ctx, s.failuresKey(scope), start, start+chunk-1).Result()
		if err != nil {
			return nil, storeErr("list failed deliveries", err)
		}
		ds, err := s.loadDeliveries(ctx, scope, ids)
		if err != nil {
			return nil, err
		}
		for _, d := range ds {
			if d.Status == core.StatusSucceeded || d.Status == core.StatusSkipped {
				continue
			}
			out = append(out, d)
			if len(out) == limit {
				return out, nil
			}
		}
		if int64(len(ids)) < chunk {
			break
		}
	}
	return out, nil
}

// ListEventDeliveries lists the deliveries of an event to every target,
// newest first, one page. Deliveries that expired are left out.
func (s *Store) ListEventDeliveries(ctx context.Context, scope core.Scope, eventID string, page core.Page) (core.List[*core.Delivery], error) {
	list := core.List[*core.Delivery]{Data: []*core.Delivery{}}
	var inHash, inKey *redis.StringCmd
	var older *redis.StringSliceCmd
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		inHash = p.HGet(ctx, s.eventIndexHash(scope, eventID), eventID)
		inKey = p.Get(ctx, s.eventIndexKey(scope, eventID)) // an earlier release's
		older = p.ZRevRange(ctx, s.eventDeliveriesKey(scope, eventID), 0, -1)
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return list, storeErr("list event deliveries", err)
	}
	// Newest first: the index lists them oldest first, after the event's
	// entry id; a sorted set holds those of earlier releases, all older.
	_, all := indexedDeliveries(cmp.Or(inHash.Val(), inKey.Val()))
	slices.Reverse(all)
	all = append(all, older.Val()...)
	ids, more, err := slicePage(all, page)
	if err != nil {
		return list, err
	}
	ds, err := s.loadDeliveries(ctx, scope, ids)
	if err != nil {
		return list, err
	}
	list.Data, list.HasMore = ds, more
	return list, nil
}

// TargetsLastHour sums each target's attempts over the last twelve
// 5-minute stats buckets (attempts.go), for every target in one round trip.
func (s *Store) TargetsLastHour(ctx context.Context, scope core.Scope, targetIDs []string, now time.Time) (map[string]core.AttemptCount, error) {
	const buckets = 12
	last := now.Unix() / 300
	cmds := make([][]*redis.SliceCmd, len(targetIDs))
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, id := range targetIDs {
			for b := int64(0); b < buckets; b++ {
				cmds[i] = append(cmds[i], p.HMGet(ctx, s.targetKey(scope, id, "st", strconv.FormatInt(last-b, 10)), "n", "ok", "fail"))
			}
		}
		return nil
	})
	if err != nil {
		return nil, storeErr("read targets' last hour", err)
	}
	start := time.Unix((last-buckets+1)*300, 0).UTC()
	out := make(map[string]core.AttemptCount, len(targetIDs))
	for i, id := range targetIDs {
		c := core.AttemptCount{Start: start}
		for _, cmd := range cmds[i] {
			v := cmd.Val()
			c.Total, c.Succeeded, c.Failed = c.Total+atoiAny(v[0]), c.Succeeded+atoiAny(v[1]), c.Failed+atoiAny(v[2])
		}
		out[id] = c
	}
	return out, nil
}
