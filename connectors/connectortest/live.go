package connectortest

import (
	"context"
	"strings"
	"testing"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/plugins"
)

// RunLiveModeRefusesLocal holds the connector to the live-mode guard: with
// the kit's configuration, which points at a fake on 127.0.0.1, a live-mode
// Deliver fails for good naming the blocked address, Check and Options
// fail, and the fake receives nothing; the same call in test mode still
// reaches the fake.
func (k Kit) RunLiveModeRefusesLocal(t *testing.T) {
	live := plugins.WithEgress(context.Background(), plugins.Egress{Livemode: true})
	before := k.received()
	res, err := k.Connector.Deliver(live, k.Config, k.Input)
	if err != nil {
		t.Fatalf("live Deliver: %v", err)
	}
	if res.Outcome != plugins.Failed || !strings.Contains(res.Summary, "127.0.0.1") || !strings.Contains(res.Summary, "not allowed in live mode") {
		t.Errorf("live Deliver = %q %q, want failed naming 127.0.0.1 as not allowed in live mode", res.Outcome, res.Summary)
	}
	if _, err := k.Connector.Check(live, k.Config); core.ErrorCode(err) != core.EINVALID || !strings.Contains(core.ErrorMessage(err), "127.0.0.1") {
		t.Errorf("live Check = %v, want EINVALID naming 127.0.0.1", err)
	}
	if l, ok := k.Connector.(plugins.OptionLister); ok && k.OptionField != "" {
		if _, err := l.Options(live, k.Config, k.OptionField); err == nil {
			t.Errorf("live Options(%s) succeeded, want it refused", k.OptionField)
		}
	}
	if got := k.received(); got != before {
		t.Errorf("the fake received %d requests in live mode, want none", got-before)
	}
	res, err = k.Connector.Deliver(context.Background(), k.Config, k.Input)
	if err != nil || res.Outcome != plugins.Delivered {
		t.Errorf("test-mode Deliver = %+v, %v; want delivered to the local fake", res, err)
	}
	if k.Received != nil && k.received() == before {
		t.Error("the fake received nothing in test mode, want the delivery")
	}
}

func (k Kit) received() int {
	if k.Received == nil {
		return 0
	}
	return k.Received()
}
