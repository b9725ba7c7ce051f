package delivery

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/transform"
	"github.com/bellhop/bellhop/plugins"
)

// fakeConnector is an in-process connector whose Deliver answers what the
// test says and records each input.
type fakeConnector struct {
	script  string
	mu      sync.Mutex
	inputs  []json.RawMessage
	deliver func(n int) (plugins.Result, error)
	checked plugins.CheckResult // what Check answers
}

var fakeFields = []plugins.Field{
	{Name: "channel", Type: "string", Required: true},
	{Name: "token", Type: "string", Secret: true, Required: true},
}

func (f *fakeConnector) Describe(context.Context) (plugins.Description, error) {
	return plugins.Description{Name: "fake", DisplayName: "Fake", Fields: fakeFields, DefaultScript: f.script}, nil
}

func (f *fakeConnector) Validate(_ context.Context, c plugins.Config) ([]plugins.FieldError, error) {
	if c["channel"] == "#nope" {
		return []plugins.FieldError{{Field: "channel", Message: "does not exist"}}, nil
	}
	return nil, nil
}

func (f *fakeConnector) Check(context.Context, plugins.Config) (plugins.CheckResult, error) {
	return f.checked, nil
}

func (f *fakeConnector) Deliver(_ context.Context, _ plugins.Config, in json.RawMessage) (plugins.Result, error) {
	f.mu.Lock()
	f.inputs = append(f.inputs, in)
	n := len(f.inputs)
	f.mu.Unlock()
	return f.deliver(n)
}

// fakeHost hands out in-process connectors by name.
type fakeHost map[string]plugins.Connector

func (h fakeHost) Connector(_ context.Context, name string) (plugins.Connector, error) {
	if c, ok := h[name]; ok {
		return c, nil
	}
	return nil, core.NotFound("connector", name)
}

// startWithConnections runs an engine with connections on host.
func (h *harness) startWithConnections(opts Options, host ConnectorHost) (*Engine, *Connections) {
	h.t.Helper()
	e := newEngine(opts)
	// The default scripts get more than production's 50 ms: these tests
	// count attempts, and a loaded CI machine can stall a run past 50 ms,
	// which retries it (the transform tests test the limit itself).
	scripts := transform.New(transform.Options{Timeout: 2 * time.Second})
	conns := NewConnections(e, ConnectionOptions{Host: host, Scripts: scripts})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		// A test that ends while the engine is still starting cancels
		// its start: that is the test's end, not the engine's failure.
		if err := e.Run(ctx); err != nil && ctx.Err() == nil {
			h.t.Errorf("run engine: %v", err)
		}
	}()
	h.t.Cleanup(func() { cancel(); <-done; conns.Close(); scripts.Close() })
	return e, conns
}

const fakeToken = "tok-SECRET-0123456789abcdef"

func (h *harness) connection(conns *Connections, connector string, config map[string]any) *core.Connection {
	h.t.Helper()
	c, err := conns.CreateConnection(context.Background(), h.scope, core.ConnectionInput{
		Connector: &connector, Config: config, EnabledEvents: []string{"reservation.created"}})
	if err != nil {
		h.t.Fatal(err)
	}
	return c
}

// finished waits until n deliveries of the connection have ended and
// returns them with their attempts.
func (h *harness) finished(conns *Connections, id string, n int) []*core.Delivery {
	h.t.Helper()
	ctx := context.Background()
	var ended []*core.Delivery
	eventually(h.t, "deliveries to end", func() bool {
		ended = ended[:0]
		f := core.DeliveryFilter{Page: core.Page{Limit: 100}}
		for {
			l, err := conns.engine.ListDeliveries(ctx, h.scope, core.Target{Kind: core.TargetConnection, ID: id}, f)
			if err != nil {
				h.t.Fatal(err)
			}
			for _, d := range l.Data {
				if d.Status == core.StatusPending || d.Status == core.StatusParked {
					return false
				}
				ended = append(ended, d)
			}
			if !l.HasMore {
				return len(ended) >= n
			}
			f.Page.StartingAfter = l.Data[len(l.Data)-1].ID
		}
	})
	out := make([]*core.Delivery, len(ended))
	for i, d := range ended {
		full, err := conns.engine.FindDelivery(ctx, h.scope, d.ID)
		if err != nil {
			h.t.Fatal(err)
		}
		for _, got := range []string{d.Object, full.Object} {
			if got != "connection_delivery" {
				h.t.Errorf("delivery %s object = %q, want connection_delivery", d.ID, got)
			}
		}
		out[i] = full
	}
	return out
}

