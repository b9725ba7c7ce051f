package main

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sync"

	"github.com/bellhop/bellhop/core/signature"
)

// maxBody bounds what the receiver reads; Bellhop events are far smaller.
const maxBody = 1 << 20

// receiver verifies and records deliveries. seen stands in for a table with
// a unique index on the event id, which a real receiver would use.
type receiver struct {
	secret string
	header string

	mu   sync.Mutex
	seen map[string]bool
	out  *json.Encoder
}

func newReceiver(secret, header string, out io.Writer) *receiver {
	return &receiver{secret: secret, header: header, seen: map[string]bool{}, out: json.NewEncoder(out)}
}

// ServeHTTP answers 200 for a genuine event (new or duplicate), 401 for a bad
// signature, 400 for a body that is not an event.
func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	// Verify the raw bytes, never a re-serialised object.
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil {
		http.Error(w, "cannot read body", http.StatusBadRequest)
		return
	}
	status, text := rc.handle(r.Header.Get(rc.header), body)
	http.Error(w, text, status)
}

func (rc *receiver) handle(header string, body []byte) (int, string) {
	if err := signature.Verify(rc.secret, header, body, 0); err != nil {
		reason := "invalid signature"
		if errors.Is(err, signature.ErrTimestampTooOld) {
			reason = "stale timestamp"
		}
		rc.log(map[string]any{"rejected": http.StatusUnauthorized, "reason": reason})
		return http.StatusUnauthorized, reason
	}
	var event struct {
		ID   string `json:"id"`
		Type string `json:"type"`
	}
	if err := json.Unmarshal(body, &event); err != nil || event.ID == "" {
		return http.StatusBadRequest, "body is not an event"
	}
	if !rc.markSeen(event.ID) {
		rc.log(map[string]any{"duplicate": event.ID})
		return http.StatusOK, "duplicate"
	}
	// Enqueue the event for real work here and answer at once.
	rc.log(map[string]any{"received": event.ID, "type": event.Type})
	return http.StatusOK, "ok"
}

// markSeen records id and reports whether it was new.
func (rc *receiver) markSeen(id string) bool {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.seen[id] {
		return false
	}
	rc.seen[id] = true
	return true
}

func (rc *receiver) log(record map[string]any) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	_ = rc.out.Encode(record)
}
