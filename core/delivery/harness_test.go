package delivery

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/redisstore"
	"github.com/bellhop/bellhop/core/redistest"
	"github.com/bellhop/bellhop/core/secretbox"
	"github.com/redis/go-redis/v9"
)

// harness is one tenant, a store under the test's prefix and helpers to run
// engines against it.
type harness struct {
	t      *testing.T
	r      *redistest.Redis
	store  *redisstore.Store
	scope  core.Scope
	events *fakeEvents
	box    *secretbox.Box
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	return newHarnessOn(t, redistest.New(t))
}

// newHarnessOn is newHarness on a Redis of the caller's (a cluster).
func newHarnessOn(t *testing.T, r *redistest.Redis) *harness {
	t.Helper()
	box, err := secretbox.New(secretbox.GenerateKey())
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, r: r, box: box, scope: core.Scope{AccountID: "acct_" + randomID("")[:10]}}
	h.store = redisstore.New(r.Client, redisstore.Options{Prefix: r.Prefix, Sealer: box})
	h.events = &fakeEvents{store: h.store}
	return h
}

// options returns fast engine options for tests: short blocks, a compressed
// schedule, quick claims.
func (h *harness) options() Options {
	return Options{
		Store: h.store, Events: h.events, Scopes: h.scopes,
		Block: 50 * time.Millisecond, MaxIdle: 50 * time.Millisecond, ScopeRefresh: 100 * time.Millisecond,
		ClaimIdle: 10 * time.Second, DeferDelay: 20 * time.Millisecond,
		Schedule: []time.Duration{0, 50 * time.Millisecond, 100 * time.Millisecond}, ForceSchedule: true,
	}
}

func (h *harness) scopes(context.Context) ([]core.Scope, error) {
	return []core.Scope{h.scope, {AccountID: h.scope.AccountID, Livemode: true}}, nil
}

// newEngine is New with webhook endpoints registered, as a hub makes it.
func newEngine(opts Options) *Engine {
	e := New(opts)
	NewEndpoints(e, EndpointOptions{})
	return e
}

// eps returns the Endpoints registered on e.
func eps(e *Engine) *Endpoints { return e.senders[core.TargetEndpoint].(*Endpoints) }

// start runs an engine until the test ends and returns it.
func (h *harness) start(opts Options) *Engine {
	h.t.Helper()
	return h.run(newEngine(opts))
}

// run runs e until the test ends and returns it.
func (h *harness) run(e *Engine) *Engine {
	h.t.Helper()
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
	h.t.Cleanup(func() { cancel(); <-done })
	return e
}

// publish appends an event of typ to the scope's events stream.
func (h *harness) publish(scope core.Scope, typ string, n int) *core.Event {
	h.t.Helper()
	ev := &core.Event{ID: randomID("evt_"), Type: typ, CreatedAt: time.Now().UTC().Truncate(time.Second),
		APIVersion: core.APIVersion, Livemode: scope.Livemode, PropertyID: "prop_1",
		Data: core.EventData{Object: json.RawMessage(`{"n":` + itoaTest(n) + `}`)}}
	if _, _, err := h.store.AppendEvent(context.Background(), scope, ev); err != nil {
		h.t.Fatal(err)
	}
	return ev
}

func itoaTest(n int) string { b, _ := json.Marshal(n); return string(b) }

// endpoint creates an endpoint for url subscribed to every type.
func (h *harness) endpoint(e *Engine, url string, mod func(*core.EndpointInput)) (*core.Endpoint, string) {
	h.t.Helper()
	in := core.EndpointInput{URL: &url, EnabledEvents: []string{"*"}}
	if mod != nil {
		mod(&in)
	}
	ep, secret, err := eps(e).CreateEndpoint(context.Background(), h.scope, in)
	if err != nil {
		h.t.Fatal(err)
	}
	return ep, secret
}

// eventually waits, bounded, for cond; the test fails if it never holds.
// It is a wait for an outcome, not a timing assertion.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// receiver is an httptest server that records what it gets and answers
// with the status its handler chooses.
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	got      []received
	inFlight int
	maxIn    int
	answer   func(n int, r *http.Request) (int, http.Header) // n counts requests from 1
}

type received struct {
	header http.Header
	body   []byte
	event  core.Event
	at     time.Time // when the request arrived
}

func newReceiver(t *testing.T, answer func(n int, r *http.Request) (int, http.Header)) *receiver {
	rc := &receiver{answer: answer}
	rc.Server = httptest.NewServer(http.HandlerFunc(rc.serve))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var ev core.Event
	json.Unmarshal(body, &ev)
	rc.mu.Lock()
	rc.got = append(rc.got, received{header: r.Header.Clone(), body: body, event: ev, at: time.Now()})
	n := len(rc.got)
	rc.inFlight++
	rc.maxIn = max(rc.maxIn, rc.inFlight)
	rc.mu.Unlock()
	status, hdr := http.StatusOK, http.Header(nil)
	if rc.answer != nil {
		status, hdr = rc.answer(n, r)
	}
	rc.mu.Lock()
	rc.inFlight--
	rc.mu.Unlock()
	for k, v := range hdr {
		w.Header()[k] = v
	}
	w.WriteHeader(status)
	io.WriteString(w, "ok")
}

func (rc *receiver) received() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.got...)
}

func (rc *receiver) count() int { return len(rc.received()) }

// fakeEvents is the EventService the breaker publishes through: it appends
// to the real events stream and remembers what was published.
type fakeEvents struct {
	core.EventService
	store   *redisstore.Store
	mu      sync.Mutex
	types   []string
	objects []json.RawMessage
}

func (f *fakeEvents) PublishEvent(ctx context.Context, scope core.Scope, in core.EventInput) (*core.Event, bool, error) {
	ev := &core.Event{ID: randomID("evt_"), Type: in.Type, CreatedAt: time.Now().UTC(), APIVersion: core.APIVersion,
		Livemode: scope.Livemode, Data: core.EventData{Object: in.Object}}
	f.mu.Lock()
	f.types = append(f.types, in.Type)
	f.objects = append(f.objects, in.Object)
	f.mu.Unlock()
	return f.store.AppendEvent(ctx, scope, ev)
}

func (f *fakeEvents) published() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.types...)
}

// deliveries lists every delivery of an endpoint.
func (h *harness) deliveries(e *Engine, epID string) []*core.Delivery {
	h.t.Helper()
	return h.deliveriesIn(e, h.scope, epID)
}

// deliveriesIn lists every delivery of an endpoint of scope.
func (h *harness) deliveriesIn(e *Engine, scope core.Scope, epID string) []*core.Delivery {
	h.t.Helper()
	var out []*core.Delivery
	f := core.DeliveryFilter{Page: core.Page{Limit: 100}}
	for {
		l, err := e.ListDeliveries(context.Background(), scope, core.Target{Kind: core.TargetEndpoint, ID: epID}, f)
		if err != nil {
			h.t.Fatal(err)
		}
		out = append(out, l.Data...)
		if !l.HasMore {
			return out
		}
		f.Page.StartingAfter = l.Data[len(l.Data)-1].ID
	}
}

// crashableStore returns a store on a client of its own, which the test
// closes to simulate a hub that dies: nothing it does afterwards reaches Redis.
func (h *harness) crashableStore() (*redisstore.Store, *redis.Client) {
	opts, err := redis.ParseURL(h.r.URL)
	if err != nil {
		h.t.Fatal(err)
	}
	c := redis.NewClient(opts)
	return redisstore.New(c, redisstore.Options{Prefix: h.r.Prefix, Sealer: h.box}), c
}
