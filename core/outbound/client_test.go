package outbound

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"
)

func TestPostSendsAndCaptures(t *testing.T) {
	var gotHeader http.Header
	var gotBody string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotHeader = r.Header.Clone()
		b, _ := io.ReadAll(r.Body)
		gotBody = string(b)
		w.Header().Set("X-Receiver", "yes")
		w.WriteHeader(http.StatusAccepted)
		// 9 bytes then a 3-byte rune straddling the cap of 10.
		io.WriteString(w, "123456789€ and more")
	}))
	defer srv.Close()
	c := New(Options{MaxResponseBody: 10, UserAgent: "Bellhop/test"})
	resp := c.Post(context.Background(), srv.URL, http.Header{"Bellhop-Event-Id": {"evt_1"}}, []byte(`{"a":1}`))
	if resp.Err != nil {
		t.Fatalf("Post() err = %v", resp.Err)
	}
	checks := []struct{ name, got, want string }{
		{"status", http.StatusText(resp.Status), http.StatusText(http.StatusAccepted)},
		{"response header", resp.Header.Get("X-Receiver"), "yes"},
		{"request body", gotBody, `{"a":1}`},
		{"content type", gotHeader.Get("Content-Type"), "application/json"},
		{"user agent", gotHeader.Get("User-Agent"), "Bellhop/test"},
		{"caller header", gotHeader.Get("Bellhop-Event-Id"), "evt_1"},
		{"capped body", resp.Body, "123456789\uFFFD"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if !utf8.ValidString(resp.Body) {
		t.Errorf("body %q is not valid UTF-8", resp.Body)
	}
	if resp.Latency <= 0 {
		t.Errorf("latency = %v, want > 0", resp.Latency)
	}
}

func TestPostKeepsCallerUserAgentAndHeader(t *testing.T) {
	var ua string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { ua = r.UserAgent() }))
	defer srv.Close()
	h := http.Header{"User-Agent": {"Custom/1"}}
	New(Options{UserAgent: "Bellhop/test"}).Post(context.Background(), srv.URL, h, nil)
	if ua != "Custom/1" {
		t.Errorf("User-Agent = %q, want Custom/1", ua)
	}
	if len(h) != 1 {
		t.Errorf("Post modified the caller's header: %v", h)
	}
}

func TestPostDoesNotFollowRedirects(t *testing.T) {
	var followed atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { followed.Add(1) }))
	defer target.Close()
	for _, code := range []int{301, 302, 303, 307, 308} {
		t.Run(http.StatusText(code), func(t *testing.T) {
			srv := httptest.NewServer(http.RedirectHandler(target.URL, code))
			defer srv.Close()
			resp := New(Options{}).Post(context.Background(), srv.URL, nil, []byte(`{}`))
			if resp.Err != nil || resp.Status != code {
				t.Fatalf("Post() = %d %v, want %d", resp.Status, resp.Err, code)
			}
			if v := Classify(resp.Status, resp.Header, resp.Err, time.Now()); v.Outcome != Failed {
				t.Errorf("Classify() = %v, want failed", v.Outcome)
			}
		})
	}
	if n := followed.Load(); n != 0 {
		t.Errorf("redirect target was hit %d times, want 0", n)
	}
}

func TestPostHangingServerTimesOut(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	resp := New(Options{Timeout: 50 * time.Millisecond}).Post(context.Background(), srv.URL, nil, []byte(`{}`))
	if resp.Err == nil {
		t.Fatalf("Post() to a hanging server returned %d, want a timeout error", resp.Status)
	}
	v := Classify(resp.Status, resp.Header, resp.Err, time.Now())
	if v.Outcome != Retry || v.Reason != "request timed out" {
		t.Errorf("Classify() = %v %q, want retry \"request timed out\"", v.Outcome, v.Reason)
	}
}

func TestPostConnectionRefusedRetries(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	resp := New(Options{}).Post(context.Background(), "http://"+addr, nil, nil)
	if v := Classify(resp.Status, resp.Header, resp.Err, time.Now()); v.Outcome != Retry || !strings.HasPrefix(v.Reason, "connection failed") {
		t.Errorf("Classify() = %v %q, want retry \"connection failed…\"", v.Outcome, v.Reason)
	}
}

func TestPostGuard(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	port := srv.URL[strings.LastIndex(srv.URL, ":"):]
	loopback := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	tests := []struct {
		name    string
		opts    Options
		url     string
		blocked bool
	}{
		{"live mode blocks 127.0.0.1", Options{BlockPrivate: true}, srv.URL, true},
		{"live mode blocks localhost after resolving it", Options{BlockPrivate: true}, "http://localhost" + port, true},
		{"operator range allows 127.0.0.1", Options{BlockPrivate: true, AllowedRanges: loopback}, srv.URL, false},
		{"operator range allows localhost", Options{BlockPrivate: true, AllowedRanges: loopback}, "http://localhost" + port, false},
		{"test mode allows 127.0.0.1", Options{}, srv.URL, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := New(tt.opts).Post(context.Background(), tt.url, nil, []byte(`{}`))
			v := Classify(resp.Status, resp.Header, resp.Err, time.Now())
			if tt.blocked {
				if !errors.Is(resp.Err, ErrBlocked) || v.Outcome != Failed || !strings.Contains(v.Reason, "not allowed in live mode") {
					t.Errorf("Post() = %d %v, verdict %v %q; want blocked and failed", resp.Status, resp.Err, v.Outcome, v.Reason)
				}
				return
			}
			if resp.Err != nil || v.Outcome != Succeeded {
				t.Errorf("Post() = %d %v, verdict %v; want 200 succeeded", resp.Status, resp.Err, v.Outcome)
			}
		})
	}
}

func TestPostReusesConnections(t *testing.T) {
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, strings.Repeat("x", 8<<10)) // more than is kept: must be drained
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	c := New(Options{})
	for range 20 {
		if resp := c.Post(context.Background(), srv.URL, nil, []byte(`{}`)); resp.Status != 200 {
			t.Fatalf("Post() = %d %v", resp.Status, resp.Err)
		}
	}
	if got := conns.Load(); got != 1 {
		t.Errorf("20 sequential posts opened %d connections, want 1", got)
	}
}

func TestPostBadURL(t *testing.T) {
	resp := New(Options{}).Post(context.Background(), "://nope", nil, nil)
	if resp.Err == nil {
		t.Errorf("Post(bad url) err = nil")
	}
}

func BenchmarkPost(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	c := New(Options{})
	body := []byte(strings.Repeat("x", 1024))
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if resp := c.Post(context.Background(), srv.URL, nil, body); resp.Status != 200 {
				b.Fatal(resp.Err)
			}
		}
	})
}