func TestConnectionOutcomes(t *testing.T) {
	tests := []struct {
		name       string
		answers    []func() (plugins.Result, error)
		wantStatus string
		wantOut    []string // outcome of each attempt
		wantExtID  string
	}{
		{"delivered", []func() (plugins.Result, error){
			func() (plugins.Result, error) {
				return plugins.Result{Outcome: plugins.Delivered, ExternalID: "ts-1", Summary: "posted"}, nil
			}}, core.StatusSucceeded, []string{"succeeded"}, "ts-1"},
		{"retry then delivered", []func() (plugins.Result, error){
			func() (plugins.Result, error) {
				return plugins.Result{Outcome: plugins.Retry, RetryAfter: 20 * time.Millisecond, Summary: "429"}, nil
			},
			func() (plugins.Result, error) {
				return plugins.Result{Outcome: plugins.Delivered, ExternalID: "ts-2"}, nil
			}},
			core.StatusSucceeded, []string{"retry", "succeeded"}, "ts-2"},
		{"failed for good", []func() (plugins.Result, error){
			func() (plugins.Result, error) {
				return plugins.Result{Outcome: plugins.Failed, Summary: "channel_not_found"}, nil
			}},
			core.StatusFailed, []string{"failed"}, ""},
		{"plugin error retried", []func() (plugins.Result, error){
			func() (plugins.Result, error) {
				return plugins.Result{}, core.Errorf(core.EUNAVAILABLE, "the plugin crashed")
			},
			func() (plugins.Result, error) { return plugins.Result{Outcome: plugins.Delivered}, nil }},
			core.StatusSucceeded, []string{"retry", "succeeded"}, ""},
		{"secret echoed back is redacted", []func() (plugins.Result, error){
			func() (plugins.Result, error) {
				return plugins.Result{Outcome: plugins.Failed, Summary: "bad token " + fakeToken}, nil
			}}, core.StatusFailed, []string{"failed"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			fake := &fakeConnector{deliver: func(n int) (plugins.Result, error) { return tt.answers[min(n, len(tt.answers))-1]() }}
			_, conns := h.startWithConnections(h.options(), fakeHost{"fake": fake})
			c := h.connection(conns, "fake", map[string]any{"channel": "#general", "token": fakeToken})
			ev := h.publish(h.scope, "reservation.created", 1)
			ds := h.finished(conns, c.ID, 1)
			d := ds[0]
			if d.Status != tt.wantStatus || d.Target.Kind != core.TargetConnection || d.EventID != ev.ID {
				t.Fatalf("delivery = %s to %+v of %s, want %s to the connection of %s", d.Status, d.Target, d.EventID, tt.wantStatus, ev.ID)
			}
			var got []string
			for _, a := range d.Attempts {
				got = append(got, a.Outcome)
				if b, _ := json.Marshal(a); strings.Contains(string(b), fakeToken) {
					t.Errorf("attempt %d holds the token: %s", a.Number, b)
				}
			}
			if strings.Join(got, ",") != strings.Join(tt.wantOut, ",") {
				t.Errorf("attempt outcomes = %v, want %v", got, tt.wantOut)
			}
			if last := d.Attempts[len(d.Attempts)-1]; last.ExternalID != tt.wantExtID || last.URL != "connector://fake" {
				t.Errorf("last attempt external id, url = %q, %q; want %q, connector://fake", last.ExternalID, last.URL, tt.wantExtID)
			}
			var in core.Event // no default script: the connector gets the envelope
			if err := json.Unmarshal(fake.inputs[0], &in); err != nil || in.ID != ev.ID {
				t.Errorf("connector input = %s, want the event envelope", fake.inputs[0])
			}
		})
	}
}

func TestConnectionDefaultScriptAndValidation(t *testing.T) {
	h := newHarness(t)
	fake := &fakeConnector{script: "slack/default.js", deliver: func(int) (plugins.Result, error) {
		return plugins.Result{Outcome: plugins.Delivered}, nil
	}}
	_, conns := h.startWithConnections(h.options(), fakeHost{"fake": fake})
	ctx := context.Background()
	name := "fake"
	for _, tt := range []struct {
		name   string
		config map[string]any
		param  string
	}{
		{"missing token", map[string]any{"channel": "#general"}, "config.token"},
		{"unknown field", map[string]any{"channel": "#general", "token": "x", "extra": 1}, "config.extra"},
		{"connector's own check", map[string]any{"channel": "#nope", "token": "x"}, "config.channel"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := conns.CreateConnection(ctx, h.scope, core.ConnectionInput{Connector: &name, Config: tt.config, EnabledEvents: []string{"*"}})
			var e *core.Error
			if !errors.As(err, &e) || e.Code != core.EINVALID || e.Param != tt.param {
				t.Errorf("got %v, want EINVALID naming %s", err, tt.param)
			}
		})
	}
	c := h.connection(conns, "fake", map[string]any{"channel": "#general", "token": fakeToken})
	if c.Config["token"] != core.SecretMask {
		t.Errorf("created connection shows token %v, want it masked", c.Config["token"])
	}
	// An update that sends the mask back keeps the secret.
	newName := "renamed"
	upd, err := conns.UpdateConnection(ctx, h.scope, c.ID, core.ConnectionInput{Name: &newName, Config: c.Config})
	if err != nil {
		t.Fatal(err)
	}
	if _, secrets, _ := h.store.ConnectionSecrets(ctx, h.scope, c.ID); secrets["token"] != fakeToken || upd.Name != "renamed" {
		t.Errorf("after update: secrets %v, name %q", secrets, upd.Name)
	}
	h.publish(h.scope, "reservation.created", 1)
	h.finished(conns, c.ID, 1)
	var in struct {
		Text   string            `json:"text"`
		Blocks []json.RawMessage `json:"blocks"`
	}
	if err := json.Unmarshal(fake.inputs[0], &in); err != nil || in.Text == "" || len(in.Blocks) == 0 {
		t.Errorf("the Slack default script's output has no text or blocks: %s", fake.inputs[0])
	}
	test, err := conns.TestConnection(ctx, h.scope, c.ID, "")
	if err != nil || !test.OK || !test.Check.OK || !test.Check.Contacted || len(test.Output) == 0 || test.EventType != "reservation.created" {
		t.Errorf("test = %+v, %v", test, err)
	}
	// A connector that checked for form only is not said to have reached its service.
	fake.checked = plugins.CheckResult{NotContacted: true, Message: "checked for form; not contacted"}
	test, err = conns.TestConnection(ctx, h.scope, c.ID, "")
	if err != nil || !test.Check.OK || test.Check.Contacted || test.Check.Message != fake.checked.Message {
		t.Errorf("form-only check = %+v, %v; want ok, not contacted, the connector's message", test.Check, err)
	}
}
