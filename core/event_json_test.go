package core

import (
	"encoding/json"
	"testing"
	"time"
)

// FuzzEventAppendJSON holds AppendJSON to json.Marshal's bytes for any
// envelope whose data.object is compact JSON (what AppendJSON requires).
func FuzzEventAppendJSON(f *testing.F) {
	f.Add("evt_1", "reservation.created", "prop_1", int64(1796211425), 0, true, `{"guest":{"name":"Ada <a&b>"},"n":[1,2.5e3,null]}`)
	f.Add("evt_\u2028", "x\x00y", "\xff", int64(-62135596800), 999, false, `"é"`)
	f.Add("", "", "", int64(0), 0, false, ``)
	f.Fuzz(func(t *testing.T, id, typ, property string, sec int64, nsec int, live bool, object string) {
		if !json.Valid([]byte(object)) && object != "" {
			t.Skip("data.object must be valid JSON")
		}
		at := time.Unix(sec, int64(nsec)).UTC()
		if at.Year() < 0 || at.Year() > 9999 {
			t.Skip("json.Marshal refuses years outside 0–9999")
		}
		ev := &Event{ID: id, Type: typ, CreatedAt: at, APIVersion: APIVersion, Livemode: live, PropertyID: property}
		if object != "" {
			ev.Data.Object = compactObject(t, object)
		}
		want, err := json.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		if got := ev.AppendJSON(nil); string(got) != string(want) {
			t.Fatalf("AppendJSON = %s\njson.Marshal = %s", got, want)
		}
	})
}

func compactObject(t *testing.T, s string) json.RawMessage {
	b, err := CompactObject(json.RawMessage(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
