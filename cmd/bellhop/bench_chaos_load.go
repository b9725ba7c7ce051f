package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/redisstore"
)

// The tenants of bench chaos: normal ones whose every acknowledged event
// must arrive, and a hostile one whose scripts and endpoints try to take
// the hub down or hog it.

// publishPatience is how long a client keeps retrying one event before it
// gives up. A hub killed while it held an Idempotency-Key leaves the key
// locked for redisstore.IdempotencyLockTTL (60s): the retries get 409 until
// then, and a real client would give up sooner. An event given up on was
// never acknowledged, so it does not count as lost if it never arrives.
const publishPatience = 20 * time.Second

// publisher publishes events as a careful client does: one Idempotency-Key
// per event, kept across retries, each try on the next hub, retrying
// network errors, timeouts, 409 and 5xx, until a 2xx or publishPatience.
type publisher struct {
	tag   string   // in the Idempotency-Keys
	bases []string // the hubs, tried in turn
	key   string
	body  []byte
	seq   atomic.Int64

	mu      sync.Mutex
	acked   []ackedEvent
	retries int
	gaveUp  int
}

// ackedEvent is an event a hub acknowledged with a 2xx, and when its first
// try started: publish-to-receipt latency runs from there.
type ackedEvent struct {
	id    string
	start time.Time
}

// errRefused is a 4xx other than 409 and 429: retrying cannot help.
var errRefused = errors.New("refused")

func (p *publisher) publish(ctx context.Context) error {
	n := int(p.seq.Add(1))
	idem := fmt.Sprintf("chaos-%s-%d", p.tag, n)
	start := time.Now()
	wait := 50 * time.Millisecond
	for try := 0; ; try++ {
		id, err := p.try(ctx, p.bases[(n+try)%len(p.bases)], idem)
		if err == nil {
			p.mu.Lock()
			p.acked = append(p.acked, ackedEvent{id: id, start: start})
			p.retries += try
			p.mu.Unlock()
			return nil
		}
		if errors.Is(err, errRefused) || ctx.Err() != nil || time.Since(start) > publishPatience {
			p.mu.Lock()
			p.gaveUp++
			p.mu.Unlock()
			return err
		}
		time.Sleep(wait)
		wait = min(2*wait, time.Second)
	}
}

// try sends one POST /v1/events with a 3s timeout and returns the event id.
func (p *publisher) try(ctx context.Context, base, idem string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/v1/events", bytes.NewReader(p.body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+p.key)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", idem)
	resp, err := benchClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	switch {
	case resp.StatusCode/100 == 2:
		var ev struct{ ID string }
		if err := json.Unmarshal(b, &ev); err != nil || ev.ID == "" {
			return "", fmt.Errorf("a %d without an event id: %s", resp.StatusCode, b)
		}
		return ev.ID, nil
	case resp.StatusCode == http.StatusConflict, resp.StatusCode == http.StatusTooManyRequests, resp.StatusCode >= 500:
		return "", fmt.Errorf("%d %s", resp.StatusCode, b)
	default:
		return "", fmt.Errorf("%w: %d %s", errRefused, resp.StatusCode, b)
	}
}

// results returns what the publisher saw: acknowledged events, retries
// that ended in an acknowledgement, and events given up on.
func (p *publisher) results() ([]ackedEvent, int, int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.acked, p.retries, p.gaveUp
}

// tenant is an account with its own API key.
type tenant struct {
	name  string
	api   benchAPI          // on the first hub, for setting it up
	paths []string          // where each of its events must arrive at the receiver
	logs  map[string]string // path → the API path of that target's delivery log
	pub   *publisher
}

// createTenant creates an account and a test key straight in Redis, as
// `bellhop keys create` does: the API creates keys only inside an account.
func createTenant(ctx context.Context, store *redisstore.Store, name string, bases []string, body []byte) (*tenant, error) {
	acct, err := store.CreateAccount(ctx, name)
	if err != nil {
		return nil, err
	}
	_, secret, err := store.CreateAPIKey(ctx, core.Scope{AccountID: acct.ID}, name, 0)
	if err != nil {
		return nil, err
	}
	return &tenant{name: name, api: benchAPI{base: bases[0], key: secret},
		pub: &publisher{tag: name, bases: bases, key: secret, body: body}}, nil
}

// slackScript puts the event id in the message text (the receiver counts
// it) and sends each message to its own channel, so that the connector's
// one-message-a-second-per-channel pace never holds a delivery back.
const slackScript = `function transform(event) { return {text: event.id, channel: "C" + event.id}; }`

// setUpNormal gives a normal tenant a webhook endpoint and a Slack
// connection, both on the receiver, subscribed to reservation.created.
func (t *tenant) setUpNormal(ctx context.Context, receiverURL string) error {
	ep := "/" + t.name + "/ep"
	var endpoint, conn struct{ ID string }
	if err := t.post(ctx, "/v1/webhook_endpoints", map[string]any{
		"url": receiverURL + ep, "enabled_events": []string{"reservation.created"}}, &endpoint); err != nil {
		return err
	}
	var script struct{ ID string }
	if err := t.post(ctx, "/v1/scripts", map[string]any{"name": "chaos-slack", "source": slackScript}, &script); err != nil {
		return err
	}
	slack := "/" + t.name + "/slack/"
	if err := t.post(ctx, "/v1/connections", map[string]any{
		"connector": "slack", "name": "chaos", "enabled_events": []string{"reservation.created"},
		"transform_script_id": script.ID,
		"config":              map[string]any{"token": "xoxb-chaos-0000000000", "channel": "C0CHAOS", "api_base_url": receiverURL + slack},
	}, &conn); err != nil {
		return err
	}
	t.paths = []string{ep, slack + "chat.postMessage"}
	t.logs = map[string]string{
		t.paths[0]: "/v1/webhook_endpoints/" + endpoint.ID + "/deliveries",
		t.paths[1]: "/v1/connections/" + conn.ID + "/deliveries",
	}
	return nil
}

