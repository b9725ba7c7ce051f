package slackfake

import (
	"encoding/json"
	"net/http"
)

// webhook serves the incoming webhook: JSON in, plain-text codes out.
func (s *Server) webhook(w http.ResponseWriter, r *http.Request) {
	if s.nextFailure(w, true) {
		return
	}
	if r.URL.Path != s.WebhookPath {
		writeStatus(w, http.StatusNotFound, true, "no_service")
		return
	}
	var msg struct {
		Text   string          `json:"text"`
		Blocks json.RawMessage `json:"blocks"`
	}
	if err := json.NewDecoder(r.Body).Decode(&msg); err != nil {
		writeStatus(w, http.StatusBadRequest, true, "invalid_payload")
		return
	}
	if msg.Text == "" && len(msg.Blocks) == 0 {
		writeStatus(w, http.StatusBadRequest, true, "no_text")
		return
	}
	if len(msg.Blocks) > 0 && !validBlocks(string(msg.Blocks)) {
		writeStatus(w, http.StatusBadRequest, true, "invalid_blocks")
		return
	}
	if !s.allow("webhook") {
		w.Header().Set("Retry-After", "1")
		writeStatus(w, http.StatusTooManyRequests, true, "rate_limited")
		return
	}
	s.mu.Lock()
	s.messages = append(s.messages, Message{Channel: "C0GENERAL", Text: msg.Text, Blocks: msg.Blocks, Webhook: true})
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/plain")
	_, _ = w.Write([]byte("ok"))
}
