package api

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
)

// blockingEvents is an event service whose publish waits for the caller to
// give up, as a slow Redis would, and then fails with the context's error.
type blockingEvents struct {
	core.EventService
	entered chan struct{}
}

func (b *blockingEvents) PublishEvent(ctx context.Context, _ core.Scope, _ core.EventInput) (*core.Event, bool, error) {
	close(b.entered)
	<-ctx.Done()
	return nil, false, ctx.Err()
}

// recordHandler hands every log record to a channel.
type recordHandler struct{ records chan slog.Record }

func (h recordHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h recordHandler) Handle(_ context.Context, r slog.Record) error {
	h.records <- r
	return nil
}
func (h recordHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h recordHandler) WithGroup(string) slog.Handler      { return h }

// TestClientGoesAway: a client that hangs up mid-request is no server error:
// no ERROR line, and 499 in the request log, the metrics and the activity log.
func TestClientGoesAway(t *testing.T) {
	events := &blockingEvents{entered: make(chan struct{})}
	records := make(chan slog.Record, 100)
	a := newTestAPI(t, func(_ *Config, d *Deps) {
		events.EventService = d.Events
		d.Events = events
		d.Logger = slog.New(recordHandler{records})
	})
	ctx, cancel := context.WithCancel(context.Background())
	req := a.newRequest(t, http.MethodPost, "/v1/events", encodeBody(t, a.sampleEvent(t, "reservation.created")), callOpts{})
	req = req.WithContext(ctx)
	go func() { <-events.entered; cancel() }()
	if _, err := http.DefaultClient.Do(req); err == nil {
		t.Fatal("the request succeeded; want it cut off by its client")
	}

	var status any
	deadline := time.After(10 * time.Second)
	for status == nil {
		select {
		case r := <-records:
			if r.Level >= slog.LevelError {
				t.Errorf("logged at %s: %s", r.Level, r.Message)
			}
			if r.Message == "api request" {
				r.Attrs(func(at slog.Attr) bool {
					if at.Key == "status" {
						status = at.Value.Any()
					}
					return true
				})
			}
		case <-deadline:
			t.Fatal("no request line logged within 10s")
		}
	}
	if status != int64(statusClientClosed) {
		t.Errorf("request line status = %v, want %d", status, statusClientClosed)
	}
	metrics := a.do(t, http.MethodGet, "/metrics", nil, withoutKey())
	if want := `route="/v1/events",status="499"`; !strings.Contains(string(metrics.Body), want) {
		t.Errorf("metrics lack %s", want)
	}
	if strings.Contains(string(metrics.Body), `status="500"`) {
		t.Errorf("metrics count a 500")
	}
	var list struct{ Data []core.Activity }
	a.do(t, http.MethodGet, "/v1/activity", nil).decode(t, &list)
	found := false
	for _, act := range list.Data {
		found = found || act.Path == "/v1/events" && act.Status == statusClientClosed
	}
	if !found {
		t.Errorf("activity has no 499 for the publish: %+v", list.Data)
	}
}
