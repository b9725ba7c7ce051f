package api

import (
	"context"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/catalog"
	"github.com/bellhop/bellhop/core/ingest"
	"github.com/bellhop/bellhop/core/redisstore"
	"github.com/redis/go-redis/v9"
)

// cutProxy forwards TCP to Redis until cut, when it drops every connection
// and refuses new ones, as a Redis that went away would.
type cutProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	down   bool
	conns  []net.Conn
}

func newCutProxy(t testing.TB, target string) *cutProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	p := &cutProxy{ln: ln, target: target}
	t.Cleanup(func() { ln.Close(); p.cut() })
	go p.serve()
	return p
}

func (p *cutProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		down := p.down
		if !down {
			p.conns = append(p.conns, c)
		}
		p.mu.Unlock()
		if down {
			c.Close()
			continue
		}
		go p.pipe(c)
	}
}

func (p *cutProxy) pipe(c net.Conn) {
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	p.conns = append(p.conns, up)
	p.mu.Unlock()
	go func() { io.Copy(up, c); up.Close() }()
	io.Copy(c, up)
	c.Close()
}

// cut drops every connection and refuses new ones until restore.
func (p *cutProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

func (p *cutProxy) restore() {
	p.mu.Lock()
	p.down = false
	p.mu.Unlock()
}

// proxiedStore returns a store on the test's Redis, reached through a proxy.
func proxiedStore(t testing.TB, a *testAPI) (*redisstore.Store, *cutProxy) {
	t.Helper()
	opts, err := redis.ParseURL(a.Redis.URL)
	if err != nil {
		t.Fatalf("parse %s: %v", a.Redis.URL, err)
	}
	p := newCutProxy(t, opts.Addr)
	opts.Addr = p.ln.Addr().String()
	opts.MaxRetries = -1 // fail at once: the test is about the answer, not the retries
	c := redis.NewClient(opts)
	t.Cleanup(func() { c.Close() })
	return redisstore.New(c, redisstore.Options{Prefix: a.Redis.Prefix}), p
}

// storedEvents counts the events of a.Key's scope straight from the store,
// past the API and its proxy.
func (a *testAPI) storedEvents(t testing.TB) int {
	t.Helper()
	ctx := context.Background()
	key, err := a.Store.Authenticate(ctx, a.Key)
	if err != nil {
		t.Fatalf("authenticate: %v", err)
	}
	l, err := a.Store.ListEvents(ctx, key.Scope(), core.EventFilter{Page: core.Page{Limit: core.MaxPageLimit}})
	if err != nil {
		t.Fatalf("list events: %v", err)
	}
	return len(l.Data)
}

// TestRedisGoesAwayMidRequest: the key is checked, then the events stream
// cannot be reached. The caller gets 503 with a request id, nothing is half
// stored, and the same Idempotency-Key works once Redis is back.
func TestRedisGoesAwayMidRequest(t *testing.T) {
	a := newTestAPI(t)
	store, proxy := proxiedStore(t, a)
	types, err := catalog.New(store)
	if err != nil {
		t.Fatal(err)
	}
	// Handlers read s.deps at request time, so swapping a service here,
	// before any request, reroutes only the event path through the proxy.
	a.Server.deps.Events = ingest.New(types, store, nil)

	body := a.sampleEvent(t, "reservation.created")
	key := withHeader("Idempotency-Key", "through-the-outage")
	a.do(t, http.MethodPost, "/v1/events", a.sampleEvent(t, "guest.checked_in")).wantStatus(t, http.StatusCreated)
	proxy.cut()
	r := a.do(t, http.MethodPost, "/v1/events", body, key)
	d := r.wantError(t, http.StatusServiceUnavailable, typeAPI, "")
	if d.RequestID == "" {
		t.Errorf("no request id")
	}
	if n := a.storedEvents(t); n != 1 {
		t.Errorf("%d events stored during the outage, want the 1 from before", n)
	}
	proxy.restore()
	a.do(t, http.MethodPost, "/v1/events", body, key).wantStatus(t, http.StatusCreated)
	if n := a.storedEvents(t); n != 2 {
		t.Errorf("%d events after the retry, want 2", n)
	}
}

// TestRedisGone: with no Redis at all, every request that needs it gets 503
// with a request id, and /readyz says so.
func TestRedisGone(t *testing.T) {
	a := newTestAPI(t)
	store, proxy := proxiedStore(t, a)
	a.Server.deps.Keys, a.Server.deps.RateLimiter, a.Server.deps.Activity = store, store, store
	a.Server.deps.Ready = func(ctx context.Context) error { return store.Client().Ping(ctx).Err() }
	a.do(t, http.MethodGet, "/readyz", nil, withoutKey()).wantStatus(t, http.StatusOK)
	proxy.cut()
	a.do(t, http.MethodGet, "/readyz", nil, withoutKey()).wantError(t, http.StatusServiceUnavailable, typeAPI, "")
	a.do(t, http.MethodGet, "/v1/events", nil).wantError(t, http.StatusServiceUnavailable, typeAPI, "")
	a.do(t, http.MethodGet, "/healthz", nil, withoutKey()).wantStatus(t, http.StatusOK)
}
