package redistest

import (
	"context"

	"github.com/redis/go-redis/v9"
)

// Watch calls see with every command c sends, alone or pipelined, that
// Redis ran without error, once its reply is in: a test's way to count
// the scripts or round trips a path makes. An EVALSHA answered NOSCRIPT,
// which go-redis follows with an EVAL, is not seen; the EVAL is.
func Watch(c redis.UniversalClient, see func(cmd redis.Cmder)) {
	c.AddHook(watcher{see})
}

type watcher struct{ see func(redis.Cmder) }

func (w watcher) DialHook(next redis.DialHook) redis.DialHook { return next }

func (w watcher) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		if err == nil {
			w.see(cmd)
		}
		return err
	}
}

func (w watcher) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		err := next(ctx, cmds)
		for _, cmd := range cmds {
			if cmd.Err() == nil {
				w.see(cmd)
			}
		}
		return err
	}
}
