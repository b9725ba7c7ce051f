package hubspot_test

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/bellhop/bellhop/connectors/connectortest"
	"github.com/bellhop/bellhop/connectors/hubspot"
	"github.com/bellhop/bellhop/connectors/hubspot/hubspotfake"
	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/plugins"
)

const sampleInput = `{"contacts":[{"email":"ada@example.com","properties":{"firstname":"Ada","lastname":"Lovelace","phone":"+44 20 7946 0000"}}],"note":"Reservation R-1001: 12–14 May 2026, Deluxe King, 2 guests, €420.00"}`

func config(fake *hubspotfake.Server) plugins.Config {
	return plugins.Config{"token": fake.Token, "api_base_url": fake.URL}
}

func newConnector() *hubspot.Connector {
	return hubspot.NewWithLimit(connectortest.NewLogs().Slog(), time.Millisecond, 1000)
}

func TestKit(t *testing.T) {
	fake := hubspotfake.New(t)
	logs := connectortest.NewLogs()
	cfg := config(fake)
	fail := func(f hubspotfake.Failure) func() { return func() { fake.Fail(f) } }
	cases := []connectortest.Case{
		{Name: "saved", Want: plugins.Delivered},
		{Name: "401", Config: plugins.Config{"token": "pat-na1-wrong", "api_base_url": fake.URL}, Want: plugins.Failed},
		{Name: "403 missing scopes", Arrange: fail(hubspotfake.Failure{Status: 403, Category: "MISSING_SCOPES"}), Want: plugins.Failed},
		{Name: "429 with Retry-After", Arrange: fail(hubspotfake.Failure{Status: 429, RetryAfter: 4}), Want: plugins.Retry, WantRetryAfter: 4 * time.Second},
		{Name: "429 with rate-limit headers only", Arrange: fail(hubspotfake.Failure{Status: 429}), Want: plugins.Retry, WantRetryAfter: 10 * time.Second},
		{Name: "502", Arrange: fail(hubspotfake.Failure{Status: 502}), Want: plugins.Retry},
		{Name: "note 503 after contacts", Arrange: fail(hubspotfake.Failure{Path: "/crm/v3/objects/notes", Status: 503}), Want: plugins.Retry},
		{Name: "unknown property", Input: json.RawMessage(`{"contacts":[{"email":"a@example.com","properties":{"room_number":"12"}}]}`), Want: plugins.Failed},
		{Name: "one bad contact of two", Arrange: func() { fake.NoMultiStatus = false }, Input: json.RawMessage(`{"contacts":[{"email":"ok@example.com"},{"email":"not-an-email"}],"note":"x"}`), Want: plugins.Failed},
		{Name: "one bad contact of two, batch refused whole", Arrange: func() { fake.NoMultiStatus = true },
			Input: json.RawMessage(`{"contacts":[{"email":"ok2@example.com"},{"email":"not-an-email"}],"note":"x"}`), Want: plugins.Failed},
		{Name: "contact without email", Input: json.RawMessage(`{"contacts":[{"properties":{"firstname":"x"}}]}`), Want: plugins.Failed},
		{Name: "unreachable", Config: plugins.Config{"token": fake.Token, "api_base_url": "http://127.0.0.1:1"}, Want: plugins.Retry},
	}
	connectortest.Kit{
		Connector: hubspot.NewWithLimit(logs.Slog(), time.Millisecond, 1000),
		Config:    cfg, Input: json.RawMessage(sampleInput), Cases: cases, Logs: logs,
		Received: fake.Requests,
	}.Run(t)
}

func TestDeliverWritesContactsAndNote(t *testing.T) {
	fake := hubspotfake.New(t)
	res, err := newConnector().Deliver(context.Background(), config(fake), json.RawMessage(sampleInput))
	if err != nil || res.Outcome != plugins.Delivered {
		t.Fatalf("Deliver = %+v, %v; want delivered", res, err)
	}
	ada, ok := fake.Contact("ada@example.com")
	if !ok {
		t.Fatal("the fake has no contact ada@example.com")
	}
	if got, want := ada.Properties["firstname"], "Ada"; got != want {
		t.Errorf("firstname = %q, want %q", got, want)
	}
	notes := fake.Notes()
	if len(notes) != 1 {
		t.Fatalf("fake has %d notes, want 1", len(notes))
	}
	if got, want := notes[0].ContactIDs, []string{ada.ID}; len(got) != 1 || got[0] != want[0] {
		t.Errorf("note associated with %v, want %v", got, want)
	}
	if !strings.Contains(notes[0].Body, "R-1001") {
		t.Errorf("note body = %q, want the reservation", notes[0].Body)
	}
	if want := "contact/" + ada.ID + ",note/" + notes[0].ID; res.ExternalID != want {
		t.Errorf("external id = %q, want %q", res.ExternalID, want)
	}
}

