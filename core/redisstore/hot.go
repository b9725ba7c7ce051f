package redisstore

import (
	"context"
	"sync/atomic"

	"github.com/redis/go-redis/v9"
)

// hotCmds are the commands of the hot paths: the scripts every publish,
// dispatch and attempt runs, and what redis_rate's limiter needs.
type hotCmds interface {
	redis.Scripter
	Del(ctx context.Context, keys ...string) *redis.IntCmd
}

// newHot returns the client for the commands every publish and every
// attempt makes (the rate limit, the append, the attempt's scripts): one
// that sends a command on a pooled connection of its own while few are in
// flight, and through go-redis's auto-pipeliner when more are, so that the
// commands of concurrent requests share one write and one read each way
// instead of a round trip apiece. Each caller waits for its own reply
// either way, so nothing is acknowledged earlier, and a command's order
// with the others of its caller is kept.
//
// Why both: under load the pipeliner's batches are worth ~8% more
// deliveries/s, but at a low rate it batches nothing and its hand-off to
// its flusher goroutine costs two wake-ups a command, ~18% of the hub's
// CPU at 200 events/s (BENCHMARKS.md, issue 12's fourth session). On a
// cluster the pipeliner batches per master; go-redis calls that one
// experimental, but without it one hub on a cluster delivered
// 1,700-2,900/s against 4,300-4,500/s with it, and the failover test (cmd/
// bellhop TestClusterHubs…) runs with it. Where it cannot be had, rdb is
// used as is.
func newHot(rdb redis.UniversalClient) hotCmds {
	var ap *redis.AutoPipeliner
	var err error
	switch c := rdb.(type) {
	case *redis.Client:
		ap, err = c.AutoPipeline()
	case *redis.ClusterClient:
		ap, err = c.AutoPipeline()
	default:
		return rdb
	}
	if err != nil {
		return rdb
	}
	return &adaptiveHot{direct: rdb, piped: ap}
}

// directDepth is how many commands may be in flight, this one included,
// for a command to go straight down its own connection. 1, 2 and 4 gave
// the same figures within the noise; 2 lets a publish's command and a
// delivery's go side by side at a low rate without a hand-off.
const directDepth = 2

// adaptiveHot is newHot's client.
type adaptiveHot struct {
	direct   redis.UniversalClient
	piped    *redis.AutoPipeliner
	inflight atomic.Int32
}

// pick returns the client for one command; done must be called once its
// reply is in.
func (h *adaptiveHot) pick() hotCmds {
	if h.inflight.Add(1) <= directDepth {
		return h.direct
	}
	return h.piped
}

func (h *adaptiveHot) done() { h.inflight.Add(-1) }

func (h *adaptiveHot) Eval(ctx context.Context, script string, keys []string, args ...any) *redis.Cmd {
	defer h.done()
	return h.pick().Eval(ctx, script, keys, args...)
}

func (h *adaptiveHot) EvalSha(ctx context.Context, sha1 string, keys []string, args ...any) *redis.Cmd {
	defer h.done()
	return h.pick().EvalSha(ctx, sha1, keys, args...)
}

func (h *adaptiveHot) EvalRO(ctx context.Context, script string, keys []string, args ...any) *redis.Cmd {
	defer h.done()
	return h.pick().EvalRO(ctx, script, keys, args...)
}

func (h *adaptiveHot) EvalShaRO(ctx context.Context, sha1 string, keys []string, args ...any) *redis.Cmd {
	defer h.done()
	return h.pick().EvalShaRO(ctx, sha1, keys, args...)
}

func (h *adaptiveHot) ScriptExists(ctx context.Context, hashes ...string) *redis.BoolSliceCmd {
	defer h.done()
	return h.pick().ScriptExists(ctx, hashes...)
}

func (h *adaptiveHot) ScriptLoad(ctx context.Context, script string) *redis.StringCmd {
	defer h.done()
	return h.pick().ScriptLoad(ctx, script)
}

func (h *adaptiveHot) Del(ctx context.Context, keys ...string) *redis.IntCmd {
	defer h.done()
	return h.pick().Del(ctx, keys...)
}
