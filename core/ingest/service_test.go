package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/catalog"
	"github.com/bellhop/bellhop/core/redisstore"
	"github.com/bellhop/bellhop/core/redistest"
)

var (
	testNow   = time.Date(2026, 4, 13, 14, 22, 31, 500_000_000, time.UTC)
	testScope = core.Scope{AccountID: "acct_ingesttest", Livemode: false}
)

const reservation = `{"id":"res_9kLm2p","status":"confirmed","check_in":"2026-05-10","check_out":"2026-05-14",
	"nights":4,"adults":2,"children":0,"room_type_id":"rt_standard","rate_plan_id":"rp_bar",
	"total":{"amount":86000,"currency":"USD"},"guest":{"id":"gst_4fPq2x","first_name":"Ada",
	"last_name":"Lovelace","email":"ada@example.com"},"source":"direct_booking","channel":null,
	"created_at":"2026-04-13T14:22:30Z"}`

// newService returns a Service on the real catalog and Redis store.
func newService(t testing.TB) (*Service, *redisstore.Store) {
	t.Helper()
	r := redistest.New(t)
	store := redisstore.New(r.Client, redisstore.Options{Prefix: r.Prefix})
	cat, err := catalog.New(store)
	if err != nil {
		t.Fatal(err)
	}
	return New(cat, store, func() time.Time { return testNow }), store
}

func validInput() core.EventInput {
	return core.EventInput{Type: "reservation.created", PropertyID: "prop_8hJk3m", Object: json.RawMessage(reservation)}
}

func TestPublishEventFillsTheEnvelope(t *testing.T) {
	svc, store := newService(t)
	ctx := context.Background()
	live := core.Scope{AccountID: testScope.AccountID, Livemode: true}

	ev, created, err := svc.PublishEvent(ctx, live, validInput())
	if err != nil {
		t.Fatalf("PublishEvent: %v", err)
	}
	if !created {
		t.Error("created = false for a new event")
	}
	if !regexp.MustCompile(`^evt_[0-9A-Za-z]{24}$`).MatchString(ev.ID) {
		t.Errorf("ID = %q, want evt_ and 24 base62 characters", ev.ID)
	}
	want := core.Event{ID: ev.ID, Type: "reservation.created", CreatedAt: testNow.Truncate(time.Second),
		APIVersion: core.APIVersion, Livemode: true, PropertyID: "prop_8hJk3m"}
	got := *ev
	got.Data = core.EventData{}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("envelope\n got %+v\nwant %+v", got, want)
	}
	if strings.ContainsAny(string(ev.Data.Object), " \n\t") {
		t.Errorf("data.object kept the publisher's whitespace: %s", ev.Data.Object)
	}

	stored, err := store.FindEvent(ctx, live, ev.ID)
	if err != nil {
		t.Fatalf("the event is not in the store: %v", err)
	}
	if stored.ID != ev.ID || string(stored.Data.Object) != string(ev.Data.Object) {
		t.Errorf("stored %+v, want %+v", stored, ev)
	}
	if _, err := store.FindEvent(ctx, testScope, ev.ID); core.ErrorCode(err) != core.ENOTFOUND {
		t.Errorf("event visible in test mode: err %v", err)
	}
}

func TestPublishEventWithIDIsIdempotent(t *testing.T) {
	svc, _ := newService(t)
	ctx := context.Background()
	in := validInput()
	in.ID = "evt_7d2a9c3f81b4"
	at := time.Date(2026, 4, 13, 9, 15, 7, 250, time.FixedZone("AST", -4*3600))
	in.CreatedAt = &at

	first, created, err := svc.PublishEvent(ctx, testScope, in)
	if err != nil || !created {
		t.Fatalf("first publish: created %v err %v", created, err)
	}
	if want := at.UTC().Truncate(time.Second); !first.CreatedAt.Equal(want) {
		t.Errorf("CreatedAt = %v, want the publisher's %v in whole seconds", first.CreatedAt, want)
	}
	in.PropertyID = "prop_other"
	second, created, err := svc.PublishEvent(ctx, testScope, in)
	if err != nil {
		t.Fatal(err)
	}
	if created {
		t.Error("second publish of the same id: created = true")
	}
	if second.ID != first.ID || second.PropertyID != "prop_8hJk3m" {
		t.Errorf("second publish returned %+v, want the stored event %+v", second, first)
	}
}

