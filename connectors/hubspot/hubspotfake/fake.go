package hubspotfake

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/bellhop/bellhop/connectors/connectortest"
)

// Contact is a contact the fake portal holds.
type Contact struct {
	ID         string
	Properties map[string]string
}

// Note is a note the fake portal holds.
type Note struct {
	ID         string
	Body       string
	Timestamp  string
	ContactIDs []string // associated contacts
}

// Failure is an answer the fake gives to the next request instead of
// serving it.
type Failure struct {
	Path       string // only requests to this path; "" for any
	Status     int    // e.g. 429, 502
	Category   string // e.g. "RATE_LIMITS"; defaults from the status
	RetryAfter int    // seconds, sent as Retry-After when set
}

// Server is the fake HubSpot portal. Its exported fields may be changed only
// while no request is in flight.
type Server struct {
	*httptest.Server
	Token string // the private-app token the fake accepts
	// Max is the rolling ten-second request limit (0: none); Interval its window.
	Max      int
	Interval time.Duration
	// NoMultiStatus makes a batch upsert with a bad input fail whole with
	// 400 even when every input carries an objectWriteTraceId. The guide
	// promises multi-status for the batch create endpoints; for upsert only
	// the spec hints at it (the input's objectWriteTraceId, a 207 answer),
	// so a connector is tested against both answers.
	NoMultiStatus bool

	mu       sync.Mutex
	contacts map[string]*Contact // by email
	notes    []Note
	failures connectortest.FailureQueue[Failure]
	window   connectortest.RollingWindow
	seq      int
	requests int
}

// New starts a fake portal with HubSpot's default limit (100 requests per
// 10 s for a private app); it stops when t ends.
func New(t testing.TB) *Server {
	s := &Server{
		Token:    "pat-na1-11111111-2222-3333-4444-fakehubspottoken",
		Max:      100,
		Interval: 10 * time.Second,
		contacts: map[string]*Contact{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /crm/v3/objects/contacts/batch/upsert", s.upsert)
	mux.HandleFunc("POST /crm/v3/objects/notes", s.createNote)
	mux.HandleFunc("GET /account-info/v3/details", s.accountDetails)
	s.Server = httptest.NewServer(s.guard(mux))
	t.Cleanup(s.Close)
	return s
}

// Fail queues answers for the next requests, one per request.
func (s *Server) Fail(f ...Failure) { s.failures.Push(f...) }

// Contact returns the contact with that email, if the portal has one.
func (s *Server) Contact(email string) (Contact, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.contacts[email]
	if !ok {
		return Contact{}, false
	}
	return *c, true
}

// Notes returns the notes created so far.
func (s *Server) Notes() []Note {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Note(nil), s.notes...)
}

// RateLimited says how many requests the rolling limit turned away.
func (s *Server) RateLimited() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.window.Refused()
}

// Requests says how many requests reached the fake.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// guard does what HubSpot does before any endpoint: queued failures,
// authentication, the rolling rate limit and its headers.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.countRequest()
		if f, ok := s.failures.Pop(func(f Failure) bool { return f.Path == "" || f.Path == r.URL.Path }); ok {
			s.writeFailure(w, f)
			return
		}
		if r.Header.Get("Authorization") != "Bearer "+s.Token {
			writeError(w, http.StatusUnauthorized, "INVALID_AUTHENTICATION",
				"Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview")
			return
		}
		remaining, ok := s.take()
		s.rateHeaders(w, remaining)
		if !ok {
			writeRateLimited(w)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) countRequest() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests++
}

// take counts one request in the rolling window.
func (s *Server) take() (remaining int, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Max <= 0 {
		return 1, true
	}
	return s.window.Take(time.Now(), s.Max, s.Interval)
}

func (s *Server) rateHeaders(w http.ResponseWriter, remaining int) {
	h := w.Header()
	h.Set("X-HubSpot-RateLimit-Daily", "250000")
	h.Set("X-HubSpot-RateLimit-Daily-Remaining", "249000")
	h.Set("X-HubSpot-RateLimit-Interval-Milliseconds", strconv.FormatInt(s.Interval.Milliseconds(), 10))
	h.Set("X-HubSpot-RateLimit-Max", strconv.Itoa(s.Max))
	h.Set("X-HubSpot-RateLimit-Remaining", strconv.Itoa(remaining))
}

func (s *Server) writeFailure(w http.ResponseWriter, f Failure) {
	if f.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(f.RetryAfter))
	}
	switch {
	case f.Status == http.StatusTooManyRequests:
		s.rateHeaders(w, 0)
		writeRateLimited(w)
	case f.Status >= 500:
		writeError(w, f.Status, orDefault(f.Category, "INTERNAL_ERROR"), "internal error")
	default:
		writeError(w, f.Status, orDefault(f.Category, "VALIDATION_ERROR"), "the request was refused")
	}
}

// writeRateLimited answers as HubSpot does past the ten-secondly limit. The
// body is the one of the usage guidelines
// (https://developers.hubspot.com/docs/developer-tooling/platform/usage-guidelines):
// errorType RATE_LIMIT and a policyName, and no category, unlike other
// errors.
func writeRateLimited(w http.ResponseWriter) {
	writeJSON(w, http.StatusTooManyRequests, map[string]any{
		"status": "error", "message": "You have reached your ten_secondly_rolling limit.",
		"errorType": "RATE_LIMIT", "correlationId": correlationID(),
		"policyName": "TEN_SECONDLY_ROLLING",
	})
}

func writeError(w http.ResponseWriter, status int, category, message string) {
	writeJSON(w, status, map[string]any{
		"status": "error", "message": message, "correlationId": correlationID(), "category": category,
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func correlationID() string {
	return "fake-" + strconv.FormatInt(time.Now().UnixNano(), 36)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func (s *Server) nextID() string {
	s.seq++
	return strconv.Itoa(1000 + s.seq)
}
