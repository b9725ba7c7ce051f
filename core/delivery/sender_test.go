package delivery

import (
	"testing"

	"github.com/bellhop/bellhop/core"
)

// TestJobDecodeEvent checks that a job decodes its payload only when the
// caller gave no event, and reports an unreadable payload.
func TestJobDecodeEvent(t *testing.T) {
	given := &core.Event{ID: "evt_given", Type: "booking.created"}
	tests := []struct {
		name    string
		job     Job
		wantID  string
		wantErr bool
	}{
		{"decoded from the payload", Job{Payload: []byte(`{"id":"evt_raw","type":"booking.created"}`)}, "evt_raw", false},
		{"the caller's event wins", Job{Event: given, Payload: []byte(`{"id":"evt_raw"}`)}, "evt_given", false},
		{"empty payload", Job{}, "", true},
		{"unreadable payload", Job{Payload: []byte(`{"id":`)}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := tt.job.DecodeEvent()
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if err == nil && ev.ID != tt.wantID {
				t.Errorf("event id = %q, want %q", ev.ID, tt.wantID)
			}
		})
	}
}

// TestDecodeEventHead checks that the dispatcher's slim decode keeps what
// routing needs and reports what it cannot read.
func TestDecodeEventHead(t *testing.T) {
	tests := []struct {
		name    string
		raw     string
		want    core.Event
		wantErr bool
	}{
		{"routing fields", `{"id":"evt_1","type":"booking.created","livemode":true,"property_id":"prop_9","created_at":"2026-01-01T00:00:00Z","data":{"object":{"x":1}}}`,
			core.Event{ID: "evt_1", Type: "booking.created", Livemode: true, PropertyID: "prop_9"}, false},
		{"empty", ``, core.Event{}, true},
		{"not JSON", `evt_1`, core.Event{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeEventHead([]byte(tt.raw))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if err == nil && (got.ID != tt.want.ID || got.Type != tt.want.Type || got.Livemode != tt.want.Livemode || got.PropertyID != tt.want.PropertyID) {
				t.Errorf("head = %+v, want %+v", *got, tt.want)
			}
		})
	}
}
