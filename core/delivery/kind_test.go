package delivery

import (
	"context"
	"sync"
	"testing"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/outbound"
)

// faxSender is a third target kind, plugged in through Options.Senders
// only: every event goes to its one target, and every attempt succeeds.
type faxSender struct {
	mu   sync.Mutex
	sent []string // event ids
}

var faxTarget = core.Target{Kind: "fax", ID: "fax_1"}

func (f *faxSender) Match(context.Context, core.Scope, string) ([]Subscription, error) {
	return []Subscription{{Target: faxTarget}}, nil
}

func (f *faxSender) Lookup(_ context.Context, _ core.Scope, id string) (*TargetInfo, error) {
	if id != faxTarget.ID {
		return nil, core.NotFound("fax", id)
	}
	return &TargetInfo{}, nil
}

func (f *faxSender) Send(_ context.Context, _ *TargetInfo, job Job) Result {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sent = append(f.sent, job.Delivery.EventID)
	return Result{Outcome: outbound.Succeeded, Attempt: &core.Attempt{}}
}

func (f *faxSender) Disable(context.Context, core.Scope, string, string) error { return nil }
func (f *faxSender) Forget(core.Scope, string)                                 {}

func (f *faxSender) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.sent)
}

// TestANewKindIsAddedNotEditedIn plugs a kind the engine has never heard
// of into Options.Senders and checks that fan-out, workers and the delivery
// log serve it like the built-in ones.
func TestANewKindIsAddedNotEditedIn(t *testing.T) {
	h := newHarness(t)
	fax := &faxSender{}
	opts := h.options()
	opts.Senders = map[string]Sender{faxTarget.Kind: fax}
	e := h.start(opts)
	ev := h.publish(h.scope, "reservation.created", 1)
	eventually(t, "the fax to be sent", func() bool { return fax.count() == 1 })
	eventually(t, "its delivery to succeed", func() bool {
		l, err := e.ListDeliveries(context.Background(), h.scope, faxTarget, core.DeliveryFilter{})
		if err != nil {
			t.Fatal(err)
		}
		return len(l.Data) == 1 && l.Data[0].EventID == ev.ID && l.Data[0].Status == core.StatusSucceeded
	})
}
