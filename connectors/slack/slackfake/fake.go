package slackfake

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/bellhop/bellhop/connectors/connectortest"
)

// Channel is a conversation the fake workspace has.
type Channel struct {
	ID       string
	Name     string
	IsMember bool // the bot was invited; posting elsewhere is not_in_channel
	Archived bool
	Private  bool // a private channel: reading it needs groups:read, not channels:read
}

// Message is one message the fake accepted.
type Message struct {
	Channel string          // the channel id
	TS      string          // the message timestamp, Slack's id for it
	Text    string          // the text field
	Blocks  json.RawMessage // the blocks field, as sent
	Webhook bool            // posted through the incoming webhook
}

// Failure is an answer the fake gives to the next request instead of
// serving it: an HTTP status (with Retry-After seconds for 429) or a Web API
// error code answered with HTTP 200.
type Failure struct {
	Status     int    // e.g. 429, 503; 0 means 200
	RetryAfter int    // seconds, sent with 429
	Error      string // e.g. "internal_error", answered as {"ok":false,"error":…}
	// AfterEffect makes the fake carry the call out (post the message)
	// before answering with the failure, which Slack's docs warn can happen
	// with internal_error and fatal_error: "It's possible some aspect of
	// the operation succeeded before the error was raised." Web API methods
	// only; a call refused for its token uses the failure up unanswered.
	AfterEffect bool
}

// Server is the fake Slack. Its exported fields may be changed between
// requests, under no lock, only while no request is in flight.
type Server struct {
	*httptest.Server
	Token       string // the bot token the fake accepts, granted DefaultScopes
	TokenError  string // when set ("token_revoked", "account_inactive"), every call with the token fails so
	WebhookPath string // the secret path of the incoming webhook
	// PerChannel, when set, limits chat.postMessage per channel the way Slack
	// does (about one a second, short bursts allowed); over it answers 429.
	PerChannel *rate.Limit
	Burst      int

	mu       sync.Mutex
	tokens   map[string][]string // further tokens (TokenWith) and their scopes
	channels []Channel
	messages []Message
	failures connectortest.FailureQueue[Failure]
	limiters map[string]*rate.Limiter
	limited  int
	seq      int
}

// New starts a fake with #general (C0GENERAL, bot invited), #random
// (C0RANDOM, bot not invited) and #old (C0OLD, archived); it stops when t ends.
func New(t testing.TB) *Server {
	s := &Server{
		Token:       "xoxb-1111-2222-fakeslacktokenvalue",
		WebhookPath: "/services/T0FAKE/B0FAKE/fakewebhooksecretpath",
		channels: []Channel{
			{ID: "C0GENERAL", Name: "general", IsMember: true},
			{ID: "C0RANDOM", Name: "random"},
			{ID: "C0OLD", Name: "old", IsMember: true, Archived: true},
		},
		limiters: map[string]*rate.Limiter{},
		tokens:   map[string][]string{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/auth.test", s.method(s.authTest))
	mux.HandleFunc("POST /api/chat.postMessage", s.method(s.postMessage))
	mux.HandleFunc("POST /api/conversations.info", s.method(s.conversationsInfo))
	mux.HandleFunc("POST /api/conversations.list", s.method(s.conversationsList))
	mux.HandleFunc("POST /services/", s.webhook)
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

// APIURL is the value for the connector's api_base_url (slack-go wants the
// trailing slash).
func (s *Server) APIURL() string { return s.URL + "/api/" }

// WebhookURL is the fake's incoming-webhook URL, a secret like Slack's.
func (s *Server) WebhookURL() string { return s.URL + s.WebhookPath }

// Fail queues answers for the next requests, one per request.
func (s *Server) Fail(f ...Failure) { s.failures.Push(f...) }

// TokenWith returns a new bot token that the fake accepts, granted exactly
// these scopes (none: a token that can call only auth.test), the way an app
// installed with fewer Bot Token Scopes gets one.
func (s *Server) TokenWith(scopes ...string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	tok := "xoxb-1111-" + strconv.Itoa(len(s.tokens)+3333) + "-fakeslackscopedtoken"
	s.tokens[tok] = append([]string{}, scopes...)
	return tok
}

// AddChannels adds conversations to the fake workspace, after the three
// New starts with.
func (s *Server) AddChannels(chs ...Channel) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.channels = append(s.channels, chs...)
}

// Messages returns what was posted so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// RateLimited says how many requests the per-channel limit turned away.
func (s *Server) RateLimited() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.limited
}

// nextFailure pops the next queued failure and writes it; it reports
// whether it did.
func (s *Server) nextFailure(w http.ResponseWriter, webhook bool) bool {
	f, ok := s.failures.Pop(nil)
	if !ok {
		return false
	}
	writeFailure(w, f, webhook)
	return true
}

// writeFailure answers with a queued failure.
func writeFailure(w http.ResponseWriter, f Failure, webhook bool) {
	switch {
	case f.Status == http.StatusTooManyRequests:
		w.Header().Set("Retry-After", strconv.Itoa(f.RetryAfter))
		writeStatus(w, f.Status, webhook, "rate_limited")
	case f.Status >= 500:
		// Slack answers 5xx with an HTML page, which slack-go does not parse.
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(f.Status)
		_, _ = w.Write([]byte("<html><body>Slack is having trouble</body></html>"))
	case f.Status != 0:
		writeStatus(w, f.Status, webhook, f.Error)
	default:
		writeJSON(w, map[string]any{"ok": false, "error": f.Error})
	}
}

func writeStatus(w http.ResponseWriter, status int, webhook bool, code string) {
	if webhook {
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(code))
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"ok": false, "error": strings.ReplaceAll(code, "rate_limited", "ratelimited")})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(v)
}

// allow applies the per-channel limit, if any.
func (s *Server) allow(channel string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.PerChannel == nil {
		return true
	}
	l, ok := s.limiters[channel]
	if !ok {
		l = rate.NewLimiter(*s.PerChannel, max(s.Burst, 1))
		s.limiters[channel] = l
	}
	if l.Allow() {
		return true
	}
	s.limited++
	return false
}

func (s *Server) nextTS() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	return strconv.FormatInt(time.Now().Unix(), 10) + "." + strconv.FormatInt(int64(100000+s.seq), 10)
}
