package delivery

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/transform"
)

// TestWebhookTransformsInTheAttemptLog runs real scripts from the store on
// webhook deliveries and reads the attempt log: what was sent, which script
// version shaped it, what it printed, and how a throw or a null ends it.
func TestWebhookTransformsInTheAttemptLog(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	script := func(source string) string {
		t.Helper()
		sc := &core.Script{Name: "t", Source: source}
		if err := h.store.CreateScript(ctx, h.scope, sc); err != nil {
			t.Fatal(err)
		}
		return sc.ID
	}
	reshape := script(`function transform(e) { console.log("shaping", e.id); return {only: e.type} }`)
	v2 := "function transform(e) { console.log(\"v2\", e.id); return {only: e.type, v: 2} }"
	if _, err := h.store.UpdateScript(ctx, h.scope, reshape, core.ScriptUpdate{Source: &v2}); err != nil {
		t.Fatal(err)
	}
	throws := script(`function transform(e) { console.log("about to throw"); throw new Error("no guest") }`)
	skips := script(`function transform(e) { bellhop.skip("not a VIP"); return null }`)

	opts := h.options()
	engine := transform.New(transform.Options{Timeout: time.Second})
	t.Cleanup(engine.Close)
	opts.Transforms = transform.NewRunner(engine, h.store)
	e := h.start(opts)
	rc := newReceiver(t, nil)
	endpoints := map[string]string{}
	for name, id := range map[string]string{"reshape": reshape, "throws": throws, "skips": skips} {
		ep, _ := h.endpoint(e, rc.URL, func(in *core.EndpointInput) { in.TransformScriptID = &id })
		endpoints[name] = ep.ID
	}
	ev := h.publish(h.scope, "reservation.created", 1)

	ended := func(name string) *core.Delivery {
		t.Helper()
		var d *core.Delivery
		eventually(t, name+" delivery to end", func() bool {
			ds := h.deliveries(e, endpoints[name])
			if len(ds) == 1 && ds[0].Status != core.StatusPending {
				d, _ = e.FindDelivery(ctx, h.scope, ds[0].ID)
			}
			return d != nil
		})
		if len(d.Attempts) != 1 {
			t.Fatalf("%s: %d attempts, want 1", name, len(d.Attempts))
		}
		return d
	}

	d := ended("reshape")
	a := d.Attempts[0]
	if d.Status != core.StatusSucceeded || a.ScriptID != reshape || a.ScriptVersion != 2 || len(a.Logs) != 1 || !strings.Contains(a.Logs[0], ev.ID) {
		t.Errorf("reshape: status %s, attempt script %s v%d logs %q", d.Status, a.ScriptID, a.ScriptVersion, a.Logs)
	}
	if got := rc.received(); len(got) != 1 || string(got[0].body) != `{"only":"reservation.created","v":2}` {
		t.Errorf("receiver got %d bodies, first %q; want only the transformed one", len(got), got[0].body)
	}

	d = ended("throws")
	a = d.Attempts[0]
	if d.Status != core.StatusFailed || !strings.Contains(a.Error, "no guest") || len(a.Logs) != 1 || a.ScriptVersion != 1 {
		t.Errorf("throws: status %s, error %q, logs %q, version %d; want failed for good with the message and the logs", d.Status, a.Error, a.Logs, a.ScriptVersion)
	}

	d = ended("skips")
	if d.Status != core.StatusSkipped || d.Reason != "not a VIP" {
		t.Errorf("skips: status %s, reason %q; want skipped with the script's reason", d.Status, d.Reason)
	}
}

// TestHostileScriptFailsOnlyItsDelivery is issue 8's crash: a saved script
// whose result has a looping getter, attached to an endpoint. The delivery
// fails for good as a timeout; the hub goes on and another endpoint of the
// account gets the same event.
func TestHostileScriptFailsOnlyItsDelivery(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	sc := &core.Script{Name: "hostile", Source: `function transform(e){ return {get x(){ while(true){} }}; }`}
	if err := h.store.CreateScript(ctx, h.scope, sc); err != nil {
		t.Fatal(err)
	}
	opts := h.options()
	engine := transform.New(transform.Options{Timeout: 50 * time.Millisecond})
	t.Cleanup(engine.Close)
	opts.Transforms = transform.NewRunner(engine, h.store)
	e := h.start(opts)
	rc := newReceiver(t, nil)
	hostile, _ := h.endpoint(e, rc.URL, func(in *core.EndpointInput) { in.TransformScriptID = &sc.ID })
	h.endpoint(e, rc.URL, nil)
	h.publish(h.scope, "reservation.created", 1)

	eventually(t, "the plain endpoint's delivery", func() bool { return rc.count() == 1 })
	var d *core.Delivery
	eventually(t, "the hostile delivery to end", func() bool {
		if ds := h.deliveries(e, hostile.ID); len(ds) == 1 && ds[0].Status != core.StatusPending {
			d = ds[0]
		}
		return d != nil
	})
	if d.Status != core.StatusFailed || !strings.Contains(d.Reason, "over its time limit") {
		t.Errorf("hostile delivery: %s %q, want failed for its time limit", d.Status, d.Reason)
	}
}
