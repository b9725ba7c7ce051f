package main

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core/redistest"
)

// TestKillDashNineMidPublishRetryFindsEvent: a hub is killed after it stored
// an event and before it answered. The client's retry with the same
// Idempotency-Key, sent to another hub, gets that event (same id, 201)
// within seconds, not a 409 for a minute, and no second event is published
// or delivered.
func TestKillDashNineMidPublishRetryFindsEvent(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills the real binary")
	}
	r := redistest.New(t)
	stalling := startHubProcess(t, r.URL, r.Prefix, "BELLHOP_STALL_AFTER_PUBLISH=10m")
	other := startHubProcess(t, r.URL, r.Prefix)
	rcv := newCountingReceiver(t)
	code, body, err := other.call("POST", "/v1/webhook_endpoints", map[string]any{"url": rcv.url, "enabled_events": []string{"guest.created"}})
	if err != nil || code != 201 {
		t.Fatalf("create endpoint: %d %s %v", code, body, err)
	}
	var endpoint struct{ ID string }
	json.Unmarshal(body, &endpoint)

	event := map[string]any{"type": "guest.created", "property_id": "prop_8hJk3m", "data": map[string]any{"object": guestObject(1)}}
	key := []string{"Idempotency-Key", "crash-mid-publish"}
	go stalling.call("POST", "/v1/events", event, key...) // never answered: the hub dies first

	// Wait until the event is stored and its delivery recorded, so that the
	// kill tests the publish, not the delivery engine's own recovery.
	var stored string
	waitFor(t, "the stalled publish to be stored and delivered", func() bool {
		var l struct{ Data []struct{ ID, Status string } }
		if _, b, err := other.call("GET", "/v1/webhook_endpoints/"+endpoint.ID+"/deliveries", nil); err == nil {
			json.Unmarshal(b, &l)
		}
		return len(l.Data) == 1 && l.Data[0].Status == "succeeded"
	})
	if ids := listEventIDs(t, other); len(ids) == 1 {
		stored = ids[0]
	} else {
		t.Fatalf("events before the kill = %v, want one", ids)
	}
	stalling.kill()

	killed := time.Now()
	var got struct{ ID string }
	retryAfterKill(t, other, "/v1/events", event, key, 201, &got)
	// A publish settles its key in the step that stores the event, so the
	// retry is a replay at once; a claim held on the general path (a key
	// that had a record) would lapse within redisstore.DefaultIdempotencyLease (5 s).
	if took := time.Since(killed); took > 10*time.Second {
		t.Errorf("the retry was answered %v after the kill, want within the claim's lease", took)
	} else {
		t.Logf("the retry was answered %v after the kill", took.Round(10*time.Millisecond))
	}
	if got.ID != stored {
		t.Errorf("retry answered event %s, want the stored %s", got.ID, stored)
	}
	if ids := listEventIDs(t, other); len(ids) != 1 {
		t.Errorf("events after the retry = %v, want only %s", ids, stored)
	}
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	if len(rcv.seen) != 1 || rcv.seen[stored] != 1 {
		t.Errorf("receiver saw %v, want %s once", rcv.seen, stored)
	}
}

// retryAfterKill posts body to path on h with the Idempotency-Key header
// key until the killed hub's claim on it lapses (409 until then), and
// decodes the answer, which must have status want, into out.
func retryAfterKill(t *testing.T, h *hubProcess, path string, body any, key []string, want int, out any) {
	t.Helper()
	waitFor(t, "the retry to be answered", func() bool {
		code, answer, err := h.call("POST", path, body, key...)
		if err != nil || code == 409 {
			return false
		}
		if code != want {
			t.Fatalf("retry: %d %s, want %d with what the first request stored", code, answer, want)
		}
		json.Unmarshal(answer, out)
		return true
	})
}

// listEventIDs returns the ids of the events h lists, newest first.
func listEventIDs(t *testing.T, h *hubProcess) []string {
	t.Helper()
	code, body, err := h.call("GET", "/v1/events?limit=100", nil)
	if err != nil || code != 200 {
		t.Fatalf("list events: %d %s %v", code, body, err)
	}
	var l struct{ Data []struct{ ID string } }
	json.Unmarshal(body, &l)
	ids := make([]string, len(l.Data))
	for i, e := range l.Data {
		ids[i] = e.ID
	}
	return ids
}

// TestKillDashNineMidBatchRetryFindsEvents: as above for POST
// /v1/events/batch. A hub is killed after it stored a batch and before it
// answered; the retry with the same Idempotency-Key, sent to another hub,
// answers 201 for every event with the ids the first request stored (the
// events without an id are named after the key's seed and their index),
// and nothing is published or delivered twice.
func TestKillDashNineMidBatchRetryFindsEvents(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills the real binary")
	}
	r := redistest.New(t)
	stalling := startHubProcess(t, r.URL, r.Prefix, "BELLHOP_STALL_AFTER_PUBLISH=10m")
	other := startHubProcess(t, r.URL, r.Prefix)
	rcv := newCountingReceiver(t)
	createEndpoint(t, other, rcv.url)

	const n = 5
	events := make([]any, n)
	for i := range events {
		events[i] = map[string]any{"type": "guest.created", "property_id": "prop_8hJk3m", "data": map[string]any{"object": guestObject(i)}}
	}
	batch := map[string]any{"events": events}
	key := []string{"Idempotency-Key", "crash-mid-batch"}
	go stalling.call("POST", "/v1/events/batch", batch, key...) // never answered: the hub dies first

	waitFor(t, "the stalled batch to be stored and delivered", func() bool {
		rcv.mu.Lock()
		defer rcv.mu.Unlock()
		return len(rcv.seen) == n
	})
	stored := listEventIDs(t, other)
	if len(stored) != n {
		t.Fatalf("events before the kill = %v, want %d", stored, n)
	}
	stalling.kill()

	var got struct {
		Data []struct {
			Status int
			Event  struct{ ID string }
		}
		Created int
	}
	retryAfterKill(t, other, "/v1/events/batch", batch, key, 200, &got)
	if got.Created != n || len(got.Data) != n {
		t.Fatalf("retry answered %d created of %d results, want %d", got.Created, len(got.Data), n)
	}
	want := map[string]bool{}
	for _, id := range stored {
		want[id] = true
	}
	for i, it := range got.Data {
		if it.Status != 201 || !want[it.Event.ID] {
			t.Errorf("retry result %d = %d %s, want 201 with one of the stored %v", i, it.Status, it.Event.ID, stored)
		}
	}
	if ids := listEventIDs(t, other); len(ids) != n {
		t.Errorf("events after the retry = %v, want only the %d stored", ids, n)
	}
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	for id, times := range rcv.seen {
		if times != 1 || !want[id] {
			t.Errorf("receiver saw %s %d times, want each stored event once", id, times)
		}
	}
}
