package main

import (
	"context"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// redisMemory is what Redis holds at one moment, measured two ways: used
// is INFO memory's used_memory, the definition (everything,
// including the keyspace's own tables), which other clients of a shared
// Redis disturb; keys is the sum of MEMORY USAGE of the keys under the
// run's prefix, which they cannot.
type redisMemory struct{ used, keys int64 }

// readRedisMemory measures rdb's memory and that of the keys under prefix.
// It scans the keyspace, so it runs between phases, never in one.
func readRedisMemory(ctx context.Context, rdb *redis.Client, prefix string) (redisMemory, error) {
	used, err := usedMemory(ctx, rdb)
	if err != nil {
		return redisMemory{}, err
	}
	keys, err := prefixMemory(ctx, rdb, prefix)
	return redisMemory{used: used, keys: keys}, err
}

func usedMemory(ctx context.Context, rdb *redis.Client) (int64, error) {
	info, err := rdb.Info(ctx, "memory").Result()
	if err != nil {
		return 0, err
	}
	used, err := infoFloat(info, "used_memory")
	return int64(used), err
}

// prefixMemory sums MEMORY USAGE (every element counted: SAMPLES 0) of the
// keys under prefix, a pipeline of a thousand keys at a time.
func prefixMemory(ctx context.Context, rdb *redis.Client, prefix string) (int64, error) {
	var total int64
	var keys []string
	sum := func() error {
		cmds, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for _, k := range keys {
				p.MemoryUsage(ctx, k, 0)
			}
			return nil
		})
		if err != nil && err != redis.Nil { // a key expired between SCAN and MEMORY USAGE
			return err
		}
		for _, c := range cmds {
			total += c.(*redis.IntCmd).Val()
		}
		keys = keys[:0]
		return nil
	}
	iter := rdb.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	for iter.Next(ctx) {
		if keys = append(keys, iter.Val()); len(keys) == 1000 {
			if err := sum(); err != nil {
				return 0, err
			}
		}
	}
	if err := iter.Err(); err != nil {
		return 0, err
	}
	return total, sum()
}

// waitMemorySettled returns once used_memory has moved by less than 64 KB
// in each of two half seconds in a row (the hub's batched writes, such as
// the activity log's, have landed, even one flushed each second), or after
// timeout; it says which.
func waitMemorySettled(ctx context.Context, rdb *redis.Client, timeout time.Duration) string {
	last, err := usedMemory(ctx, rdb)
	if err != nil {
		return "unknown: " + err.Error()
	}
	start, quiet := time.Now(), 0
	for time.Since(start) < timeout && ctx.Err() == nil {
		time.Sleep(500 * time.Millisecond)
		now, err := usedMemory(ctx, rdb)
		if err != nil {
			return "unknown: " + err.Error()
		}
		if d := now - last; d > -64<<10 && d < 64<<10 {
			quiet++
		} else {
			quiet = 0
		}
		if quiet == 2 {
			return "settled in " + time.Since(start).Round(100*time.Millisecond).String()
		}
		last = now
	}
	return "still moving after " + strconv.Itoa(int(timeout.Seconds())) + "s (a shared Redis?)"
}
