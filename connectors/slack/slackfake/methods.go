package slackfake

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
)

// handler is one Web API method, called once the token checked out; it
// returns the JSON answer.
type handler func(form url.Values) map[string]any

// method wraps a Web API method with Slack's form parsing and token checks.
func (s *Server) method(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.nextFailure(w, false) {
			return
		}
		if err := r.ParseForm(); err != nil {
			writeJSON(w, fail("invalid_form_data"))
			return
		}
		token := r.PostForm.Get("token")
		if token == "" {
			token = strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		}
		switch {
		case token == "":
			writeJSON(w, fail("not_authed"))
		case token != s.Token:
			writeJSON(w, fail("invalid_auth"))
		case s.TokenError != "":
			writeJSON(w, fail(s.TokenError))
		default:
			ans := h(r.PostForm)
			if ans["error"] == "ratelimited" {
				w.Header().Set("Retry-After", "1")
				w.Header().Set("Content-Type", "application/json; charset=utf-8")
				w.WriteHeader(http.StatusTooManyRequests)
				_ = json.NewEncoder(w).Encode(ans)
				return
			}
			writeJSON(w, ans)
		}
	}
}

func fail(code string) map[string]any { return map[string]any{"ok": false, "error": code} }

func (s *Server) authTest(url.Values) map[string]any {
	return map[string]any{
		"ok": true, "url": "https://bellhop-fake.slack.com/", "team": "Bellhop Fake",
		"user": "bellhop", "team_id": "T0FAKE", "user_id": "U0BOT", "bot_id": "B0BOT",
	}
}

func (s *Server) postMessage(form url.Values) map[string]any {
	ch, ok := s.channel(form.Get("channel"))
	switch {
	case !ok:
		return fail("channel_not_found")
	case ch.Archived:
		return fail("is_archived")
	case !ch.IsMember:
		return fail("not_in_channel")
	}
	text, blocks := form.Get("text"), form.Get("blocks")
	if text == "" && blocks == "" {
		return fail("no_text")
	}
	if blocks != "" && !validBlocks(blocks) {
		return fail("invalid_blocks")
	}
	if !s.allow(ch.ID) {
		return fail("ratelimited")
	}
	ts := s.nextTS()
	s.mu.Lock()
	s.messages = append(s.messages, Message{Channel: ch.ID, TS: ts, Text: text, Blocks: json.RawMessage(blocks)})
	s.mu.Unlock()
	return map[string]any{
		"ok": true, "channel": ch.ID, "ts": ts,
		"message": map[string]any{"type": "message", "subtype": "bot_message", "text": text, "ts": ts, "bot_id": "B0BOT"},
	}
}

func (s *Server) conversationsInfo(form url.Values) map[string]any {
	ch, ok := s.channel(form.Get("channel"))
	if !ok || strings.HasPrefix(form.Get("channel"), "#") {
		return fail("channel_not_found")
	}
	return map[string]any{"ok": true, "channel": channelJSON(ch)}
}

func (s *Server) conversationsList(url.Values) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	var list []map[string]any
	for _, ch := range s.channels {
		if !ch.Archived {
			list = append(list, channelJSON(ch))
		}
	}
	return map[string]any{"ok": true, "channels": list, "response_metadata": map[string]any{"next_cursor": ""}}
}

func channelJSON(ch Channel) map[string]any {
	return map[string]any{
		"id": ch.ID, "name": ch.Name, "is_channel": true, "is_private": false,
		"is_archived": ch.Archived, "is_member": ch.IsMember,
	}
}

// channel finds a channel by id, name or #name, as chat.postMessage does.
func (s *Server) channel(ref string) (Channel, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	name := strings.TrimPrefix(ref, "#")
	for _, ch := range s.channels {
		if ch.ID == ref || ch.Name == name {
			return ch, true
		}
	}
	return Channel{}, false
}

// validBlocks accepts a JSON array of objects that each have a type, the
// first thing Slack checks.
func validBlocks(raw string) bool {
	var blocks []map[string]any
	if json.Unmarshal([]byte(raw), &blocks) != nil {
		return false
	}
	for _, b := range blocks {
		if t, _ := b["type"].(string); t == "" {
			return false
		}
	}
	return true
}
