package ingest

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/redis/go-redis/v9"
)

// handle publishes one entry, delivered for the n-th time, and acknowledges
// it once it is stored or dead-lettered. An entry that fails for a reason
// that may pass is left pending, to be claimed again, until its
// MaxDeliveries-th delivery. The error returned is Redis failing to ack or
// dead-letter.
func (c *StreamConsumer) handle(ctx context.Context, msg redis.XMessage, n int64) error {
	scope, in, err := decodeEntry(msg.Values)
	if err == nil {
		err = c.publish(ctx, scope, in)
	}
	switch {
	case err == nil:
		return c.ack(ctx, msg.ID)
	case ctx.Err() != nil:
		return nil // shutting down: another consumer claims it
	case temporary(err) && n < c.MaxDeliveries:
		c.log.Warn("ingest entry left pending", "entry", msg.ID, "delivery", n, "err", err)
		return nil
	}
	c.log.Info("ingest entry dead-lettered", "entry", msg.ID, "account", msg.Values["account"],
		"code", core.ErrorCode(err), "param", paramOf(err), "err", err)
	return c.deadLetter(ctx, msg, err)
}

// publish tries PublishEvent up to Retries times while it fails for a
// reason that may pass.
func (c *StreamConsumer) publish(ctx context.Context, scope core.Scope, in core.EventInput) error {
	var err error
	wait := 50 * time.Millisecond
	for try := 1; ; try++ {
		_, _, err = c.svc.PublishEvent(ctx, scope, in)
		if err == nil || !temporary(err) || try >= c.Retries || ctx.Err() != nil {
			return err
		}
		sleep(ctx, wait)
		wait *= 2
	}
}

// temporary reports whether a publish that failed with err may succeed
// later: a dependency was unavailable, or something unexpected happened.
// Every other code is the entry's own fault.
func temporary(err error) bool {
	code := core.ErrorCode(err)
	return code == core.EUNAVAILABLE || code == core.EINTERNAL
}

func (c *StreamConsumer) ack(ctx context.Context, id string) error {
	if err := c.rdb.XAck(ctx, c.stream, GroupName, id).Err(); err != nil {
		return fmt.Errorf("ack ingest entry: %w", err)
	}
	return nil
}

// deadLetter writes the entry and the reason to the dead-letter stream, then
// acknowledges it. In that order: a crash between the two dead-letters the
// entry twice rather than losing it.
func (c *StreamConsumer) deadLetter(ctx context.Context, msg redis.XMessage, reason error) error {
	err := c.rdb.XAdd(ctx, &redis.XAddArgs{
		Stream: c.dead, MaxLen: c.DeadLetterMaxLen, Approx: true,
		Values: deadFields(msg.ID, msg.Values, reason, c.now()),
	}).Err()
	if err != nil {
		return fmt.Errorf("dead-letter ingest entry: %w", err)
	}
	return c.ack(ctx, msg.ID)
}

func asError(err error) *core.Error {
	var e *core.Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

func paramOf(err error) string {
	if e := asError(err); e != nil {
		return e.Param
	}
	return ""
}
