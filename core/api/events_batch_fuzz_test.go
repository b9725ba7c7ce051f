package api

import (
	"reflect"
	"testing"

	"github.com/bellhop/bellhop/core"
)

// FuzzDecodeBatch sends arbitrary bodies through decodeBatch, the decoding
// of POST /v1/events/batch. Whatever the body: no panic; a refusal of the
// whole batch, and the refusal of any one event, is an EINVALID *core.Error
// with a message; an accepted batch has 1 to MaxBatchEvents results. And
// where the one-pass decoding succeeds, decoding event by event (the path
// taken when one event is malformed) gives the same inputs and errors, so
// the shortcut changes nothing a caller can see.
func FuzzDecodeBatch(f *testing.F) {
	for _, s := range []string{
		`{"events":[{"type":"reservation.created","property_id":"prop_1","data":{"object":{"id":"res_1"}}}]}`,
		`{"events":[{"type":"t","property_id":"p","created_at":"2026-04-13T16:22:31+02:00","data":{"object":{"a":1}}},null]}`,
		`{"events":[{"type":"t","created_at":"yesterday","data":{"object":{}}},{"data":{"object":[1]}},{"id":"x","data":{}}]}`,
		`{"events":[42,"x",[],true,{"type":5},{"data":{"objekt":{}}}]}`,
		`{"events":[]}`, `{"events":null}`, `{"events":{}}`, `{}`, `{"events":[{}],"x":1}`, `[`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		ins, fails, err := decodeBatch(testContext("POST", "/", string(body), 1<<16))
		if err != nil {
			wantEINVALID(t, body, "the batch", err, true)
			return
		}
		if len(ins) != len(fails) || len(ins) < 1 || len(ins) > MaxBatchEvents {
			t.Fatalf("decodeBatch(%q): %d inputs and %d errors, want as many, 1 to %d", body, len(ins), len(fails), MaxBatchEvents)
		}
		for _, e := range fails {
			if e != nil {
				wantEINVALID(t, body, "an event", e, false)
			}
		}
		wIns, wFails, wErr := decodeBatchWhole(testContext("POST", "/", string(body), 1<<16))
		if wErr != nil {
			return // the event-by-event path answered; nothing to compare
		}
		eIns, eFails, eErr := decodeBatchEach(testContext("POST", "/", string(body), 1<<16))
		if eErr != nil {
			t.Fatalf("decodeBatch(%q): one pass accepted the batch, event by event refused it: %v", body, eErr)
		}
		for i := range wIns {
			same := reflect.DeepEqual(wIns[i], eIns[i]) && (wFails[i] == nil) == (eFails[i] == nil) &&
				(wFails[i] == nil || wFails[i].Error() == eFails[i].Error() && paramOfErr(wFails[i]) == paramOfErr(eFails[i]))
			if !same {
				t.Fatalf("decodeBatch(%q) event %d: one pass %+v, %v; event by event %+v, %v", body, i, wIns[i], wFails[i], eIns[i], eFails[i])
			}
		}
	})
}

// wantEINVALID fails the test unless err is an EINVALID (or, for the whole
// batch, ETOOLARGE) *core.Error with a message.
func wantEINVALID(t *testing.T, body []byte, what string, err error, whole bool) {
	t.Helper()
	e, ok := err.(*core.Error)
	if !ok || e.Message == "" || (e.Code != core.EINVALID && !(whole && e.Code == core.ETOOLARGE)) {
		t.Fatalf("decodeBatch(%q) refused %s with %v, want an EINVALID *core.Error with a message", body, what, err)
	}
}

func paramOfErr(err error) string {
	if e, ok := err.(*core.Error); ok {
		return e.Param
	}
	return ""
}
