package core

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestBackfillJSONKeepsTheDocumentedShape holds a backfill's JSON, which
// the API returns and Redis stores, to endpoint_id / connection_id, and
// reads it back into the same Target.
func TestBackfillJSONKeepsTheDocumentedShape(t *testing.T) {
	for _, tc := range []struct {
		target Target
		want   string
		absent string
	}{
		{Target{Kind: TargetEndpoint, ID: "whe_1"}, `"endpoint_id":"whe_1"`, `connection_id`},
		{Target{Kind: TargetConnection, ID: "conn_1"}, `"connection_id":"conn_1"`, `"target"`},
	} {
		t.Run(tc.target.Kind, func(t *testing.T) {
			b, err := json.Marshal(&Backfill{ID: "bf_1", Target: tc.target})
			if err != nil {
				t.Fatal(err)
			}
			if got := string(b); !strings.Contains(got, tc.want) || strings.Contains(got, tc.absent) || !strings.Contains(got, `"endpoint_id"`) {
				t.Errorf("JSON = %s, want %s and endpoint_id, not %s", got, tc.want, tc.absent)
			}
			var back Backfill
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			if back.ID != "bf_1" || back.Target != tc.target {
				t.Errorf("read back %+v, want %v", back, tc.target)
			}
		})
	}
}

// TestDeliveryJSONKeepsEndpointID holds a delivery's JSON to the
// documented endpoint_id beside its target.
func TestDeliveryJSONKeepsEndpointID(t *testing.T) {
	for _, tc := range []struct {
		target Target
		want   string
	}{
		{Target{Kind: TargetEndpoint, ID: "whe_1"}, `"endpoint_id":"whe_1"`},
		{Target{Kind: TargetConnection, ID: "conn_1"}, `"endpoint_id":""`},
	} {
		b, err := json.Marshal([]*Delivery{{ID: "whd_1", Target: tc.target}})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), tc.want) || !strings.Contains(string(b), `"target":{"kind":"`+tc.target.Kind) {
			t.Errorf("JSON = %s, want %s and the target", b, tc.want)
		}
	}
}

// TestDeliveryFilterMatches holds each field of a filter to what it
// narrows, the creation window inclusive at both ends to the millisecond.
func TestDeliveryFilterMatches(t *testing.T) {
	at := time.UnixMilli(1796285039502).UTC()
	d := &Delivery{Status: StatusSucceeded, EventType: "guest.created", CreatedAt: at}
	before, after := at.Add(-time.Millisecond), at.Add(time.Millisecond)
	for _, tc := range []struct {
		name string
		f    DeliveryFilter
		want bool
	}{
		{"no filter", DeliveryFilter{}, true},
		{"its status", DeliveryFilter{Status: StatusSucceeded}, true},
		{"another status", DeliveryFilter{Status: StatusFailed}, false},
		{"its type", DeliveryFilter{EventType: "guest.created"}, true},
		{"another type", DeliveryFilter{EventType: "guest.updated"}, false},
		{"from its time", DeliveryFilter{CreatedGTE: &at}, true},
		{"up to its time", DeliveryFilter{CreatedLTE: &at}, true},
		{"from a millisecond after", DeliveryFilter{CreatedGTE: &after}, false},
		{"up to a millisecond before", DeliveryFilter{CreatedLTE: &before}, false},
		{"a window around it", DeliveryFilter{CreatedGTE: &before, CreatedLTE: &after, Status: StatusSucceeded}, true},
	} {
		if got := tc.f.Matches(d); got != tc.want {
			t.Errorf("%s: Matches = %v, want %v", tc.name, got, tc.want)
		}
	}
}
