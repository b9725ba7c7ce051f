package main

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// fixtureReceiver listens where the fixture's stored URLs point (the
// 127.77.0.x addresses of testdata/upgrade/capture) and keeps every
// request it gets.
type fixtureReceiver struct {
	mu  sync.Mutex
	got map[string][]receivedRequest // address → requests
}

type receivedRequest struct {
	header http.Header
	body   []byte
	form   url.Values // Slack's form body, parsed
}

func startFixtureReceivers(t *testing.T, addrs map[string]string) *fixtureReceiver {
	t.Helper()
	r := &fixtureReceiver{got: map[string][]receivedRequest{}}
	for role, addr := range addrs {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			t.Fatalf("the fixture's %s receiver cannot listen on %s, where its stored URL points: %v", role, addr, err)
		}
		srv := &http.Server{Handler: r.handler(addr, role == "slack")}
		go srv.Serve(ln)
		t.Cleanup(func() { srv.Close() })
	}
	return r
}

func (r *fixtureReceiver) handler(addr string, slack bool) http.HandlerFunc {
	return func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		rec := receivedRequest{header: req.Header.Clone(), body: body}
		if slack {
			req.Body = io.NopCloser(strings.NewReader(string(body)))
			req.ParseForm()
			rec.form = req.PostForm
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"ok":true,"channel":"C0FIXTURE","ts":"1764600000.000100"}`)
		}
		r.mu.Lock()
		r.got[addr] = append(r.got[addr], rec)
		r.mu.Unlock()
	}
}

// slackToken is the bot token of a Slack Web API call: in the form, as
// slack-go sends it, or as a bearer token.
func (req receivedRequest) slackToken() string {
	if token := req.form.Get("token"); token != "" {
		return token
	}
	return strings.TrimPrefix(req.header.Get("Authorization"), "Bearer ")
}

// requests returns what addr has received so far.
func (r *fixtureReceiver) requests(addr string) []receivedRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]receivedRequest(nil), r.got[addr]...)
}

// eventIDs returns the ids of the webhook events addr received, each once.
func (r *fixtureReceiver) eventIDs(addr string) map[string]receivedRequest {
	out := map[string]receivedRequest{}
	for _, req := range r.requests(addr) {
		var ev struct{ ID string }
		if json.Unmarshal(req.body, &ev) == nil && ev.ID != "" {
			out[ev.ID] = req
		} else if id := req.header.Get("Bellhop-Event-Id"); id != "" {
			out[id] = req // a transformed body need not carry the id
		}
	}
	return out
}

// waitUntil is client_test.go's waitFor with its own bound: the upgrade
// test waits on a dead hub's claims and a rate-limited backfill.
func waitUntil(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(within); !cond(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("within %s: %s", within, what)
		}
	}
}
