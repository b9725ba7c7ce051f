package redisstore

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/bellhop/bellhop/core"
	"github.com/redis/go-redis/v9"
)

// TestStoreErrCodes: every way of not reaching Redis is EUNAVAILABLE (503),
// an answer from Redis is not.
func TestStoreErrCodes(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"client closed", redis.ErrClosed, core.EUNAVAILABLE},
		{"client closed, wrapped", fmt.Errorf("pipeline: %w", redis.ErrClosed), core.EUNAVAILABLE},
		{"client closed, as text", errors.New("redis: client is closed"), core.EUNAVAILABLE},
		{"pool timeout", redis.ErrPoolTimeout, core.EUNAVAILABLE},
		{"pool exhausted", redis.ErrPoolExhausted, core.EUNAVAILABLE},
		{"pool has no free turn", errors.New("redis: connection pool has no free turn"), core.EUNAVAILABLE},
		{"deadline", context.DeadlineExceeded, core.EUNAVAILABLE},
		{"a Redis error reply", errors.New("WRONGTYPE Operation against a key holding the wrong kind of value"), core.EINTERNAL},
		{"a coded error passes through", core.NotFound("event", "evt_1"), core.ENOTFOUND},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := core.ErrorCode(storeErr("op", tt.err)); got != tt.want {
				t.Errorf("code = %q, want %q", got, tt.want)
			}
		})
	}
}
