package delivery

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/bellhop/bellhop/connectors/sheets/sheetsfake"
	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/outbound"
	"github.com/bellhop/bellhop/core/pluginhost"
	"github.com/bellhop/bellhop/core/redisstore"
	"github.com/bellhop/bellhop/plugins/plugintest"
)

// recorderHost builds the recorder plugin into a fresh directory and runs
// a plugin manager over it until the test ends.
func recorderHost(t testing.TB, callTimeout time.Duration) *pluginhost.Manager {
	t.Helper()
	dir := t.TempDir()
	if _, err := plugintest.Build(dir, "github.com/bellhop/bellhop/core/delivery/testdata/recorder", pluginhost.BinaryPrefix+"recorder"); err != nil {
		t.Fatal(err)
	}
	m := pluginhost.New(pluginhost.Config{Dir: filepath.Clean(dir), CallTimeout: callTimeout})
	t.Cleanup(func() { m.Close() })
	return m
}

// counter is the far side of the recorder plugin: it counts the event ids
// that reach it, and answers with what answer says.
type counter struct {
	*httptest.Server
	mu     sync.Mutex
	seen   map[string]int
	total  int
	auth   []string
	answer func(n int) int
}

func newCounter(t testing.TB, answer func(n int) int) *counter {
	c := &counter{seen: map[string]int{}, answer: answer}
	c.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ev core.Event
		b, _ := io.ReadAll(r.Body)
		json.Unmarshal(b, &ev)
		c.mu.Lock()
		c.total++
		n := c.total
		c.seen[ev.ID]++
		c.auth = append(c.auth, r.Header.Get("Authorization"))
		c.mu.Unlock()
		status := http.StatusOK
		if c.answer != nil {
			status = c.answer(n)
		}
		w.Header().Set("X-Id", "ext_"+ev.ID)
		w.WriteHeader(status)
	}))
	t.Cleanup(c.Close)
	return c
}

func (c *counter) distinct() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.seen)
}

const recorderToken = "good-token-1234567890"

func TestConnectionPluginKilledDuringLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills a plugin process")
	}
	h := newHarness(t)
	m := recorderHost(t, 5*time.Second)
	opts := h.options()
	opts.Schedule = []time.Duration{0, 50 * time.Millisecond, 100 * time.Millisecond, 200 * time.Millisecond,
		400 * time.Millisecond, 800 * time.Millisecond, time.Second, time.Second, time.Second, time.Second}
	opts.DefaultConcurrency = 32
	_, conns := h.startWithConnections(opts, m)
	rc := newCounter(t, nil)
	c := h.connection(conns, "recorder", map[string]any{"url": rc.URL, "token": recorderToken})
	const n = 300
	want := map[string]bool{}
	for i := range n {
		want[h.publish(h.scope, "reservation.created", i).ID] = true
	}
	eventually(t, "a first share of the load", func() bool { return rc.distinct() >= 30 })
	pid := m.List(context.Background())[0].Pid
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	eventually(t, "every event at the receiver", func() bool { return rc.distinct() >= n })
	rc.mu.Lock()
	for id := range want {
		if rc.seen[id] == 0 {
			t.Errorf("event %s never reached the receiver", id)
		}
	}
	dups := rc.total - len(rc.seen)
	rc.mu.Unlock()
	info := m.List(context.Background())[0]
	if info.Pid == pid || info.Restarts < 1 {
		t.Errorf("after kill -9: pid %d (was %d), %d restarts; want a new process", info.Pid, pid, info.Restarts)
	}
	ds := h.finished(conns, c.ID, n)
	retried := 0
	for _, d := range ds {
		if d.Status != core.StatusSucceeded {
			t.Errorf("delivery %s ended %s: %s", d.ID, d.Status, d.Reason)
		}
		if len(d.Attempts) > 1 {
			retried++
		}
	}
	t.Logf("%d deliveries retried after the kill, %d duplicates at the receiver", retried, dups)
	assertNoSecretInRedis(t, h, recorderToken)
}

func TestConnectionHangingPluginTimedOutAndRetried(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a plugin process")
	}
	h := newHarness(t)
	m := recorderHost(t, 300*time.Millisecond)
	_, conns := h.startWithConnections(h.options(), m)
	rc := newCounter(t, func(n int) int {
		if n == 1 {
			return http.StatusTeapot // the recorder hangs on this one
		}
		return http.StatusOK
	})
	c := h.connection(conns, "recorder", map[string]any{"url": rc.URL, "token": recorderToken})
	ev := h.publish(h.scope, "reservation.created", 1)
	d := h.finished(conns, c.ID, 1)[0]
	if d.Status != core.StatusSucceeded || len(d.Attempts) != 2 {
		t.Fatalf("delivery %s with %d attempts, want succeeded on the second", d.Status, len(d.Attempts))
	}
	first, second := d.Attempts[0], d.Attempts[1]
	if first.Outcome != "retry" || first.Error == "" {
		t.Errorf("first attempt = %+v, want a retry with the timeout as error", first)
	}
	if second.ExternalID != "ext_"+ev.ID {
		t.Errorf("second attempt external id = %q, want ext_%s", second.ExternalID, ev.ID)
	}
	for _, a := range d.Attempts {
		if b, _ := json.Marshal(a); strings.Contains(string(b), recorderToken) {
			t.Errorf("attempt holds the token: %s", b)
		}
	}
	if got := rc.auth[0]; got != "Bearer "+recorderToken {
		t.Errorf("the plugin sent %q, want the opened secret", got)
	}
}

