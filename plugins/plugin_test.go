package plugins_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/plugins"
	"github.com/bellhop/bellhop/plugins/plugintest"
)

// bins are the plugin binaries TestMain builds: name to path.
var bins map[string]string

func TestMain(m *testing.M) {
	var cleanup func()
	var err error
	bins, cleanup, err = plugintest.BuildAll("bellhop-connector-", map[string]string{
		"test": "github.com/bellhop/bellhop/plugins/internal/testplugin",
		"bare": "github.com/bellhop/bellhop/plugins/internal/bareplugin",
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	cleanup()
	os.Exit(code)
}

// syncBuffer is a log sink the plugin's forwarding goroutines write into.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// open starts a plugin for one test and stops it at the end.
func open(t *testing.T, name string) (*plugins.Plugin, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	p, err := plugins.Open(bins[name], plugins.WithLogger(log))
	if err != nil {
		t.Fatalf("Open(%s): %v", name, err)
	}
	t.Cleanup(func() { p.Close() })
	return p, logs
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return c
}

func TestRoundTrip(t *testing.T) {
	p, _ := open(t, "test")
	c := ctx(t)

	t.Run("Describe", func(t *testing.T) {
		d, err := p.Describe(c)
		if err != nil {
			t.Fatal(err)
		}
		if d.Name != "test" || d.Version != "0.0.1" || len(d.Fields) != 1 || !d.Fields[0].Secret ||
			d.SuggestedEvents[0] != "guest.checked_in" || d.DefaultScript != "test/default.js" {
			t.Errorf("got %+v", d)
		}
	})
	t.Run("Validate", func(t *testing.T) {
		got, err := p.Validate(c, plugins.Config{})
		want := []plugins.FieldError{{Field: "token", Message: "is required"}}
		if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("got %v, %v; want %v", got, err, want)
		}
		if got, _ := p.Validate(c, plugins.Config{"token": "x"}); len(got) != 0 {
			t.Errorf("valid config: got %v", got)
		}
	})
	t.Run("Check", func(t *testing.T) {
		if res, err := p.Check(c, plugins.Config{"token": "good"}); err != nil || res != (plugins.CheckResult{}) {
			t.Errorf("good token: %+v, %v; want a check that reached its service", res, err)
		}
		// What a connector says of a check that made no request crosses the wire.
		want := plugins.CheckResult{NotContacted: true, Message: "Checked for form only."}
		if res, err := p.Check(c, plugins.Config{"token": "unchecked"}); err != nil || res != want {
			t.Errorf("unchecked: %+v, %v; want %+v", res, err, want)
		}
		_, err := p.Check(c, plugins.Config{"token": "bad"})
		var e *core.Error
		if !errors.As(err, &e) || e.Code != core.EINVALID || e.Reason != "invalid_auth" || e.Param != "token" {
			t.Errorf("bad token: got %#v, want the connector's coded error", err)
		}
	})
	t.Run("Options", func(t *testing.T) {
		got, err := p.Options(c, plugins.Config{"token": "t"}, "channel")
		if err != nil || len(got) != 1 || got[0] != (plugins.Option{Value: "channel", Label: "t"}) {
			t.Errorf("got %v, %v", got, err)
		}
	})
	deliver := []struct {
		name  string
		input string
		want  plugins.Result
		code  string // wanted error code; "" for no error
	}{
		{"result", `{"result":{"outcome":"retry","retry_after":3000000000,"summary":"429"}}`,
			plugins.Result{Outcome: plugins.Retry, RetryAfter: 3 * time.Second, Summary: "429"}, ""},
		{"coded error", `{"error":"bad channel"}`, plugins.Result{}, core.EINVALID},
		{"plain error", `{"plain":"boom"}`, plugins.Result{}, core.EINTERNAL},
		{"panic", `{"panic":true}`, plugins.Result{}, core.EINTERNAL},
		{"bad input", `[1]`, plugins.Result{}, core.EINTERNAL},
	}
	for _, tc := range deliver {
		t.Run("Deliver/"+tc.name, func(t *testing.T) {
			got, err := p.Deliver(c, plugins.Config{"token": "x"}, json.RawMessage(tc.input))
			if core.ErrorCode(err) != tc.code || got != tc.want {
				t.Errorf("got %+v, %v (code %q); want %+v, code %q", got, err, core.ErrorCode(err), tc.want, tc.code)
			}
		})
	}
	if err := p.Ping(c); err != nil {
		t.Errorf("plugin should survive a panicking Deliver: %v", err)
	}
}

func TestOptionsNotSupported(t *testing.T) {
	p, _ := open(t, "bare")
	_, err := p.Options(ctx(t), nil, "channel")
	if !plugins.IsNotSupported(err) {
		t.Errorf("got %v, want a not-supported error", err)
	}
	if !strings.Contains(core.ErrorMessage(err), "does not list options") {
		t.Errorf("message %q should say what is missing", core.ErrorMessage(err))
	}
}

// TestLimits: a plugin's declared limits cross the process boundary intact,
// and one that does not implement RateLimited says "not supported", which
// the host remembers so as not to ask on every delivery.
func TestLimits(t *testing.T) {
	p, _ := open(t, "test")
	got, err := plugins.Limits(ctx(t), p, plugins.Config{"token": "xoxb-1"}, json.RawMessage(`{"cost":2}`))
	want := []plugins.Limit{{Name: "token", Key: "xoxb-1", Rate: 2, Period: time.Second, Burst: 4, Cost: 2}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("Limits = %+v, %v; want %+v", got, err, want)
	}
	bare, _ := open(t, "bare")
	if got, err := plugins.Limits(ctx(t), bare, nil, nil); !plugins.IsNotSupported(err) || len(got) != 0 {
		t.Errorf("bare Limits = %+v, %v; want a not-supported error", got, err)
	}
}

// TestStdoutAndLogs: what the plugin prints or logs reaches the host's
// logger and does not break the protocol.
func TestStdoutAndLogs(t *testing.T) {
	p, logs := open(t, "test")
	c := ctx(t)
	for i := range 3 {
		if _, err := p.Describe(c); err != nil { // Describe prints on stdout
			t.Fatalf("Describe %d: %v", i, err)
		}
		r, err := p.Deliver(c, nil, json.RawMessage(`{"print":"hello from the plugin"}`))
		if err != nil || r.Outcome != plugins.Delivered {
			t.Fatalf("Deliver %d: %+v, %v", i, r, err)
		}
	}
	// What the plugin writes to fd 1 directly, past os.Stdout, is dropped
	// by go-plugin after the handshake; it must not break anything either.
	want := []string{"noise on stdout from Describe", "hello from the plugin",
		`msg="deliver called" plugin=bellhop-connector-test bytes=33`, "testplugin: starting"}
	waitFor(t, func() bool {
		for _, w := range want {
			if !strings.Contains(logs.String(), w) {
				return false
			}
		}
		return true
	}, func() string { return fmt.Sprintf("log should hold %q; got:\n%s", want, logs) })
}

// waitFor polls cond for the asynchronous log forwarding, up to 5 s.
func waitFor(t *testing.T, cond func() bool, msg func() string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatal(msg())
}

func TestDeadlines(t *testing.T) {
	p, _ := open(t, "test")
	t.Run("reaches the plugin", func(t *testing.T) {
		c, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		r, err := p.Deliver(c, nil, json.RawMessage(`{"deadline":true}`))
		if err != nil {
			t.Fatal(err)
		}
		left, err := time.ParseDuration(r.Summary)
		if err != nil || left <= 0 || left > 3*time.Second {
			t.Errorf("plugin saw %q left, want a deadline within 3s", r.Summary)
		}
	})
	t.Run("hanging call times out", func(t *testing.T) {
		for _, in := range []string{`{"wait":true}`, `{"sleep":60000000000}`} {
			c, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			_, err := p.Deliver(c, nil, json.RawMessage(in))
			cancel()
			if core.ErrorCode(err) != core.EUNAVAILABLE || !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("%s: got %v, want EUNAVAILABLE wrapping DeadlineExceeded", in, err)
			}
		}
		if err := p.Ping(ctx(t)); err != nil {
			t.Errorf("plugin should still answer: %v", err)
		}
	})
}

