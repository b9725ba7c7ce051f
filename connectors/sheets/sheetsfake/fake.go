package sheetsfake

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/bellhop/bellhop/connectors/connectortest"
)

// Failure is an answer the fake gives to the next API request (not token
// requests) instead of serving it.
type Failure struct {
	Code       int // 429, 403, 404, 500…
	RetryAfter int // seconds, sent as Retry-After when set
}

// Server is the fake Google. Its exported fields may be changed only while
// no request is in flight.
type Server struct {
	*httptest.Server
	SpreadsheetID string
	ClientEmail   string
	Key           *rsa.PrivateKey
	// WritesPerWindow, when set, is the write quota per Window (Google's is
	// 60 a minute per user per project); over it answers 429.
	WritesPerWindow int
	Window          time.Duration

	mu       sync.Mutex
	tabs     map[string][][]any // tab name → rows
	order    []string           // tab names in order
	shared   bool               // the spreadsheet is shared with the service account
	tokens   map[string]bool
	failures connectortest.FailureQueue[Failure]
	writes   connectortest.RollingWindow
	appends  int
	exchange int
}

// New starts a fake with one spreadsheet holding an empty tab "Bookings" and
// a tab "Archive"; it stops when t ends.
func New(t testing.TB) *Server {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatalf("generate key: %v", err)
	}
	s := &Server{
		SpreadsheetID: "1FakeSpreadsheetIdForBellhopTests0123456789",
		ClientEmail:   "bellhop@bellhop-test.iam.gserviceaccount.com",
		Key:           key,
		Window:        time.Minute,
		tabs:          map[string][][]any{"Bookings": nil, "Archive": nil},
		order:         []string{"Bookings", "Archive"},
		shared:        true,
		tokens:        map[string]bool{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /token", s.token)
	mux.HandleFunc("/v4/spreadsheets/", s.api)
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

// CredentialsJSON is the service account's key file, as Google's console
// downloads it, with token_uri pointing at the fake.
func (s *Server) CredentialsJSON() []byte {
	pk := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: mustPKCS8(s.Key)})
	b, _ := json.Marshal(map[string]string{
		"type":                        "service_account",
		"project_id":                  "bellhop-test",
		"private_key_id":              "0123456789abcdef0123456789abcdef01234567",
		"private_key":                 string(pk),
		"client_email":                s.ClientEmail,
		"client_id":                   "100000000000000000001",
		"auth_uri":                    "https://accounts.google.com/o/oauth2/auth",
		"token_uri":                   s.URL + "/token",
		"auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
	})
	return b
}

func mustPKCS8(k *rsa.PrivateKey) []byte {
	b, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		panic(err) // an RSA key always marshals
	}
	return b
}

// Unshare takes the service account's access away (403 from then on).
func (s *Server) Unshare() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.shared = false
}

// Fail queues answers for the next API requests, one per request.
func (s *Server) Fail(f ...Failure) { s.failures.Push(f...) }

// Rows returns the rows of a tab.
func (s *Server) Rows(tab string) [][]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]any(nil), s.tabs[tab]...)
}

// Appends says how many values.append calls succeeded.
func (s *Server) Appends() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.appends
}

// RateLimited says how many writes the quota turned away.
func (s *Server) RateLimited() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.writes.Refused()
}

// TokenExchanges says how many access tokens the token endpoint handed out.
func (s *Server) TokenExchanges() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.exchange
}

// writeError answers in Google's error shape.
func writeError(w http.ResponseWriter, code int, status, message string) {
	writeJSON(w, code, map[string]any{"error": map[string]any{"code": code, "message": message, "status": status}})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func statusFor(code int) (string, string) {
	switch code {
	case 429:
		return "RESOURCE_EXHAUSTED", "Quota exceeded for quota metric 'Write requests' and limit 'Write requests per minute per user' of service 'sheets.googleapis.com' for consumer 'project_number:100000000001'."
	case 403:
		return "PERMISSION_DENIED", "The caller does not have permission"
	case 404:
		return "NOT_FOUND", "Requested entity was not found."
	case 400:
		return "INVALID_ARGUMENT", "Invalid request."
	case 503:
		return "UNAVAILABLE", "The service is currently unavailable."
	default:
		return "INTERNAL", "Internal error encountered."
	}
}

func (s *Server) popFailure(w http.ResponseWriter) bool {
	f, ok := s.failures.Pop(nil)
	if !ok {
		return false
	}
	if f.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(f.RetryAfter))
	}
	status, msg := statusFor(f.Code)
	writeError(w, f.Code, status, msg)
	return true
}
