package hubspot_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/bellhop/bellhop/connectors/hubspot/hubspotfake"
	"github.com/bellhop/bellhop/plugins"
)

// One bad contact of three fails alone: the two good ones are saved and get
// the note, whether HubSpot answers the batch with 207 (each input traced)
// or refuses it whole with 400 (the connector then sends each contact
// alone). The delivery fails for good, since the bad record never will
// pass, and names it.
func TestDeliverOneBadContactOfThree(t *testing.T) {
	const in = `{"contacts":[{"email":"ada@example.com","properties":{"firstname":"Ada"}},{"email":"not-an-email"},{"email":"grace@example.com"}],"note":"Booked R-7"}`
	tests := []struct {
		name          string
		noMultiStatus bool
		wantRequests  int // upserts and the note
	}{
		{"207 with trace ids", false, 2},
		{"whole batch refused with 400", true, 1 + 3 + 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := hubspotfake.New(t)
			fake.NoMultiStatus = tt.noMultiStatus
			res, err := newConnector().Deliver(context.Background(), config(fake), json.RawMessage(in))
			if err != nil {
				t.Fatal(err)
			}
			if res.Outcome != plugins.Failed {
				t.Errorf("outcome = %q, want failed (the bad record will never pass)", res.Outcome)
			}
			var ids []string
			for _, email := range []string{"ada@example.com", "grace@example.com"} {
				c, ok := fake.Contact(email)
				if !ok {
					t.Fatalf("%s was not saved", email)
				}
				ids = append(ids, c.ID)
			}
			notes := fake.Notes()
			if len(notes) != 1 || strings.Join(notes[0].ContactIDs, ",") != strings.Join(ids, ",") {
				t.Fatalf("notes = %+v, want one on contacts %v", notes, ids)
			}
			for _, want := range []string{"2 of 3 contacts saved", "not-an-email", "VALIDATION_ERROR", "note " + notes[0].ID} {
				if !strings.Contains(res.Summary, want) {
					t.Errorf("summary %q does not mention %q", res.Summary, want)
				}
			}
			if want := "contact/" + ids[0] + ",contact/" + ids[1] + ",note/" + notes[0].ID; res.ExternalID != want {
				t.Errorf("external id = %q, want %q", res.ExternalID, want)
			}
			if got := fake.Requests(); got != tt.wantRequests {
				t.Errorf("fake saw %d requests, want %d", got, tt.wantRequests)
			}
		})
	}
}

// A batch whose every contact is bad saves nothing and writes no note, in
// both modes; the split sends each contact once and stops there.
func TestDeliverAllContactsBad(t *testing.T) {
	const in = `{"contacts":[{"email":"nope"},{"email":"neither"}],"note":"x"}`
	for _, noMultiStatus := range []bool{false, true} {
		fake := hubspotfake.New(t)
		fake.NoMultiStatus = noMultiStatus
		res, _ := newConnector().Deliver(context.Background(), config(fake), json.RawMessage(in))
		if res.Outcome != plugins.Failed || !strings.Contains(res.Summary, "0 of 2 contacts saved") {
			t.Errorf("NoMultiStatus=%v: Deliver = %q %q, want failed with 0 of 2 saved", noMultiStatus, res.Outcome, res.Summary)
		}
		if n := len(fake.Notes()); n != 0 {
			t.Errorf("NoMultiStatus=%v: %d notes, want none", noMultiStatus, n)
		}
		if want := map[bool]int{false: 1, true: 3}[noMultiStatus]; fake.Requests() != want {
			t.Errorf("NoMultiStatus=%v: %d requests, want %d", noMultiStatus, fake.Requests(), want)
		}
	}
}
