package slackfake

import (
	"encoding/json"
	"net/http"
	"strings"
)

// handler is one Web API method, called once the token checked out; it
// returns the JSON answer.
type handler func(c call) map[string]any

// method wraps a Web API method with Slack's form parsing and token checks.
// Every answer to a known token carries X-OAuth-Scopes, the token's scopes
// comma-separated. That header is not in the OpenAPI spec; slack-go
// (v0.35.0 slack.go, OptionOnResponseHeaders: "headers like X-OAuth-Scopes")
// and slack-ruby-client issue #378 describe Slack sending it, and the
// connector reads it from auth.test to see whether chat:write was granted.
func (s *Server) method(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f, queued := s.failures.Pop(nil)
		if queued && !f.AfterEffect {
			writeFailure(w, f, false)
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
		scopes, known := s.scopesOf(token)
		switch {
		case token == "":
			writeJSON(w, fail("not_authed"))
		case !known:
			writeJSON(w, fail("invalid_auth"))
		case s.TokenError != "":
			writeJSON(w, fail(s.TokenError))
		default:
			w.Header().Set("X-OAuth-Scopes", strings.Join(scopes, ","))
			ans := h(call{form: r.PostForm, scopes: scopes})
			if queued {
				writeFailure(w, f, false)
				return
			}
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

// authTest needs no scope (the spec's security for auth.test is "none").
func (s *Server) authTest(call) map[string]any {
	return map[string]any{
		"ok": true, "url": "https://bellhop-fake.slack.com/", "team": "Bellhop Fake",
		"user": "bellhop", "team_id": "T0FAKE", "user_id": "U0BOT", "bot_id": "B0BOT",
	}
}

// postMessage needs chat:write (the spec: "Requires scope: `chat:write`").
// A private channel the bot is not in answers channel_not_found, not
// not_in_channel: Slack does not show a private channel to outsiders.
func (s *Server) postMessage(c call) map[string]any {
	if !c.has("chat:write") {
		return c.missingScope("chat:write")
	}
	ch, ok := s.channel(c.get("channel"))
	switch {
	case !ok || (ch.Private && !ch.IsMember):
		return fail("channel_not_found")
	case ch.Archived:
		return fail("is_archived")
	case !ch.IsMember:
		return fail("not_in_channel")
	}
	text, blocks := c.get("text"), c.get("blocks")
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

// conversationsInfo takes a conversation id only (the spec: "Conversation
// ID to learn more about"); a name is channel_not_found. It needs the read
// scope of the conversation's type (see needRead).
func (s *Server) conversationsInfo(c call) map[string]any {
	if ans := c.needRead(); ans != nil {
		return ans
	}
	ch, ok := s.channelByID(c.get("channel"))
	if !ok || (ch.Private && !ch.IsMember) {
		return fail("channel_not_found")
	}
	if ans := c.needRead(channelType(ch)); ans != nil {
		return ans
	}
	return map[string]any{"ok": true, "channel": channelJSON(ch)}
}

func channelJSON(ch Channel) map[string]any {
	return map[string]any{
		"id": ch.ID, "name": ch.Name, "is_channel": true, "is_group": false, "is_private": ch.Private,
		"is_archived": ch.Archived, "is_member": ch.IsMember,
	}
}

func channelType(ch Channel) string {
	if ch.Private {
		return "private_channel"
	}
	return "public_channel"
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

// channelByID finds a channel by its id only.
func (s *Server) channelByID(id string) (Channel, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ch := range s.channels {
		if ch.ID == id {
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
