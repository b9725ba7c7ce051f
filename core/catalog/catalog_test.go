package catalog

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/bellhop/bellhop/core"
)

// memTypes is an in-memory core.EventTypeStore for the tests that are about
// the catalog's own rules; store_test.go runs the same flows on Redis.
type memTypes struct {
	mu    sync.Mutex
	types map[core.Scope]map[string]*core.EventType
}

func (m *memTypes) SaveEventType(_ context.Context, scope core.Scope, t *core.EventType) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.types == nil {
		m.types = map[core.Scope]map[string]*core.EventType{}
	}
	if m.types[scope] == nil {
		m.types[scope] = map[string]*core.EventType{}
	}
	if _, ok := m.types[scope][t.Type]; ok {
		return core.Errorf(core.ECONFLICT, "taken")
	}
	cp := *t
	m.types[scope][t.Type] = &cp
	return nil
}

func (m *memTypes) FindCustomEventType(_ context.Context, scope core.Scope, name string) (*core.EventType, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if t, ok := m.types[scope][name]; ok {
		cp := *t
		return &cp, nil
	}
	return nil, core.NotFound("event type", name)
}

func (m *memTypes) ListCustomEventTypes(_ context.Context, scope core.Scope) ([]*core.EventType, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*core.EventType
	for _, t := range m.types[scope] {
		cp := *t
		out = append(out, &cp)
	}
	return out, nil
}

var testScope = core.Scope{AccountID: "acct_test", Livemode: false}

func newCatalog(t *testing.T, store core.EventTypeStore) *Catalog {
	t.Helper()
	c, err := New(store)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func TestShippedTypes(t *testing.T) {
	c := newCatalog(t, &memTypes{})
	want := map[string][]string{
		"hotel": {"guest.created", "housekeeping.status_changed", "inventory.updated",
			"payment.failed", "payment.refunded", "payment.succeeded", "rate.updated",
			"reservation.cancelled", "reservation.checked_in", "reservation.checked_out",
			"reservation.created", "reservation.updated"},
		"guest_app": {"event.closed", "event.published", "guest.checked_in", "guest.updated",
			"payment.received", "photo.approved", "rsvp.submitted", "rsvp.updated"},
		"operational": {"connection.disabled", "endpoint.disabled"},
	}
	got := map[string][]string{}
	for _, et := range c.Shipped() {
		got[et.Group] = append(got[et.Group], et.Type)
		if et.Custom {
			t.Errorf("%s: Custom = true for a shipped type", et.Type)
		}
		if et.Description == "" || strings.Contains(et.Description, "\n") {
			t.Errorf("%s: description %q, want one non-empty line", et.Type, et.Description)
		}
	}
	for group, names := range want {
		if !slices.Equal(got[group], names) {
			t.Errorf("group %s: got %v, want %v", group, got[group], names)
		}
	}
	if n := len(c.Shipped()); n != 22 {
		t.Errorf("got %d shipped types, want 22", n)
	}
}

// Every shipped sample must pass its own schema, or "send a test event"
// would fail for a type out of the box.
func TestShippedSamplesValidate(t *testing.T) {
	c := newCatalog(t, &memTypes{})
	for _, et := range c.Shipped() {
		t.Run(et.Type, func(t *testing.T) {
			if len(et.Sample) == 0 {
				t.Fatal("no sample")
			}
			if err := c.ValidateObject(context.Background(), testScope, et.Type, et.Sample); err != nil {
				t.Errorf("sample does not validate: %v", err)
			}
			var schema map[string]any
			if err := json.Unmarshal(et.Schema, &schema); err != nil {
				t.Fatalf("schema is not a JSON object: %v", err)
			}
			if got, want := schema["$schema"], "https://json-schema.org/draft/2020-12/schema"; got != want {
				t.Errorf("$schema = %v, want %v", got, want)
			}
			if len(schema["required"].([]any)) == 0 {
				t.Error("schema requires no field")
			}
		})
	}
}

// reservation.created's sample is the example of the SwiftGuest reference.
func TestReservationCreatedSampleIsTheReferenceExample(t *testing.T) {
	c := newCatalog(t, &memTypes{})
	et, err := c.FindEventType(context.Background(), testScope, "reservation.created")
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":"res_9kLm2p","status":"confirmed","check_in":"2026-05-10","check_out":"2026-05-14",
	"nights":4,"adults":2,"children":0,"room_type_id":"rt_standard","rate_plan_id":"rp_bar",
	"total":{"amount":86000,"currency":"USD"},"guest":{"id":"gst_4fPq2x","first_name":"Ada",
	"last_name":"Lovelace","email":"ada@example.com"},"source":"direct_booking","channel":null,
	"created_at":"2026-04-13T14:22:30Z"}`
	if got := string(et.Sample); got != string(compact([]byte(want))) {
		t.Errorf("sample\n got %s\nwant %s", got, compact([]byte(want)))
	}
}

func TestShippedIsACopy(t *testing.T) {
	c := newCatalog(t, &memTypes{})
	c.Shipped()[0].Description = "changed"
	if c.Shipped()[0].Description == "changed" {
		t.Error("changing a type returned by Shipped changed the catalog")
	}
}

func TestFindEventType(t *testing.T) {
	c := newCatalog(t, &memTypes{})
	tests := []struct {
		name     string
		wantCode string
	}{
		{"payment.failed", ""},
		{"endpoint.disabled", ""},
		{"connection.disabled", ""},
		{"payment.exploded", core.ENOTFOUND},
		{"Not A Name", core.ENOTFOUND},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			et, err := c.FindEventType(context.Background(), testScope, tt.name)
			if got := core.ErrorCode(err); got != tt.wantCode {
				t.Fatalf("code = %q, want %q (err %v)", got, tt.wantCode, err)
			}
			if err == nil && et.Type != tt.name {
				t.Errorf("Type = %q, want %q", et.Type, tt.name)
			}
		})
	}
}

func paramOf(err error) string {
	var e *core.Error
	if errors.As(err, &e) {
		return e.Param
	}
	return ""
}

func TestNilStoreServesShippedTypes(t *testing.T) {
	c := newCatalog(t, nil)
	ctx := context.Background()
	all, err := c.ListEventTypes(ctx, testScope)
	if err != nil || len(all) != 22 {
		t.Fatalf("ListEventTypes: %d types, err %v; want 22", len(all), err)
	}
	if _, err := c.FindEventType(ctx, testScope, "loyalty.points_earned"); core.ErrorCode(err) != core.ENOTFOUND {
		t.Errorf("FindEventType of a custom name: err %v, want ENOTFOUND", err)
	}
	if err := c.ValidateObject(ctx, testScope, "guest.created", json.RawMessage(`{}`)); paramOf(err) != "data.object.created_at" {
		t.Errorf("ValidateObject: %v, want the first missing field", err)
	}
	et := &core.EventType{Type: "loyalty.points_earned", Schema: json.RawMessage(`{"type":"object"}`)}
	if err := c.CreateEventType(ctx, testScope, et); core.ErrorCode(err) != core.EINTERNAL {
		t.Errorf("CreateEventType: err %v, want an internal error", err)
	}
}
