package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/redis/go-redis/v9"
)

// Backfill keys, per scope:
//
//	bf:<id>      STRING  the backfill as JSON, progress included (TTL: the delivery retention)
//	bf:<id>:run  HASH    a running backfill's runner state: owner, cursor (the
//	                     last events-stream id queued), prev (its delivery), queued
//	bfrun        ZSET    running backfill ids by lease expiry (ms); 0: claim now
//
// A backfill is run by whichever hub holds its lease; the runner renews it
// and saves its cursor as it goes, so that when its hub dies another hub
// claims the expired lease and carries on after the cursor.

func (s *Store) backfillKey(scope core.Scope, id string) string { return s.scopeKey(scope, "bf", id) }

// SaveBackfill creates or updates a backfill.
func (s *Store) SaveBackfill(ctx context.Context, scope core.Scope, b *core.Backfill, retention time.Duration) error {
	raw, err := json.Marshal(b)
	if err != nil {
		return fmt.Errorf("encode backfill: %w", err)
	}
	return storeErr("save backfill", s.rdb.Set(ctx, s.backfillKey(scope, b.ID), raw, retention).Err())
}

// FindBackfill returns ENOTFOUND if the backfill is not in scope.
func (s *Store) FindBackfill(ctx context.Context, scope core.Scope, id string) (*core.Backfill, error) {
	raw, err := s.rdb.Get(ctx, s.backfillKey(scope, id)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, core.NotFound("backfill", id)
	} else if err != nil {
		return nil, storeErr("find backfill", err)
	}
	var b core.Backfill
	if err := json.Unmarshal(raw, &b); err != nil {
		return nil, fmt.Errorf("decode backfill: %w", err)
	}
	return &b, nil
}

// RangeEvents calls fn with each entry of an events stream whose id is at
// or after since, in stream (publish) order, reading in chunks. fn returns
// false to stop.
func (s *Store) RangeEvents(ctx context.Context, stream string, since time.Time, fn func(StreamEntry) (bool, error)) error {
	return s.RangeEventsAfter(ctx, stream, since, "", fn)
}

// RangeEventsAfter is RangeEvents resumed: when after (a stream entry id)
// is not empty, it starts just after that entry instead of at since.
func (s *Store) RangeEventsAfter(ctx context.Context, stream string, since time.Time, after string, fn func(StreamEntry) (bool, error)) error {
	start := strconv.FormatInt(since.UnixMilli(), 10)
	if after != "" {
		start = "(" + after
	}
	for {
		msgs, err := s.rdb.XRangeN(ctx, stream, start, "+", 200).Result()
		if err != nil {
			return storeErr("range events", err)
		}
		for _, m := range msgs {
			ok, err := fn(StreamEntry{Stream: stream, ID: m.ID, Values: m.Values})
			if err != nil || !ok {
				return err
			}
		}
		if len(msgs) < 200 {
			return nil
		}
		start = "(" + msgs[len(msgs)-1].ID
	}
}

// LatencyBucket maps a latency to a histogram bucket: bucket b holds
// latencies up to 1.25^b ms, so percentiles are within 25%.
func LatencyBucket(d time.Duration) int {
	ms := float64(d) / float64(time.Millisecond)
	if ms <= 1 {
		return 0
	}
	return int(math.Ceil(math.Log(ms) / math.Log(1.25)))
}

func bucketUpperMS(b int) float64 { return math.Round(math.Pow(1.25, float64(b))*10) / 10 }

// TargetStats sums a target's attempt figures over the last window (rounded
// to 5-minute buckets).
func (s *Store) TargetStats(ctx context.Context, scope core.Scope, targetID string, window time.Duration, label string) (*core.EndpointStats, error) {
	now := time.Now().Unix() / 300
	n := int64(window / (5 * time.Minute))
	cmds := make([]*redis.MapStringStringCmd, 0, n)
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i := int64(0); i < n; i++ {
			cmds = append(cmds, p.HGetAll(ctx, s.targetKey(scope, targetID, "st", strconv.FormatInt(now-i, 10))))
		}
		return nil
	})
	if err != nil {
		return nil, storeErr("read stats", err)
	}
	st := &core.EndpointStats{Window: label, FailuresByCode: map[string]int{}}
	hist := map[int]int{}
	for _, c := range cmds {
		for k, v := range c.Val() {
			x, _ := strconv.Atoi(v)
			switch {
			case k == "n":
				st.Total += x
			case k == "ok":
				st.Succeeded += x
			case k == "fail":
				st.Failed += x
			case strings.HasPrefix(k, "c:"):
				st.FailuresByCode[k[2:]] += x
			case strings.HasPrefix(k, "l:"):
				b, _ := strconv.Atoi(k[2:])
				hist[b] += x
			}
		}
	}
	if st.Total > 0 {
		st.SuccessRate = float64(st.Succeeded) / float64(st.Total)
	}
	st.LatencyP50MS, st.LatencyP95MS, st.LatencyP99MS = percentile(hist, 0.50), percentile(hist, 0.95), percentile(hist, 0.99)
	return st, nil
}

// percentile returns the upper bound of the bucket holding quantile q.
func percentile(hist map[int]int, q float64) float64 {
	total := 0
	buckets := make([]int, 0, len(hist))
	for b, c := range hist {
		total += c
		buckets = append(buckets, b)
	}
	if total == 0 {
		return 0
	}
	sort.Ints(buckets)
	rank := int(math.Ceil(q * float64(total)))
	seen := 0
	for _, b := range buckets {
		seen += hist[b]
		if seen >= rank {
			return bucketUpperMS(b)
		}
	}
	return bucketUpperMS(buckets[len(buckets)-1])
}
