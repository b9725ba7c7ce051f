package redisstore

import (
	"context"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"
)

// ReadGroup reads new entries for consumer from the given streams (all
// carrying group), blocking up to block when none is ready. It returns no
// entries and no error when the block time passes. count bounds the
// entries of each stream, as XREADGROUP's COUNT does.
//
// On a single Redis it is one XREADGROUP over every stream, the fast path.
// A cluster refuses a command whose keys sit in different slots, so there
// the streams are grouped by slot (readBySlot).
func (s *Store) ReadGroup(ctx context.Context, group, consumer string, streams []string, count int, block time.Duration) ([]StreamEntry, error) {
	if len(streams) == 0 {
		return nil, nil
	}
	if _, ok := s.rdb.(*redis.ClusterClient); ok {
		if groups := bySlot(streams); len(groups) > 1 {
			return s.readBySlot(ctx, group, consumer, groups, count, block)
		}
	}
	return readStreams(ctx, s.rdb, group, consumer, streams, count, block)
}

// clusterPoll bounds how long a cluster read blocks on one slot while the
// others are not watched: an entry in another slot waits at most this long
// (plus a round trip) to be read. An idle hub so makes, per loop, one
// pipelined round of non-blocking reads per clusterPoll: a few hundred
// cheap commands a second for a few dozen slots.
const clusterPoll = 20 * time.Millisecond

// readBySlot reads several slots' streams without serialising their waits:
// first every slot at once without blocking, in one pipeline (go-redis
// sends each master its share concurrently, so this is one round trip per
// master, side by side); only when all were empty does it block, on one
// slot group in turn, for at most clusterPoll. Blocking reads on every
// slot at once would need a connection per slot and could not be cut short
// when one of them answers: entries a read takes are this consumer's until
// acked, so none may be abandoned.
//
// An error on one slot does not throw away what the others returned (those
// entries are pending for this consumer: dropping them would leave them to
// a claim, much later); the error is returned only when nothing was read.
func (s *Store) readBySlot(ctx context.Context, group, consumer string, groups [][]string, count int, block time.Duration) ([]StreamEntry, error) {
	cmds := make([]*redis.XStreamSliceCmd, len(groups))
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, g := range groups {
			cmds[i] = p.XReadGroup(ctx, groupArgs(group, consumer, g, count, -1))
		}
		return nil
	})
	var out []StreamEntry
	var firstErr error
	for _, c := range cmds {
		res, err := c.Result()
		if err != nil && !errors.Is(err, redis.Nil) && firstErr == nil {
			firstErr = err
		}
		out = appendEntries(out, res)
	}
	if len(out) > 0 {
		return out, nil
	}
	if firstErr != nil {
		return nil, storeErr("read stream", firstErr)
	} else if err != nil && !errors.Is(err, redis.Nil) {
		return nil, storeErr("read stream", err)
	}
	if block <= 0 {
		return nil, nil
	}
	g := groups[int(s.readTurn.Add(1))%len(groups)]
	return readStreams(ctx, s.rdb, group, consumer, g, count, min(block, clusterPoll))
}

// readStreams is one XREADGROUP over streams, which must share a slot on a
// cluster. block < 0 does not block.
func readStreams(ctx context.Context, rdb redis.Cmdable, group, consumer string, streams []string, count int, block time.Duration) ([]StreamEntry, error) {
	res, err := rdb.XReadGroup(ctx, groupArgs(group, consumer, streams, count, block)).Result()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	} else if err != nil {
		return nil, storeErr("read stream", err)
	}
	return appendEntries(nil, res), nil
}

func groupArgs(group, consumer string, streams []string, count int, block time.Duration) *redis.XReadGroupArgs {
	args := make([]string, 0, 2*len(streams))
	args = append(args, streams...)
	for range streams {
		args = append(args, ">")
	}
	return &redis.XReadGroupArgs{Group: group, Consumer: consumer, Streams: args, Count: int64(count), Block: block}
}

func appendEntries(out []StreamEntry, res []redis.XStream) []StreamEntry {
	for _, st := range res {
		for _, m := range st.Messages {
			out = append(out, StreamEntry{Stream: st.Stream, ID: m.ID, Values: m.Values})
		}
	}
	return out
}

// bySlot groups keys by cluster slot, the groups in order of their first
// key, keys in their order.
func bySlot(keys []string) [][]string {
	var groups [][]string
	at := map[int]int{}
	for _, k := range keys {
		slot := Slot(k)
		i, ok := at[slot]
		if !ok {
			i = len(groups)
			at[slot] = i
			groups = append(groups, nil)
		}
		groups[i] = append(groups[i], k)
	}
	return groups
}