// hostileScripts each try to escape the script limits: through a getter
// the hub calls while encoding the output, an exception whose toString
// loops, a Proxy whose traps loop, memory that grows until something
// stops it, and recursion without end.
var hostileScripts = map[string]string{
	"getter":    `function transform(e) { return {get x() { while (true) {} }}; }`,
	"throw":     `function transform(e) { throw {toString() { while (true) {} }}; }`,
	"proxy":     `function transform(e) { var loop = function() { while (true) {} }; return new Proxy({}, {get: loop, ownKeys: loop, getOwnPropertyDescriptor: loop, has: loop}); }`,
	"tojson":    `function transform(e) { return {toJSON() { while (true) {} }}; }`,
	"grow":      `function transform(e) { var a = []; for (;;) { a.push(new Array(1000).fill(a.length)); } }`,
	"recursion": `function f(n) { return f(n + 1) + 1; } function transform(e) { return f(0); }`,
}

// setUpHostile attaches each hostile script to an endpoint on the receiver
// and adds endpoints on a listener that never answers, all at the highest
// max_concurrency the hub allows.
func (t *tenant) setUpHostile(ctx context.Context, receiverURL, blackHoleURL string) error {
	for name, src := range hostileScripts {
		var script struct{ ID string }
		if err := t.post(ctx, "/v1/scripts", map[string]any{"name": "hostile-" + name, "source": src}, &script); err != nil {
			return fmt.Errorf("hostile script %s: %w", name, err)
		}
		if err := t.post(ctx, "/v1/webhook_endpoints", map[string]any{
			"url": receiverURL + "/hostile/" + name, "enabled_events": []string{"reservation.created"},
			"max_concurrency": 50, "transform_script_id": script.ID}, nil); err != nil {
			return err
		}
	}
	for i := range 3 {
		if err := t.post(ctx, "/v1/webhook_endpoints", map[string]any{
			"url": fmt.Sprintf("%s/hang/%d", blackHoleURL, i), "enabled_events": []string{"reservation.created"},
			"max_concurrency": 50}, nil); err != nil {
			return err
		}
	}
	return nil
}

func (t *tenant) post(ctx context.Context, path string, body any, out any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	return t.api.call(ctx, http.MethodPost, path, b, http.StatusCreated, out)
}

// blackHole accepts connections and never answers: it reads what the hub
// sends until the hub gives up and hangs up. At most 4096 are held at once
// (more are closed at once) until close.
type blackHole struct {
	ln    net.Listener
	mu    sync.Mutex
	conns map[net.Conn]bool
}

func startBlackHole() (*blackHole, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	b := &blackHole{ln: ln, conns: map[net.Conn]bool{}}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			b.mu.Lock()
			full := len(b.conns) >= 4096
			if !full {
				b.conns[c] = true
			}
			b.mu.Unlock()
			if full {
				c.Close()
				continue
			}
			go func() {
				io.Copy(io.Discard, c) // ends when the hub hangs up, or at close
				c.Close()
				b.mu.Lock()
				delete(b.conns, c)
				b.mu.Unlock()
			}()
		}
	}()
	return b, nil
}

func (b *blackHole) url() string { return "http://" + b.ln.Addr().String() }

func (b *blackHole) close() {
	b.ln.Close()
	b.mu.Lock()
	defer b.mu.Unlock()
	for c := range b.conns {
		c.Close()
	}
}

// explain says what the hub's delivery log holds about an event that never
// reached path: a delivery that failed for good (and why) is the hub giving
// up, which the log shows; none at all is an event the hub forgot. It asks
// each hub in turn for up to 10s, since a hub may be restarting.
func (t *tenant) explain(ctx context.Context, eventID, path string) string {
	var err error
	for deadline, try := time.Now().Add(10*time.Second), 0; time.Now().Before(deadline); try++ {
		var found string
		api := benchAPI{base: t.pub.bases[try%len(t.pub.bases)], key: t.api.key}
		if found, err = findDelivery(ctx, api, t.logs[path], eventID); err == nil {
			return found
		}
		time.Sleep(200 * time.Millisecond)
	}
	return "cannot read the delivery log: " + err.Error()
}

// findDelivery looks for an event's delivery in a target's log among the
// last 100 deliveries of each status but succeeded.
func findDelivery(ctx context.Context, api benchAPI, logPath, eventID string) (string, error) {
	for _, status := range []string{"failed", "pending", "parked", "skipped"} {
		var list struct {
			Data []struct {
				EventID  string `json:"event_id"`
				Status   string
				Reason   string
				Attempts []struct{ Outcome, Error string }
			}
		}
		if err := api.call(ctx, http.MethodGet, logPath+"?limit=100&status="+status, nil, http.StatusOK, &list); err != nil {
			return "", err
		}
		for _, d := range list.Data {
			if d.EventID == eventID {
				last := ""
				if n := len(d.Attempts); n > 0 {
					last = "; last attempt: " + d.Attempts[n-1].Outcome + " " + d.Attempts[n-1].Error
				}
				return fmt.Sprintf("the hub holds its delivery as %s after %d attempts: %s%s", d.Status, len(d.Attempts), d.Reason, last), nil
			}
		}
	}
	return "no failed, pending, parked or skipped delivery of it among the last 100 of each in the hub's log", nil
}
