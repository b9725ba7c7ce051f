package catalog

import (
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
)

func TestSampleEvent(t *testing.T) {
	c := newCatalog(t, &memTypes{})
	et, err := c.FindEventType(context.Background(), testScope, "payment.failed")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 4, 13, 16, 22, 31, 987654321, time.FixedZone("AST", -4*3600))
	live := core.Scope{AccountID: "acct_1", Livemode: true}
	ev := SampleEvent(et, live, now)

	if !regexp.MustCompile(`^evt_sample_[A-Za-z0-9]{16}$`).MatchString(ev.ID) {
		t.Errorf("ID = %q, want evt_sample_ and 16 base62 characters", ev.ID)
	}
	if other := SampleEvent(et, live, now); other.ID == ev.ID {
		t.Errorf("two samples share the id %s", ev.ID)
	}
	if want := time.Date(2026, 4, 13, 20, 22, 31, 0, time.UTC); !ev.CreatedAt.Equal(want) || ev.CreatedAt.Location() != time.UTC {
		t.Errorf("CreatedAt = %v, want %v in UTC", ev.CreatedAt, want)
	}
	if ev.Type != "payment.failed" || ev.APIVersion != core.APIVersion || !ev.Livemode || ev.PropertyID != SampleProperty {
		t.Errorf("envelope = %+v", ev)
	}
	if string(ev.Data.Object) != string(et.Sample) {
		t.Errorf("data.object = %s, want the type's sample", ev.Data.Object)
	}
	if err := c.ValidateObject(context.Background(), live, ev.Type, ev.Data.Object); err != nil {
		t.Errorf("sample event does not validate: %v", err)
	}
	if got := SampleEvent(&core.EventType{Type: "x.y"}, testScope, now); string(got.Data.Object) != "{}" || got.Livemode {
		t.Errorf("type without sample: object %s livemode %v, want {} and false", got.Data.Object, got.Livemode)
	}
}