func TestCrashAndClose(t *testing.T) {
	p, _ := open(t, "test")
	pid := p.Pid()
	if !alive(pid) {
		t.Fatalf("plugin %d not running", pid)
	}
	_, err := p.Deliver(ctx(t), nil, json.RawMessage(`{"exit":true}`))
	if core.ErrorCode(err) != core.EUNAVAILABLE {
		t.Errorf("Deliver to a plugin that dies: got %v, want EUNAVAILABLE", err)
	}
	waitFor(t, p.Exited, func() string { return "Exited() should turn true" })

	q, _ := open(t, "test")
	qpid := q.Pid()
	q.Close()
	if alive(qpid) {
		t.Errorf("plugin %d still running after Close", qpid)
	}
}

// alive reports whether pid is a live (not zombie) process.
func alive(pid int) bool {
	b, err := os.ReadFile(filepath.Join("/proc", fmt.Sprint(pid), "stat"))
	if err != nil {
		return false
	}
	_, rest, _ := strings.Cut(string(b), ") ")
	return !strings.HasPrefix(rest, "Z")
}

func TestNotAPlugin(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "bellhop-connector-junk")
	if err := os.WriteFile(junk, []byte("#!/bin/sh\necho 'hello, I am not a plugin'\nsleep 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	notExec := filepath.Join(dir, "bellhop-connector-text")
	if err := os.WriteFile(notExec, []byte("text"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/bin/true", junk, notExec, filepath.Join(dir, "missing")} {
		t.Run(filepath.Base(path), func(t *testing.T) {
			p, err := plugins.Open(path, plugins.WithStartTimeout(5*time.Second))
			if err == nil {
				p.Close()
				t.Fatal("Open succeeded")
			}
			msg := core.ErrorMessage(err)
			if core.ErrorCode(err) != core.EUNAVAILABLE || !strings.Contains(msg, path) ||
				!strings.Contains(msg, "is not a Bellhop connector plugin") {
				t.Errorf("got %q (%v), want an EUNAVAILABLE error naming %s", msg, err, path)
			}
		})
	}
}
