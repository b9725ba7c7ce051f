package redisstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/bellhop/bellhop/core"
	"github.com/redis/go-redis/v9"
)

// errUnavailable is what every store method returns when Redis cannot be
// reached, so that the API answers 503 and the caller knows a retry may work.
func errUnavailable() *core.Error {
	return &core.Error{Code: core.EUNAVAILABLE, Message: "The data store is unavailable. Please retry."}
}

// storeErr turns an error from Redis into the error a store method returns:
// an EUNAVAILABLE *core.Error when the connection failed (still wrapping the
// cause, for the logs), the error itself when it already is a *core.Error,
// and otherwise the error wrapped with op ("append event"). nil stays nil.
// Every file of the package, including the other engineers', uses it.
func storeErr(op string, err error) error {
	var ce *core.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ce):
		return err
	case isConnError(err):
		return fmt.Errorf("%s: %w: %w", op, errUnavailable(), err)
	default:
		return fmt.Errorf("%s: %w", op, err)
	}
}

// isConnError reports whether err says that Redis could not be reached or
// the connection broke, as opposed to Redis answering with an error.
func isConnError(err error) bool {
	var netErr net.Error
	var opErr *net.OpError
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EPIPE), errors.Is(err, net.ErrClosed),
		errors.Is(err, redis.ErrPoolTimeout), errors.Is(err, redis.ErrClosed),
		errors.Is(err, redis.ErrPoolExhausted), errors.Is(err, context.DeadlineExceeded):
		return true
	case isClientErrText(err.Error()):
		return true
	case errors.As(err, &opErr):
		return true
	case errors.As(err, &netErr) && netErr.Timeout():
		return true
	}
	return false
}

// isClientErrText recognises the go-redis client and pool failures that
// carry no sentinel to match (a pool with no free turn, a connection left
// unusable, a closed client re-wrapped as text): Redis did not answer, so
// they are EUNAVAILABLE, not the hub's fault.
func isClientErrText(msg string) bool {
	for _, s := range []string{"redis: client is closed", "redis: connection pool", "redis: connection unusable", "redis: timed out trying to mark connection"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}