func TestPublishEventRefuses(t *testing.T) {
	future := testNow.Add(MaxClockSkew + time.Second)
	nearFuture := testNow.Add(MaxClockSkew - time.Second)
	tests := []struct {
		name      string
		edit      func(in *core.EventInput)
		wantParam string // "" means accepted
		wantIn    string
	}{
		{"valid", func(in *core.EventInput) {}, "", ""},
		{"created_at a little ahead", func(in *core.EventInput) { in.CreatedAt = &nearFuture }, "", ""},
		{"no type", func(in *core.EventInput) { in.Type = "" }, "type", "required"},
		{"unknown type", func(in *core.EventInput) { in.Type = "reservation.exploded" }, "type", "reservation.exploded"},
		{"bad id", func(in *core.EventInput) { in.ID = "event-1" }, "id", "evt_"},
		{"id too long", func(in *core.EventInput) { in.ID = "evt_" + strings.Repeat("a", 65) }, "id", "evt_"},
		{"no property", func(in *core.EventInput) { in.PropertyID = "" }, "property_id", "required"},
		{"no property, operational type", func(in *core.EventInput) {
			in.Type, in.PropertyID = "endpoint.disabled", ""
			in.Object = json.RawMessage(`{"id":"whe_1","url":"https://example.com/h","reason":"50 consecutive failed deliveries","disabled_at":"2026-04-13T14:00:00Z"}`)
		}, "", ""},
		{"property too long", func(in *core.EventInput) { in.PropertyID = strings.Repeat("p", 65) }, "property_id", "64"},
		{"property with a newline", func(in *core.EventInput) { in.PropertyID = "prop_1\n" }, "property_id", "control"},
		{"created_at in the future", func(in *core.EventInput) { in.CreatedAt = &future }, "created_at", "future"},
		{"no object", func(in *core.EventInput) { in.Object = nil }, "data.object", "required"},
		{"null object", func(in *core.EventInput) { in.Object = json.RawMessage(`null`) }, "data.object", "required"},
		{"array object", func(in *core.EventInput) { in.Object = json.RawMessage(`[{}]`) }, "data.object", "JSON object"},
		{"broken JSON", func(in *core.EventInput) { in.Object = json.RawMessage(`{"id":`) }, "data.object", "JSON object"},
		{"too big", func(in *core.EventInput) {
			in.Object = json.RawMessage(`{"x":"` + strings.Repeat("a", MaxObjectBytes) + `"}`)
		}, "data.object", "KiB"},
		{"schema violation", func(in *core.EventInput) {
			in.Object = json.RawMessage(strings.Replace(reservation, "ada@example.com", "ada", 1))
		}, "data.object.guest.email", "email address"},
	}
	svc, store := newService(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := validInput()
			tt.edit(&in)
			ev, _, err := svc.PublishEvent(context.Background(), testScope, in)
			if tt.wantParam == "" {
				if err != nil {
					t.Fatalf("err = %v, want nil", err)
				}
				return
			}
			var e *core.Error
			if !errors.As(err, &e) || e.Code != core.EINVALID {
				t.Fatalf("err = %v, want EINVALID", err)
			}
			if e.Param != tt.wantParam {
				t.Errorf("param = %q, want %q", e.Param, tt.wantParam)
			}
			if !strings.Contains(e.Message, tt.wantIn) {
				t.Errorf("message %q does not contain %q", e.Message, tt.wantIn)
			}
			if ev != nil {
				t.Errorf("returned an event with an error: %+v", ev)
			}
		})
	}
	list, err := store.ListEvents(context.Background(), testScope, core.EventFilter{Page: core.Page{Limit: 100}})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(list.Data); got != 3 {
		t.Errorf("store holds %d events, want the 3 accepted ones", got)
	}
}

func TestNewEventID(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := NewEventID()
		if !regexp.MustCompile(`^evt_[0-9A-Za-z]{24}$`).MatchString(id) || seen[id] {
			t.Fatalf("NewEventID() = %q (repeat: %v)", id, seen[id])
		}
		seen[id] = true
	}
}
