package delivery

import (
	"context"
	"fmt"
	"runtime/debug"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/redisstore"
)

// maxEntryDeliveries is how many times one deliveries-stream entry may be
// handed to a hub before it is failed for good. An entry is handed again
// only when the hub holding it stopped before recording the attempt; one
// that keeps stopping hubs (a crash the process cannot recover from) must
// not go round the hubs forever.
const maxEntryDeliveries = 5

// maxPanicText bounds how much of a panic's value goes into a delivery's
// reason, which the account reads.
const maxPanicText = 200

// processSafely is process behind a boundary no panic crosses: a panic while
// handling one delivery (a bug in a sender, a connector client or the
// transform engine) is logged with the delivery's id and stack, and fails
// that delivery for good with the panic as its reason; the hub and every
// other delivery go on. An entry handed out maxEntryDeliveries times is
// failed the same way without being tried again.
func (e *Engine) processSafely(ctx context.Context, scope core.Scope, en redisstore.StreamEntry) (err error) {
	if en.Deliveries > maxEntryDeliveries {
		e.opts.Logger.Error("delivery stopped its hub repeatedly", "account", scope.AccountID, "livemode", scope.Livemode,
			"delivery", en.Values["d"], "entry", en.ID, "times", en.Deliveries-1)
		return e.failEntry(ctx, scope, en, fmt.Sprintf("the hub handling this delivery stopped %d times before its attempt was recorded; failed for good so that it cannot stop hubs again (replay it to try once more)", en.Deliveries-1))
	}
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		e.opts.Logger.Error("delivery attempt panicked", "account", scope.AccountID, "livemode", scope.Livemode,
			"delivery", en.Values["d"], "entry", en.ID, "panic", r, "stack", string(debug.Stack()))
		text := fmt.Sprint(r)
		if len(text) > maxPanicText {
			text = text[:maxPanicText] + "…"
		}
		err = e.failEntry(ctx, scope, en, "the attempt crashed ("+text+"); failed for good (replay it once the cause is fixed)")
	}()
	return e.process(ctx, scope, en)
}

// failEntry ends the delivery of en as failed for good, without an attempt,
// and acks en; an entry whose delivery is gone or already ended is acked.
func (e *Engine) failEntry(ctx context.Context, scope core.Scope, en redisstore.StreamEntry, reason string) error {
	id, _ := en.Values["d"].(string)
	d, _, err := e.attempts.LoadDelivery(ctx, scope, id)
	switch {
	case core.ErrorCode(err) == core.ENOTFOUND:
		return e.queue.AckDelivery(ctx, scope, en.ID)
	case err != nil:
		return err
	case d.Status != core.StatusPending && d.Status != core.StatusParked:
		return e.queue.AckDelivery(ctx, scope, en.ID)
	}
	return e.finishWithout(ctx, scope, d, en.ID, reason)
}