// Delivering the same event twice (at-least-once) updates the one contact.
func TestDeliverIsAnUpsert(t *testing.T) {
	fake := hubspotfake.New(t)
	c := newConnector()
	first := `{"contacts":[{"email":"ada@example.com","properties":{"firstname":"Ada"}}],"note":null}`
	second := `{"contacts":[{"email":"ada@example.com","properties":{"lastname":"Lovelace"}}],"note":null}`
	r1, _ := c.Deliver(context.Background(), config(fake), json.RawMessage(first))
	r2, _ := c.Deliver(context.Background(), config(fake), json.RawMessage(second))
	if r1.Outcome != plugins.Delivered || r2.Outcome != plugins.Delivered {
		t.Fatalf("deliveries = %+v, %+v; want both delivered", r1, r2)
	}
	if r1.ExternalID != r2.ExternalID {
		t.Errorf("external ids = %q then %q, want the same contact", r1.ExternalID, r2.ExternalID)
	}
	ada, _ := fake.Contact("ada@example.com")
	if ada.Properties["firstname"] != "Ada" || ada.Properties["lastname"] != "Lovelace" {
		t.Errorf("contact properties = %v, want both writes merged", ada.Properties)
	}
	if n := len(fake.Notes()); n != 0 {
		t.Errorf("fake has %d notes, want none for a null note", n)
	}
}

// Limits declares HubSpot's pace per token, costing one request for the
// contacts' batch and one for the note; the hub keeps it, so Deliver never
// waits.
func TestLimits(t *testing.T) {
	fake := hubspotfake.New(t)
	c := hubspot.New(connectortest.NewLogs().Slog())
	tests := []struct {
		name   string
		config plugins.Config
		input  string
		cost   int // 0: no limit declared
	}{
		{"contacts and a note", config(fake), `{"contacts":[{"email":"a@example.com"},{"email":"b@example.com"}],"note":"Booked"}`, 2},
		{"contacts only", config(fake), `{"contacts":[{"email":"a@example.com"}],"note":null}`, 1},
		{"a note only", config(fake), `{"note":"Booked"}`, 1},
		{"nothing to send", config(fake), `{}`, 1},
		{"invalid configuration", plugins.Config{}, `{}`, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := c.Limits(context.Background(), tc.config, json.RawMessage(tc.input))
			var want []plugins.Limit
			if tc.cost > 0 {
				want = []plugins.Limit{{Name: "token", Key: fake.Token, Rate: 1, Period: time.Second / 9, Burst: 10, Cost: tc.cost}}
			}
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Errorf("Limits = %+v, %v; want %+v", got, err, want)
			}
		})
	}
}

// Deliver keeps no limiter of its own: the pace it declares is the hub's
// to keep, so a worker never sleeps in the plugin.
func TestDeliverDoesNotWait(t *testing.T) {
	fake := hubspotfake.New(t)
	c := hubspot.NewWithLimit(connectortest.NewLogs().Slog(), time.Hour, 1)
	in := json.RawMessage(`{"contacts":[{"email":"a@example.com"}],"note":null}`)
	for i := range 3 {
		if res, _ := c.Deliver(context.Background(), config(fake), in); res.Outcome != plugins.Delivered {
			t.Fatalf("delivery %d = %+v, want delivered", i, res)
		}
	}
}

func TestCheck(t *testing.T) {
	fake := hubspotfake.New(t)
	tests := []struct {
		name     string
		config   plugins.Config
		wantCode string
	}{
		{"good", config(fake), ""},
		{"no token", plugins.Config{"api_base_url": fake.URL}, core.EINVALID},
		{"bad token", plugins.Config{"token": "pat-wrong", "api_base_url": fake.URL}, core.EINVALID},
		{"unreachable", plugins.Config{"token": fake.Token, "api_base_url": "http://127.0.0.1:1"}, core.EUNAVAILABLE},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := newConnector().Check(context.Background(), tt.config)
			if got := core.ErrorCode(err); got != tt.wantCode {
				t.Errorf("Check = %v (code %q), want %q", err, got, tt.wantCode)
			}
		})
	}
}