// assertNoSecretInRedis reads every value of every key of the test's
// prefix, of every type, and fails if secret appears in one.
func assertNoSecretInRedis(t *testing.T, h *harness, secret string) {
	t.Helper()
	ctx := context.Background()
	r := h.r
	keys := 0
	iter := r.Client.Scan(ctx, 0, r.Prefix+"*", 1000).Iterator()
	for iter.Next(ctx) {
		key := iter.Val()
		keys++
		var vals []string
		switch typ := r.Client.Type(ctx, key).Val(); typ {
		case "string":
			vals = []string{r.Client.Get(ctx, key).Val()}
		case "hash":
			for k, v := range r.Client.HGetAll(ctx, key).Val() {
				vals = append(vals, k, v)
			}
		case "set":
			vals = r.Client.SMembers(ctx, key).Val()
		case "zset":
			vals = r.Client.ZRange(ctx, key, 0, -1).Val()
		case "list":
			vals = r.Client.LRange(ctx, key, 0, -1).Val()
		case "stream":
			for _, m := range r.Client.XRange(ctx, key, "-", "+").Val() {
				for k, v := range m.Values {
					vals = append(vals, k, v.(string))
				}
			}
		default:
			t.Fatalf("key %s has type %s, which the dump does not read", key, typ)
		}
		for _, v := range append(vals, key) {
			if strings.Contains(v, secret) {
				t.Fatalf("key %s holds the plaintext secret", key)
			}
		}
	}
	if keys == 0 {
		t.Fatal("the dump read no key: the check proves nothing")
	}
}

// TestSheetsPluginTakesTheHubsBudget runs the real Sheets plugin binary
// under a plugin manager: its batch writer takes its write token from the
// budget the hub lends with Deliver, across the process boundary, from the
// connection's account's limiter in Redis. That limiter is spent for ten
// minutes beforehand (as other hubs would have), so every attempt is held
// back with no write; a plugin pacing itself alone would have written.
func TestSheetsPluginTakesTheHubsBudget(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the Sheets plugin")
	}
	h := newHarness(t)
	dir := t.TempDir()
	if _, err := plugintest.Build(dir, "github.com/bellhop/bellhop/connectors/sheets/cmd/bellhop-connector-sheets", pluginhost.BinaryPrefix+"sheets"); err != nil {
		t.Fatal(err)
	}
	m := pluginhost.New(pluginhost.Config{Dir: filepath.Clean(dir), CallTimeout: 10 * time.Second})
	t.Cleanup(func() { m.Close() })
	_, conns := h.startWithConnections(h.options(), m)
	fake := sheetsfake.New(t)
	c := h.connection(conns, "sheets", map[string]any{
		"credentials_json": string(fake.CredentialsJSON()), "spreadsheet_id": fake.SpreadsheetID,
		"sheet": "Bookings", "api_base_url": fake.URL + "/",
	})
	// One token of a ten-minute pace on the key the connector's writes
	// use: GCRA keeps a time, so any pace on the key now waits ten minutes.
	spend := redisstore.Rate{Rate: 1, Period: 10 * time.Minute, Burst: 1}
	if wait, err := h.store.TakeConnectorRate(context.Background(), h.scope, "sheets", "writes", fake.ClientEmail, spend, 1); err != nil || wait != 0 {
		t.Fatalf("spend the budget: %v, %v", wait, err)
	}
	h.publish(h.scope, "reservation.created", 1)
	ctx := context.Background()
	var d *core.Delivery
	eventually(t, "a first attempt", func() bool {
		l, err := conns.engine.ListDeliveries(ctx, h.scope, core.Target{Kind: core.TargetConnection, ID: c.ID}, core.DeliveryFilter{Page: core.Page{Limit: 10}})
		if err != nil || len(l.Data) == 0 {
			return false
		}
		d, err = conns.engine.FindDelivery(ctx, h.scope, l.Data[0].ID)
		return err == nil && len(d.Attempts) > 0
	})
	a := d.Attempts[0]
	if a.Outcome != outbound.Retry.String() || !strings.Contains(a.ResponseBody, "held back") {
		t.Errorf("attempt %d: %s %q %q, want held back by the hub's budget", a.Number, a.Outcome, a.ResponseBody, a.Error)
	}
	// The hub's wait crossed back: the retry is minutes away, not the
	// harness's schedule of milliseconds.
	if a.NextRetryAt == nil || time.Until(*a.NextRetryAt) < time.Minute {
		t.Errorf("attempt's next retry at %v, want minutes away, after the hub's wait", a.NextRetryAt)
	}
	if got := fake.Appends(); got != 0 {
		t.Errorf("the fake got %d appends, want none while the hub's budget is spent", got)
	}
}
