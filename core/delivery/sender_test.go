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
