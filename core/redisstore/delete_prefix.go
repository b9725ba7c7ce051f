package redisstore

import (
	"context"

	"github.com/redis/go-redis/v9"
)

// DeletePrefix unlinks every key under prefix, for tests and benchmarks
// that share a Redis and must leave it as they found it. It scans the
// keyspace, so it is never for the hot path. On a cluster each master
// scans its own keys and each key is unlinked on its own (in a pipeline),
// since one UNLINK may not span slots.
func DeletePrefix(ctx context.Context, rdb redis.UniversalClient, prefix string) error {
	if c, ok := rdb.(*redis.ClusterClient); ok {
		return c.ForEachMaster(ctx, func(ctx context.Context, m *redis.Client) error {
			return unlinkMatching(ctx, m, prefix, 1)
		})
	}
	return unlinkMatching(ctx, rdb, prefix, 500)
}

// unlinkMatching scans c for keys under prefix and unlinks them, batch keys
// to an UNLINK.
func unlinkMatching(ctx context.Context, c redis.UniversalClient, prefix string, batch int) error {
	iter := c.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	var keys []string
	flush := func() error {
		_, err := c.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i := 0; i < len(keys); i += batch {
				p.Unlink(ctx, keys[i:min(i+batch, len(keys))]...)
			}
			return nil
		})
		keys = keys[:0]
		return err
	}
	for iter.Next(ctx) {
		if keys = append(keys, iter.Val()); len(keys) == 1000 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := iter.Err(); err != nil {
		return err
	}
	if len(keys) > 0 {
		return flush()
	}
	return nil
}
